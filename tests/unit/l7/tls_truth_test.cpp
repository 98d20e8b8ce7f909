// TLS and QUIC ClientHellos in every capture of ../shared/data compared with tshark's
// (truth/tls-sni.tsv): the same (transport, ports, SNI) set per capture.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <sstream>

#include "capture.h"
#include "l7/quic.h"
#include "l7/tls.h"
#include "test_util.h"
#include "truth.h"

namespace fk::l7 {
namespace {

using Hello = std::tuple<std::string, uint16_t, uint16_t, std::string>;  // transport, ports, sni

struct Details {
    std::string alpn;
    uint16_t version = 0;
    bool ech = false;
    bool operator==(const Details&) const = default;
};

Details details_of(const ClientHello& h) {
    return {std::string(h.alpn()), h.version, h.ech};
}

std::ostream& operator<<(std::ostream& os, const Details& d) {
    return os << "alpn '" << d.alpn << "' version " << std::hex << d.version << std::dec << " ech "
              << d.ech;
}

// tshark's view of one hello (tls-hello-details.tsv), turned into the fields flowkit reports.
Details details_of(const test::TruthRow& r) {
    Details d;
    d.alpn = r.at("alpn");
    d.version = static_cast<uint16_t>(std::stoul(r.at("version"), nullptr, 16));
    std::stringstream versions(r.at("supported_versions"));
    std::string v;
    uint16_t best = 0;
    while (std::getline(versions, v, ',')) {
        auto x = static_cast<uint16_t>(std::stoul(v, nullptr, 16));
        bool grease = (x & 0x0f0f) == 0x0a0a && (x >> 8) == (x & 0xff);
        // Drafts (0x7fxx) and experiments (0xfbxx) are older than the final TLS 1.3.
        auto rank = [](uint16_t y) { return (y >> 8) == 3 ? y : 0x0303; };
        if (!grease && (best == 0 || rank(x) > rank(best))) best = x;
    }
    if (best) d.version = best;
    std::stringstream types(r.at("extension_types"));
    while (std::getline(types, v, ',')) d.ech |= v == "65037";
    return d;
}

// What a probe does with the first packets of each flow: TCP client streams reassembled and
// parsed from their start, or from a later segment that starts a handshake record (STARTTLS,
// CONNECT); QUIC client datagrams fed to a reader per flow.
struct HelloCollector {
    struct TcpState {
        test::TcpStream stream;
        size_t next_segment = 0;
        bool have_candidate = false;
        size_t at = 0;
        bool finished = false;
    };
    std::map<test::FlowKey, TcpState> tcp;
    std::map<test::FlowKey, std::unique_ptr<QuicInitialReader>> quic;
    std::vector<uint8_t> scratch = std::vector<uint8_t>(quic::kMaxInitialPlaintext);
    std::map<Hello, Details> found;
    size_t truncated = 0;

    void packet(const test::Packet& p) {
        if (p.proto == 6) return tcp_packet(p);
        if (p.proto == 17) return udp_packet(p);
    }

    void tcp_packet(const test::Packet& p) {
        TcpState& st = tcp[test::key_of(p)];
        if (st.finished) return;
        st.stream.add(p);
        const auto& bytes = st.stream.bytes;
        const auto& starts = st.stream.segment_starts;
        while (!st.finished) {
            if (!st.have_candidate) {
                while (
                    st.next_segment < starts.size() &&
                    !looks_like_client_hello(std::span(bytes).subspan(starts[st.next_segment]))) {
                    ++st.next_segment;
                }
                if (st.next_segment == starts.size()) return;
                st.at = starts[st.next_segment++];
                st.have_candidate = true;
            }
            ClientHello h;
            Status s = parse_tls_client_hello(std::span(bytes).subspan(st.at), h);
            if (s == Status::need_more) return;
            st.have_candidate = false;
            if (s == Status::done) {
                found[{"tcp", p.sport, p.dport, std::string(h.sni)}] = details_of(h);
                truncated += h.truncated;
                st.finished = true;
            }
        }
    }

