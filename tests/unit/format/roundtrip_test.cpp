#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/error.h"
#include "format/codec.h"
#include "format/crc32c.h"
#include "format/reader.h"
#include "format/writer.h"
#include "test_util.h"

namespace fk {
namespace {

// Text owned by the test so that records' string views stay valid.
std::vector<std::string> g_texts = {"",        "example.com",         "h2",   "GET", "a.b.c.d.e.f",
                                    "ünïcödé", std::string(255, 'x'), "POST", "x"};

FlowRecord random_record(std::mt19937_64& rng, bool v6) {
    FlowRecord r;
    auto u = [&](uint64_t max) { return std::uniform_int_distribution<uint64_t>(0, max)(rng); };
    r.start = 1'700'000'000'000'000ull + u(1'000'000'000);
    r.end = r.start + u(300'000'000);
    if (v6) {
        r.src = IpAddr{0x20010db800000000ull | u(0xffff), u(UINT64_MAX)};
        r.dst = IpAddr{0x2a00145040000000ull, u(UINT64_MAX)};
    } else {
        r.src = IpAddr::v4(static_cast<uint32_t>(u(UINT32_MAX)));
        r.dst = IpAddr::v4(0x0a000000u | static_cast<uint32_t>(u(0xffff)));
    }
    r.sport = static_cast<uint16_t>(u(65535));
    r.dport = static_cast<uint16_t>(u(1) ? 443 : u(65535));
    r.proto = static_cast<uint8_t>(u(1) ? 6 : 17);
    r.flags = static_cast<uint8_t>(u(255));
    r.packets = 1 + u(1000);
    r.bytes = r.packets * 40 + u(100000);
    r.tos = static_cast<uint8_t>(u(255));
    r.in_if = static_cast<uint32_t>(u(10));
    r.out_if = static_cast<uint32_t>(u(UINT32_MAX));
    r.src_as = static_cast<uint32_t>(u(70000));
    r.sampling = 1;
    r.app = static_cast<uint8_t>(u(20));
    r.sni = g_texts[u(g_texts.size() - 1)];
    r.http_host = g_texts[u(g_texts.size() - 1)];
    r.http_method = g_texts[u(3)];
    r.dns_qname = g_texts[u(g_texts.size() - 1)];
    r.tls_version = static_cast<uint16_t>(0x0300 + u(4));
    r.ech = static_cast<uint8_t>(u(1));
    r.rtt_client = static_cast<uint32_t>(u(100000));
    r.src_mac = u((1ull << 48) - 1);
    r.tun_src = v6 ? IpAddr{1, 2} : IpAddr{};
    return r;
}

// Every field, maximum values and empty strings included.
FlowRecord max_record() {
    FlowRecord r;
    for_each_field([&](auto t) {
        using T = decltype(t);
        auto& v = T::get(r);
        using V = std::remove_reference_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string_view>) {
            v = g_texts[6];
        } else if constexpr (std::is_same_v<V, IpAddr>) {
            v = IpAddr{UINT64_MAX, UINT64_MAX};
        } else {
            v = std::numeric_limits<V>::max();
        }
    });
    return r;
}

bool same(const FlowRecord& a, const FlowRecord& b, std::string* which) {
    bool eq = true;
    for_each_field([&](auto t) {
        using T = decltype(t);
        if (eq && !(T::get(a) == T::get(b))) {
            eq = false;
            *which = std::string(field_info(T::id).name);
        }
    });
    return eq;
}

std::vector<FlowRecord> sample_records(size_t n, bool mixed) {
    std::mt19937_64 rng(42);
    std::vector<FlowRecord> v;
    for (size_t i = 0; i < n; ++i) v.push_back(random_record(rng, mixed && i % 3 == 0));
    v.push_back(max_record());
    v.push_back(FlowRecord{});  // all default
    return v;
}

std::vector<FlowRecord> read_all(FlowReader& r, std::vector<std::string>& texts) {
    std::vector<FlowRecord> out;
    FlowBlock b;
    texts.reserve(1 << 20);
    while (r.next(b)) {
        for (size_t i = 0; i < b.size(); ++i) {
            FlowRecord rec;
            b.record(i, rec);
            // Keep the strings alive beyond the block.
            for_each_field([&](auto t) {
                using T = decltype(t);
                if constexpr (T::storage == Storage::Str) {
                    texts.emplace_back(T::get(rec));
                    T::get(rec) = texts.back();
                }
            });
            out.push_back(rec);
        }
    }
    return out;
}

void expect_equal(const std::vector<FlowRecord>& want, const std::vector<FlowRecord>& got) {
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size(); ++i) {
        std::string which;
        ASSERT_TRUE(same(want[i], got[i], &which)) << "record " << i << " field " << which;
    }
}

// Writes recs to path, in blocks of block_rows rows (0: the writer's default).
void write_records(const std::string& path, const std::vector<FlowRecord>& recs,
                   size_t block_rows = 0) {
    WriterOptions wo;
    if (block_rows) wo.block_rows = block_rows;
    auto w = FlowWriter::open(path, wo);
    for (const auto& r : recs) w->append(r);
    w->close();
}

