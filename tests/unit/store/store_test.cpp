#include "store/store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/io.h"
#include "common/time.h"
#include "test_util.h"

namespace fk {
namespace {

TEST(Store, PathAndTimeAreInverse) {
    const uint64_t t = *parse_time("2025-03-03T10:05:00Z");
    const std::string p = store_file_path("/var/flows", t);
    EXPECT_EQ(p, "/var/flows/2025/03/03/flows-202503031005.flows");
    EXPECT_EQ(store_file_time("flows-202503031005.flows"), t);
    EXPECT_FALSE(store_file_time("flows-2025030310.flows"));
    EXPECT_FALSE(store_file_time("nfcapd.202503031005"));
}

TEST(Store, ListsInTimeOrderAndSelectsByWindow) {
    test::TempDir dir;
    const uint64_t base = *parse_time("2025-12-31T23:50:00Z");
    for (int k : {3, 0, 2, 1}) {
        const std::string p = store_file_path(dir.path(), base + k * 300 * kMicrosPerSecond);
        make_dirs(p.substr(0, p.rfind('/')));
        std::ofstream(p) << "x";
    }
    std::ofstream(dir.file("other.flows")) << "x";
    std::ofstream(dir.file(".hidden.flows")) << "x";
    std::ofstream(dir.file("notes.txt")) << "x";
    const auto all = list_flow_files(dir.path());
    ASSERT_EQ(all.size(), 5u);
    EXPECT_NE(all[0].find("2025/12/31/flows-202512312350"), std::string::npos);
    EXPECT_NE(all[3].find("2026/01/01/flows-202601010005"), std::string::npos);
    EXPECT_NE(all[4].find("other.flows"), std::string::npos);
    // Window 23:55..23:59 with no margin: only the 23:55 file (and files without a time).
    const auto some = list_flow_files(dir.path(), base + 300 * kMicrosPerSecond,
                                      base + 540 * kMicrosPerSecond, 0);
    ASSERT_EQ(some.size(), 2u);
    EXPECT_NE(some[0].find("flows-202512312355"), std::string::npos);
}

}  // namespace
}  // namespace fk
