#include "synth/generator.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/error.h"
#include "pcap_reader.h"
#include "synth/traffic.h"
#include "test_util.h"

namespace fk::synth {
namespace {

struct Synthesized {
    SynthSummary summary;
    test::PcapFile pcap;
    std::string truth;
};

Synthesized run(const SynthOptions& o) {
    fk::test::TempDir dir;
    const std::string pcap_path = dir.file("s.pcap"), truth_path = dir.file("s.tsv");
    const int pfd = ::open(pcap_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int tfd = ::open(truth_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    Synthesized r;
    {
        Output pcap(pfd, pcap_path, 1 << 20), truth(tfd, truth_path);
        r.summary = synthesize(o, pcap, &truth);
    }
    ::close(pfd);
    ::close(tfd);
    r.pcap = test::read_pcap(pcap_path);
    std::ifstream in(truth_path);
    std::stringstream ss;
    ss << in.rdbuf();
    r.truth = ss.str();
    return r;
}

// The truth's flow rows as maps from column name to value.
std::vector<std::map<std::string, std::string>> rows(const std::string& truth) {
    std::vector<std::map<std::string, std::string>> out;
    std::istringstream in(truth);
    std::string line;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
        if (line.starts_with("#")) continue;
        std::vector<std::string> fields;
        std::istringstream ls(line);
        std::string f;
        while (std::getline(ls, f, '\t')) fields.push_back(f);
        if (line.back() == '\t') fields.push_back("");
        if (header.empty()) {
            header = fields;
            continue;
        }
        EXPECT_EQ(fields.size(), header.size()) << line;
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
        out.push_back(std::move(row));
    }
    return out;
}

SynthOptions options(uint64_t packets) {
    SynthOptions o;
    o.packets = packets;
    o.traffic.start = 1'740'996'000'000'000ull;
    return o;
}

TEST(synth_generator, DeterministicExactAndInTimeOrder) {
    const Synthesized a = run(options(20000));
    const Synthesized b = run(options(20000));
    ASSERT_EQ(a.pcap.records.size(), 20000u);
    EXPECT_EQ(a.summary.packets, 20000u);
    EXPECT_EQ(a.truth, b.truth);
    bool same = a.pcap.records.size() == b.pcap.records.size();
    for (size_t i = 0; same && i < a.pcap.records.size(); ++i) {
        same = a.pcap.records[i].data == b.pcap.records[i].data &&
               a.pcap.records[i].time_us == b.pcap.records[i].time_us;
    }
    EXPECT_TRUE(same);
    EXPECT_EQ(a.pcap.records.front().time_us, a.summary.first);
    EXPECT_GE(a.pcap.records.front().time_us, 1'740'996'000'000'000ull);
    for (size_t i = 1; i < a.pcap.records.size(); ++i) {
        ASSERT_LE(a.pcap.records[i - 1].time_us, a.pcap.records[i].time_us) << "record " << i;
    }
    SynthOptions other = options(20000);
    other.traffic.seed = 2;
    EXPECT_NE(run(other).truth, a.truth);
}

TEST(synth_generator, TruthAccountsForEveryPacketAndByte) {
    const Synthesized r = run(options(30000));
    uint64_t packets = 0, bytes = 0;
    for (const auto& row : rows(r.truth)) {
        packets += std::stoull(row.at("packets"));
        bytes += std::stoull(row.at("bytes"));
        EXPECT_LE(std::stoull(row.at("first")), std::stoull(row.at("last")));
    }
    EXPECT_EQ(packets, 30000u);
    // IP bytes, and for GOOSE (priority-tagged) the bytes after the Ethernet header and tag,
    // as flowgen(1) counts a layer-2 flow.
    uint64_t ip_bytes = 0, l2_bytes = 0;
    for (const auto& rec : r.pcap.records) {
        const uint16_t type = test::be16(rec.data.data() + 12);
        if (type == 0x0800 || type == 0x86dd) ip_bytes += rec.orig_len - 14;
        if (type == 0x8100 && test::be16(rec.data.data() + 16) == 0x88b8)
            l2_bytes += rec.orig_len - 18;
    }
    EXPECT_GT(l2_bytes, 0u);
    EXPECT_EQ(bytes, ip_bytes + l2_bytes);
    EXPECT_EQ(r.summary.flows, rows(r.truth).size());
}

TEST(synth_generator, RealisticShape) {
    const Synthesized r = run(options(200000));
    const auto flows = rows(r.truth);
    std::vector<uint64_t> sizes, volumes;
    size_t small = 0, v6 = 0, tls = 0, dns = 0, clients = 0;
    std::map<std::string, int> sources;
    for (const auto& f : flows) {
        const uint64_t p = std::stoull(f.at("packets"));
        sizes.push_back(p);
        volumes.push_back(std::stoull(f.at("bytes")));
        small += p <= 3;
        v6 += f.at("src").find(':') != std::string::npos;
        tls += f.at("app") == "tls";
        dns += f.at("app") == "dns";
        if (f.at("dir") == "c2s" && f.at("src").starts_with("10.20.")) ++sources[f.at("src")];
    }
    clients = sources.size();
    std::sort(sizes.begin(), sizes.end());
    const uint64_t p99 = sizes[sizes.size() * 99 / 100];
    EXPECT_GT(small, flows.size() / 2) << "most flows have 1-3 packets";
    EXPECT_GE(p99, 15u);
    EXPECT_LE(p99, 120u);
    std::sort(volumes.rbegin(), volumes.rend());
    uint64_t total = 0, top = 0;
    for (size_t i = 0; i < volumes.size(); ++i) {
        total += volumes[i];
        if (i < volumes.size() / 100) top += volumes[i];
    }
    EXPECT_GT(static_cast<double>(top) / total, 0.25)
        << "elephants: the top 1% of flows carry a large share";
    EXPECT_NEAR(static_cast<double>(v6) / flows.size(), 0.09, 0.04);
    EXPECT_GT(tls, flows.size() / 10);
    EXPECT_GT(dns, flows.size() / 4);
    EXPECT_GT(clients, 1000u) << "thousands of clients";
    EXPECT_GT(flows.size(), 200000u / 7) << "at most 7 packets per flow on average";
}

TEST(synth_generator, DurationLimitAndOnlyOneKind) {
    SynthOptions o = options(0);
    o.duration = 2'000'000;
    o.traffic.mix = parse_mix("icmp-echo=1");
    const Synthesized r = run(o);
    ASSERT_FALSE(r.pcap.records.empty());
    EXPECT_LT(r.pcap.records.back().time_us, o.traffic.start + o.duration);
    for (const auto& f : rows(r.truth)) {
        EXPECT_TRUE(f.at("proto") == "1" || f.at("proto") == "58") << f.at("proto");
    }
}

TEST(synth_generator, ScenarioRowsAndSummaryLines) {
    SynthOptions o = options(0);
    o.duration = 20'000'000;
    o.traffic.rate = 20;
    o.scenarios = {"scan:count=50,rate=100,at=1", "scan:type=vertical,count=30,at=2"};
    const Synthesized r = run(o);
    EXPECT_NE(
        r.truth.find("#scenario\tscan\tscan\t203.0.113.66\t10.20.0.0/16\t22\t1740996001000000"),
        std::string::npos);
    EXPECT_NE(r.truth.find("#scenario\tscan#2\tscan\t"), std::string::npos);
    int probes = 0, probes2 = 0;
    for (const auto& f : rows(r.truth)) {
        if (f.at("dir") != "c2s") continue;
        probes += f.at("scenario") == "scan";
        probes2 += f.at("scenario") == "scan#2";
        if (!f.at("scenario").empty()) {
            EXPECT_EQ(f.at("stage"), "probe");
        }
    }
    EXPECT_EQ(probes, 50);
    EXPECT_EQ(probes2, 30);
    EXPECT_TRUE(r.summary.warnings.empty());
}

// The timing flowsynth(1) gives the scenarios, measured on the truth: a scan probes at its
// rate and a brute force starts a session every interval, both within their planned window
// (they were 10% and 5% slower); a DNS tunnel takes a new source port for every query; a
// miner stays connected for its whole duration (it was idle 40 s of every 240).
TEST(synth_generator, ScenarioTimingAsDocumented) {
    SynthOptions o = options(0);
    o.duration = 700'000'000;
    o.traffic.rate = 1;
    o.scenarios = {"scan:type=vertical,at=1", "bruteforce:at=1", "dns-tunnel:at=1",
                   "mining:at=1,duration=600"};
    const Synthesized r = run(o);
    EXPECT_TRUE(r.summary.warnings.empty());
    std::map<std::string, uint64_t> planned_end;
    std::istringstream in(r.truth);
    for (std::string line; std::getline(in, line) && line.starts_with("#scenario");) {
        std::vector<std::string> f;
        std::istringstream ls(line);
        for (std::string x; std::getline(ls, x, '\t');) f.push_back(x);
        planned_end[f.at(1)] = std::stoull(f.at(7));
    }
    std::map<std::string, std::vector<uint64_t>> starts;  // first packets of the c2s rows
    std::set<std::string> tunnel_ports;
    uint64_t mining_connected = 0;
    for (const auto& f : rows(r.truth)) {
        if (f.at("dir") != "c2s" || f.at("scenario").empty()) continue;
        starts[f.at("scenario")].push_back(std::stoull(f.at("first")));
        if (f.at("scenario") == "dns-tunnel") tunnel_ports.insert(f.at("sport"));
        if (f.at("stage") == "mining")
            mining_connected += std::stoull(f.at("last")) - std::stoull(f.at("first"));
    }
    for (auto& [label, t] : starts) std::sort(t.begin(), t.end());
    const auto& scan = starts["scan"];
    ASSERT_EQ(scan.size(), 1000u);
    EXPECT_NEAR(999 / ((scan.back() - scan.front()) / 1e6), 200.0, 2.0);  // probes/s
    EXPECT_LE(scan.back(), planned_end["scan"]);
    const auto& brute = starts["bruteforce"];
    ASSERT_EQ(brute.size(), 40u);
    EXPECT_NEAR((brute.back() - brute.front()) / 39 / 1e6, 2.0, 0.02);  // s between sessions
    EXPECT_LE(brute.back(), planned_end["bruteforce"]);
    EXPECT_EQ(tunnel_ports.size(), 2000u);
    EXPECT_GT(mining_connected, 0.93 * 600e6);
}

TEST(synth_generator, BadSpecsAreUsageErrors) {
    SynthOptions o = options(10);
    o.scenarios = {"scan:type=diagonal"};
    EXPECT_THROW(run(o), UsageError);
    o.scenarios = {"bruteforce:service=telnet"};
    EXPECT_THROW(run(o), UsageError);
    o.scenarios = {"exfil:bytes=lots"};
    EXPECT_THROW(run(o), UsageError);
    o.scenarios = {"mining:pool_ip=2001:db8::1"};
    EXPECT_THROW(run(o), UsageError);
    EXPECT_THROW(parse_mix("dns=-1"), UsageError);
    EXPECT_THROW(parse_mix("quux"), UsageError);
    EXPECT_THROW(parse_wraps("vlan=60,gre=50"), UsageError);
    EXPECT_THROW(parse_mix("dns"), UsageError);  // a weight left out is a slip, not 1
    EXPECT_THROW(parse_mix("dns=nan"), UsageError);
    EXPECT_EQ(parse_mix("dns=2")[static_cast<size_t>(Kind::dns)], 2.0);
}

// -n promises N packets: a mix of zero weights and no scenario would write none.
TEST(synth_generator, NothingToWriteIsAUsageError) {
    SynthOptions o = options(100);
    o.traffic.mix = parse_mix("dns=0,https=0");
    EXPECT_THROW(run(o), UsageError);
    // Scenarios alone are a capture.
    o.scenarios = {"scan:count=10,at=0"};
    const Synthesized s = run(o);
    EXPECT_GE(s.summary.packets, 10u);
    for (const auto& f : rows(s.truth)) EXPECT_EQ(f.at("scenario"), "scan");
}

}  // namespace
}  // namespace fk::synth