// Reads the whole file at path back: its records must be recs.
void expect_file_holds(const std::string& path, const std::vector<FlowRecord>& recs) {
    FlowReader rd(path, {});
    std::vector<std::string> texts;
    expect_equal(recs, read_all(rd, texts));
}

TEST(Format, RoundTripThroughFileEveryField) {
    test::TempDir dir;
    const auto recs = sample_records(100000, true);
    write_records(dir.file("a.flows"), recs, 4096);
    FlowReader rd(dir.file("a.flows"), {});
    std::vector<std::string> texts;
    const auto got = read_all(rd, texts);
    expect_equal(recs, got);
    ASSERT_TRUE(rd.index_summary().has_value());
    EXPECT_EQ(rd.index_summary()->all.flows, recs.size());
}

TEST(Format, RoundTripIPv4OnlyAndIPv6Only) {
    for (bool v6 : {false, true}) {
        test::TempDir dir;
        std::mt19937_64 rng(7);
        std::vector<FlowRecord> recs;
        for (int i = 0; i < 5000; ++i) recs.push_back(random_record(rng, v6));
        write_records(dir.file("a.flows"), recs);
        expect_file_holds(dir.file("a.flows"), recs);
    }
}

TEST(Format, RoundTripThroughPipe) {
    const auto recs = sample_records(20000, true);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(fds[0]);
        WriterOptions wo;
        wo.block_rows = 3000;
        FlowWriter w(fds[1], "pipe", wo);
        for (const auto& r : recs) w.append(r);
        w.close();
        ::close(fds[1]);
        _exit(0);
    }
    ::close(fds[1]);
    FlowReader rd(fds[0], "pipe", {});
    std::vector<std::string> texts;
    const auto got = read_all(rd, texts);
    ::close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    EXPECT_EQ(status, 0);
    expect_equal(recs, got);
    EXPECT_FALSE(rd.index_summary() == std::nullopt);  // the index arrives in the stream too
}

TEST(Format, EmptyFileHasHeaderAndIndex) {
    test::TempDir dir;
    auto w = FlowWriter::open(dir.file("e.flows"), {});
    w->close();
    FlowReader rd(dir.file("e.flows"), {});
    FlowBlock b;
    EXPECT_FALSE(rd.next(b));
    ASSERT_TRUE(rd.index_summary());
    EXPECT_EQ(rd.index_summary()->all.flows, 0u);
}

TEST(Format, UnclosedWriterLeavesNoFile) {
    test::TempDir dir;
    {
        auto w = FlowWriter::open(dir.file("x.flows"), {});
        w->append(FlowRecord{});
        w->flush();
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// A file that reaches the file size limit (as a full disk does): the write that fails throws,
// and close() then finishes the file with the whole blocks written before it. Files are
// written 256 KB at a time: at 100 KB the first write fails (and the blocks that fit are
// written again one by one), at 300 KB a later one.
TEST(Format, FailedWriteKeepsTheBlocksBefore) {
    for (const rlim_t size_limit : {100'000, 300'000}) {
        SCOPED_TRACE("file size limit " + std::to_string(size_limit));
        test::TempDir dir;
        const auto recs = sample_records(20000, false);
        constexpr size_t kRows = 2048;
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            // The child alone gets the limit; past it write() fails with EFBIG.
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{size_limit, size_limit};
            ::setrlimit(RLIMIT_FSIZE, &limit);
            WriterOptions wo;
            wo.block_rows = kRows;
            auto w = FlowWriter::open(dir.file("cut.flows"), wo);
            try {
                for (const auto& r : recs) w->append(r);
                _exit(2);  // the limit was never reached
            } catch (const DataError&) {
            }
            try {
                w->close();
            } catch (const DataError&) {
                _exit(3);
            }
            std::ofstream(dir.file("flows")) << w->flows();
            _exit(0);
        }
        int status;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0) << "2: no write failed, 3: close() failed";
        size_t kept = 0;
        std::ifstream(dir.file("flows")) >> kept;
        EXPECT_GT(kept, 0u);
        EXPECT_LT(kept, recs.size());
        EXPECT_EQ(kept % kRows, 0u);
        EXPECT_LE(std::filesystem::file_size(dir.file("cut.flows")), size_limit);
        expect_file_holds(dir.file("cut.flows"), {recs.begin(), recs.begin() + kept});
        for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
            EXPECT_NE(e.path().filename().string()[0], '.') << "temporary file left: " << e.path();
        }
    }
}

TEST(Format, ConcatenatedStreamsReadAsOne) {
    test::TempDir dir;
    const auto recs = sample_records(3000, false);
    std::string both;
    for (int k = 0; k < 2; ++k) {
        auto w = FlowWriter::open(dir.file("p" + std::to_string(k)), {});
        for (const auto& r : recs) w->append(r);
        w->close();
        std::ifstream in(dir.file("p" + std::to_string(k)), std::ios::binary);
        both += std::string(std::istreambuf_iterator<char>(in), {});
    }
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    if (pid == 0) {
        ::close(fds[0]);
        (void)!::write(fds[1], both.data(), both.size());
        _exit(0);
    }
    ::close(fds[1]);
    FlowReader rd(fds[0], "pipe", {});
    std::vector<std::string> texts;
    const auto got = read_all(rd, texts);
    ::close(fds[0]);
    waitpid(pid, nullptr, 0);
    EXPECT_EQ(got.size(), 2 * recs.size());
}

