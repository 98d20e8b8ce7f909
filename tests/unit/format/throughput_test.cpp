// Encoding and decoding speed of the format, run explicitly with
//   build/unit_format --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
// on the flows of FLOWKIT_BENCH_FLOWS=FILE, or on synthetic flows without it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "format/reader.h"
#include "format/writer.h"
#include "test_util.h"

namespace fk {
namespace {

std::vector<FlowBlock> load_blocks() {
    std::vector<FlowBlock> blocks;
    if (const char* path = std::getenv("FLOWKIT_BENCH_FLOWS")) {
        FlowReader r(path, {});
        FlowBlock b;
        while (r.next(b)) {
            b.ensure_all();
            blocks.emplace_back();
            blocks.back().append_range(b, 0, b.size());
        }
        return blocks;
    }
    std::mt19937_64 rng(1);
    for (int k = 0; k < 40; ++k) {
        blocks.emplace_back();
        for (int i = 0; i < 32768; ++i) {
            FlowRecord r;
            r.start = 1'700'000'000'000'000ull + k * 10'000'000ull + rng() % 10'000'000;
            r.end = r.start + rng() % 2'000'000;
            r.src = IpAddr::v4(0x0a000000u | static_cast<uint32_t>(rng() % 5000));
            r.dst = IpAddr::v4(0xc0a80000u | static_cast<uint32_t>(rng() % 3000));
            r.sport = static_cast<uint16_t>(1024 + rng() % 60000);
            r.dport = static_cast<uint16_t>(rng() % 4 ? 443 : 53);
            r.proto = rng() % 4 ? 6 : 17;
            r.flags = static_cast<uint8_t>(rng());
            r.packets = 1 + rng() % 20;
            r.bytes = r.packets * (40 + rng() % 1400);
            r.sampling = 1;
            blocks.back().append(r);
        }
    }
    return blocks;
}

// CPU time of this thread: steadier than wall time on a shared machine.
double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST(Throughput, DISABLED_EncodeDecode) {
    auto blocks = load_blocks();
    size_t flows = 0;
    for (const auto& b : blocks) flows += b.size();
    test::TempDir dir;
    for (int level : {1, 3}) {
        WriterOptions wo;
        wo.zstd_level = level;
        const double t0 = cpu_seconds();
        auto w = FlowWriter::open(dir.file("t.flows"), wo);
        for (auto& b : blocks) w->write(b);
        w->close();
        const double enc = cpu_seconds() - t0;
        const auto size = std::filesystem::file_size(dir.file("t.flows"));
        const double t1 = cpu_seconds();
        FlowReader r(dir.file("t.flows"), {});
        FlowBlock b;
        size_t back = 0;
        while (r.next(b)) {
            b.ensure_all();
            back += b.size();
        }
        const double dec = cpu_seconds() - t1;
        EXPECT_EQ(back, flows);
        std::printf(
            "zstd %d: %zu flows, %.2f B/flow; encode %.2f M flows/s (%.3f CPU-s per M); "
            "decode all columns %.2f M flows/s (per CPU-second)\n",
            level, flows, static_cast<double>(size) / static_cast<double>(flows),
            static_cast<double>(flows) / enc / 1e6, enc / static_cast<double>(flows) * 1e6,
            static_cast<double>(flows) / dec / 1e6);
    }
}

}  // namespace
}  // namespace fk
