// The cloud flow log and EVE importers against hand-computed expectations: every sample of
// ../shared/data/vpc (counts, packets, bytes, actions as read off the files and
// truth/vpc-summary.tsv) and small inline fixtures, malformed ones included.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "common/error.h"
#include "common/time.h"
#include "formats/import.h"
#include "record/names.h"
#include "samples.h"
#include "test_util.h"

namespace fk {
namespace {

struct Result {
    std::vector<FlowRecord> flows;
    ImportStats stats;
    uint64_t packets = 0, bytes = 0, accept = 0, reject = 0;
};

Result run(const std::string& format, std::string_view text, bool ignore_errors = false,
           const std::string& fields = "") {
    Result res;
    ImportOptions opts;
    opts.ignore_errors = ignore_errors;
    opts.fields = fields;
    make_importer(format)->import(
        text, "in", opts,
        [&](const FlowRecord& r) {
            res.flows.push_back(r);
            res.packets += r.packets;
            res.bytes += r.bytes;
            res.accept += r.action == static_cast<uint8_t>(Action::accept);
            res.reject += r.action == static_cast<uint8_t>(Action::reject);
        },
        res.stats);
    return res;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A sample file of ../shared/data/vpc, guessed and imported.
Result sample(const std::string& rel, const std::string& want_format) {
    const std::string text = slurp(test::shared_data() + "/vpc/" + rel);
    EXPECT_FALSE(text.empty()) << rel;
    EXPECT_EQ(guess_format(std::string_view(text).substr(0, 4096)), want_format) << rel;
    return run(want_format, text);
}

// The message of the DataError the import throws, or "" without one.
std::string error_of(const std::string& format, std::string_view text) {
    try {
        run(format, text);
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

#define NEED_DATA() \
    if (test::shared_data().empty()) GTEST_SKIP() << "../shared/data is not present"

IpAddr ip(const char* s) {
    return *parse_ip(s);
}
uint64_t secs(uint64_t s) {
    return s * kMicrosPerSecond;
}
constexpr uint8_t kAccept = 1, kReject = 2;

// --- AWS ---------------------------------------------------------------------------------

TEST(Aws, V2DefaultFormat) {
    NEED_DATA();
    const auto r = sample("aws/v2-default-format.log", "aws");
    EXPECT_EQ(r.stats.lines, 7u);
    EXPECT_EQ(r.flows.size(), 5u);
    EXPECT_EQ(r.stats.nodata, 1u);
    EXPECT_EQ(r.stats.skipdata, 1u);
    EXPECT_EQ(r.packets, 102u);
    EXPECT_EQ(r.bytes, 18025u);
    EXPECT_EQ(r.accept, 3u);
    EXPECT_EQ(r.reject, 2u);
    const auto& f = r.flows[0];
    EXPECT_EQ(f.src, ip("172.31.16.139"));
    EXPECT_EQ(f.dst, ip("172.31.16.21"));
    EXPECT_EQ(f.sport, 20641);
    EXPECT_EQ(f.dport, 22);
    EXPECT_EQ(f.proto, 6);
    EXPECT_EQ(f.packets, 20u);
    EXPECT_EQ(f.bytes, 4249u);
    EXPECT_EQ(f.start, secs(1418530010));
    EXPECT_EQ(f.end, secs(1418530070));
    EXPECT_EQ(f.action, kAccept);
    EXPECT_EQ(r.flows[1].action, kReject);
    EXPECT_EQ(r.flows[1].dport, 3389);
    EXPECT_EQ(r.flows[2].proto, 1);
    EXPECT_EQ(r.flows[2].src, ip("203.0.113.12"));
    EXPECT_EQ(r.flows[4].src, ip("2001:db8:1234:a100:8d6e:3477:df66:f105"));
    EXPECT_EQ(r.flows[4].bytes, 8855u);
}

TEST(Aws, V3CustomTcpFlags) {
    NEED_DATA();
    const auto r = sample("aws/v3-custom-tcp-flags.log", "aws");
    EXPECT_EQ(r.flows.size(), 8u);
    EXPECT_EQ(r.packets, 17121u);
    EXPECT_EQ(r.bytes, 23462480u);
    EXPECT_EQ(r.accept, 8u);
    // bytes come before packets in this field order.
    EXPECT_EQ(r.flows[0].bytes, 568u);
    EXPECT_EQ(r.flows[0].packets, 8u);
    EXPECT_EQ(r.flows[0].flags, 2);   // SYN
    EXPECT_EQ(r.flows[1].flags, 18);  // SYN-ACK
    EXPECT_EQ(r.flows[5].bytes, 23294588u);
    EXPECT_EQ(r.flows[5].start, secs(1566848933));
    EXPECT_EQ(r.flows[5].end, secs(1566849113));
}

TEST(Aws, V3TransitGatewayWithoutCounters) {
    NEED_DATA();
    const auto r = sample("aws/v3-custom-transit-gateway.log", "aws");
    EXPECT_EQ(r.flows.size(), 4u);
    EXPECT_EQ(r.accept, 4u);
    EXPECT_EQ(r.packets, 0u);
    EXPECT_EQ(r.flows[2].src, ip("10.40.1.175"));
    EXPECT_EQ(r.flows[2].dport, 80);
    EXPECT_EQ(r.flows[2].flags, 3);
    EXPECT_EQ(r.flows[3].flags, 19);
}

TEST(Aws, V5AndV6CustomFormats) {
    NEED_DATA();
    auto r = sample("aws/v5-custom-ecs-fields.log", "aws");
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.packets, 15u);
    EXPECT_EQ(r.bytes, 3500u);
    EXPECT_EQ(r.accept, 1u);
    r = sample("aws/v5-custom-traffic-path.log", "aws");
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.packets, 21u);
    EXPECT_EQ(r.bytes, 15515u);
    EXPECT_EQ(r.flows[0].src, ip("52.95.128.179"));
    EXPECT_EQ(r.flows[0].sport, 80);
    EXPECT_EQ(r.flows[0].start, secs(1616729292));
    EXPECT_EQ(r.flows[1].flags, 3);
    r = sample("aws/v6-transit-gateway-flow-log.log", "aws");
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.packets, 10u);
    EXPECT_EQ(r.bytes, 1000u);
    EXPECT_EQ(r.accept + r.reject, 0u);
    EXPECT_EQ(r.flows[0].dport, 443);
}

TEST(Aws, NatGatewayAddressesOnly) {
    NEED_DATA();
    const auto r = sample("aws/custom-nat-gateway.log", "aws");
    ASSERT_EQ(r.flows.size(), 6u);
    EXPECT_EQ(r.flows[1].src, ip("10.0.0.220"));
    EXPECT_EQ(r.flows[1].dst, ip("203.0.113.5"));
    EXPECT_EQ(r.packets, 0u);
}

TEST(Aws, HeaderlessAndFieldsOption) {
    // CloudWatch delivery has no header: the default format.
    const auto r = run("aws",
                       "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1000 53 17 3 240 1700000000 "
                       "1700000060 ACCEPT OK\n");
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].proto, 17);
    EXPECT_EQ(r.flows[0].bytes, 240u);
    // A custom format without a header needs its field list.
    EXPECT_THROW(run("aws", "2 eni-1 10.0.0.1 10.0.0.2\n"), DataError);
    const auto c =
        run("aws", "2 eni-1 10.0.0.1 10.0.0.2\n", false, "version interface-id srcaddr dstaddr");
    ASSERT_EQ(c.flows.size(), 1u);
    EXPECT_EQ(c.flows[0].dst, ip("10.0.0.2"));
    EXPECT_THROW(run("aws", "x\n", false, "version bogus"), UsageError);
}

