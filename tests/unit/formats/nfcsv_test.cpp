// The nfdump CSV importer against hand-computed expectations: the fixture
// tests/data/nfdump-sample.csv (6 flows, 47 packets, 65308 bytes, nfdump's summary section at
// the end) alone and concatenated.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "formats/import.h"

namespace fk {
namespace {

struct Result {
    std::vector<FlowRecord> flows;
    ImportStats stats;
    uint64_t packets = 0, bytes = 0;
};

Result run(std::string_view text, bool ignore_errors = false) {
    Result res;
    ImportOptions opts;
    opts.ignore_errors = ignore_errors;
    make_importer("nfcsv")->import(
        text, "in", opts,
        [&](const FlowRecord& r) {
            res.flows.push_back(r);
            res.packets += r.packets;
            res.bytes += r.bytes;
        },
        res.stats);
    return res;
}

std::string fixture() {
    std::ifstream in(std::string(FLOWKIT_DEFAULT_SRC) + "/tests/data/nfdump-sample.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(Nfcsv, Fixture) {
    const auto r = run(fixture());
    EXPECT_EQ(r.flows.size(), 6u);
    EXPECT_EQ(r.packets, 47u);
    EXPECT_EQ(r.bytes, 65308u);
}

// cat a.csv b.csv (or of their .gz): each file's header follows the summary section of the
// one before it.
TEST(Nfcsv, ConcatenatedFilesAfterTheSummary) {
    const std::string one = fixture();
    ASSERT_NE(one.find("\nSummary\n"), std::string::npos);
    const auto r = run(one + one + one);
    EXPECT_EQ(r.flows.size(), 18u);
    EXPECT_EQ(r.stats.lines, 18u);
    EXPECT_EQ(r.packets, 3 * 47u);
    EXPECT_EQ(r.bytes, 3 * 65308u);
}

// Files without the summary (nfdump -q) repeat only the header; the next file may order its
// columns differently.
TEST(Nfcsv, RepeatedHeaderWithoutSummary) {
    const auto r =
        run("ts,sa,da,pr,ipkt,ibyt\n"
            "2025-03-03 10:00:00,10.0.0.1,10.0.0.2,TCP,1,100\n"
            "ts,sa,da,pr,ibyt,ipkt\n"
            "2025-03-03 10:00:01,10.0.0.3,10.0.0.4,UDP,200,2\n");
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.flows[1].packets, 2u);
    EXPECT_EQ(r.flows[1].bytes, 200u);
    EXPECT_EQ(r.flows[1].proto, 17);
    try {
        run("ts,sa,da,pr,ipkt,ibyt\nts,sa,da,pr,ipkt\n");
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "in:2: not nfdump CSV: no 'ibyt' column in the header");
    }
}

}  // namespace
}  // namespace fk
