// Capture files read through the refilled buffer, on the caller's thread and read ahead on a
// thread of their own: batches whose packets all keep their bytes while the buffer is
// refilled between batches, in pcap and pcapng, records larger than the buffer or than the
// room in front of a chunk read ahead, a file that ends at a chunk's end, and a cut in the
// middle of a record.
#include "packet/capture_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <filesystem>

#include "common/error.h"
#include "common/read_ahead.h"

#include "packet_builder.h"
#include "test_util.h"

namespace fk::test {
namespace {

constexpr uint64_t kT0 = 1700000000ull * 1000000;

// Frame i: its size and its bytes follow from i, so that any moved or overwritten byte shows.
Frame numbered_frame(size_t i, size_t size) {
    Bytes data(size);
    for (size_t j = 0; j < size; ++j) data[j] = static_cast<uint8_t>(i * 7 + j);
    return {kT0 + i, std::move(data)};
}

std::vector<Frame> numbered_frames(size_t count) {
    std::vector<Frame> frames;
    for (size_t i = 0; i < count; ++i) frames.push_back(numbered_frame(i, 60 + (i * 37) % 1400));
    return frames;
}

bool same_bytes(const RawPacket& p, const Frame& f) {
    return p.caplen == f.data.size() && p.wirelen == f.data.size() &&
           std::equal(f.data.begin(), f.data.end(), p.data);
}

struct BatchReading {
    size_t packets = 0;
    size_t short_batches = 0;  // batches that ended before kBatch packets, the last one aside
    bool all_bytes_kept = true;
};

// Reads the file in batches of 64 and checks every packet of a batch once the batch is
// complete: a refill in the middle of a batch would have moved the bytes of the first ones.
BatchReading read_in_batches(CaptureFile& file, const std::vector<Frame>& frames) {
    BatchReading r;
    RawPacket batch[64];
    size_t last = 64;
    while (const size_t k = file.next_batch(batch, 64)) {
        if (last < 64) ++r.short_batches;
        last = k;
        for (size_t i = 0; i < k; ++i) {
            const size_t n = r.packets + i;
            if (n >= frames.size() || !same_bytes(batch[i], frames[n]) ||
                batch[i].ts_us != frames[n].ts_us) {
                r.all_bytes_kept = false;
            }
        }
        r.packets += k;
    }
    return r;
}

// Reads the whole file in batches: every packet of frames, each with its bytes, and no cut.
BatchReading expect_whole_file(CaptureFile& file, const std::vector<Frame>& frames) {
    const BatchReading r = read_in_batches(file, frames);
    EXPECT_EQ(r.packets, frames.size());
    EXPECT_TRUE(r.all_bytes_kept);
    EXPECT_FALSE(file.truncated());
    return r;
}

// The tests run with the file read on this thread and read ahead (GetParam()).
class CaptureFileRead : public ::testing::TestWithParam<bool> {};

TEST_P(CaptureFileRead, BatchesKeepTheirBytesAcrossRefills) {
    TempDir dir;
    const auto frames = numbered_frames(4000);  // about 3 MB: the 256 KB buffer refills
    write_file(dir.file("a.pcap"), pcap_file(frames));
    CaptureFile file(dir.file("a.pcap"), GetParam());
    const BatchReading r = expect_whole_file(file, frames);
    EXPECT_GE(r.short_batches, 2u);  // the batches did meet the end of the buffer
    EXPECT_EQ(file.offset(), file.size());
}

TEST_P(CaptureFileRead, PcapngBatchesKeepTheirBytesAcrossRefills) {
    TempDir dir;
    const auto frames = numbered_frames(4000);
    write_file(dir.file("a.pcapng"), pcapng_file(frames));
    CaptureFile file(dir.file("a.pcapng"), GetParam());
    const BatchReading r = expect_whole_file(file, frames);
    EXPECT_GE(r.short_batches, 2u);
}

TEST_P(CaptureFileRead, RecordsLargerThanTheBuffer) {
    TempDir dir;
    const std::vector<Frame> frames = {numbered_frame(0, 100), numbered_frame(1, 3u << 20),
                                       numbered_frame(2, 100), numbered_frame(3, (1u << 20) - 8)};
    write_file(dir.file("big.pcap"), pcap_file(frames));
    CaptureFile file(dir.file("big.pcap"), GetParam());
    expect_whole_file(file, frames);
}

TEST_P(CaptureFileRead, CutInTheLastRecordEndsTheFileAtItsOffset) {
    TempDir dir;
    const auto frames = numbered_frames(3000);
    Bytes bytes = pcap_file(frames);
    const size_t last_record = bytes.size() - 16 - frames.back().data.size();
    bytes.resize(last_record + 16 + 10);  // the header and 10 bytes of the last packet
    write_file(dir.file("cut.pcap"), bytes);
    CaptureFile file(dir.file("cut.pcap"), GetParam());
    const BatchReading r = read_in_batches(file, frames);
    EXPECT_EQ(r.packets, frames.size() - 1);
    EXPECT_TRUE(r.all_bytes_kept);
    EXPECT_TRUE(file.truncated());
    EXPECT_EQ(file.truncated_at(), last_record);
}

TEST_P(CaptureFileRead, OnePacketAtATimeSeesTheSamePackets) {
    TempDir dir;
    const auto frames = numbered_frames(2000);
    write_file(dir.file("a.pcap"), pcap_file(frames));
    CaptureFile file(dir.file("a.pcap"), GetParam());
    RawPacket p;
    size_t n = 0;
    while (file.next(p)) {
        ASSERT_LT(n, frames.size());
        EXPECT_TRUE(same_bytes(p, frames[n])) << "packet " << n;
        ++n;
    }
    EXPECT_EQ(n, frames.size());
}

// Records longer than the room in front of a chunk read ahead (64 KB) but shorter than a
// chunk: the one cut by a chunk's end is gathered on its own.
TEST_P(CaptureFileRead, RecordsLongerThanTheRoomBeforeAChunk) {
    TempDir dir;
    std::vector<Frame> frames;
    for (size_t i = 0; i < 40; ++i) frames.push_back(numbered_frame(i, (100u << 10) + i));
    write_file(dir.file("a.pcap"), pcap_file(frames));
    CaptureFile file(dir.file("a.pcap"), GetParam());
    expect_whole_file(file, frames);
    EXPECT_EQ(file.offset(), file.size());
}

// A file of exactly one chunk (1 MB): the chunk after it is empty, and nothing is cut.
TEST_P(CaptureFileRead, FileThatEndsAtAChunksEnd) {
    TempDir dir;
    const std::vector<Frame> frames = {numbered_frame(0, 1000),
                                       numbered_frame(1, (1u << 20) - 24 - 32 - 1000)};
    const Bytes bytes = pcap_file(frames);
    ASSERT_EQ(bytes.size(), 1u << 20);
    write_file(dir.file("a.pcap"), bytes);
    CaptureFile file(dir.file("a.pcap"), GetParam());
    expect_whole_file(file, frames);
}

// A pcapng packet block for an interface no interface block declared ends the file there,
// with a reason and the block's offset, as libpcap and tshark end it: its packets had been
// dropped without a word. The blocks after it are not read either.
TEST_P(CaptureFileRead, PacketBlockOfAnUndeclaredInterfaceEndsTheFile) {
    TempDir dir;
    std::vector<Frame> frames;
    for (size_t i = 0; i < 5; ++i) frames.push_back(numbered_frame(i, 60));
    Bytes b = pcapng_file(frames);
    const size_t third = 28 + 20 + 2 * (32 + 60);  // section, interface, two packet blocks
    ASSERT_EQ(b[third], 6);
    b[third + 8] = 7;  // interface id
    write_file(dir.file("odd.pcapng"), b);
    CaptureFile file(dir.file("odd.pcapng"), GetParam());
    const BatchReading r = read_in_batches(file, frames);
    EXPECT_EQ(r.packets, 2u);
    EXPECT_TRUE(r.all_bytes_kept);
    EXPECT_TRUE(file.truncated());
    EXPECT_EQ(file.truncated_at(), third);
    EXPECT_EQ(file.cut_reason(),
              "packet block for interface 7, which no interface block declares,");
    RawPacket p;
    EXPECT_FALSE(file.next(p));
}

// A file refused at its header (not a capture, an unsupported link type) leaves no
// descriptor open: flowgen and flowsample take many files, and the constructor that threw
// has no destructor to close it.
TEST_P(CaptureFileRead, RefusedFileLeavesNoDescriptorOpen) {
    TempDir dir;
    write_file(dir.file("garbage"), Bytes(4096, 0x67));
    write_file(dir.file("link"), pcap_file({numbered_frame(0, 60)}, 147));
    const auto open_descriptors = [] {
        return std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                             std::filesystem::directory_iterator());
    };
    const auto before = open_descriptors();
    for (int i = 0; i < 50; ++i) {
        EXPECT_THROW(CaptureFile(dir.file("garbage"), GetParam()), DataError);
        EXPECT_THROW(CaptureFile(dir.file("link"), GetParam()), DataError);
    }
    EXPECT_EQ(open_descriptors(), before);
}

INSTANTIATE_TEST_SUITE_P(Reading, CaptureFileRead, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Ahead" : "OnThisThread"; });

// A read error on the reading thread (a directory is not readable) reaches the consumer.
TEST(ReadAhead, ErrorOfTheThreadIsRethrown) {
    TempDir dir;
    const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    {
        ReadAhead ahead(fd, "dir", 4096, 64);
        EXPECT_THROW(ahead.next(), DataError);
    }
    ::close(fd);
}

}  // namespace
}  // namespace fk::test