TEST(Aws, CloudWatchSubscription) {
    NEED_DATA();
    const std::string text =
        slurp(test::shared_data() + "/vpc/aws/cloudwatch-subscription-custom.json");
    EXPECT_EQ(guess_format(text), "aws");
    // Its custom format has no header: without --fields the records do not fit the default.
    EXPECT_THROW(run("aws", text), DataError);
    const auto r = run("aws", text, false, "version interface-id srcaddr dstaddr");
    EXPECT_EQ(r.stats.lines, 2u);
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.flows[0].src, ip("172.31.16.139"));
    EXPECT_EQ(r.flows[0].dst, ip("172.31.16.21"));
    EXPECT_EQ(r.flows[1].src, ip("172.31.9.69"));
    EXPECT_EQ(r.flows[1].dst, ip("172.31.9.12"));
}

TEST(Aws, MalformedLines) {
    const std::string text =
        "version srcaddr dstaddr packets bytes action log-status\n"
        "2 10.0.0.1 10.0.0.2 5 500 ACCEPT OK\n"
        "2 10.0.0.1 10.0.0.2 5 500 ACCEPT\n"
        "2 10.0.0.1 10.0.0.999 5 500 ACCEPT OK\n"
        "2 10.0.0.1 10.0.0.2 five 500 ACCEPT OK\n"
        "2 10.0.0.1 10.0.0.2 5 500 MAYBE OK\n"
        "2 10.0.0.3 10.0.0.4 7 700 REJECT OK\n";
    try {
        run("aws", text);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "in:3: 6 fields, the header has 7");
    }
    const auto r = run("aws", text, true);
    EXPECT_EQ(r.stats.skipped, 4u);
    EXPECT_EQ(r.stats.lines, 6u);
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.bytes, 1200u);
    EXPECT_EQ(r.reject, 1u);
}