TEST(Format, TimeWindowSkipsBlocks) {
    test::TempDir dir;
    WriterOptions wo;
    wo.block_rows = 100;
    auto w = FlowWriter::open(dir.file("t.flows"), wo);
    for (uint64_t i = 0; i < 1000; ++i) {
        FlowRecord r;
        r.start = i * 1'000'000;
        r.end = r.start + 500'000;
        r.packets = 1;
        w->append(r);
    }
    w->close();
    ReaderOptions ro;
    ro.from = 250'000'000;
    ro.to = 449'000'000;
    FlowReader rd(dir.file("t.flows"), ro);
    FlowBlock b;
    size_t blocks = 0;
    while (rd.next(b)) {
        ++blocks;
        EXPECT_GE(b.t_last(), ro.from);
        EXPECT_LE(b.t_first(), ro.to);
    }
    EXPECT_EQ(blocks, 3u);  // rows 200-299, 300-399, 400-499
}

// A FIFO (like /dev/null, a device) is written in place, never replaced by a renamed file.
TEST(Format, WritesIntoAFifoWithoutReplacingIt) {
    test::TempDir dir;
    const std::string fifo = dir.file("pipe");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        auto w = FlowWriter::open(fifo, {});
        FlowRecord r;
        r.packets = 7;
        w->append(r);
        w->close();
        _exit(0);
    }
    FlowReader rd(fifo, {});
    FlowBlock b;
    ASSERT_TRUE(rd.next(b));
    b.ensure(FieldId::packets);
    EXPECT_EQ(column<FieldId::packets>(b)[0], 7u);
    int status;
    waitpid(pid, &status, 0);
    EXPECT_EQ(status, 0);
    struct stat st;
    ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(Format, AtomicFileWritesADeviceInPlace) {
    {
        AtomicFile f("/dev/null");
        ASSERT_EQ(write(f.fd(), "x", 1), 1);
        f.commit();
    }
    {
        AtomicFile f("/dev/null");
        f.abandon();
    }
    struct stat st;
    ASSERT_EQ(stat("/dev/null", &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
}

// Repeated hosts are stored as an address dictionary (transform 6): IPv4 only, and mixed with
// IPv6, the extremes included, survive the round trip.
TEST(Format, AddressDictionaryRoundTrip) {
    for (bool mixed : {false, true}) {
        test::TempDir dir;
        std::mt19937_64 rng(11);
        std::vector<IpAddr> pool = {IpAddr::v4(0), IpAddr::v4(UINT32_MAX), IpAddr::v4(0x0a000001)};
        for (int i = 0; i < 200; ++i) pool.push_back(IpAddr::v4(static_cast<uint32_t>(rng())));
        if (mixed) {
            pool.push_back(IpAddr{UINT64_MAX, UINT64_MAX});
            for (int i = 0; i < 50; ++i) pool.push_back(IpAddr{0x20010db800000000ull, rng()});
        }
        std::vector<FlowRecord> recs;
        for (int i = 0; i < 20000; ++i) {
            FlowRecord r = random_record(rng, false);
            r.src = pool[rng() % pool.size()];
            r.dst = pool[rng() % 7];
            recs.push_back(r);
        }
        write_records(dir.file("a.flows"), recs);
        FlowReader rd(dir.file("a.flows"), {});
        FlowBlock b;
        ASSERT_TRUE(rd.next(b));
        EXPECT_EQ(b.encoded_column(FieldId::src).transform, kTransformAddrDict);
        EXPECT_EQ(b.encoded_column(FieldId::src).scale, mixed ? 16u : 4u);
        EXPECT_EQ(b.encoded_column(FieldId::dst).width, 1u);  // 7 distinct: one-byte ids
        expect_file_holds(dir.file("a.flows"), recs);
    }
}

// The dictionary of a mixed column is in address order, IPv6 on both sides of the IPv4 run
// (::1 and ::fffe:ffff:ffff below ::ffff:0.0.0.0, ::1:0:0:0 and 2001:db8:: above it), and its
// ids point at the right entries.
TEST(Format, MixedAddressDictionarySorted) {
    std::mt19937_64 rng(12);
    const std::vector<IpAddr> v6 = {{0, 1},
                                    {0, IpAddr::kV4Prefix - 1},
                                    {0, IpAddr::kV4Prefix + (uint64_t{1} << 32)},
                                    {0x20010db800000000ull, 7},
                                    {UINT64_MAX, UINT64_MAX}};
    std::vector<IpAddr> pool = v6;
    for (const uint32_t a : {0u, UINT32_MAX, 0x0a000001u, 0xc0a80001u})
        pool.push_back(IpAddr::v4(a));
    for (int i = 0; i < 300; ++i) pool.push_back(IpAddr::v4(static_cast<uint32_t>(rng())));
    FlowBlock b;
    std::vector<FlowRecord> recs;
    for (size_t i = 0; i < 4000; ++i) {
        FlowRecord r = random_record(rng, false);
        r.src = pool[i / 10 < pool.size() ? i / 10 : rng() % pool.size()];
        b.append(r);
        recs.push_back(r);
    }
    ColumnEncoder enc(1);
    std::vector<uint8_t> out;
    EncodedColumn desc;
    ASSERT_TRUE(enc.encode(b, FieldId::src, out, desc));
    ASSERT_EQ(desc.transform, kTransformAddrDict);
    ASSERT_EQ(desc.scale, 16u);
    std::vector<uint8_t> raw(desc.raw_len);
    if (desc.flags & kColumnCompressed) {
        ASSERT_EQ(
            ZSTD_decompress(raw.data(), raw.size(), out.data() + desc.offset, desc.stored_len),
            raw.size());
    } else {
        std::copy_n(out.begin() + desc.offset, raw.size(), raw.begin());
    }
    // Entry k's byte j is in plane j: bytes 0..7 of lo, then 8..15 of hi.
    const size_t d = desc.base;
    std::set<IpAddr> distinct(pool.begin(), pool.end());
    ASSERT_EQ(d, distinct.size());
    std::vector<IpAddr> dict(d);
    for (size_t k = 0; k < d; ++k)
        for (unsigned j = 0; j < 8; ++j) {
            dict[k].lo |= uint64_t{raw[j * d + k]} << (8 * j);
            dict[k].hi |= uint64_t{raw[(8 + j) * d + k]} << (8 * j);
        }
    EXPECT_TRUE(std::equal(dict.begin(), dict.end(), distinct.begin()));
    test::TempDir dir;
    write_records(dir.file("m.flows"), recs);
    expect_file_holds(dir.file("m.flows"), recs);
}

// One writer (one encoder and its reused scratch tables) through blocks that take each
// address path in turn: too varied for a dictionary (all distinct), runs and repeats,
// IPv6 among IPv4, runs again after both, all distinct with IPv6 (16 byte planes); 1000
// rows, so that the byte-plane split has a tail past its 16-value steps. Every value must
// come back.
TEST(Format, AddressEncoderScratchReusedAcrossBlocks) {
    test::TempDir dir;
    std::mt19937_64 rng(5);
    constexpr size_t kRows = 1000;
    std::vector<FlowRecord> recs;
    std::vector<uint8_t> expect_dict;  // per block: src stored as a dictionary
    for (int block = 0; block < 10; ++block) {
        const int kind = block % 5;
        for (size_t i = 0; i < kRows; ++i) {
            FlowRecord r = random_record(rng, false);
            switch (kind) {
                case 0:  // all distinct
                    r.src = IpAddr::v4(static_cast<uint32_t>(0x0b000000u + block * kRows + i));
                    break;
                case 1:  // runs of one address, repeated from a small pool
                    r.src = IpAddr::v4(0xc0a80000u | static_cast<uint32_t>(i / 10 % 37));
                    break;
                case 2:  // IPv6 among IPv4, repeated
                    r.src = i % 3 ? IpAddr{0x20010db800000000ull, i % 50} : IpAddr::v4(i % 20);
                    break;
                case 3:  // descending, so that sorting has work to do
                    r.src = IpAddr::v4(static_cast<uint32_t>(1000 - i % 100));
                    break;
                default:  // all distinct, IPv6 among IPv4: 16 byte planes
                    r.src = i % 2 ? IpAddr{rng(), rng()}
                                  : IpAddr::v4(static_cast<uint32_t>(0x0c000000u + i));
            }
            recs.push_back(r);
        }
        expect_dict.push_back(kind != 0 && kind != 4);
    }
    write_records(dir.file("a.flows"), recs, kRows);
    FlowReader rd(dir.file("a.flows"), {});
    FlowBlock b;
    for (size_t k = 0; k < expect_dict.size(); ++k) {
        ASSERT_TRUE(rd.next(b));
        const auto& e = b.encoded_column(FieldId::src);
        EXPECT_EQ(e.transform == kTransformAddrDict, expect_dict[k] != 0) << "block " << k;
        if (k % 5 == 3) {
            EXPECT_EQ(e.base, 100u) << "100 distinct addresses";
        }
    }
    expect_file_holds(dir.file("a.flows"), recs);
}

// Address columns the dictionary does not hash row by row: one address throughout (a
// dictionary of one entry, ids of no width), and a column whose first quarter already holds
// more than an eighth of the rows' worth of distinct addresses (given up there, stored as
// IPv4 planes, although the whole block has few enough for a dictionary).
TEST(Format, AddressColumnsConstantAndVariedEarly) {
    test::TempDir dir;
    std::mt19937_64 rng(3);
    constexpr size_t kRows = 1000;
    std::vector<FlowRecord> recs;
    for (int block = 0; block < 3; ++block) {
        for (size_t i = 0; i < kRows; ++i) {
            FlowRecord r = random_record(rng, false);
            switch (block) {
                case 0:  // one IPv4 address
                    r.src = IpAddr::v4(0xc0000201);
                    break;
                case 1:  // one IPv6 address
                    r.src = IpAddr{0x20010db800000000ull, 0x42};
                    break;
                default:  // 200 distinct in the first 250 rows, one after: 201 in all
                    r.src =
                        IpAddr::v4(i < 200 ? 0x0a000000u + static_cast<uint32_t>(i) : 0x0b000001u);
            }
            recs.push_back(r);
        }
    }
    write_records(dir.file("a.flows"), recs, kRows);
    FlowReader rd(dir.file("a.flows"), {});
    FlowBlock b;
    for (int k = 0; k < 3; ++k) {
        ASSERT_TRUE(rd.next(b));
        const auto& e = b.encoded_column(FieldId::src);
        if (k < 2) {
            EXPECT_EQ(e.transform, kTransformAddrDict) << "block " << k;
            EXPECT_EQ(e.base, 1u) << "block " << k;
            EXPECT_EQ(e.width, 0u) << "block " << k;
            EXPECT_EQ(e.raw_len, k == 0 ? 4u : 16u) << "block " << k;
        } else {
            EXPECT_EQ(e.transform, kTransformAddr4);
        }
    }
    expect_file_holds(dir.file("a.flows"), recs);
}

// A column whose first n/32 rows are nearly all new addresses (more than 31 of every 32) is
// given up there, before the first quarter: a scan's targets, a flood's forged sources. Just
// under that it is hashed on and, with few addresses after, stored as a dictionary.
TEST(Format, AddressColumnAllNewFromTheStart) {
    test::TempDir dir;
    std::mt19937_64 rng(4);
    constexpr size_t kRows = 2048, kFirstRows = kRows / 32;
    std::vector<FlowRecord> recs;
    for (uint32_t block = 0; block < 2; ++block) {
        // Block 0: its first 64 rows all new; block 1: 62 of them new (the limit), 2 repeats.
        const size_t news = block == 0 ? kFirstRows : kFirstRows - kFirstRows / 32;
        for (size_t i = 0; i < kRows; ++i) {
            FlowRecord r = random_record(rng, false);
            const uint32_t a = i < news         ? 0x0a000000u + static_cast<uint32_t>(i)
                               : i < kFirstRows ? 0x0a000000u
                                                : 0x0b000001u;
            r.src = IpAddr::v4(a + (block << 16));
            recs.push_back(r);
        }
    }
    write_records(dir.file("a.flows"), recs, kRows);
    FlowReader rd(dir.file("a.flows"), {});
    FlowBlock b;
    ASSERT_TRUE(rd.next(b));
    EXPECT_EQ(b.encoded_column(FieldId::src).transform, kTransformAddr4);
    ASSERT_TRUE(rd.next(b));
    EXPECT_EQ(b.encoded_column(FieldId::src).transform, kTransformAddrDict);
    EXPECT_EQ(b.encoded_column(FieldId::src).base, kFirstRows - kFirstRows / 32 + 1);
    expect_file_holds(dir.file("a.flows"), recs);
}

// A column that shrinks as much at a negative zstd level is compressed at it, when the level
// asked for is a fast one: ports whose high byte stays for a thousand rows and whose low byte is
// random, at the fastest level tried, from the first block on (the long runs are found at any
// level; entropy coding does not shrink random bytes). A column that compresses well stays at the
// level asked for, and so do all columns at higher levels. The choice is probed again every 64th
// block of a column.
TEST(Format, HardColumnsCompressedFast) {
    std::mt19937_64 rng(17);
    FlowBlock random_ports, few_ports;
    unsigned high = 0;
    for (size_t i = 0; i < 8192; ++i) {
        FlowRecord r;
        if (i % 1024 == 0) high = 0xc0 + rng() % 64;
        r.sport = static_cast<uint16_t>(high << 8 | (rng() & 0xff));
        r.packets = 1 + (rng() % 7) * (rng() % 3);
        random_ports.append(r);
        r.sport = static_cast<uint16_t>(r.packets);
        few_ports.append(r);
    }
    // The bytes column f of b takes when compressed by a new encoder at `level`.
    auto fresh = [&](FlowBlock& b, int level, FieldId f) {
        ColumnEncoder enc(level);
        std::vector<uint8_t> out;
        EncodedColumn desc;
        EXPECT_TRUE(enc.encode(b, f, out, desc));
        return out;
    };
    const size_t ports_z1 = fresh(random_ports, 1, FieldId::sport).size();
    ASSERT_LE(fresh(random_ports, -7, FieldId::sport).size(), ports_z1 + ports_z1 / 64);
    for (const int fast : {-7, -1}) {
        const size_t z1 = fresh(random_ports, 1, FieldId::packets).size();
        ASSERT_GT(fresh(random_ports, fast, FieldId::packets).size(), z1 + z1 / 64);
        ASSERT_GT(fresh(few_ports, fast, FieldId::sport).size(), z1 + z1 / 64);
    }
    for (const int level : {1, 3, 4}) {
        ColumnEncoder enc(level);
        for (int block = 0; block < 66; ++block) {
            // From block 60 on the ports are few: kept at the fast level until the probe (the
            // bytes show the level: few ports take more than 1/64 more at -7 than at 1).
            FlowBlock& b = block < 60 ? random_ports : few_ports;
            for (const FieldId f : {FieldId::sport, FieldId::packets}) {
                std::vector<uint8_t> out;
                EncodedColumn desc;
                ASSERT_TRUE(enc.encode(b, f, out, desc));
                const bool fast = f == FieldId::sport && block < 64 && level <= 3;
                EXPECT_EQ(out, fresh(b, fast ? -7 : level, f))
                    << "level " << level << " block " << block << " field " << field_info(f).name;
            }
        }
    }
}

// Columns mostly at their base are stored sparse (a bit per row, then the other rows), in
// every path that packs values: integers whose minimum is not 0 (packets: mostly 1), time
// deltas (end = start: no duration), text ids (mostly empty) and address ids (mostly the
// lowest address). 1001 rows, so the last byte of bits is partly used. A column with a third of
// its rows at the base stays dense. Every value comes back.
TEST(Format, SparseColumnsRoundTrip) {
    test::TempDir dir;
    std::mt19937_64 rng(21);
    constexpr size_t kRows = 1001;
    std::vector<FlowRecord> recs;
    for (size_t i = 0; i < kRows; ++i) {
        FlowRecord r = random_record(rng, false);
        const bool odd = i % 3 == 0;  // a third of the rows differ from the base
        r.packets = odd ? 2 + rng() % 5000 : 1;
        r.end = odd ? r.start + 1 + rng() % 1000000 : r.start;
        r.sni = odd ? g_texts[1 + rng() % (g_texts.size() - 1)] : g_texts[0];
        r.src = odd ? IpAddr::v4(0x0a000002u + static_cast<uint32_t>(rng() % 50))
                    : IpAddr::v4(0x0a000001u);
        r.tos = i % 3 == 1 ? 7 : 0;              // two thirds at 0: sparse
        r.in_if = i % 3 == 1 ? 0 : 3;            // a third at 0: dense
        r.rtt_client = i == kRows - 1 ? 99 : 0;  // one value, in the last byte of bits
        recs.push_back(r);
    }
    write_records(dir.file("s.flows"), recs, kRows);
    FlowReader rd(dir.file("s.flows"), {});
    FlowBlock b;
    ASSERT_TRUE(rd.next(b));
    for (const FieldId f : {FieldId::packets, FieldId::end, FieldId::sni, FieldId::src,
                            FieldId::tos, FieldId::rtt_client})
        EXPECT_TRUE(b.encoded_column(f).flags & kColumnSparse) << field_info(f).name;
    EXPECT_EQ(b.encoded_column(FieldId::src).transform, kTransformAddrDict);
    EXPECT_EQ(b.encoded_column(FieldId::packets).base, 1u);
    EXPECT_FALSE(b.encoded_column(FieldId::in_if).flags & kColumnSparse);
    EXPECT_FALSE(b.encoded_column(FieldId::sport).flags & kColumnSparse);
    expect_file_holds(dir.file("s.flows"), recs);
}

// The block of a file written from recs, edited by `edit` (given the block's bytes and the
// entry of column f), its checksum made right again: the error decoding f, "" for none.
std::string error_after_edit(const std::vector<FlowRecord>& recs, FieldId f,
                             const std::function<void(char* block, char* entry)>& edit) {
    test::TempDir dir;
    write_records(dir.file("a.flows"), recs);
    std::string bytes;
    {
        std::ifstream in(dir.file("a.flows"), std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto u32 = [&](size_t at) {
        uint32_t v;
        std::memcpy(&v, bytes.data() + at, 4);
        return v;
    };
    const size_t block = u32(12);  // the header's length
    const size_t block_len = u32(block + 4);
    uint16_t columns;
    std::memcpy(&columns, bytes.data() + block + 32, 2);
    char* entry = nullptr;
    for (size_t k = 0; k < columns; ++k)
        if (static_cast<uint8_t>(bytes[block + 36 + 32 * k]) == static_cast<unsigned>(f))
            entry = bytes.data() + block + 36 + 32 * k;
    if (!entry) return "no column " + std::string(field_info(f).name);
    edit(bytes.data() + block, entry);
    uint32_t crc = crc32c(0, bytes.data() + block, 12);
    crc = crc32c(crc, bytes.data() + block + 16, block_len - 16);
    std::memcpy(bytes.data() + block + 12, &crc, 4);
    std::ofstream(dir.file("b.flows"), std::ios::binary) << bytes;
    FlowReader rd(dir.file("b.flows"), {});
    FlowBlock b;
    if (!rd.next(b)) return "no block";
    try {
        b.ensure(f);
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

// A sparse column read as dense, a dense one read as sparse, a sparse one read at another
// width, and a sparse column whose bit of a stored row is moved past the last row (the count
// of rows stored unchanged) are reported as corrupt, not misread.
TEST(Format, SparseColumnThatDoesNotAddUpIsCorrupt) {
    std::mt19937_64 rng(22);
    std::vector<FlowRecord> recs;
    for (size_t i = 0; i < 1000; ++i) {
        FlowRecord r = random_record(rng, false);
        r.rtt_client = rng() % 4 ? 0 : 1 + static_cast<uint32_t>(i);
        recs.push_back(r);
    }
    const auto flip = [](size_t at, uint8_t mask) {
        return [=](char*, char* entry) { entry[at] = static_cast<char>(entry[at] ^ mask); };
    };
    const auto has_sparse = [&](FieldId f) {
        bool sparse = false;
        error_after_edit(recs, f, [&](char*, char* entry) { sparse = entry[3] & kColumnSparse; });
        return sparse;
    };
    ASSERT_TRUE(has_sparse(FieldId::rtt_client));
    ASSERT_FALSE(has_sparse(FieldId::sport));
    using Edit = std::tuple<FieldId, size_t, uint8_t>;  // field, byte of its entry, xor
    for (const auto& [f, at, mask] :
         {Edit{FieldId::rtt_client, 3, kColumnSparse}, Edit{FieldId::sport, 3, kColumnSparse},
          Edit{FieldId::rtt_client, 2, 0x03}}) {
        const std::string e = error_after_edit(recs, f, flip(at, mask));
        EXPECT_NE(e.find("does not match"), std::string::npos) << field_info(f).name << ": " << e;
    }
    // Three rows, one stored: a column too small for zstd, so its bytes are the bits (0b100)
    // and the value. With the bit moved to 0b10000000 every length still adds up.
    std::vector<FlowRecord> three(3, recs[0]);
    for (size_t i = 0; i < 3; ++i) three[i].rtt_client = i == 2 ? 5 : 0;
    const std::string e =
        error_after_edit(three, FieldId::rtt_client, [](char* block, char* entry) {
            ASSERT_EQ(entry[3] & (kColumnSparse | kColumnCompressed), kColumnSparse);
            uint16_t columns;
            std::memcpy(&columns, block + 32, 2);
            size_t at = 36 + 32 * size_t{columns};  // column bytes, in entry order
            for (char* c = block + 36; c != entry; c += 32) {
                uint32_t stored;
                std::memcpy(&stored, c + 8, 4);
                at += stored;
            }
            ASSERT_EQ(block[at], 0x04);
            block[at] = static_cast<char>(0x80);
        });
    EXPECT_NE(e.find("does not match"), std::string::npos) << e;
}

// Column entries found corrupt by the block decoder's fuzzer (format_block_fuzz): a raw length
// of gigabytes is refused before anything is allocated, and a raw length the zstd frame does
// not state is refused; a scale on a 16-bit column (whose product overflowed an int) is
// refused as making values wider than the field, without undefined behaviour (the sanitizer
// build checks).
TEST(Format, CorruptColumnEntriesFromTheFuzzer) {
    std::mt19937_64 rng(23);
    std::vector<FlowRecord> recs;
    for (size_t i = 0; i < 1000; ++i) recs.push_back(random_record(rng, false));
    const auto set32 = [](size_t at, uint32_t v) {
        return [=](char*, char* entry) { std::memcpy(entry + at, &v, 4); };
    };
    EXPECT_NE(error_after_edit(recs, FieldId::sni, set32(4, 0xf0000000u))
                  .find("raw length of 4026531840 bytes is more than 1000 records hold"),
              std::string::npos);
    EXPECT_NE(error_after_edit(recs, FieldId::sni, set32(4, 1'000'000u)).find("differs"),
              std::string::npos);
    EXPECT_NE(error_after_edit(recs, FieldId::sport,
                               [](char*, char* entry) {
                                   const uint64_t scale = 65534;
                                   std::memcpy(entry + 24, &scale, 8);
                               })
                  .find("column sport: value wider than the field"),
              std::string::npos);
}

// A block handed to the writer larger than its block size is cut into blocks of that size:
// flowgen's flow cache hands over every flow it holds at the end of input, and 1.1 million
// flows from a scan once made one block of more records than readers take (every flow in it
// was lost). Here 2500 rows go to a writer of 1000-row blocks.
TEST(Format, BlockLargerThanTheBlockSizeIsCut) {
    test::TempDir dir;
    const auto recs = sample_records(2498, true);
    FlowBlock big;
    for (const auto& r : recs) big.append(r);
    WriterOptions wo;
    wo.block_rows = 1000;
    auto w = FlowWriter::open(dir.file("b.flows"), wo);
    w->write(big);
    w->close();
    FlowReader rd(dir.file("b.flows"), {});
    FlowBlock b;
    std::vector<size_t> sizes;
    while (rd.next(b)) sizes.push_back(b.size());
    EXPECT_EQ(sizes, (std::vector<size_t>{1000, 1000, 500}));
    expect_file_holds(dir.file("b.flows"), recs);
}

// Text longer than kMaxTextBytes is cut where it enters a block: a flowgen run over hostile
// HTTP (20,000 distinct Host headers of 15 KB) once wrote a block whose http_host column was
// over the readers' bound, and every flow in it was lost. Values up to the limit are kept
// whole, and values that differ only past it become one.
TEST(Format, TextLongerThanTheLimitIsCut) {
    test::TempDir dir;
    std::vector<std::string> hosts;
    for (char c : {'a', 'b', 'c'}) hosts.push_back(std::string(1, c) + std::string(5000, 'x'));
    hosts.push_back(std::string(kMaxTextBytes, 'y'));
    hosts.push_back(std::string(kMaxTextBytes, 'y') + "z");
    std::vector<FlowRecord> recs(hosts.size());
    for (size_t i = 0; i < hosts.size(); ++i) recs[i].http_host = hosts[i];
    write_records(dir.file("t.flows"), recs);
    FlowReader rd(dir.file("t.flows"), {});
    std::vector<std::string> texts;
    const auto got = read_all(rd, texts);
    ASSERT_EQ(got.size(), hosts.size());
    for (size_t i = 0; i < hosts.size(); ++i)
        EXPECT_EQ(got[i].http_host, hosts[i].substr(0, kMaxTextBytes)) << "record " << i;
    StringDict dict;
    EXPECT_EQ(dict.intern(hosts[3]), dict.intern(hosts[4]));
    EXPECT_NE(dict.intern(hosts[0]), dict.intern(hosts[1]));
    EXPECT_EQ(dict.size(), 4u);  // "", the y's, and two of the x's
}

// A column whose first rows are whole milliseconds and a later one is not is stored
// undivided, every microsecond kept.
TEST(Format, TimeColumnMillisecondsThenMicroseconds) {
    test::TempDir dir;
    std::mt19937_64 rng(4);
    std::vector<FlowRecord> recs;
    for (size_t i = 0; i < 1000; ++i) {
        FlowRecord r = random_record(rng, false);
        r.start = 1'700'000'000'000'000ull + i * 7000 + (i == 900 ? 3 : 0);
        r.end = r.start + (rng() % 50) * 1000;
        recs.push_back(r);
    }
    write_records(dir.file("t.flows"), recs, 1000);
    FlowReader rd(dir.file("t.flows"), {});
    FlowBlock b;
    ASSERT_TRUE(rd.next(b));
    EXPECT_EQ(b.encoded_column(FieldId::start).scale, 1u);
    EXPECT_EQ(b.encoded_column(FieldId::end).scale, 1000u);
    expect_file_holds(dir.file("t.flows"), recs);
}

// The time columns' transform and scale choices, and the values, for times in whole seconds,

// in milliseconds, in microseconds, ascending (delta) and scattered (frame of reference).
TEST(Format, TimeColumnsEveryScale) {
    test::TempDir dir;
    std::mt19937_64 rng(9);
    constexpr size_t kRows = 500;
    std::vector<FlowRecord> recs;
    const uint64_t units[] = {1'000'000, 1'000, 1, 1'000'000, 1'000, 1};
    for (int block = 0; block < 6; ++block) {
        for (size_t i = 0; i < kRows; ++i) {
            FlowRecord r = random_record(rng, false);
            const uint64_t u = units[block];
            // Ascending in small steps (delta pays), or in two clusters far apart (frame of
            // reference pays); flows a few units long (end - start pays).
            const uint64_t t = block < 3 ? 1'700'000'000'000'000ull / u + i * 7
                                         : 1'600'000'000'000'000ull / u +
                                               (i % 2) * (1ull << 40) / u + rng() % 1000;
            r.start = t * u;
            r.end = r.start + (rng() % 50) * u;
            recs.push_back(r);
        }
    }
    write_records(dir.file("t.flows"), recs, kRows);
    FlowReader rd(dir.file("t.flows"), {});
    FlowBlock b;
    for (int k = 0; k < 6; ++k) {
        ASSERT_TRUE(rd.next(b));
        EXPECT_EQ(b.encoded_column(FieldId::start).scale, units[k]) << "block " << k;
        EXPECT_EQ(b.encoded_column(FieldId::start).transform,
                  k < 3 ? kTransformDelta : kTransformFor)
            << "block " << k;
        EXPECT_EQ(b.encoded_column(FieldId::end).transform, kTransformFromStart) << "block " << k;
    }
    expect_file_holds(dir.file("t.flows"), recs);
}

// Totals per protocol class, hand-counted, with and without a row mask.
TEST(Format, SummaryClassesAndMask) {
    FlowBlock b;
    const uint8_t protos[] = {6, 17, 1, 58, 47, 6, 0, 17};
    for (size_t i = 0; i < std::size(protos); ++i) {
        FlowRecord r;
        r.proto = protos[i];
        r.packets = i + 1;
        r.bytes = 100 * (i + 1);
        r.start = 1000 + i;
        r.end = 2000 - i;
        b.append(r);
    }
    Summary s;
    s.add(b);
    EXPECT_EQ(s.tcp.flows, 2u);
    EXPECT_EQ(s.tcp.packets, 1u + 6u);
    EXPECT_EQ(s.udp.bytes, 200u + 800u);
    EXPECT_EQ(s.icmp.flows, 2u);
    EXPECT_EQ(s.icmp.packets, 3u + 4u);
    EXPECT_EQ(s.other.flows, 2u);
    EXPECT_EQ(s.other.bytes, 500u + 700u);
    EXPECT_EQ(s.all.flows, 8u);
    EXPECT_EQ(s.all.packets, 36u);
    EXPECT_EQ(s.first, 1000u);
    EXPECT_EQ(s.last, 2000u);
    const uint8_t mask[] = {0, 1, 0, 0, 1, 1, 0, 0};
    Summary m;
    m.add(b, mask);
    EXPECT_EQ(m.all.flows, 3u);
    EXPECT_EQ(m.tcp.packets, 6u);
    EXPECT_EQ(m.udp.packets, 2u);
    EXPECT_EQ(m.other.packets, 5u);
    EXPECT_EQ(m.icmp.flows, 0u);
    EXPECT_EQ(m.first, 1001u);
    EXPECT_EQ(m.last, 1999u);
}

}  // namespace
}  // namespace fk
