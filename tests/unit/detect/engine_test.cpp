// Hand-computed fixtures for each method's thresholds, the bounded state and the evidence
// filters.
#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "detect/config.h"
#include "detect/engine.h"
#include "detect/eve.h"
#include "detect/lists.h"
#include "detect/method.h"
#include "filter/filter.h"
#include "format/reader.h"
#include "format/writer.h"
#include "record/names.h"
#include "test_util.h"

namespace fk::detect {
namespace {

constexpr uint64_t T0 = 1'700'000'000'000'000ull;  // 2023-11-14T22:13:20Z
constexpr uint64_t S = 1'000'000;

IpAddr ip(const char* s) {
    return *parse_ip(s);
}

FlowRecord flow(const char* src, const char* dst, uint16_t sport, uint16_t dport, uint64_t start,
                uint64_t dur, uint8_t flags, uint64_t packets, uint64_t bytes, uint8_t proto = 6) {
    FlowRecord r{};
    r.src = ip(src);
    r.dst = ip(dst);
    r.sport = sport;
    r.dport = dport;
    r.start = start;
    r.end = start + dur;
    r.flags = flags;
    r.packets = packets;
    r.bytes = bytes;
    r.proto = proto;
    return r;
}

struct Outcome {
    std::vector<Event> events;
    std::vector<MethodStats> stats;
    const Event* find(const std::string& method) const {
        for (const auto& e : events)
            if (e.method == method) return &e;
        return nullptr;
    }
    size_t count(const std::string& method) const {
        size_t n = 0;
        for (const auto& e : events) n += e.method == method;
        return n;
    }
};

Outcome run(const std::vector<FlowRecord>& flows, const DetectConfig& cfg = {},
            EveAlerts* eve = nullptr) {
    Outcome out;
    Engine eng(cfg, [&](const Event& e) { out.events.push_back(e); });
    if (eve) eng.set_alerts(eve);
    FlowBlock b;
    for (const auto& f : flows) {
        b.append(f);
        if (b.size() == 1000) {
            eng.process(b);
            b.clear();
        }
    }
    eng.process(b);
    eng.finish();
    out.stats = eng.stats();
    return out;
}

std::string note(const Event& e, const std::string& key) {
    for (const auto& [k, v] : e.notes)
        if (k == key) return v;
    return "";
}

std::vector<FlowRecord> horizontal_scan(int hosts) {
    std::vector<FlowRecord> v;
    for (int i = 0; i < hosts; ++i) {
        const std::string dst = "10.0.0." + std::to_string(i + 1);
        v.push_back(flow("203.0.113.5", dst.c_str(), 40000, 22, T0 + i * 100'000, 0, kSyn, 1, 44));
    }
    return v;
}

TEST(DetectScan, HorizontalFiresAtThreshold) {
    auto flows = horizontal_scan(70);
    // Ten targets answer with RST.
    for (int i = 0; i < 10; ++i) {
        const std::string src = "10.0.0." + std::to_string(i + 1);
        flows.push_back(flow(src.c_str(), "203.0.113.5", 22, 40000, T0 + i * 100'000 + 500, 0,
                             kRst | kAck, 1, 40));
    }
    const Outcome r = run(flows);
    ASSERT_EQ(r.count("scan"), 1u);
    const Event& e = *r.find("scan");
    EXPECT_EQ(note(e, "type"), "horizontal");
    EXPECT_EQ(ip_string(e.src), "203.0.113.5");
    EXPECT_FALSE(e.has_dst);
    EXPECT_EQ(e.port, 22);
    EXPECT_EQ(e.get_count("hosts"), 70u);
    EXPECT_EQ(e.get_count("probes"), 70u);
    EXPECT_EQ(e.get_count("rst"), 10u);
    EXPECT_EQ(e.severity, Severity::kMedium);
    EXPECT_EQ(e.attack, "T1046");
    EXPECT_EQ(run(horizontal_scan(63)).count("scan"), 0u);
    EXPECT_EQ(run(horizontal_scan(64)).count("scan"), 1u);
}

TEST(DetectScan, VerticalAndWindow) {
    std::vector<FlowRecord> v;
    for (int p = 1; p <= 150; ++p)
        v.push_back(flow("198.51.100.9", "10.0.0.9", 50000, static_cast<uint16_t>(p),
                         T0 + p * 10'000, 0, kSyn | kRst, 2, 84));
    Outcome r = run(v);
    ASSERT_EQ(r.count("scan"), 1u);
    EXPECT_EQ(note(*r.find("scan"), "type"), "vertical");
    EXPECT_EQ(ip_string(r.find("scan")->dst), "10.0.0.9");
    EXPECT_EQ(r.find("scan")->get_count("ports"), 150u);
    // The same 150 ports spread over 3 windows of 60 s: at most 50 per window, no event.
    for (size_t i = 0; i < v.size(); ++i) v[i].start = v[i].end = T0 + (i / 50) * 61 * S + i;
    EXPECT_EQ(run(v).count("scan"), 0u);
}

TEST(DetectFlood, DistributedSynFlood) {
    std::vector<FlowRecord> v;
    for (uint32_t i = 0; i < 3000; ++i) {
        FlowRecord r = flow("0.0.0.0", "10.0.10.80", static_cast<uint16_t>(1024 + i), 80,
                            T0 + i * 3000, 0, kSyn, 1, 40);
        r.src = IpAddr::v4(0x0b000000 + i * 7);
        v.push_back(r);
    }
    const Outcome r = run(v);
    ASSERT_EQ(r.count("synflood"), 1u);
    const Event& e = *r.find("synflood");
    EXPECT_EQ(ip_string(e.dst), "10.0.10.80");
    EXPECT_EQ(e.port, 80);
    EXPECT_EQ(e.get_count("packets"), 3000u);
    EXPECT_EQ(e.get_count("sources"), 1024u);  // capped at max_distinct
    EXPECT_EQ(note(e, "type"), "distributed");
    EXPECT_EQ(e.attack, "T1498.001");
    EXPECT_FALSE(e.has_src);
    // 1999 SYNs in 10 s stay under 200/s.
    v.resize(1999);
    EXPECT_EQ(run(v).count("synflood"), 0u);
    EXPECT_EQ(run(v).count("scan"), 0u);
}

std::vector<FlowRecord> brute(int attempts, bool success, bool vary = false) {
    std::vector<FlowRecord> v;
    for (int i = 0; i < attempts; ++i) {
        const uint64_t bytes = vary ? (i % 2 ? 500 : 9000) : 2000 + (i % 3) * 40;
        v.push_back(flow("203.0.113.77", "10.0.10.40", static_cast<uint16_t>(50000 + i), 22,
                         T0 + i * 2 * S, 3 * S, kSyn | kAck | 0x08 | kFin, 20, bytes));
        v.push_back(flow("10.0.10.40", "203.0.113.77", 22, static_cast<uint16_t>(50000 + i),
                         T0 + i * 2 * S + 100, 3 * S, kSyn | kAck | 0x08 | kFin, 18, 3000));
    }
    if (success)
        v.push_back(flow("203.0.113.77", "10.0.10.40", 51000, 22, T0 + attempts * 2 * S + S,
                         120 * S, kSyn | kAck | 0x08, 400, 60000));
    return v;
}

TEST(DetectBruteforce, AttemptsAndSuccess) {
    Outcome r = run(brute(12, false));
    ASSERT_EQ(r.count("bruteforce"), 1u);
    const Event& e = *r.find("bruteforce");
    EXPECT_EQ(ip_string(e.src), "203.0.113.77");
    EXPECT_EQ(ip_string(e.dst), "10.0.10.40");
    EXPECT_EQ(e.port, 22);
    EXPECT_EQ(e.get_count("attempts"), 12u);
    EXPECT_EQ(e.get_count("mean_bytes"), 2040u);  // (4*2000 + 4*2040 + 4*2080) / 12
    EXPECT_EQ(e.get_count("success"), 0u);
    EXPECT_EQ(e.severity, Severity::kHigh);
    EXPECT_EQ(note(e, "service"), "ssh");

    r = run(brute(12, true));
    ASSERT_EQ(r.count("bruteforce"), 1u);
    EXPECT_EQ(r.find("bruteforce")->get_count("success"), 1u);
    EXPECT_EQ(r.find("bruteforce")->get_count("success_seconds"), 120u);
    EXPECT_EQ(r.find("bruteforce")->severity, Severity::kCritical);

    EXPECT_EQ(run(brute(9, true)).count("bruteforce"), 0u);          // under 10 attempts
    EXPECT_EQ(run(brute(20, false, true)).count("bruteforce"), 0u);  // sizes not similar
}

TEST(DetectLists, FormatsAndLookup) {
    test::TempDir d;
    {
        std::ofstream(d.file("iprep.list"))
            << "# cidr,cat,score\n192.0.2.0/24,3,80\n2001:db8::/32,5,20\n";
        std::ofstream(d.file("ipsum.txt")) << "# IPsum\n198.51.100.7\t6\n";
        std::ofstream(d.file("plain.ipset")) << "#\n203.0.113.9\n10.0.0.0/8\n10.1.2.3\n";
        std::ofstream(d.file("bad.txt")) << "1.2.3.4\nnot-an-ip\n";
        std::ofstream(d.file("hosts.txt"))
            << "# hosts\n0.0.0.0 coinhive.com\n127.0.0.1 Miner.Example.ORG\n";
        std::ofstream(d.file("adblock.txt")) << "[Adblock]\n! c\n||pool.bad.net^\n||x.com/path\n";
    }
    IpList l;
    l.load(d.file("iprep.list"));
    l.load(d.file("ipsum.txt"));
    l.load(d.file("plain.ipset"));
    l.finish();
    ASSERT_TRUE(l.find(ip("192.0.2.200")));
    EXPECT_EQ(l.find(ip("192.0.2.200"))->score, 80u);
    EXPECT_EQ(l.find(ip("192.0.2.200"))->category, 3u);
    EXPECT_FALSE(l.find(ip("192.0.3.1")));
    EXPECT_EQ(l.find(ip("198.51.100.7"))->score, 6u);
    EXPECT_TRUE(l.find(ip("2001:db8::1")));
    EXPECT_FALSE(l.find(ip("2001:db9::1")));
    EXPECT_TRUE(l.find(ip("203.0.113.9")));
    EXPECT_FALSE(l.find(ip("203.0.113.10")));
    // Nested: 10.1.2.3 inside 10.0.0.0/8; 10.200.0.1 only in the /8.
    EXPECT_TRUE(l.find(ip("10.200.0.1")));
    EXPECT_TRUE(l.find(ip("10.1.2.3")));
    EXPECT_FALSE(l.find(ip("11.0.0.1")));
    IpList bad;
    try {
        bad.load(d.file("bad.txt"));
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.txt:2"), std::string::npos) << e.what();
    }
    DomainList dl;
    dl.load(d.file("hosts.txt"));
    dl.load(d.file("adblock.txt"));
    EXPECT_EQ(dl.size(), 3u);
    EXPECT_EQ(dl.match("coinhive.com"), "coinhive.com");
    EXPECT_EQ(dl.match("WWW.coinhive.com."), "coinhive.com");
    EXPECT_EQ(dl.match("miner.example.org"), "miner.example.org");
    EXPECT_EQ(dl.match("example.org"), "");
    EXPECT_EQ(dl.match("notcoinhive.com"), "");
    EXPECT_EQ(dl.match("a.pool.bad.net"), "pool.bad.net");
}

TEST(DetectBlacklist, ListedPeerAndDomain) {
    test::TempDir d;
    std::ofstream(d.file("l.txt")) << "198.51.100.7\t4\n";
    std::ofstream(d.file("dom.txt")) << "evil.example\n";
    DetectConfig cfg;
    cfg.blacklist.ip_lists = {d.file("l.txt")};
    cfg.blacklist.domain_lists = {d.file("dom.txt")};
    std::vector<FlowRecord> v = {
        flow("10.0.0.5", "198.51.100.7", 40000, 443, T0, S, kSyn | kAck, 10, 2000),
        flow("198.51.100.7", "10.0.0.5", 443, 40000, T0 + 10, S, kSyn | kAck, 8, 5000),
        flow("10.0.0.6", "10.0.0.53", 5353, 53, T0 + S, 0, 0, 1, 70, 17),
        flow("10.0.0.53", "10.0.0.6", 53, 5353, T0 + S, 0, 0, 1, 90, 17),
    };
    FlowRecord q = v[2], a = v[3];
    v.pop_back();
    v.pop_back();
    q.dns_qname = "c2.evil.example";
    a.dns_qname = "c2.evil.example";
    v.push_back(q);
    v.push_back(a);
    const Outcome r = run(v, cfg);
    ASSERT_EQ(r.count("blacklist"), 2u);
    for (const auto& e : r.events) {
        if (!note(e, "listed").empty()) {
            EXPECT_EQ(ip_string(e.src), "10.0.0.5");
            EXPECT_EQ(ip_string(e.dst), "198.51.100.7");
            EXPECT_EQ(e.get_count("flows"), 2u);
            EXPECT_EQ(e.get_count("score"), 4u);
            EXPECT_EQ(e.severity, Severity::kHigh);
        } else {
            EXPECT_EQ(note(e, "domain"), "evil.example");
            EXPECT_EQ(ip_string(e.src), "10.0.0.6");  // the client, not the resolver's answer
            EXPECT_EQ(e.get_count("flows"), 1u);
            EXPECT_EQ(e.severity, Severity::kMedium);  // a lookup only
        }
    }
}

std::vector<FlowRecord> tunnel(int n, std::vector<std::string>& names,
                               const std::string& domain = "t.cdnsync-update.net") {
    std::vector<FlowRecord> v;
    names.reserve(n);
    uint64_t x = 12345;
    for (int i = 0; i < n; ++i) {
        std::string label;
        for (int k = 0; k < 40; ++k) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            label += "abcdefghijklmnopqrstuvwxyz234567"[(x >> 33) % 32];
        }
        names.push_back(label + "." + domain);
    }
    for (int i = 0; i < n; ++i) {
        FlowRecord q = flow("10.20.0.88", "10.0.0.53", static_cast<uint16_t>(30000 + i), 53,
                            T0 + i * 50'000, 0, 0, 1, 120, 17);
        q.dns_qname = names[i];
        v.push_back(q);
    }
    return v;
}

TEST(DetectDns, TunnelAndEntropy) {
    EXPECT_EQ(registered_domain("a.b.t.cdnsync-update.net"), "cdnsync-update.net");
    EXPECT_EQ(registered_domain("www.bbc.co.uk"), "bbc.co.uk");
    EXPECT_EQ(registered_domain("localhost"), "localhost");
    EXPECT_EQ(registered_domain("x.abc.net.au"), "abc.net.au");
    EXPECT_EQ(registered_domain("co.uk"), "co.uk");
    // An attacker's short name under a country TLD is the domain itself.
    EXPECT_EQ(registered_domain("q1w2e3.tun.io"), "tun.io");
    EXPECT_EQ(registered_domain("q1w2e3.ab.de"), "ab.de");
    EXPECT_DOUBLE_EQ(entropy("aaaa"), 0.0);
    EXPECT_DOUBLE_EQ(entropy("abcd"), 2.0);
    std::vector<std::string> names;
    const Outcome r = run(tunnel(120, names));
    ASSERT_EQ(r.count("dns"), 1u);
    const Event& e = *r.find("dns");
    EXPECT_EQ(note(e, "type"), "tunnel");
    EXPECT_EQ(note(e, "domain"), "cdnsync-update.net");
    EXPECT_EQ(ip_string(e.src), "10.20.0.88");
    EXPECT_EQ(ip_string(e.dst), "10.0.0.53");
    EXPECT_EQ(e.get_count("suspicious_names"), 120u);
    std::vector<std::string> n2;
    EXPECT_EQ(run(tunnel(99, n2)).count("dns"), 0u);
}

TEST(DetectDns, TunnelUnderAShortCountryDomain) {
    for (const std::string domain : {"tun.io", "ab.de", "dns.ru"}) {
        std::vector<std::string> names;
        const Outcome r = run(tunnel(120, names, domain));
        ASSERT_EQ(r.count("dns"), 1u) << domain;
        EXPECT_EQ(note(*r.find("dns"), "domain"), domain);
    }
}

// NXDOMAIN answers to one client: for 30 generated domains a DGA event; for 60 random names
// under 3 domains (a CDN's random subdomains: the synthetic background's busiest client had
// 28 names not found and raised a DGA event) none.
TEST(DetectDns, DgaCountsDomainsNotNames) {
    std::vector<std::string> names;  // the records' names point into these
    names.reserve(100);
    auto answers = [&](int n, int domains) {
        std::vector<FlowRecord> v;
        uint64_t x = 777;
        for (int i = 0; i < n; ++i) {
            std::string label;
            for (int k = 0; k < 12; ++k) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                label += "abcdefghijklmnopqrstuvwxyz0123456789"[(x >> 33) % 36];
            }
            names.push_back(domains ? label + ".cdn" + std::to_string(i % domains) + ".example"
                                    : label + ".com");
            FlowRecord a = flow("10.0.0.53", "10.20.0.9", 53, static_cast<uint16_t>(30000 + i),
                                T0 + i * S, 0, 0, 1, 120, 17);
            a.dns_qname = names.back();
            a.dns_rcode = stored_dns_rcode(3);  // NXDOMAIN
            v.push_back(a);
        }
        return v;
    };
    const Outcome dga = run(answers(30, 0));
    ASSERT_EQ(dga.count("dns"), 1u);
    EXPECT_EQ(note(*dga.find("dns"), "type"), "dga");
    EXPECT_EQ(dga.find("dns")->get_count("domains"), 30u);
    EXPECT_EQ(run(answers(60, 3)).count("dns"), 0u);
}

TEST(DetectDns, ResolverNotAllowed) {
    DetectConfig cfg;
    cfg.dns.resolvers = {"10.0.0.53"};
    std::vector<FlowRecord> v = {
        flow("10.0.0.7", "10.0.0.53", 3000, 53, T0, 0, 0, 1, 60, 17),
        flow("10.0.0.7", "8.8.8.8", 3001, 53, T0 + S, 0, 0, 1, 60, 17),
        flow("10.0.0.7", "8.8.8.8", 3002, 53, T0 + 2 * S, 0, 0, 1, 60, 17)};
    const Outcome r = run(v, cfg);
    ASSERT_EQ(r.count("dns"), 1u);
    EXPECT_EQ(ip_string(r.find("dns")->dst), "8.8.8.8");
    EXPECT_EQ(r.find("dns")->get_count("flows"), 2u);
}

TEST(DetectMining, StratumAndChain) {
    std::vector<FlowRecord> v = brute(12, true);
    const uint64_t t = T0 + 30 * S;  // mining starts during the login session
    FlowRecord m =
        flow("10.0.10.40", "198.51.100.23", 40001, 3333, t, 100 * S, kSyn | kAck | 0x08, 50, 9000);
    m.app = static_cast<uint8_t>(App::stratum);
    FlowRecord back =
        flow("198.51.100.23", "10.0.10.40", 3333, 40001, t, 100 * S, kSyn | kAck | 0x08, 50, 9000);
    back.app = static_cast<uint8_t>(App::stratum);
    v.push_back(m);
    v.push_back(back);
    const Outcome r = run(v);
    ASSERT_EQ(r.count("mining"), 1u);
    const Event& e = *r.find("mining");
    EXPECT_EQ(ip_string(e.src), "10.0.10.40");
    EXPECT_EQ(ip_string(e.dst), "198.51.100.23");
    EXPECT_EQ(e.get_count("stratum_flows"), 1u);
    EXPECT_EQ(e.severity, Severity::kHigh);
    ASSERT_EQ(r.count("cryptojacking"), 1u);
    const Event& c = *r.find("cryptojacking");
    EXPECT_EQ(ip_string(c.src), "203.0.113.77");
    EXPECT_EQ(ip_string(c.dst), "10.0.10.40");
    EXPECT_EQ(c.severity, Severity::kCritical);
    // Mining without a brute force before it is no incident.
    EXPECT_EQ(run({m, back}).count("cryptojacking"), 0u);
}

TEST(DetectState, BoundedWithEvictions) {
    DetectConfig cfg;
    cfg.max_hosts = 10;
    std::vector<FlowRecord> v;
    for (uint32_t i = 0; i < 100; ++i) {
        FlowRecord r = flow("0.0.0.0", "10.0.0.1", 1000, 22, T0 + i, 0, kSyn, 1, 40);
        r.src = IpAddr::v4(0x0c000000 + i);
        v.push_back(r);
    }
    DetectConfig only = cfg;
    select_methods(only, "scan");
    const Outcome r = run(v, only);
    ASSERT_EQ(r.stats.size(), 1u);
    EXPECT_EQ(r.stats[0].evictions, 180u);  // 90 per table (horizontal and vertical)
}

// A typo in a prefix length listed a whole range: "/" was /0 (every IPv4 address), "/2x" /2.
TEST(DetectLists, BadPrefixLengthIsAnError) {
    test::TempDir d;
    for (const char* bad :
         {"198.51.100.0/", "198.51.100.0/2x", "198.51.100.0/33", "2001:db8::/129"}) {
        std::ofstream(d.file("l.txt")) << "203.0.113.7\n" << bad << "\n";
        IpList l;
        try {
            l.load(d.file("l.txt"));
            ADD_FAILURE() << bad << " was accepted";
        } catch (const DataError& e) {
            EXPECT_NE(std::string(e.what()).find("l.txt:2: "), std::string::npos) << e.what();
        }
    }
}

TEST(DetectConfig, FileAndErrors) {
    test::TempDir d;
    std::ofstream(d.file("c.ini"))
        << "# comment\nmax_hosts = 77\n[scan]\nhosts = 5 ; five\n"
           "[bruteforce]\nports = 22, 2222\nsimilarity=0.25\n[dns]\nenabled = no\n";
    DetectConfig c;
    load_config(d.file("c.ini"), c);
    EXPECT_EQ(c.max_hosts, 77u);
    EXPECT_EQ(c.scan.hosts, 5u);
    EXPECT_EQ(c.brute.ports, (std::vector<uint16_t>{22, 2222}));
    EXPECT_DOUBLE_EQ(c.brute.similarity, 0.25);
    EXPECT_FALSE(c.dns.enabled);
    std::ofstream(d.file("bad.ini")) << "[scan]\nhosts = 5\nwindow = soon\n";
    try {
        load_config(d.file("bad.ini"), c);
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.ini:3"), std::string::npos) << e.what();
    }
    // Time is divided by a window: 0 crashed flowdetect (SIGFPE).
    std::ofstream(d.file("zero.ini")) << "[dns]\nwindow = 0\n";
    EXPECT_THROW(load_config(d.file("zero.ini"), c), UsageError);
    std::ofstream(d.file("bad2.ini")) << "[scan]\nhostz = 5\n";
    EXPECT_THROW(load_config(d.file("bad2.ini"), c), UsageError);
    EXPECT_THROW(select_methods(c, "scan,nope"), UsageError);
}

// 0 where at least 1 is needed was taken: general.max_hosts=0 turned off all detection,
// scan.hosts=0 made every SYN a scan. Refused, naming the setting.
TEST(DetectConfig, NonsenseValuesAreRefused) {
    const char* const zero_refused[] = {"general.max_hosts",
                                        "general.max_distinct",
                                        "scan.hosts",
                                        "scan.ports",
                                        "scan.max_packets",
                                        "synflood.syn_rate",
                                        "dos.sources",
                                        "synflood.dos_pps",
                                        "bruteforce.attempts",
                                        "bruteforce.max_duration",
                                        "bruteforce.success_duration",
                                        "dns.long_name",
                                        "dns.entropy",
                                        "dns.min_label",
                                        "dns.tunnel_queries",
                                        "dns.tunnel_names",
                                        "dns.tunnel_bytes",
                                        "dns.dga_nxdomain",
                                        "volume.learn",
                                        "exfil.bytes"};
    for (const std::string name : zero_refused) {
        DetectConfig c;
        const size_t dot = name.find('.');
        try {
            set_config(c, name.substr(0, dot), name.substr(dot + 1), "0", "--set " + name + "=0");
            ADD_FAILURE() << name << "=0 was accepted";
        } catch (const UsageError& e) {
            const std::string why = name == "dns.entropy" ? "more than 0" : "at least 1";
            EXPECT_EQ(std::string(e.what()), "--set " + name + "=0: " + name + " must be " + why);
        }
    }
    // 0 is meaningful here: no delay, equal byte counts only, any excess over min_bytes, no
    // learning time, no slack.
    DetectConfig c;
    for (const auto& [section, key] :
         std::vector<std::pair<const char*, const char*>>{{"general", "delay"},
                                                          {"bruteforce", "similarity"},
                                                          {"volume", "factor"},
                                                          {"volume", "min_bytes"},
                                                          {"ot", "learn"},
                                                          {"eve", "slack"}})
        EXPECT_NO_THROW(set_config(c, section, key, "0", "x")) << section << "." << key;
    for (const char* bad : {"-1", "nan", "inf"})
        EXPECT_THROW(set_config(c, "bruteforce", "similarity", bad, "x"), UsageError) << bad;

    // Distinct counts stop at max_distinct: a threshold above it could never be reached.
    check_config(c);
    c.scan.hosts = 2000;
    try {
        check_config(c);
        FAIL() << "scan.hosts above max_distinct was accepted";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "scan.hosts 2000 is more than general.max_distinct 1024 (where distinct "
                  "counts stop): it could never be reached");
    }
    c.max_distinct = 2000;
    EXPECT_NO_THROW(check_config(c));
    c.max_distinct = 1024;
    c.scan.enabled = false;  // nothing counts the hosts then
    EXPECT_NO_THROW(check_config(c));
}

// Every event's filter, run over the flows written to a file, selects exactly the flows the
// evidence counts.
TEST(DetectEvidence, FilterSelectsTheEvidenceFlows) {
    test::TempDir d;
    std::vector<FlowRecord> v = horizontal_scan(80);
    for (const auto& f : brute(15, true)) v.push_back(f);
    // Background that must not be selected: other hosts, same ports, sizes all over the place
    // (so no brute force either).
    for (int i = 0; i < 200; ++i)
        v.push_back(flow("10.9.9.9", "10.0.0.1", static_cast<uint16_t>(20000 + i), 22, T0 + i * S,
                         S, kSyn | kAck, 10, 100 + static_cast<uint64_t>(i % 7) * 5000));
    {
        WriterOptions o;
        auto w = FlowWriter::open(d.file("x.flows"), o);
        for (const auto& f : v) w->append(f);
        w->close();
    }
    std::vector<Event> events;
    {
        Engine eng(DetectConfig{}, [&](const Event& e) { events.push_back(e); });
        FlowReader rd(d.file("x.flows"), ReaderOptions{});
        FlowBlock b;
        while (rd.next(b)) eng.process(b);
        eng.finish();
    }
    ASSERT_EQ(events.size(), 2u);
    for (const auto& e : events) {
        const Filter f = Filter::compile(e.filter);
        FlowReader rd(d.file("x.flows"), ReaderOptions{});
        FlowBlock b;
        uint64_t n = 0;
        while (rd.next(b)) {
            std::vector<uint8_t> mask(b.size());
            f.eval(b, mask.data());
            for (const uint8_t m : mask) n += m;
        }
        const uint64_t want = e.method == "scan" ? e.get_count("probes") : e.get_count("attempts");
        EXPECT_EQ(n, want) << e.method << ": " << e.filter;
    }
}

TEST(DetectEve, ConfirmAndPassThrough) {
    test::TempDir d;
    std::ofstream(d.file("eve.json"))
        << R"({"timestamp":"2023-11-14T22:13:21.000000+0000","event_type":"flow","src_ip":"1.1.1.1"})"
           "\n"
        << R"({"timestamp":"2023-11-14T22:13:22.500000+0000","event_type":"alert","src_ip":"203.0.113.77","src_port":50000,"dest_ip":"10.0.10.40","dest_port":22,"proto":"TCP","alert":{"signature_id":2001219,"signature":"ET SCAN Potential SSH Scan","category":"Attempted Information Leak","severity":2}})"
           "\n"
        << R"({"timestamp":"2023-11-14T22:13:25.000000+0000","event_type":"alert","src_ip":"10.0.0.99","src_port":1234,"dest_ip":"10.0.0.98","dest_port":80,"proto":"TCP","alert":{"signature_id":1,"signature":"other","category":"x","severity":1}})"
           "\n";
    EveAlerts eve(5 * S);
    eve.load(d.file("eve.json"));
    ASSERT_EQ(eve.size(), 2u);
    std::vector<FlowRecord> v = brute(12, false);
    v.push_back(flow("10.0.0.99", "10.0.0.98", 1234, 80, T0 + 4 * S, 2 * S, kSyn | kAck, 5, 500));
    const Outcome r = run(v, DetectConfig{}, &eve);
    EXPECT_EQ(eve.joined_alerts(), 2u);
    ASSERT_EQ(r.count("bruteforce"), 1u);
    EXPECT_EQ(r.find("bruteforce")->severity, Severity::kCritical);  // high, raised
    EXPECT_EQ(r.find("bruteforce")->get_count("suricata_sid"), 2001219u);
    ASSERT_EQ(r.count("suricata"), 1u);
    const Event& s = *r.find("suricata");
    EXPECT_EQ(ip_string(s.src), "10.0.0.99");
    EXPECT_EQ(s.severity, Severity::kHigh);
    EXPECT_EQ(s.get_count("joined_flows"), 1u);
    std::ofstream(d.file("bad.json")) << R"({"event_type":"alert",)"
                                         "\n";
    EveAlerts bad(0);
    EXPECT_THROW(bad.load(d.file("bad.json")), DataError);
}

// Only lines that mention "alert" were parsed: a file that is no eve.json (a README), or a
// record cut short, gave no alert and no error.
TEST(DetectEve, LineThatIsNoJsonObjectIsAnError) {
    test::TempDir d;
    const std::pair<std::string, std::string> cases[] = {
        {"# flowkit\n\nSome text.\n", "x.json:1: not a JSON object: '# flowkit'"},
        {"{\"event_type\":\"flow\"}\n\n{\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\n",
         "x.json:3: not a JSON object: '{\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1'"},
        {std::string("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8),
         "x.json:1: not a JSON object: '" + std::string(8, '?') + "'"}};
    for (const auto& [text, message] : cases) {
        std::ofstream(d.file("x.json")) << text;
        EveAlerts eve(0);
        try {
            eve.load(d.file("x.json"));
            ADD_FAILURE() << "accepted: " << text;
        } catch (const DataError& e) {
            EXPECT_EQ(std::string(e.what()), d.path() + "/" + message);
        }
    }
    // Blank lines and CRLF endings are still fine.
    std::ofstream(d.file("ok.json")) << "\r\n{\"event_type\":\"flow\"} \r\n\n";
    EveAlerts eve(0);
    eve.load(d.file("ok.json"));
    EXPECT_EQ(eve.size(), 0u);
}

}  // namespace
}  // namespace fk::detect

namespace fk::detect {
namespace {

TEST(DetectFlood, VolumetricDos) {
    // 11 UDP flows of 100000 packets each toward one address in 10 s: 110000 packets/s.
    std::vector<FlowRecord> v;
    for (int i = 0; i < 11; ++i) {
        const std::string src = "198.51.100." + std::to_string(i + 1);
        v.push_back(flow(src.c_str(), "10.0.10.90", 53, 4444, T0 + i * 900'000, S, 0, 100000,
                         5'000'000, 17));
    }
    // Background toward other hosts stays unreported.
    for (int i = 0; i < 5000; ++i)
        v.push_back(flow(
            "10.0.0.1", ("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250)).c_str(),
            1000, 80, T0 + i * 1000, S, kSyn | kAck, 10, 1000));
    Outcome r = run(v);
    ASSERT_EQ(r.count("dos"), 1u);
    const Event& e = *r.find("dos");
    EXPECT_EQ(ip_string(e.dst), "10.0.10.90");
    EXPECT_EQ(e.get_count("packets"), 1'100'000u);
    EXPECT_EQ(e.get_count("sources"), 11u);
    v.erase(v.begin() + 9, v.begin() + 11);  // 90000 packets/s: under the rate
    EXPECT_EQ(run(v).count("dos"), 0u);
}

TEST(DetectFlood, LongFlowCountsItsRateNotItsTotal) {
    // One 300 s record at 50000 packets/s: half the limit, however many packets it holds.
    const std::vector<FlowRecord> steady = {
        flow("10.1.1.1", "10.2.2.2", 40000, 443, T0, 300 * S, kAck, 15'000'000, 9'000'000'000)};
    EXPECT_EQ(run(steady).count("dos"), 0u);
    // The same length at 200000 packets/s is a flood, reported at its rate.
    const std::vector<FlowRecord> flood = {
        flow("10.1.1.1", "10.2.2.2", 40000, 443, T0, 300 * S, kAck, 60'000'000, 3'600'000'000)};
    const Outcome r = run(flood);
    ASSERT_EQ(r.count("dos"), 1u);
    EXPECT_EQ(r.find("dos")->get_count("pps"), 200'000u);
    EXPECT_EQ(r.find("dos")->severity, Severity::kHigh);
}

}  // namespace
}  // namespace fk::detect

namespace fk::detect {
namespace {

// One internal host uploading `bytes` to the outside within a minute at 10:0m.
std::vector<FlowRecord> upload(int minute, uint64_t bytes) {
    const uint64_t t =
        1'740'996'000'000'000ull + static_cast<uint64_t>(minute) * 60 * S;  // 2025-03-03T10:00Z
    return {flow("10.20.0.7", "198.51.100.200", 40000, 443, t + S, 5 * S, kSyn | kAck, 100, bytes),
            flow("198.51.100.200", "10.20.0.7", 443, 40000, t + S, 5 * S, kSyn | kAck, 80, 9000),
            flow("10.20.0.7", "10.0.0.53", 5000, 53, t + 2 * S, 0, 0, 1, 80, 17)};
}

TEST(DetectVolume, BaselineOfTheHourAndStateFile) {
    test::TempDir d;
    DetectConfig cfg;
    select_methods(cfg, "volume");
    cfg.volume.window = 60;
    cfg.volume.min_bytes = 1'000'000;
    cfg.state = d.file("state");
    // Six minutes of about 1 MB: the baseline (learn = 5 windows).
    std::vector<FlowRecord> v;
    for (int m = 0; m < 6; ++m)
        for (const auto& f : upload(m, 1'000'000 + static_cast<uint64_t>(m) * 10'000))
            v.push_back(f);
    EXPECT_EQ(run(v, cfg).count("volume"), 0u);
    // The next run starts from the saved baseline: 1 MB is normal, 60 MB is not.
    std::vector<FlowRecord> w = upload(7, 1'020'000);
    for (const auto& f : upload(8, 60'000'000)) w.push_back(f);
    const Outcome r = run(w, cfg);
    ASSERT_EQ(r.count("volume"), 1u);
    const Event& e = *r.find("volume");
    EXPECT_EQ(ip_string(e.src), "10.20.0.7");
    EXPECT_EQ(ip_string(e.dst), "198.51.100.200");
    EXPECT_EQ(e.get_count("bytes"), 60'000'000u);
    EXPECT_EQ(e.get_count("flows"), 1u);  // DNS to the inside does not count
    EXPECT_EQ(e.get_count("baseline_windows"), 7u);
    EXPECT_EQ(e.get_count("baseline_bytes"), 1'024'286u);  // mean of 1.00..1.05 MB and 1.02 MB
    // Without the state file nothing is known: 60 MB is under the 1 GB of no baseline.
    DetectConfig fresh = cfg;
    fresh.state.clear();
    EXPECT_EQ(run(w, fresh).count("volume"), 0u);
    // A damaged state file is an error naming its line.
    std::ofstream(d.file("bad")) << "# flowdetect baselines\nvolume 10.0.0.1 25 1 2 3\n";
    fresh.state = d.file("bad");
    try {
        run(w, fresh);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("bad:2"), std::string::npos) << e.what();
    }
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The state file is replaced at the end of a run: a file that is not one (a settings file given
// by mistake) was overwritten without a word, and a line that is no baseline was dropped.
TEST(DetectState, RefusesAFileThatIsNotAStateFileAndLeavesIt) {
    test::TempDir d;
    DetectConfig cfg;
    select_methods(cfg, "volume");
    const std::string settings = "[scan]\nhosts = 20\n";
    std::ofstream(d.file("detect.conf")) << settings;
    cfg.state = d.file("detect.conf");
    try {
        run(upload(0, 1'000'000), cfg);
        FAIL() << "a settings file was taken for a state file";
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()),
                  d.file("detect.conf") +
                      ": not a flowdetect state file (the first line is not '# flowdetect "
                      "baselines'); left as it is");
    }
    EXPECT_EQ(slurp(d.file("detect.conf")), settings);

    // Damaged in the middle: the error names the line, and the file stays.
    const std::string damaged =
        "# flowdetect baselines\nvolume 10.20.0.7 10 1 5 0\nvolum\x01"
        "e 10.20.0.7 11 1 5 0\n";
    std::ofstream(d.file("damaged")) << damaged;
    cfg.state = d.file("damaged");
    try {
        run(upload(0, 1'000'000), cfg);
        FAIL() << "a damaged line was skipped";
    } catch (const DataError& e) {
        EXPECT_EQ(std::string(e.what()),
                  d.file("damaged") +
                      ":3: 'volum?e 10.20.0.7 11 1 5 0' is not a baseline of "
                      "volume or ot");
    }
    EXPECT_EQ(slurp(d.file("damaged")), damaged);

    // An empty file holds nothing to lose (mktemp): it becomes the state file.
    std::ofstream(d.file("empty")).flush();
    cfg.state = d.file("empty");
    run(upload(0, 1'000'000), cfg);
    EXPECT_TRUE(slurp(d.file("empty")).starts_with("# flowdetect baselines\nvolume 10.20.0.7 "));
}

// -m volume must not drop the ot baselines of the same file (and the other way round).
TEST(DetectState, KeepsTheBaselinesOfMethodsNotRun) {
    test::TempDir d;
    std::ofstream(d.file("state")) << "# flowdetect baselines\not start 1700000000000000\n"
                                      "ot pair 12345\n";
    DetectConfig cfg;
    select_methods(cfg, "volume");
    cfg.volume.window = 60;
    cfg.state = d.file("state");
    run(upload(0, 1'000'000), cfg);
    const std::string after = slurp(d.file("state"));
    EXPECT_NE(after.find("\nvolume 10.20.0.7 "), std::string::npos) << after;
    EXPECT_NE(after.find("\not start 1700000000000000\not pair 12345\n"), std::string::npos)
        << after;
}

TEST(DetectOt, NewPeerAndNewProtocol) {
    DetectConfig cfg;
    select_methods(cfg, "ot");
    cfg.ot.segments = {"172.16.0.0/16"};
    cfg.ot.learn = 60;
    std::vector<FlowRecord> v;
    // A master polls an RTU (IEC 104) every 10 s for 5 minutes.
    for (int i = 0; i < 30; ++i) {
        FlowRecord a =
            flow("172.16.1.10", "172.16.2.1", 40000, 2404, T0 + i * 10 * S, S, kSyn | kAck, 4, 300);
        FlowRecord b =
            flow("172.16.2.1", "172.16.1.10", 2404, 40000, T0 + i * 10 * S, S, kSyn | kAck, 4, 300);
        a.app = b.app = static_cast<uint8_t>(App::iec104);
        v.push_back(a);
        v.push_back(b);
    }
    // After learning: a new host polls the RTU over Modbus, and the master tries Modbus too.
    for (int i = 0; i < 3; ++i) {
        FlowRecord n = flow("10.20.5.77", "172.16.2.1", 41000, 502, T0 + (100 + i) * S, S,
                            kSyn | kAck, 4, 300);
        n.app = static_cast<uint8_t>(App::modbus);
        v.push_back(n);
    }
    FlowRecord m =
        flow("172.16.1.10", "172.16.2.1", 42000, 502, T0 + 120 * S, S, kSyn | kAck, 4, 300);
    m.app = static_cast<uint8_t>(App::modbus);
    v.push_back(m);
    const Outcome r = run(v, cfg);
    ASSERT_EQ(r.count("ot"), 2u);
    for (const auto& e : r.events) {
        if (note(e, "type") == "new-peer") {
            EXPECT_EQ(ip_string(e.src), "10.20.5.77");
            EXPECT_EQ(ip_string(e.dst), "172.16.2.1");
            EXPECT_EQ(e.get_count("flows"), 3u);
            EXPECT_EQ(e.severity, Severity::kHigh);
        } else {
            EXPECT_EQ(note(e, "type"), "new-protocol");
            EXPECT_EQ(note(e, "app"), "modbus");
            EXPECT_EQ(ip_string(e.src), "172.16.1.10");
            EXPECT_EQ(e.get_count("flows"), 1u);
        }
    }
    // Without segments the method has nothing to watch.
    cfg.ot.segments.clear();
    EXPECT_EQ(run(v, cfg).count("ot"), 0u);
}

}  // namespace
}  // namespace fk::detect