// Values wider than their field are errors, not cut to its width (70000 became port 4464).
TEST(Aws, OutOfRangeValues) {
    const std::string header =
        "version srcaddr dstaddr srcport dstport protocol bytes start end tcp-flags\n";
    const std::pair<const char*, const char*> cases[] = {
        {"2 10.0.0.1 10.0.0.2 70000 2 6 1 1 2 0", "srcport: '70000' is out of range (0 to 65535)"},
        {"2 10.0.0.1 10.0.0.2 1 65536 6 1 1 2 0", "dstport: '65536' is out of range (0 to 65535)"},
        {"2 10.0.0.1 10.0.0.2 1 2 262 1 1 2 0", "protocol: '262' is out of range (0 to 255)"},
        {"2 10.0.0.1 10.0.0.2 1 2 6 18446744073709551616 1 2 0",
         "bytes: '18446744073709551616' is out of range (0 to 18446744073709551615)"},
        {"2 10.0.0.1 10.0.0.2 1 2 6 1 20000000000000 20000000000001 0",
         "start: '20000000000000' is out of range (0 to 18446744073709)"},
        {"2 10.0.0.1 10.0.0.2 1 2 6 1 1 18446744073710 0",
         "end: '18446744073710' is out of range (0 to 18446744073709)"},
        {"2 10.0.0.1 10.0.0.2 1 2 6 1 1 2 256", "tcp-flags: '256' is out of range (0 to 255)"},
    };
    std::string all = header;
    for (const auto& [line, what] : cases) {
        EXPECT_EQ(error_of("aws", header + line + "\n"), std::string("in:2: ") + what);
        all += std::string(line) + "\n";
    }
    all +=
        "2 10.0.0.1 10.0.0.2 65535 65535 255 18446744073709551615 18446744073709 18446744073709 "
        "255\n";
    const auto r = run("aws", all, true);
    EXPECT_EQ(r.stats.skipped, std::size(cases));
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].sport, 65535);
    EXPECT_EQ(r.flows[0].proto, 255);
    EXPECT_EQ(r.flows[0].end, 18446744073709u * kMicrosPerSecond);
}

TEST(Aws, ConcatenatedFilesRepeatTheHeader) {
    const auto r = run("aws",
                       "version srcaddr dstaddr bytes\n2 10.0.0.1 10.0.0.2 10\n"
                       "version bytes dstaddr srcaddr\n2 20 10.0.0.2 10.0.0.1\n");
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.bytes, 30u);
    EXPECT_EQ(r.flows[1].src, ip("10.0.0.1"));
}

// --- Azure -------------------------------------------------------------------------------

TEST(Azure, NsgVersion1) {
    NEED_DATA();
    const auto r = sample("azure/nsg-flow-log-v1.json", "azure");
    EXPECT_EQ(r.stats.lines, 12u);
    ASSERT_EQ(r.flows.size(), 12u);
    EXPECT_EQ(r.accept, 8u);
    EXPECT_EQ(r.reject, 4u);
    EXPECT_EQ(r.packets, 0u);
    const auto& f = r.flows[0];
    EXPECT_EQ(f.start, secs(1487282421));
    EXPECT_EQ(f.src, ip("192.0.2.95"));
    EXPECT_EQ(f.dst, ip("10.1.0.4"));
    EXPECT_EQ(f.sport, 51529);
    EXPECT_EQ(f.dport, 5358);
    EXPECT_EQ(f.proto, 6);
    EXPECT_EQ(f.action, kReject);
    EXPECT_EQ(f.dst_mac, 0x000D3AF8801Aull);  // inbound: the NIC is the destination
    EXPECT_EQ(r.flows[5].proto, 17);
    EXPECT_EQ(r.flows[5].sport, 53);
}

