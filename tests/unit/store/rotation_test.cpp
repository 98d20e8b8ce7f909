#include "store/rotation.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/io.h"
#include "common/time.h"
#include "format/reader.h"
#include "store/capture_stats.h"
#include "store/store.h"
#include "test_util.h"

namespace fk {
namespace {

TEST(Store, LaterFilesOfAnIntervalSortAfterTheFirst) {
    const uint64_t t = *parse_time("2025-03-03T10:05:00Z");
    EXPECT_EQ(store_file_time("flows-202503031005-2.flows"), t);
    EXPECT_EQ(store_file_seq("flows-202503031005-2.flows"), 2u);
    EXPECT_EQ(store_file_seq("flows-202503031005.flows"), 0u);
    EXPECT_FALSE(store_file_time("flows-202503031005-.flows"));
    EXPECT_FALSE(store_file_time("flows-202503031005-02.flows"));
    EXPECT_FALSE(store_file_time("flows-202503031005-x.flows"));
    test::TempDir dir;
    for (int n = 0; n < 3; ++n) {
        const std::string p = free_store_path(dir.path(), t);
        make_dirs(p.substr(0, p.rfind('/')));
        std::ofstream(p) << "x";
    }
    const auto files = list_flow_files(dir.path());
    ASSERT_EQ(files.size(), 3u);
    EXPECT_TRUE(files[0].ends_with("flows-202503031005.flows"));
    EXPECT_TRUE(files[1].ends_with("flows-202503031005-1.flows"));
    EXPECT_TRUE(files[2].ends_with("flows-202503031005-2.flows"));
}

TEST(Store, WriterRotatesWithoutReplacing) {
    test::TempDir dir;
    StoreOptions o;
    o.dir = dir.path();
    const uint64_t slot = *parse_time("2025-03-03T10:00:00Z");
    std::string first;
    {
        StoreWriter w(o);
        w.rotate(slot, slot);
        FlowBlock b;
        FlowRecord r;
        r.start = r.end = slot + 1;
        r.packets = 1;
        b.append(r);
        w.write(b);
        first = w.close(slot);
    }
    EXPECT_TRUE(first.ends_with("/2025/03/03/flows-202503031000.flows"));
    StoreWriter w(o);
    w.rotate(slot, slot);
    EXPECT_TRUE(w.current().ends_with("flows-202503031000-1.flows"));
    w.close(slot);
    FlowReader r(first, {});
    FlowBlock b;
    ASSERT_TRUE(r.next(b));
    EXPECT_EQ(b.size(), 1u);
}

// The file of the interval that ended is closed on a thread of its own while the next one is
// written. Files are named by the minute: the next file of the same minute (a 2 s interval,
// or SIGHUP) gets a name of its own although the one before has not been renamed yet.
TEST(Store, WriterClosesInTheBackground) {
    test::TempDir dir;
    StoreOptions o;
    o.dir = dir.path();
    const uint64_t slot = *parse_time("2025-03-03T10:00:00Z");
    const uint64_t next = slot + 300 * kMicrosPerSecond;
    FlowBlock b;
    FlowRecord r;
    r.packets = 1;
    std::atomic<int> saved{0};
    StoreWriter w(o);
    for (uint64_t s : {slot, slot + 2 * kMicrosPerSecond, next, next}) {
        w.rotate(s, s, [&] { ++saved; });
        b.clear();
        r.start = r.end = s + 1;
        b.append(r);
        w.write(b);
    }
    EXPECT_TRUE(w.current().ends_with("/flows-202503031005-1.flows"));
    w.close(next);
    EXPECT_EQ(saved.load(), 4);
    const auto files = list_flow_files(dir.path());
    ASSERT_EQ(files.size(), 4u);
    EXPECT_TRUE(files[0].ends_with("/flows-202503031000.flows"));
    EXPECT_TRUE(files[1].ends_with("/flows-202503031000-1.flows"));
    EXPECT_TRUE(files[2].ends_with("/flows-202503031005.flows"));
    for (const auto& f : files) {
        FlowReader in(f, {});
        ASSERT_TRUE(in.next(b)) << f;
        EXPECT_EQ(b.size(), 1u) << f;
    }
}

TEST(Store, BackgroundCloseErrorsReachTheWriter) {
    test::TempDir dir;
    StoreOptions o;
    o.dir = dir.path();
    const uint64_t slot = *parse_time("2025-03-03T10:00:00Z");
    StoreWriter w(o);
    w.rotate(slot, slot);
    w.rotate(slot + 300 * kMicrosPerSecond, slot,
             [] { throw DataError("flowcapture.stats: No space left on device"); });
    try {
        w.close(slot);
        FAIL() << "the error of the background close was lost";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "flowcapture.stats: No space left on device");
    }
    // The file being written is still there to close.
    EXPECT_TRUE(w.is_open());
    EXPECT_FALSE(w.close(slot).empty());
}

TEST(Store, ExpiryDeletesTheOldestFirst) {
    test::TempDir dir;
    const uint64_t base = *parse_time("2025-03-01T00:00:00Z");
    for (int day = 0; day < 4; ++day) {
        const std::string p = store_file_path(dir.path(), base + day * 86400ull * kMicrosPerSecond);
        make_dirs(p.substr(0, p.rfind('/')));
        std::ofstream(p) << std::string(1000, 'x');
    }
    // 2.5 kB allowed: the two oldest go, with their day directories.
    EXPECT_EQ(expire_store(dir.path(), 2500, 0, base), 2u);
    auto files = list_flow_files(dir.path());
    ASSERT_EQ(files.size(), 2u);
    EXPECT_NE(files[0].find("2025/03/03"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/2025/03/01"));
    // By age: older than a day before 2025-03-04T12:00 leaves only 03-04.
    EXPECT_EQ(expire_store(dir.path(), 0, 86400ull * kMicrosPerSecond,
                           *parse_time("2025-03-04T12:00:00Z")),
              1u);
    files = list_flow_files(dir.path());
    ASSERT_EQ(files.size(), 1u);
    EXPECT_NE(files[0].find("2025/03/04"), std::string::npos);
}

TEST(CaptureStats, SaveLoadAndAdd) {
    test::TempDir dir;
    CaptureStats s;
    ExporterStats e;
    e.exporter = *parse_ip("2001:db8::1");
    e.domain = 3;
    e.version = 10;
    e.flows = 1000;
    e.lost_records = 7;
    e.sampling = 64;
    s.exporters.push_back(e);
    s.socket_drops = 5;
    const std::string path = dir.file(kStatsFileName);
    save_capture_stats(path, s);
    CaptureStats back = load_capture_stats(path);
    ASSERT_EQ(back.exporters.size(), 1u);
    EXPECT_EQ(back.exporters[0].exporter, e.exporter);
    EXPECT_EQ(back.exporters[0].flows, 1000u);
    EXPECT_EQ(back.exporters[0].lost_records, 7u);
    EXPECT_EQ(back.exporters[0].sampling, 64u);
    EXPECT_EQ(back.socket_drops, 5u);
    back.add(s);
    EXPECT_EQ(back.exporters[0].flows, 2000u);
    EXPECT_EQ(back.socket_drops, 10u);
    EXPECT_NE(format_capture_stats(back).find("2001:db8::1"), std::string::npos);
    std::ofstream(dir.file("bad")) << "socket_drops\tmany\n";
    EXPECT_THROW(load_capture_stats(dir.file("bad")), DataError);
}

// The log line and --stats show the templates refused over the bounds and expired, and an
// exporter that states no rate as "none" (its records hold sampling 1), not as rate 0.
TEST(CaptureStats, TemplatesRefusedAndExpiredAreShown) {
    CaptureStats s;
    ExporterStats e;
    e.exporter = *parse_ip("192.0.2.1");
    e.version = 10;
    e.templates = 4096;
    e.templates_refused = 55904;
    e.templates_expired = 3;
    s.exporters.push_back(e);
    const std::string line = exporter_log_line(e);
    EXPECT_NE(line.find("4096 templates (55904 refused, 3 expired)"), std::string::npos) << line;
    EXPECT_NE(line.find("sampling none"), std::string::npos) << line;
    const std::string table = format_capture_stats(s);
    EXPECT_NE(table.find("refused  expired"), std::string::npos) << table;
    EXPECT_NE(table.find("     4096    55904        3"), std::string::npos) << table;
    s.exporters[0].sampling = 100;
    EXPECT_NE(exporter_log_line(s.exporters[0]).find("sampling 1:100"), std::string::npos);
    EXPECT_NE(format_capture_stats(s).find(" 1:100\n"), std::string::npos);
}

}  // namespace
}  // namespace fk
