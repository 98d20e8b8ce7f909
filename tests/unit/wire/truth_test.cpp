// The export captures of ../shared/data decoded and compared with tshark's reading of them
// (data/truth/netflow-packets.tsv, sflow-datagrams.tsv).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "export_pcap.h"
#include "test_util.h"
#include "wire/decoder.h"

namespace fk {
namespace {

struct TruthRow {
    int frame;
    std::string version;
    std::string templates;
    std::string options_templates;
    uint64_t data_records;
    std::string without_template;
};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, '\t')) f.push_back(x);
    while (f.size() < 11) f.emplace_back();
    return f;
}

size_t count_list(const std::string& s) {
    if (s.empty()) return 0;
    return static_cast<size_t>(std::count(s.begin(), s.end(), ',')) + 1;
}

// The capture that defines the templates of a "-data" capture (MANIFEST: replay it first).
std::vector<std::string> template_files(const std::string& file) {
    const auto pos = file.rfind("-data.pcap");
    if (pos == std::string::npos) return {};
    const std::string stem = file.substr(0, pos);
    std::vector<std::string> out;
    for (const char* suffix : {"-template.pcap", "-templates.pcap"}) out.push_back(stem + suffix);
    return out;
}

TEST(WireTruth, NetflowAndIpfixCapturesMatchTshark) {
    const std::string data = test::wire_test_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is not present";
    std::ifstream in(data + "/truth/netflow-packets.tsv");
    ASSERT_TRUE(in) << "truth/netflow-packets.tsv missing";
    std::map<std::string, std::vector<TruthRow>> truth;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto f = split_tabs(line);
        truth[f[0]].push_back({std::stoi(f[1]), f[2], f[6], f[7], std::stoull(f[9]), f[10]});
    }
    ASSERT_GT(truth.size(), 30u);
    size_t files = 0, frames = 0, records = 0;
    for (const auto& [file, rows] : truth) {
        SCOPED_TRACE(file);
        WireDecoder dec;
        FlowBlock block;
        uint64_t now = 1'700'000'000'000'000ull;
        for (const auto& t : template_files(file)) {
            for (const auto& dg : test::read_export_pcap(data + "/" + t)) {
                dec.decode(dg.payload.data(), dg.payload.size(), dg.source, now, block);
            }
        }
        auto options_seen = [&] {
            uint64_t n = 0;
            for (const auto& s : dec.stats()) n += s.options_records;
            return n;
        };
        auto held = [&] {
            uint64_t n = 0;
            for (const auto& s : dec.stats()) n += s.sets_held;
            return n;
        };
        auto records_seen = [&] {
            uint64_t n = 0;
            for (const auto& s : dec.stats()) n += s.records;
            return n;
        };
        auto templates = [&] {
            uint64_t n = 0;
            for (const auto& s : dec.stats()) n += s.templates;
            return n;
        };
        const auto dgs = test::read_export_pcap(data + "/" + file);
        ASSERT_EQ(dgs.size(), rows.size());
        const uint64_t templates_before = templates();
        size_t expected_templates = 0;
        for (size_t i = 0; i < dgs.size(); ++i) {
            const TruthRow& t = rows[i];
            SCOPED_TRACE("frame " + std::to_string(t.frame));
            const uint64_t opt0 = options_seen(), held0 = held(), records0 = records_seen();
            block.clear();
            const size_t flows =
                dec.decode(dgs[i].payload.data(), dgs[i].payload.size(), dgs[i].source, now, block);
            EXPECT_EQ(flows, block.size());
            // A biflow record (ipfixprobe) is one record and up to two flows.
            const uint64_t data_records = records_seen() - records0;
            EXPECT_GE(flows, data_records);
            EXPECT_LE(flows, 2 * data_records);
            const uint64_t decoded = data_records + (options_seen() - opt0);
            // Data sets whose template tshark did not know are held; when the template comes
            // later in the same datagram (akvorado-data+templates) we decode them, tshark not.
            EXPECT_EQ(held() - held0, count_list(t.without_template));
            if (t.without_template.empty()) {
                EXPECT_EQ(decoded, t.data_records);
            } else {
                EXPECT_GE(decoded, t.data_records);
            }
            expected_templates += count_list(t.templates) + count_list(t.options_templates);
            records += decoded;
            ++frames;
            now += 1000;
        }
        EXPECT_EQ(templates() - templates_before, expected_templates);
        for (const auto& s : dec.stats()) EXPECT_EQ(s.malformed, 0u);
        ++files;
    }
    EXPECT_GE(files, 30u);
    std::printf("compared %zu captures, %zu datagrams, %zu records with tshark\n", files, frames,
                records);
}

