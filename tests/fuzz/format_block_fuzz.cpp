// Feeds arbitrary bytes to the flowkit format reader as the body of one block whose magic,
// length and checksum are made right, after a valid file header: so that the column
// directory and every column decoder (transforms, byte planes, sparse rows, dictionaries)
// see the input, which format_reader_fuzz's inputs rarely reach past the checksum. Bytes 0-3
// of the input are the record count (kept under 65536, so that a run stays fast), the rest
// the block from its byte 16 on. It is then decoded as format_fuzz.h says.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "format/crc32c.h"
#include "format/writer.h"
#include "format_fuzz.h"

namespace {

// The header of a file written with no records (its length is at byte 12).
const std::vector<uint8_t>& file_header() {
    static const std::vector<uint8_t> header = [] {
        const std::string path = "/tmp/format_block_fuzz." + std::to_string(getpid());
        fk::FlowWriter::open(path, {})->close();
        std::vector<uint8_t> bytes(1 << 16);
        const int fd = open(path.c_str(), O_RDONLY);
        const ssize_t got = read(fd, bytes.data(), bytes.size());
        close(fd);
        unlink(path.c_str());
        uint32_t len = 0;
        if (got >= 16) std::memcpy(&len, bytes.data() + 12, 4);
        bytes.resize(len <= got ? len : 0);
        return bytes;
    }();
    return header;
}

void put32(uint8_t* p, uint32_t v) {
    std::memcpy(p, &v, 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<uint8_t>& header = file_header();
    if (header.empty() || size < 4 || size > 50000) return 0;
    std::vector<uint8_t> bytes(header);
    const size_t block = bytes.size();
    const size_t len = 16 + (size - 4);
    bytes.resize(block + len);
    uint8_t* b = bytes.data() + block;
    std::memcpy(b, "FKBK", 4);
    put32(b + 4, static_cast<uint32_t>(len));
    uint32_t records;
    std::memcpy(&records, data, 4);
    put32(b + 8, records & 0xffff);
    std::memcpy(b + 16, data + 4, size - 4);
    put32(b + 12, fk::crc32c(fk::crc32c(0, b, 12), b + 16, len - 16));

    fk::fuzz::read_stream(bytes.data(), bytes.size(), false);
    return 0;
}