    void udp_packet(const test::Packet& p) {
        auto& reader = quic[test::key_of(p)];
        if (!reader) {
            if (!looks_like_quic_initial(p.payload)) return;
            reader = std::make_unique<QuicInitialReader>();
        }
        Status s = reader->feed(p.payload, scratch);
        if (s == Status::done) {
            found[{"quic", p.sport, p.dport, std::string(reader->hello().sni)}] =
                details_of(reader->hello());
            truncated += reader->hello().truncated;
        }
        if (s != Status::need_more) reader.reset();
    }
};

// Where tshark and flowkit differ, and why.
struct Exception {
    const char* file;
    Hello hello;
    bool tshark_only;  // tshark finds it, flowkit does not (else the other way round)
    const char* reason;
};
const Exception kExceptions[] = {
    {"pcap/misc/openvpn.pcap",
     {"tcp", 39772, 1194, ""},
     true,
     "UDP in fact (the truth's transport column says tcp for everything but QUIC): TLS inside "
     "OpenVPN P_CONTROL packets; flowkit classifies the flow as openvpn and does not unwrap it"},
    {"pcap/misc/openvpn.pcap",
     {"tcp", 51146, 1194, ""},
     true,
     "UDP, TLS inside OpenVPN P_CONTROL packets, as above"},
    {"pcap/remote-access/rdp2.pcap",
     {"tcp", 54759, 3389, "WIN-8QSO0D3OKBI.HARDENING.COM"},
     true,
     "UDP in fact: TLS inside RDP-UDP (MS-RDPEUDP) datagrams, which flowkit does not unwrap"},
    {"pcap/remote-access/anydesk.pcapng",
     {"tcp", 43535, 80, ""},
     false,
     "tshark does not try TLS on port 80; `tshark -d tcp.port==80,tls` shows this hello too"},
};

const Exception* exception_for(const std::string& file, const Hello& h, bool tshark_only) {
    for (const auto& e : kExceptions) {
        if (file == e.file && h == e.hello && tshark_only == e.tshark_only) return &e;
    }
    return nullptr;
}

TEST(TlsTruth, SameClientHellosAsTshark) {
    std::string data = test::data_dir();
    if (data.empty()) GTEST_SKIP() << "no ../shared/data";
    auto rows = test::read_truth(data + "/truth/tls-sni.tsv");
    ASSERT_FALSE(rows.empty());
    size_t files = 0, hellos = 0, with_sni = 0, detail_checks = 0, ech = 0;
    auto detail_rows = test::read_truth(test::beside_this_test("tls-hello-details.tsv"));
    for (const auto& [file, file_rows] : test::by_file(rows)) {
        SCOPED_TRACE(file);
        std::set<Hello> expected;
        for (const auto& r : file_rows) {
            expected.insert({r.at("transport"), static_cast<uint16_t>(std::stoi(r.at("src_port"))),
                             static_cast<uint16_t>(std::stoi(r.at("dst_port"))), r.at("sni")});
        }
        HelloCollector c;
        ASSERT_TRUE(test::for_each_packet(data + "/" + file, [&](auto& p) { c.packet(p); }));
        for (const auto& h : expected) {
            if (exception_for(file, h, true)) {
                EXPECT_FALSE(c.found.count(h)) << "exception no longer needed";
                continue;
            }
            EXPECT_TRUE(c.found.count(h))
                << "tshark only: " << std::get<0>(h) << " " << std::get<1>(h) << ">"
                << std::get<2>(h) << " '" << std::get<3>(h) << "'";
        }
        for (const auto& [h, d] : c.found) {
            if (exception_for(file, h, false)) continue;
            EXPECT_TRUE(expected.count(h))
                << "flowkit only: " << std::get<0>(h) << " " << std::get<1>(h) << ">"
                << std::get<2>(h) << " '" << std::get<3>(h) << "'";
        }
        EXPECT_EQ(c.truncated, 0u);
        // ALPN, version and ECH against tshark's fields of the same hello.
        for (const auto& r : detail_rows) {
            if (r.at("file") != file) continue;
            Hello key{"", static_cast<uint16_t>(std::stoi(r.at("sport"))),
                      static_cast<uint16_t>(std::stoi(r.at("dport"))), r.at("sni")};
            for (const auto& [h, d] : c.found) {
                if (std::get<1>(h) != std::get<1>(key) || std::get<2>(h) != std::get<2>(key) ||
                    std::get<3>(h) != std::get<3>(key)) {
                    continue;
                }
                EXPECT_EQ(d, details_of(r)) << "frame " << r.at("frame");
                ++detail_checks;
                ech += d.ech;
            }
        }
        ++files;
        hellos += expected.size();
        for (const auto& h : expected) with_sni += !std::get<3>(h).empty();
    }
    RecordProperty("files", static_cast<int>(files));
    EXPECT_GT(detail_checks, 300u);
    EXPECT_EQ(ech, 16u);
    std::printf("compared %zu captures, %zu distinct hellos (%zu with SNI), %zu ALPN/version/ECH\n",
                files, hellos, with_sni, detail_checks);
}

}  // namespace
}  // namespace fk::l7

namespace fk::l7 {
namespace {

// Google QUIC hellos against tshark's (gquic-hellos.tsv beside this test): every CHLO
// datagram, counted, with its SNI.
TEST(TlsTruth, SameGoogleQuicHellosAsTshark) {
    std::string data = test::data_dir();
    if (data.empty()) GTEST_SKIP() << "no ../shared/data";
    auto rows = test::read_truth(test::beside_this_test("gquic-hellos.tsv"));
    ASSERT_FALSE(rows.empty());
    size_t total = 0;
    for (const auto& [file, file_rows] : test::by_file(rows)) {
        SCOPED_TRACE(file);
        using Key = std::tuple<uint16_t, uint16_t, std::string>;
        std::map<Key, int> expected, found;
        for (const auto& r : file_rows) {
            ++expected[{static_cast<uint16_t>(std::stoi(r.at("sport"))),
                        static_cast<uint16_t>(std::stoi(r.at("dport"))), r.at("sni")}];
        }
        ASSERT_TRUE(test::for_each_packet(data + "/" + file, [&](const test::Packet& p) {
            GquicHello h;
            if (p.proto == 17 && parse_gquic_client_hello(p.payload, h) == Status::done) {
                ++found[{p.sport, p.dport, std::string(h.sni)}];
            }
        }));
        EXPECT_EQ(found, expected);
        total += file_rows.size();
    }
    std::printf("compared %zu Google QUIC hellos\n", total);
}

}  // namespace
}  // namespace fk::l7
