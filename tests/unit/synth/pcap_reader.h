// Reads back the pcap files the synth tests write: global header and every record.
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fk::synth::test {

struct Record {
    uint64_t time_us;
    uint32_t orig_len;
    std::vector<uint8_t> data;
};

struct PcapFile {
    uint32_t magic = 0, snaplen = 0, linktype = 0;
    uint16_t major = 0, minor = 0;
    std::vector<Record> records;
};

inline uint32_t le32(const uint8_t* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint16_t be16(const uint8_t* p) {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline PcapFile read_pcap(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    PcapFile f;
    if (b.size() < 24) return f;
    f.magic = le32(b.data());
    f.major = static_cast<uint16_t>(b[4] | (b[5] << 8));
    f.minor = static_cast<uint16_t>(b[6] | (b[7] << 8));
    f.snaplen = le32(b.data() + 16);
    f.linktype = le32(b.data() + 20);
    size_t off = 24;
    while (off + 16 <= b.size()) {
        const uint32_t caplen = le32(b.data() + off + 8);
        Record r;
        r.time_us = uint64_t{le32(b.data() + off)} * 1'000'000 + le32(b.data() + off + 4);
        r.orig_len = le32(b.data() + off + 12);
        r.data.assign(b.begin() + static_cast<long>(off + 16),
                      b.begin() + static_cast<long>(off + 16 + caplen));
        f.records.push_back(std::move(r));
        off += 16 + caplen;
    }
    return f;
}

}  // namespace fk::synth::test
