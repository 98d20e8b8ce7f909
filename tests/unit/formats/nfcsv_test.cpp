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

// Values wider than their field are errors naming the column, not cut to its width, and
// durations that are not finite or overflow are refused.
TEST(Nfcsv, OutOfRangeValues) {
    const std::string header = "ts,td,sa,da,sp,dp,pr,ipkt,ibyt,stos,in,smk,cl\n";
    const std::pair<const char*, const char*> cases[] = {
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,70000,443,TCP,1,1,0,0,0,0",
         "column sp: '70000' is out of range (0 to 65535)"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,1,65536,TCP,1,1,0,0,0,0",
         "column dp: '65536' is out of range (0 to 65535)"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,0,300.300,ICMP,1,1,0,0,0,0",
         "column dp: '300.300' is out of range (type and code 0 to 255)"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,0,8.256,ICMP,1,1,0,0,0,0",
         "column dp: '8.256' is out of range (type and code 0 to 255)"},
        {"2020-02-07 22:05:20,nan,10.0.0.1,10.0.0.2,1,2,TCP,1,1,0,0,0,0",
         "column td: 'nan' is not a duration"},
        {"2020-02-07 22:05:20,inf,10.0.0.1,10.0.0.2,1,2,TCP,1,1,0,0,0,0",
         "column td: 'inf' is out of range"},
        {"2020-02-07 22:05:20,1e300,10.0.0.1,10.0.0.2,1,2,TCP,1,1,0,0,0,0",
         "column td: '1e300' is out of range"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,1,2,TCP,1,1,0,0,0,99999999.0",
         "column cl: '99999999.0' is out of range"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,1,2,TCP,99999999999999999999,1,0,0,0,0",
         "column ipkt: '99999999999999999999' is out of range (0 to 18446744073709551615)"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,1,2,TCP,1,1,256,0,0,0",
         "column stos: '256' is out of range (0 to 255)"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,1,2,TCP,1,1,0,4294967296,0,0",
         "column in: '4294967296' is out of range (0 to 4294967295)"},
        {"2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,1,2,TCP,1,1,0,0,129,0",
         "column smk: '129' is out of range (0 to 128)"},
        {"2020-02-31 22:05:20,1,10.0.0.1,10.0.0.2,1,2,TCP,1,1,0,0,0,0",
         "column ts: '2020-02-31 22:05:20' is not a time"},
    };
    std::string all = header;
    for (const auto& [line, what] : cases) {
        try {
            run(header + line + "\n");
            ADD_FAILURE() << "no error for " << line;
        } catch (const DataError& e) {
            EXPECT_EQ(std::string(e.what()), std::string("in:2: ") + what);
        }
        all += std::string(line) + "\n";
    }
    // The largest values that fit: 4294967.295 ms is 2^32-1 us.
    all +=
        "2020-02-07 22:05:20,1,10.0.0.1,10.0.0.2,65535,255.255,ICMP,1,1,255,4294967295,128,"
        "4294967.295\n";
    const auto r = run(all, true);
    EXPECT_EQ(r.stats.skipped, std::size(cases));
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].dport, 65535);
    EXPECT_EQ(r.flows[0].rtt_client, 4294967295u);
}

}  // namespace
}  // namespace fk