TEST(Azure, NsgVersion2CountsBothDirections) {
    NEED_DATA();
    const auto r = sample("azure/nsg-flow-log-v2.json", "azure");
    EXPECT_EQ(r.stats.lines, 11u);
    // 8 Begin tuples without counters, 3 with counters in both directions.
    ASSERT_EQ(r.flows.size(), 14u);
    EXPECT_EQ(r.packets, 83u);
    EXPECT_EQ(r.bytes, 46661u);
    EXPECT_EQ(r.reject, 7u);
    EXPECT_EQ(r.accept, 7u);
    // "1542110379,10.5.16.4,203.0.113.115,44931,443,T,O,A,C,30,16978,24,14008"
    const auto& out = r.flows[6];
    const auto& back = r.flows[7];
    EXPECT_EQ(out.src, ip("10.5.16.4"));
    EXPECT_EQ(out.packets, 30u);
    EXPECT_EQ(out.bytes, 16978u);
    EXPECT_EQ(out.src_mac, 0x000D3AF87856ull);
    EXPECT_EQ(back.src, ip("203.0.113.115"));
    EXPECT_EQ(back.sport, 443);
    EXPECT_EQ(back.dport, 44931);
    EXPECT_EQ(back.packets, 24u);
    EXPECT_EQ(back.bytes, 14008u);
    EXPECT_EQ(back.dst_mac, 0x000D3AF87856ull);
}

std::string nsg2_document(std::string_view tuples_text) {
    std::string doc =
        "{\"records\":[{\"time\":\"2024-02-26T20:10:15Z\",\"properties\":{\"Version\":2,"
        "\"flows\":[{\"rule\":\"r\",\"flows\":[{\"mac\":\"000D3AF87856\",\"flowTuples\":[";
    std::string_view line;
    bool first = true;
    while (!tuples_text.empty()) {
        const size_t nl = tuples_text.find('\n');
        line = tuples_text.substr(0, nl);
        tuples_text = nl == std::string_view::npos ? "" : tuples_text.substr(nl + 1);
        if (line.empty()) continue;
        doc += (first ? "\"" : ",\"") + std::string(line) + "\"";
        first = false;
    }
    return doc + "]}]}]}}]}\n";
}

TEST(Azure, BandwidthExampleTotals) {
    NEED_DATA();
    // The Azure page: 1021+52+8005+47 = 9125 packets, 5256000 bytes.
    const auto text =
        slurp(test::shared_data() + "/vpc/azure/nsg-flow-log-v2-bandwidth-example.txt");
    const auto r = run("azure", nsg2_document(text));
    EXPECT_EQ(r.stats.lines, 3u);
    EXPECT_EQ(r.flows.size(), 5u);
    EXPECT_EQ(r.packets, 9125u);
    EXPECT_EQ(r.bytes, 5256000u);
}

TEST(Azure, VnetFlowLog) {
    const std::string doc = R"({"records":[{"time":"2022-09-14T09:00:52.5625085Z",
"flowLogVersion":4,"flowLogGUID":"66aa66aa-bb77-cc88-dd99-00ee00ee00ee",
"macAddress":"112233445566","category":"FlowLogFlowEvent","flowLogResourceID":"/x",
"targetResourceID":"/y","operationName":"FlowLogFlowEvent",
"flowRecords":{"flows":[{"aclID":"00000000-1234-abcd-ef00-c1c2c3c4c5c6","flowGroups":[
{"rule":"DefaultRule_AllowInternetOutBound","flowTuples":[
"1663146003599,10.0.0.6,192.0.2.180,23956,443,6,O,B,NX,0,0,0,0",
"1663146003606,10.0.0.6,192.0.2.180,23956,443,6,O,E,NX,3,767,2,1580"]},
{"rule":"DefaultRule_DenyAllInBound","flowTuples":[
"1663146004000,198.51.100.7,10.0.0.6,40000,22,6,I,D,NX,0,0,0,0"]}]}]}}]}
)";
    EXPECT_EQ(guess_format(doc), "azure");
    const auto r = run("azure", doc);
    EXPECT_EQ(r.stats.lines, 3u);
    ASSERT_EQ(r.flows.size(), 4u);
    EXPECT_EQ(r.flows[0].start, 1663146003599000u);
    EXPECT_EQ(r.flows[1].packets, 3u);
    EXPECT_EQ(r.flows[1].bytes, 767u);
    EXPECT_EQ(r.flows[2].src, ip("192.0.2.180"));
    EXPECT_EQ(r.flows[2].bytes, 1580u);
    EXPECT_EQ(r.flows[3].action, kReject);
    EXPECT_EQ(r.flows[3].dst_mac, 0x112233445566ull);
    EXPECT_EQ(r.accept, 3u);
}

TEST(Azure, MalformedTupleNamesItsLine) {
    const std::string doc = test::kAzureBlobWithBadTuple;
    try {
        run("azure", doc);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "in:4: protocol 'X' (T or U)");
    }
    const auto r = run("azure", doc, true);
    EXPECT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.stats.skipped, 1u);
}

