// Files crafted byte by byte from man/flowkit-format.5, with valid checksums, that the page
// forbids or that lie about their sizes and times: readers must refuse them with the file and
// offset, without reading past a buffer, allocating what the lie claims, or dropping a block.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <climits>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "format/codec.h"
#include "format/crc32c.h"
#include "format/reader.h"
#include "test_util.h"

namespace fk {
namespace {

// v as n little-endian bytes (zeros past its 8).
void put(std::string& s, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i < 8 ? v >> (8 * i) : 0));
}

void set32(std::string& s, size_t at, uint32_t v) {
    std::memcpy(s.data() + at, &v, 4);
}

// Makes the CRC of the unit starting at `at` (length at +4) right.
void seal(std::string& s, size_t at) {
    uint32_t len;
    std::memcpy(&len, s.data() + at + 4, 4);
    uint32_t crc = crc32c(0, s.data() + at, 12);
    crc = crc32c(crc, s.data() + at + 16, len - 16);
    set32(s, at + 12, crc);
}

// A version 1.`minor` header naming every field.
std::string header(uint16_t minor = 2) {
    std::string h("FLOWKIT\x1a", 8);
    put(h, 1, 2);
    put(h, minor, 2);
    put(h, 0, 8);  // length and CRC, set below
    put(h, all_fields().size(), 2);
    put(h, 0, 2);
    for (const auto& f : all_fields()) {
        put(h, static_cast<uint8_t>(f.id), 1);
        put(h, static_cast<uint8_t>(f.storage), 1);
        put(h, static_cast<uint8_t>(f.format), 1);
        put(h, f.name.size(), 1);
        h += f.name;
    }
    put(h, 4, 1);
    put(h, 0, 1);
    h += "test";
    set32(h, 12, static_cast<uint32_t>(h.size()));
    uint32_t crc = crc32c(0, h.data(), 16);
    crc = crc32c(crc, h.data() + 20, h.size() - 20);
    set32(h, 16, crc);
    return h;
}

struct Column {
    FieldId id;
    uint8_t transform;
    uint8_t width;
    std::string raw;  // the stored bytes
    uint64_t base = 0;
    uint64_t scale = 1;
    uint8_t flags = 0;              // 0: no byte planes, no zstd
    uint32_t raw_len = UINT32_MAX;  // UINT32_MAX: the stored length
};

// A block of `records` rows holding `cols`, its checksum right.
std::string block(uint32_t records, uint64_t t_first, uint64_t t_last,
                  const std::vector<Column>& cols) {
    std::string b("FKBK", 4);
    put(b, 0, 4);
    put(b, records, 4);
    put(b, 0, 4);
    put(b, t_first, 8);
    put(b, t_last, 8);
    put(b, cols.size(), 2);
    put(b, 0, 2);
    for (const Column& c : cols) {
        put(b, static_cast<uint8_t>(c.id), 1);
        put(b, c.transform, 1);
        put(b, c.width, 1);
        put(b, c.flags, 1);
        put(b, c.raw_len == UINT32_MAX ? c.raw.size() : c.raw_len, 4);
        put(b, c.raw.size(), 4);
        put(b, 0, 4);
        put(b, c.base, 8);
        put(b, c.scale, 8);
    }
    for (const Column& c : cols) b += c.raw;
    set32(b, 4, static_cast<uint32_t>(b.size()));
    seal(b, 0);
    return b;
}