// NAT event records (akvorado-nat) have no start or end, only observationTimeMilliseconds:
// the flows are dated by it (tshark -e cflow.observation_time_milliseconds), not by the
// export time, 15:09:01.000, up to 550 ms off.
TEST(WireTruth, NatEventsAreDatedByTheirObservationTime) {
    const std::string data = test::wire_test_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is not present";
    WireDecoder dec;
    FlowBlock block;
    for (const auto& dg : test::read_export_pcap(data + "/netflow/v9/akvorado-nat.pcap")) {
        dec.decode(dg.payload.data(), dg.payload.size(), dg.source, 1'750'000'000'000'000ull,
                   block);
    }
    std::vector<uint64_t> got;
    for (size_t r = 0; r < block.size(); ++r) {
        EXPECT_EQ(block.start[r], block.end[r]) << "flow " << r;
        got.push_back(block.start[r] / 1000);
    }
    std::sort(got.begin(), got.end());
    const std::vector<uint64_t> tshark = {1749049740450, 1749049740458, 1749049740545,
                                          1749049740598, 1749049740894, 1749049740894,
                                          1749049740899, 1749049741130, 1749049741235};
    EXPECT_EQ(got, tshark);
}

}  // namespace
}  // namespace fk

namespace fk {
namespace {

// Every flow sample of the sFlow captures becomes one record; counter samples are counted.
TEST(WireTruth, SflowCapturesMatchTshark) {
    const std::string data = test::wire_test_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is not present";
    std::ifstream in(data + "/truth/sflow-datagrams.tsv");
    ASSERT_TRUE(in) << "truth/sflow-datagrams.tsv missing";
    std::map<std::string, std::vector<std::vector<std::string>>> truth;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        auto f = split_tabs(line);
        truth[f[0]].push_back(f);
    }
    ASSERT_GE(truth.size(), 7u);
    for (const auto& [file, rows] : truth) {
        SCOPED_TRACE(file);
        WireDecoder dec;
        const auto dgs = test::read_export_pcap(data + "/" + file);
        ASSERT_EQ(dgs.size(), rows.size());
        for (size_t i = 0; i < dgs.size(); ++i) {
            FlowBlock block;
            const uint64_t counters0 = dec.stats().empty() ? 0 : dec.stats()[0].counter_samples;
            const size_t flows = dec.decode(dgs[i].payload.data(), dgs[i].payload.size(),
                                            dgs[i].source, 1'700'000'000'000'000ull, block);
            EXPECT_EQ(flows, std::stoull(rows[i][5]));
            ASSERT_EQ(dec.stats().size(), 1u);
            EXPECT_EQ(dec.stats()[0].counter_samples - counters0, std::stoull(rows[i][6]));
            EXPECT_EQ(ip_string(dec.stats()[0].exporter), rows[i][3]);
            // Counters are renormalised: packets = sampling rate, bytes a multiple of it.
            for (size_t r = 0; r < block.size(); ++r) {
                const uint32_t rate = std::max<uint32_t>(block.sampling[r], 1);
                EXPECT_EQ(block.packets[r], rate);
                EXPECT_EQ(block.bytes[r] % rate, 0u);
                EXPECT_FALSE(block.src[r].is_zero());
            }
        }
        EXPECT_EQ(dec.stats()[0].malformed, 0u);
    }
}

// Cisco templates carry ICMP_TYPE beside the ports and IPv6 addresses beside the IPv4 ones;
// the destination ports are tshark's (tshark -d udp.port=N,cflow -T fields -e cflow.dstport),
// and no IPv4 flow comes out as ::. Every port was 0 and every pmacct-101 address :: before.
TEST(WireTruth, CiscoTemplatesKeepPortsAndAddresses) {
    const std::string data = test::wire_test_data();
    if (data.empty()) GTEST_SKIP() << "../shared/data is not present";
    const std::pair<const char*, const char*> files[] = {
        {"ipfix/pmacct-100-cisco-ipfix.pcap", "80 80 80 80 80 80 80 17000 17000 17000 17000 17000"},
        {"v9/pmacct-101-cisco-nfv9.pcap",
         "179 179 4784 4784 4784 27156 35023 45745 45745 54626 58013 58391 58397 58779 59132 "
         "59293 59344 59541 59549 60025 60038 60063 60122 60209 60261 61434 61444 61470 61497 "
         "61594 61608 61704 61907 61964 62352 62638 62687 62791 62849 63081 63107 63193 63459 "
         "63604 63691 63994 64019 64728 65037 65193 65420"},
        {"v9/akvorado-mpls.pcap", "862 862"},
    };
    for (const auto& [file, ports] : files) {
        SCOPED_TRACE(file);
        WireDecoder dec;
        FlowBlock block;
        for (const auto& dg : test::read_export_pcap(data + "/netflow/" + file)) {
            dec.decode(dg.payload.data(), dg.payload.size(), dg.source, 1'700'000'000'000'000ull,
                       block);
        }
        std::vector<uint16_t> got(block.dport.begin(), block.dport.end());
        std::sort(got.begin(), got.end());
        std::string text;
        for (const uint16_t p : got) text += (text.empty() ? "" : " ") + std::to_string(p);
        EXPECT_EQ(text, ports);
        for (size_t r = 0; r < block.size(); ++r) {
            EXPECT_FALSE(block.src[r].is_zero()) << "flow " << r;
            EXPECT_FALSE(block.dst[r].is_zero()) << "flow " << r;
        }
    }
}

}  // namespace
}  // namespace fk