// Tuples written with JSON escapes (\u002c for a comma) are found in the text for their line
// numbers, and finding them stays linear (each used to be searched for to the end of the text:
// 20000 of them took 29 s).
TEST(Azure, EscapedTuplesNameTheirLine) {
    const std::string doc =
        "{\"records\":[{\"properties\":{\"Version\":1,\"flows\":[{\"rule\":\"r\",\"flows\":[\n"
        "{\"mac\":\"000D3AF8801A\",\"flowTuples\":[\n"
        "\"1487282421\\u002c192.0.2.95,10.1.0.4,51529,5358,T,I,D\",\n"
        "\"1487282421\\u002c192.0.2.95,10.1.0.4,51529,5358,X,I,D\",\n"
        "\"1487282421,192.0.2.96,10.1.0.4,51529,5358,T,I,A\"]}]}]}}]}\n";
    EXPECT_EQ(error_of("azure", doc), "in:4: protocol 'X' (T or U)");
    std::string big =
        "{\"records\":[{\"properties\":{\"Version\":1,\"flows\":[{\"rule\":\"r\",\"flows\":[{"
        "\"mac\":\"000D3AF8801A\",\"flowTuples\":[\n";
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        big += "\"" + std::to_string(1487282421 + i) + "\\u002c192.0.2.95,10.1.0.4," +
               std::to_string(1024 + i) + ",5358,T,I,A\",\n";
    }
    big += "\"1487282421,192.0.2.95,10.1.0.4,1,5358,X,I,A\"]}]}]}}]}\n";
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of("azure", big), "in:" + std::to_string(n + 2) + ": protocol 'X' (T or U)");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(Azure, OutOfRangeValues) {
    auto doc = [](const char* tuple, int version = 1) {
        return "{\"records\":[{\"properties\":{\"Version\":" + std::to_string(version) +
               ",\"flows\":[{\"rule\":\"r\",\"flows\":[{\"mac\":\"000D3AF8801A\",\"flowTuples\":["
               "\"" +
               tuple + "\"]}]}]}}]}\n";
    };
    EXPECT_EQ(error_of("azure", doc("1487282421,192.0.2.95,10.1.0.4,70000,5358,T,I,D")),
              "in:1: source port: '70000' is out of range (0 to 65535)");
    EXPECT_EQ(error_of("azure", doc("1487282421,192.0.2.95,10.1.0.4,1,65536,T,I,D")),
              "in:1: destination port: '65536' is out of range (0 to 65535)");
    EXPECT_EQ(error_of("azure", doc("20000000000000,192.0.2.95,10.1.0.4,1,2,T,I,D")),
              "in:1: time stamp: '20000000000000' is out of range (0 to 18446744073709)");
    const std::string vnet =
        R"({"records":[{"macAddress":"112233445566","flowRecords":{"flows":[{"flowGroups":[{"flowTuples":["1663146003599,10.0.0.6,192.0.2.180,23956,443,262,O,B,NX,0,0,0,0"]}]}]}}]})";
    EXPECT_EQ(error_of("azure", vnet), "in:1: protocol: '262' is out of range (0 to 255)");
}

// A blob cut short (an upload in progress, a full disk): its document is an error naming
// where it starts; the whole documents before it are imported.
TEST(Azure, TruncatedBlobIsAnError) {
    NEED_DATA();
    const std::string blob = slurp(test::shared_data() + "/vpc/azure/nsg-flow-log-v2.json");
    ASSERT_EQ(blob.size(), 3311u);
    const std::string cut = blob.substr(0, 2000);
    EXPECT_EQ(error_of("azure", cut),
              "in:1: incomplete JSON document from byte offset 0 to the end of the input");
    // The blob has 69 lines; an empty line, then the cut one at line 71.
    const std::string two = blob + "\n" + cut;
    EXPECT_EQ(error_of("azure", two),
              "in:71: incomplete JSON document from byte offset 3312 to the end of the input");
    const auto r = run("azure", two, true);
    EXPECT_EQ(r.flows.size(), 14u);
    EXPECT_EQ(r.stats.skipped, 1u);
}

// --- GCP ---------------------------------------------------------------------------------

TEST(Gcp, TruncatedPrettyPrintedEntryIsAnError) {
    NEED_DATA();
    const std::string entry =
        slurp(test::shared_data() + "/vpc/gcp/vpc-flows-internet-routing-details.json");
    EXPECT_EQ(error_of("gcp", "  " + entry.substr(0, 800)),
              "in:1: incomplete JSON document from byte offset 2 to the end of the input");
    const auto r = run("gcp", entry + entry.substr(0, 800), true);
    EXPECT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.stats.skipped, 1u);
}