// What reading `bytes` as a file gives: the error of the first block decoded (every column
// of every block), or "" when all of it reads.
std::string read_error(const std::string& bytes) {
    test::TempDir dir;
    std::ofstream(dir.file("c.flows"), std::ios::binary) << bytes;
    try {
        FlowReader rd(dir.file("c.flows"), {});
        FlowBlock b;
        while (rd.next(b)) b.ensure_all();
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

void expect_error(const std::string& bytes, const std::string& what, const std::string& offset) {
    const std::string e = read_error(bytes);
    EXPECT_NE(e.find(what), std::string::npos) << e;
    EXPECT_NE(e.find("c.flows: offset " + offset + ":"), std::string::npos) << e;
}

// A block of one flow from `start` to `end`.
std::string flow_block(uint64_t start, uint64_t end) {
    return block(1, start, end,
                 {{FieldId::start, kTransformFor, 1, std::string(1, '\0'), start},
                  {FieldId::end, kTransformFor, 1, std::string(1, '\0'), end}});
}

// The index of `blocks` (written after `head` and them) and the trailer.
std::string index_and_trailer(const std::string& head, const std::vector<std::string>& blocks) {
    std::string entries;
    uint64_t offset = head.size(), flows = 0, first = UINT64_MAX, last = 0;
    for (const std::string& b : blocks) {
        uint32_t records;
        uint64_t t_first, t_last;
        std::memcpy(&records, b.data() + 8, 4);
        std::memcpy(&t_first, b.data() + 16, 8);
        std::memcpy(&t_last, b.data() + 24, 8);
        put(entries, offset, 8);
        put(entries, records, 4);
        put(entries, 0, 4);
        put(entries, t_first, 8);
        put(entries, t_last, 8);
        offset += b.size();
        flows += records;
        first = std::min(first, t_first);
        last = std::max(last, t_last);
    }
    std::string ix("FKIX", 4);
    put(ix, 16 + 136 + entries.size(), 4);
    put(ix, blocks.size(), 4);
    put(ix, 0, 4);
    put(ix, flows, 8);  // all: flows, packets, bytes
    put(ix, 0, 16);
    put(ix, 0, 72);     // TCP, UDP, ICMP
    put(ix, flows, 8);  // other
    put(ix, 0, 16);
    put(ix, first, 8);
    put(ix, last, 8);
    ix += entries;
    seal(ix, 0);
    std::string trailer("FKND", 4);
    put(trailer, 16, 4);
    put(trailer, offset, 8);
    return ix + trailer;
}

// A stream of `blocks`, with its index and trailer when `indexed`.
std::string stream(const std::vector<std::string>& blocks, bool indexed = true) {
    const std::string h = header();
    std::string s = h;
    for (const std::string& b : blocks) s += b;
    return indexed ? s + index_and_trailer(h, blocks) : s;
}

std::string varint(uint64_t v) {
    std::string s;
    while (v >= 0x80) {
        s.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
    }
    s.push_back(static_cast<char>(v));
    return s;
}

// A text dictionary of one record: the entries' lengths as given, `text`, then one id.
Column text_column(const std::vector<uint64_t>& lens, const std::string& text) {
    std::string raw = varint(lens.size());
    for (const uint64_t n : lens) raw += varint(n);
    raw += text;
    const uint64_t ids_at = raw.size();
    raw.push_back(1);
    return {FieldId::sni, kTransformDict, 1, raw, ids_at};
}

// Lengths whose sum wraps 2^64 to what the column holds passed the sum check, and the
// dictionary was read past the column (ASan: heap-buffer-overflow), or failed in
// std::string without a file or offset. Each length is now checked.
TEST(FormatHostile, TextDictionaryLengthsThatWrap) {
    const std::string h = header();
    for (const auto& lens : {std::vector<uint64_t>{1ull << 26, 0 - (1ull << 26) + 1},
                             std::vector<uint64_t>{UINT64_MAX, 2}}) {
        const std::string f = h + block(1, 1, 2, {text_column(lens, "x")});
        expect_error(f, "column sni: dictionary entry of", std::to_string(h.size()));
    }
}

// Writers keep at most 1024 bytes of a text value; a longer entry is refused, 1024 is read.
TEST(FormatHostile, TextLongerThanTheLimit) {
    const std::string h = header();
    EXPECT_EQ(read_error(h + block(1, 1, 2, {text_column({1024}, std::string(1024, 'a'))})), "");
    expect_error(h + block(1, 1, 2, {text_column({1025}, std::string(1025, 'a'))}),
                 "column sni: dictionary entry of 1025 bytes (at most 1024)",
                 std::to_string(h.size()));
}

// A block's t_last with a bit flipped (its checksum then wrong) put the block outside a time
// window: on a file it was skipped by that time, before any check, and vanished with no error.
// The bytes f as DIR/t.flows, and a reader of it that keeps the blocks of [from, to].
std::unique_ptr<FlowReader> windowed_reader(test::TempDir& dir, const std::string& f, uint64_t from,
                                            uint64_t to) {
    std::ofstream(dir.file("t.flows"), std::ios::binary) << f;
    ReaderOptions ro;
    ro.from = from;
    ro.to = to;
    return std::make_unique<FlowReader>(dir.file("t.flows"), ro);
}

// Skips now go by the index, whose entry for the block still holds the block's times; without
// an index the block is read and checked. Either way the damage is reported.
TEST(FormatHostile, DamagedBlockTimesDoNotSkipTheBlock) {
    const uint64_t s = 1'700'000'000'000'000;
    for (const bool indexed : {true, false}) {
        std::vector<std::string> blocks = {flow_block(s, s + 10), flow_block(s + 20, s + 30)};
        std::string f = stream(blocks, indexed);
        const size_t at = header().size() + blocks[0].size();
        f[at + 24 + 6] ^= 0x04;  // bit 50 of block 1's t_last: now before the window
        test::TempDir dir;
        const auto rd = windowed_reader(dir, f, s + 15, s + 25);
        FlowBlock b;
        std::string error;
        try {
            while (rd->next(b)) {
            }
        } catch (const DataError& e) {
            error = e.what();
        }
        EXPECT_NE(error.find("offset " + std::to_string(at) + ": block checksum mismatch"),
                  std::string::npos)
            << (indexed ? "indexed: " : "no index: ") << error;
    }
}

// An intact file: the index alone decides, and only the block in the window is delivered.
TEST(FormatHostile, TimeWindowByTheIndex) {
    const uint64_t s = 1'700'000'000'000'000;
    const std::vector<std::string> blocks = {flow_block(s, s + 10), flow_block(s + 20, s + 30),
                                             flow_block(s + 40, s + 50)};
    std::string f = stream(blocks);
    // Block 0's header lies (checksum right) that it is in the window: its index entry is
    // what a skip goes by.
    const size_t at = header().size();
    const uint64_t lie = s + 20;
    std::memcpy(f.data() + at + 24, &lie, 8);
    seal(f, at);
    test::TempDir dir;
    const auto rd = windowed_reader(dir, f, s + 15, s + 25);
    FlowBlock b;
    std::vector<uint64_t> got;
    while (rd->next(b)) got.push_back(b.origin_offset());
    EXPECT_EQ(got, std::vector<uint64_t>{at + blocks[0].size()});
}

// How much the peak resident size grows (KiB) while `f` runs, in a child process (LONG_MAX
// when the child does not tell).
long peak_growth_kib(const std::function<void()>& f) {
    int fds[2];
    if (::pipe(fds) != 0) return LONG_MAX;
    const pid_t pid = ::fork();
    if (pid == 0) {
        rusage before, after;
        ::getrusage(RUSAGE_SELF, &before);
        f();
        ::getrusage(RUSAGE_SELF, &after);
        const long grown = after.ru_maxrss - before.ru_maxrss;
        _exit(::write(fds[1], &grown, sizeof grown) == sizeof grown ? 0 : 1);
    }
    ::close(fds[1]);
    long grown = LONG_MAX;
    if (::read(fds[0], &grown, sizeof grown) != sizeof grown) grown = LONG_MAX;
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    return grown;
}

// The error reading `bytes` from a pipe, "" for none.
std::string pipe_error(const std::string& bytes) {
    int fds[2];
    if (::pipe(fds) != 0) return "no pipe";
    const bool written =
        ::write(fds[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::close(fds[1]);
    std::string error = written ? "" : "not written";
    try {
        FlowReader rd(fds[0], "pipe", {});
        FlowBlock b;
        while (rd.next(b)) {
        }
    } catch (const DataError& e) {
        error = e.what();
    }
    ::close(fds[0]);
    return error;
}

// A unit that claims a gigabyte it does not have: a file of 700 bytes whose index claims
// 2^30 made every reader allocate (and zero) 1 GiB before "truncated index", and so did a
// block claiming 2^30 on a pipe. The index is now checked against its block count and the
// file's size, and a stream's unit is read into a buffer that grows as bytes arrive.
TEST(FormatHostile, LengthsThatClaimAGigabyte) {
    const std::string h = header();
    const uint32_t blocks = ((1u << 30) - 152) / 32;
    std::string ix("FKIX", 4);
    put(ix, 152 + uint64_t{blocks} * 32, 4);
    put(ix, blocks, 4);
    put(ix, 0, 4);
    ix += std::string(500, '\0');
    const std::string index_file = h + ix;
    std::string big_block = flow_block(1, 2);
    set32(big_block, 4, (1u << 30) - 1);
    for (const auto& [bytes, what] :
         {std::pair{index_file, std::string("truncated index")},
          std::pair{h + big_block, "truncated block: " + std::to_string(big_block.size()) +
                                       " of 1073741823 bytes"}}) {
        const std::string e = pipe_error(bytes);
        EXPECT_NE(e.find("pipe: offset " + std::to_string(h.size()) + ": " + what),
                  std::string::npos)
            << e;
        const std::string& input = bytes;  // a structured binding cannot be captured in C++20
        EXPECT_LT(peak_growth_kib([&] { pipe_error(input); }), 64 * 1024) << what;
    }
    EXPECT_LT(peak_growth_kib([&] { read_error(index_file); }), 64 * 1024);
    expect_error(index_file, "truncated index", std::to_string(h.size()));
    // An index length other than its block count makes is refused as such.
    std::string odd = ix;
    set32(odd, 4, 152 + 32 + 1);
    expect_error(h + odd, "bad index length", std::to_string(h.size()));
}

// A column's raw length was allowed 256 MiB whatever the block's record count: a 9 KB file of
// one record with a 255 MiB zstd frame took 266 MB before its text was found wrong. The bound
// is now what the records can hold, 1040 bytes each and 64 more, checked before allocating.
TEST(FormatHostile, RawLengthBoundByTheRecords) {
    const std::string h = header();
    const std::string zeros(16 << 20, '\0');
    std::string frame(ZSTD_compressBound(zeros.size()), '\0');
    frame.resize(ZSTD_compress(frame.data(), frame.size(), zeros.data(), zeros.size(), 1));
    Column c{FieldId::sni,
             kTransformDict,
             1,
             frame,
             0,
             1,
             kColumnCompressed,
             static_cast<uint32_t>(zeros.size())};
    expect_error(h + block(1, 1, 2, {c}),
                 "column sni: raw length of 16777216 bytes is more than 1 records hold",
                 std::to_string(h.size()));
    // 1104 bytes is what one record's text column can take: decompressed, then parsed.
    c.raw = std::string(ZSTD_compressBound(1104), '\0');
    c.raw.resize(ZSTD_compress(c.raw.data(), c.raw.size(), zeros.data(), 1104, 1));
    c.raw_len = 1104;
    expect_error(h + block(1, 1, 2, {c}), "column sni: ids misplaced", std::to_string(h.size()));
}

// A flipped major-version byte is damage, reported as a checksum mismatch, not as "format
// version 2 is not supported"; a header whose checksum is right names the version.
TEST(FormatHostile, HeaderChecksumBeforeVersion) {
    std::string f = stream({flow_block(1, 2)});
    f[8] = 2;
    expect_error(f, "header checksum mismatch", "0");
    uint32_t crc = crc32c(0, f.data(), 16);
    crc = crc32c(crc, f.data() + 20, header().size() - 20);
    set32(f, 16, crc);
    expect_error(f, "format version 2 is not supported", "0");
}

// The offsets of the blocks delivered reading `bytes` as a file with --ignore-errors, and
// in *skipped the units skipped.
std::vector<uint64_t> offsets_ignoring_errors(const std::string& bytes, uint64_t* skipped) {
    test::TempDir dir;
    std::ofstream(dir.file("c.flows"), std::ios::binary) << bytes;
    ReaderOptions ro;
    ro.ignore_errors = true;
    FlowReader rd(dir.file("c.flows"), ro);
    FlowBlock b;
    std::vector<uint64_t> got;
    while (rd.next(b)) got.push_back(b.origin_offset());
    *skipped = rd.blocks_skipped();
    return got;
}

// With --ignore-errors a corrupt block was skipped to the next offset the index listed, the
// list unchecked: a CRC-valid index listing [block 0, 10^12, block 2] sent the reader past
// the end, and blocks 1 and 2 were lost with exit 0. An index whose blocks do not follow one
// another from the header to the index is now ignored, and the reader scans for the next unit.
TEST(FormatHostile, IndexOffsetsAreChecked) {
    const std::vector<std::string> blocks = {flow_block(1, 2), flow_block(3, 4), flow_block(5, 6)};
    std::string f = stream(blocks);
    const size_t h = header().size(), b1 = h + blocks[0].size(), b2 = b1 + blocks[1].size();
    const size_t ix = b2 + blocks[2].size();
    const uint64_t far = 1'000'000'000'000;
    std::memcpy(f.data() + ix + 152 + 32, &far, 8);  // entry 1's offset
    seal(f, ix);
    f[h + 40] ^= 1;  // block 0's checksum no longer matches
    uint64_t skipped = 0;
    EXPECT_EQ(offsets_ignoring_errors(f, &skipped), (std::vector<uint64_t>{b1, b2}));
    EXPECT_EQ(skipped, 2u);  // block 0, and the index that does not describe the file
    // The same index on an intact file: not used for its summary, and refused when reached.
    std::string intact = stream(blocks);
    std::memcpy(intact.data() + ix + 152 + 32, &far, 8);
    seal(intact, ix);
    test::TempDir dir;
    std::ofstream(dir.file("c.flows"), std::ios::binary) << intact;
    EXPECT_FALSE(FlowReader(dir.file("c.flows"), {}).index_summary());
    expect_error(intact, "index does not match the blocks", std::to_string(ix));
}

// The trailer has no checksum: a flipped bit of its index offset went unnoticed (every reader
// exited 0 and flowquery -v said "ok"), and an index whose CRC is right but whose summary
// does not add up to its blocks answered flowquery -I. Both are now refused where they are
// met, and neither index is used.
TEST(FormatHostile, TrailerAndSummaryAreCrossChecked) {
    const std::vector<std::string> blocks = {flow_block(1, 2), flow_block(3, 4)};
    const std::string good = stream(blocks);
    const size_t ix = header().size() + blocks[0].size() + blocks[1].size();
    test::TempDir dir;
    std::ofstream(dir.file("good.flows"), std::ios::binary) << good;
    ASSERT_TRUE(FlowReader(dir.file("good.flows"), {}).index_summary());
    EXPECT_EQ(read_error(good), "");

    std::string trailer = good;
    trailer[trailer.size() - 8] ^= 0x08;
    std::ofstream(dir.file("t.flows"), std::ios::binary) << trailer;
    EXPECT_FALSE(FlowReader(dir.file("t.flows"), {}).index_summary());
    expect_error(trailer, "trailer does not point at the index", std::to_string(good.size() - 16));

    std::string summary = good;
    const uint64_t lie = 999;
    std::memcpy(summary.data() + ix + 16, &lie, 8);  // flows of all
    seal(summary, ix);
    std::ofstream(dir.file("s.flows"), std::ios::binary) << summary;
    EXPECT_FALSE(FlowReader(dir.file("s.flows"), {}).index_summary());
    expect_error(summary, "index does not match the blocks", std::to_string(ix));
}

// CRC-valid blocks the page forbids were read with a silent change (audit finding 11): a
// value wider than its field was cut (proto 0x1234 stored at width 8 printed as 52), a field
// stored twice took its last entry, and an address dictionary out of order was used as it
// came. Each is now a corrupt block or column, naming the file and the block's offset.
TEST(FormatHostile, ValuesAndColumnsThePageForbids) {
    const std::string h = header();
    const std::string at = std::to_string(h.size());
    const auto proto = [](uint8_t width, const std::string& raw, uint64_t base, uint64_t scale) {
        return Column{FieldId::proto, kTransformFor, width, raw, base, scale};
    };
    std::string wide;
    put(wide, 0x1234, 8);
    for (const Column& c : {proto(8, wide, 0, 1), proto(1, "\x34", 0x1200, 1),
                            proto(1, "\xff", 2, 1), proto(1, "\x02", 0, 200)}) {
        expect_error(h + block(1, 1, 2, {c}), "column proto: value wider than the field", at);
    }
    EXPECT_EQ(read_error(h + block(1, 1, 2, {proto(1, "\x02", 3, 100)})), "");  // 203 fits
    expect_error(h + block(1, 1, 2, {proto(1, "\x06", 0, 1), proto(1, "\x11", 0, 1)}),
                 "field id 7 stored twice", at);
    // Two IPv4 addresses, as deltas in 4 byte planes of 2 bytes, then ids of width 1.
    const auto addrs = [](uint32_t first, uint32_t delta) {
        std::string raw;
        for (unsigned plane = 0; plane < 4; ++plane) {
            raw.push_back(static_cast<char>(first >> (8 * plane)));
            raw.push_back(static_cast<char>(delta >> (8 * plane)));
        }
        return Column{FieldId::src, kTransformAddrDict, 1, raw + std::string("\0\1", 2), 2, 4};
    };
    EXPECT_EQ(read_error(h + block(2, 1, 2, {addrs(0x0a000001, 1)})), "");
    for (const Column& c : {addrs(0x0a000001, 0), addrs(0xfffffff0, 0x20)}) {
        expect_error(h + block(2, 1, 2, {c}),
                     "column src: address dictionary not in ascending order", at);
    }
}

// Before 1.3 dns_rcode held the code itself (0 also for no answer); since, the code plus one.
// The same column bytes read as the version of their header says.
TEST(FormatHostile, DnsRcodeOfOlderFilesIsUpgraded) {
    const auto codes = [](uint16_t minor) {
        const std::string bytes =
            header(minor) + block(4, 1, 1,
                                  {{FieldId::start, kTransformFor, 1, std::string(4, '\0'), 1},
                                   {FieldId::end, kTransformFor, 1, std::string(4, '\0'), 1},
                                   {FieldId::dns_rcode, kTransformFor, 1, {0, 1, 3, 2}, 0}});
        test::TempDir dir;
        std::ofstream(dir.file("c.flows"), std::ios::binary) << bytes;
        FlowReader rd(dir.file("c.flows"), {});
        FlowBlock b;
        EXPECT_TRUE(rd.next(b));
        b.ensure(FieldId::dns_rcode);
        return std::vector<uint8_t>(b.dns_rcode.begin(), b.dns_rcode.end());
    };
    // 1.2: no answer, FORMERR, NXDOMAIN, SERVFAIL; the 0 (NOERROR or none) reads as none.
    EXPECT_EQ(codes(2), (std::vector<uint8_t>{0, 2, 4, 3}));
    // 1.3: no answer, NOERROR, SERVFAIL, FORMERR.
    EXPECT_EQ(codes(3), (std::vector<uint8_t>{0, 1, 3, 2}));
}

}  // namespace
}  // namespace fk