TEST(Gcp, GoogleService) {
    NEED_DATA();
    const auto r = sample("gcp/vpc-flows-google-service.ndjson", "gcp");
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.packets, 104u);
    EXPECT_EQ(r.bytes, 40112u);
    const auto& f = r.flows[0];
    EXPECT_EQ(f.src, ip("10.10.0.3"));
    EXPECT_EQ(f.dst, ip("142.251.183.95"));
    EXPECT_EQ(f.sport, 57046);
    EXPECT_EQ(f.dport, 443);
    EXPECT_EQ(f.proto, 6);
    EXPECT_EQ(f.start, *parse_time("2025-11-07T21:17:47.862783Z"));
    EXPECT_EQ(f.end, *parse_time("2025-11-07T21:18:47.883105Z"));
}

TEST(Gcp, PrettyPrintedEntryAndManagedInstance) {
    NEED_DATA();
    auto r = sample("gcp/vpc-flows-internet-routing-details.json", "gcp");
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].proto, 1);
    EXPECT_EQ(r.flows[0].src, ip("192.0.2.6"));
    EXPECT_EQ(r.packets, 20u);
    EXPECT_EQ(r.bytes, 800u);
    r = sample("gcp/vpc-flows-managed-instance.ndjson", "gcp");
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.packets, 24u);
    EXPECT_EQ(r.bytes, 312u);
    EXPECT_EQ(r.flows[0].dport, 22);
}

TEST(Gcp, MalformedLine) {
    const std::string text =
        R"({"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","protocol":17,"src_port":5,"dest_port":53},"packets_sent":"1","bytes_sent":"70","start_time":"2025-01-01T00:00:00Z","end_time":"2025-01-01T00:00:01Z"},"logName":"projects/p/logs/compute.googleapis.com%2Fvpc_flows"})"
        "\n{\"jsonPayload\":{\"connection\n"
        R"({"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","protocol":17},"packets_sent":"x","start_time":"2025-01-01T00:00:00Z"},"logName":"projects/p/logs/compute.googleapis.com%2Fvpc_flows"})"
        "\n";
    try {
        run("gcp", text);
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("in:2: not JSON")) << e.what();
    }
    const auto r = run("gcp", text, true);
    EXPECT_EQ(r.stats.skipped, 2u);
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].bytes, 70u);
}

TEST(Gcp, OutOfRangeValues) {
    auto entry = [](const char* conn) {
        return std::string(R"({"jsonPayload":{"connection":)") + conn +
               R"(,"start_time":"2025-01-01T00:00:00Z"},"logName":"projects/p/logs/compute.googleapis.com%2Fvpc_flows"})"
               "\n";
    };
    EXPECT_EQ(
        error_of("gcp", entry(R"({"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","protocol":262})")),
        "in:1: \"protocol\": '262' is out of range (0 to 255)");
    EXPECT_EQ(
        error_of(
            "gcp",
            entry(R"({"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","protocol":6,"src_port":"70000"})")),
        "in:1: \"src_port\": '70000' is out of range (0 to 65535)");
    EXPECT_EQ(
        error_of(
            "gcp",
            entry(R"({"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","protocol":6,"dest_port":65536})")),
        "in:1: \"dest_port\": '65536' is out of range (0 to 65535)");
}

// --- Suricata EVE ------------------------------------------------------------------------

TEST(Eve, OutOfRangeValues) {
    auto event = [](const char* fields, const char* start = "2021-05-13T10:41:48Z") {
        return std::string(R"({"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2",)") +
               fields +
               R"(,"flow":{"pkts_toserver":1,"pkts_toclient":1,"bytes_toserver":84,"bytes_toclient":84,"start":")" +
               start + "\"}}\n";
    };
    const std::pair<std::string, const char*> cases[] = {
        {event(R"("proto":"TCP","src_port":70000,"dest_port":80)"),
         "\"src_port\": '70000' is out of range (0 to 65535)"},
        {event(R"("proto":"TCP","src_port":1,"dest_port":65536)"),
         "\"dest_port\": '65536' is out of range (0 to 65535)"},
        {event(R"("proto":"ICMP","icmp_type":300,"icmp_code":0)"),
         "\"icmp_type\": '300' is out of range (0 to 255)"},
        {event(R"("proto":"ICMP","icmp_type":8,"icmp_code":256)"),
         "\"icmp_code\": '256' is out of range (0 to 255)"},
        {event(R"("proto":"ICMP","icmp_type":8,"response_icmp_type":1000)"),
         "\"response_icmp_type\": '1000' is out of range (0 to 255)"},
        {event(R"("proto":"TCP")", "2021-05-13T10:41:48+9999"),
         "\"start\": '2021-05-13T10:41:48+9999' is not a time"},
        {event(R"("proto":"TCP")", "2021-02-31T10:41:48Z"),
         "\"start\": '2021-02-31T10:41:48Z' is not a time"},
    };
    std::string all;
    for (const auto& [text, what] : cases) {
        EXPECT_EQ(error_of("eve", text), std::string("in:1: ") + what);
        all += text;
    }
    all += event(R"("proto":"ICMP","icmp_type":255,"icmp_code":255,"response_icmp_type":0)");
    const auto r = run("eve", all, true);
    EXPECT_EQ(r.stats.skipped, std::size(cases));
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.flows[0].dport, 65535);
}

TEST(Eve, FlowAndNetflowEvents) {
    const std::string text =
        R"({"timestamp":"2021-05-13T10:41:49.373854+0000","flow_id":1,"event_type":"flow","src_ip":"192.168.1.178","src_port":64393,"dest_ip":"146.48.58.18","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":9,"pkts_toclient":11,"bytes_toserver":1953,"bytes_toclient":7806,"start":"2021-05-13T10:41:47.870345+0000","end":"2021-05-13T10:41:48.608100+0000","age":1,"state":"established","reason":"shutdown","alerted":false},"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1a","tcp_flags_tc":"13"}})"
        "\n"
        R"({"timestamp":"2021-05-13T10:41:49Z","event_type":"alert","src_ip":"1.2.3.4","dest_ip":"5.6.7.8","proto":"TCP"})"
        "\n"
        R"({"timestamp":"2011-08-14T07:38:55.549713+0200","event_type":"netflow","src_ip":"147.32.84.165","src_port":138,"dest_ip":"147.32.84.255","dest_port":138,"proto":"UDP","app_proto":"failed","netflow":{"pkts":2,"bytes":486,"start":"2011-08-12T14:53:47.928539+0200","end":"2011-08-12T14:53:47.928552+0200","age":0}})"
        "\n"
        R"({"timestamp":"2021-05-13T10:41:49Z","event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"ICMP","icmp_type":8,"icmp_code":0,"response_icmp_type":0,"response_icmp_code":0,"flow":{"pkts_toserver":1,"pkts_toclient":1,"bytes_toserver":84,"bytes_toclient":84,"start":"2021-05-13T10:41:48Z","end":"2021-05-13T10:41:48Z"}})"
        "\n";
    EXPECT_EQ(guess_format(text), "eve");
    const auto r = run("eve", text);
    EXPECT_EQ(r.stats.lines, 4u);
    EXPECT_EQ(r.stats.ignored, 1u);
    ASSERT_EQ(r.flows.size(), 5u);
    const auto& ts = r.flows[0];
    EXPECT_EQ(ts.src, ip("192.168.1.178"));
    EXPECT_EQ(ts.packets, 9u);
    EXPECT_EQ(ts.bytes, 1953u);
    EXPECT_EQ(ts.flags, 0x1a);
    EXPECT_EQ(ts.app, static_cast<uint8_t>(App::tls));
    EXPECT_EQ(ts.start, *parse_time("2021-05-13T10:41:47.870345Z"));
    const auto& tc = r.flows[1];
    EXPECT_EQ(tc.src, ip("146.48.58.18"));
    EXPECT_EQ(tc.sport, 443);
    EXPECT_EQ(tc.dport, 64393);
    EXPECT_EQ(tc.packets, 11u);
    EXPECT_EQ(tc.bytes, 7806u);
    EXPECT_EQ(tc.flags, 0x13);
    EXPECT_EQ(r.flows[2].packets, 2u);
    EXPECT_EQ(r.flows[2].start, *parse_time("2011-08-12T12:53:47.928539Z"));
    EXPECT_EQ(r.flows[2].app, 0);
    EXPECT_EQ(r.flows[3].dport, 8 * 256);
    EXPECT_EQ(r.flows[4].dport, 0);
    EXPECT_EQ(r.flows[4].src, ip("10.0.0.2"));
    // Suricata's names for applications flowkit names otherwise.
    const auto v = run(
        "eve",
        R"({"event_type":"flow","src_ip":"10.0.0.1","src_port":5,"dest_ip":"10.0.0.2","dest_port":5900,"proto":"TCP","app_proto":"rfb","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":60,"bytes_toclient":0,"start":"2021-05-13T10:41:48Z"}})"
        "\n");
    ASSERT_EQ(v.flows.size(), 1u);
    EXPECT_EQ(v.flows[0].app, static_cast<uint8_t>(App::vnc));
}

// JSON Lines whose first line is cut (tail -c) or broken: that line is malformed, the others
// are read; a pretty-printed document broken at its start stays one malformed document.
TEST(Eve, BrokenFirstLine) {
    const std::string flow =
        R"({"event_type":"flow","src_ip":"10.0.0.1","src_port":5,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":60,"bytes_toclient":0,"start":"2021-05-13T10:41:48Z"}})"
        "\n";
    const std::string text = flow.substr(30) + flow + flow;
    EXPECT_TRUE(error_of("eve", text).starts_with("in:1: not JSON")) << error_of("eve", text);
    auto r = run("eve", text, true);
    EXPECT_EQ(r.stats.skipped, 1u);
    EXPECT_EQ(r.stats.lines, 3u);
    EXPECT_EQ(r.flows.size(), 2u);
    r = run("eve", "{\"event_type\":\"flow\",\"src_ip\":\n" + flow + flow, true);
    EXPECT_EQ(r.stats.skipped, 1u);
    EXPECT_EQ(r.flows.size(), 2u);
    // Pretty-printed: the second line is no document of its own.
    r = run("eve", "{\n  \"event_type\": x,\n  \"src_ip\": \"10.0.0.1\"\n}\n" + flow, true);
    EXPECT_EQ(r.stats.skipped, 1u);
    EXPECT_EQ(r.flows.size(), 0u);
}

// The number of events per type in truth/suricata-event-counts.tsv for one EVE file.
std::map<std::string, uint64_t> event_counts(const std::string& eve_rel) {
    std::ifstream in(test::shared_data() + "/truth/suricata-event-counts.tsv");
    std::map<std::string, uint64_t> counts;
    std::string file, type, n;
    while (std::getline(in, file, '\t') && std::getline(in, type, '\t') && std::getline(in, n)) {
        if (file == eve_rel) counts[type] = std::stoull(n);
    }
    return counts;
}

TEST(Eve, SuricataOutputMatchesEventCounts) {
    NEED_DATA();
    for (const char* rel :
         {"suricata/eve/mixed/1kxun.pcap.eve.json", "suricata/eve/tls/chrome.pcap.eve.json",
          "suricata/eve/ics/modbus.pcap.eve.json"}) {
        const auto counts = event_counts(rel);
        ASSERT_TRUE(counts.count("flow")) << rel;
        uint64_t events = 0;
        for (const auto& [t, n] : counts) events += n;
        const auto text = slurp(test::shared_data() + "/" + rel);
        EXPECT_EQ(guess_format(std::string_view(text).substr(0, 4096)), "eve");
        const auto r = run("eve", text);
        EXPECT_EQ(r.stats.lines, events) << rel;
        EXPECT_EQ(r.stats.ignored, events - counts.at("flow")) << rel;
        // One flow per event plus one for each that saw an answer.
        EXPECT_GE(r.flows.size(), counts.at("flow")) << rel;
        EXPECT_LE(r.flows.size(), 2 * counts.at("flow")) << rel;
    }
}

// --- gzip and guessing -------------------------------------------------------------------

TEST(Import, GzipMembers) {
    // printf 'version bytes\n2 5\n' | gzip -n, twice concatenated.
    const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                                0x2b, 0x4b, 0x2d, 0x2a, 0xce, 0xcc, 0xcf, 0x53, 0x48, 0xaa,
                                0x2c, 0x49, 0x2d, 0xe6, 0x32, 0x52, 0x30, 0xe5, 0x02, 0x00,
                                0x29, 0x52, 0x5f, 0xbb, 0x12, 0x00, 0x00, 0x00};
    std::string two(reinterpret_cast<const char*>(gz), sizeof gz);
    two += two;
    ASSERT_TRUE(is_gzip(two));
    EXPECT_EQ(gunzip(two, "x"), "version bytes\n2 5\nversion bytes\n2 5\n");
    EXPECT_THROW(gunzip(two.substr(0, 20), "x"), DataError);
}

TEST(Import, GuessFormat) {
    EXPECT_EQ(guess_format("ts,te,td,sa,da,sp"), "nfcsv");
    EXPECT_EQ(guess_format("version account-id interface-id srcaddr"), "aws");
    EXPECT_EQ(guess_format("2 123456789010 eni-1235b8ca123456789 1.2.3.4"), "aws");
    EXPECT_EQ(guess_format("hello world"), "");
    EXPECT_EQ(guess_format("{\"a\":1}"), "");
}

}  // namespace
}  // namespace fk
