// Application classification on every capture of ../shared/data against the protocols tshark
// dissects in it (truth/protocols.tsv): each protocol tshark sees in a capture must be found
// there (recall), and each application flowkit finds by payload must be one tshark sees or a
// written exception (precision).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "capture.h"
#include "l7/classify.h"
#include "test_util.h"
#include "truth.h"

namespace fk::l7 {
namespace {

// tshark protocol names (frame.protocols) and the application flowkit reports for them.
const std::map<std::string, App> kTsharkNames = {
    {"tls", App::tls},
    {"quic", App::quic},
    {"gquic", App::quic},
    {"http", App::http},
    {"dns", App::dns},
    {"mdns", App::mdns},
    {"llmnr", App::llmnr},
    {"ssh", App::ssh},
    {"rdp", App::rdp},
    {"rdpudp", App::rdp},
    {"smb", App::smb},
    {"smb2", App::smb},
    {"iec60870_104", App::iec104},
    {"mbtcp", App::modbus},
    {"dnp3", App::dnp3},
    {"s7comm", App::s7},
    {"mms", App::mms},
    {"synphasor", App::c37118},
    {"bvlc", App::bacnet},
    {"enip", App::enip},
    {"opcua", App::opcua},
    {"mqtt", App::mqtt},
    {"omron", App::fins},
    {"hart_ip", App::hart_ip},
    {"bitcoin", App::bitcoin},
    {"ntp", App::ntp},
    {"dhcp", App::dhcp},
    {"dhcpv6", App::dhcpv6},
    {"snmp", App::snmp},
    {"sip", App::sip},
    {"ftp", App::ftp},
    {"smtp", App::smtp},
    {"telnet", App::telnet},
    {"vnc", App::vnc},
    {"ssdp", App::ssdp},
    {"nbns", App::netbios},
    {"nbdgm", App::netbios},
    {"openvpn", App::openvpn},
    {"wg", App::wireguard},
    {"stun", App::stun},
    {"classicstun", App::stun},
    {"rtp", App::rtp},
    {"esp", App::ipsec},
    {"icmp", App::icmp},
    {"icmpv6", App::icmp},
    {"imap", App::imap},
    {"pop", App::pop3},
    {"ldap", App::ldap},
    {"kerberos", App::kerberos},
    {"tftp", App::tftp},
    {"syslog", App::syslog},
    {"radius", App::radius},
    {"rtsp", App::rtsp},
    {"mysql", App::mysql},
    {"pgsql", App::postgres},
    {"tds", App::mssql},
    {"coap", App::coap},
    {"goose", App::goose},
};

std::string name_of(App a) {
    char buf[16];
    return std::string(buf, format_app(buf, static_cast<uint8_t>(a)));
}

// What flowkit finds and why tshark does not list it, or the other way round.
struct Exception {
    const char* file;
    App app;
    bool tshark_only;
    const char* reason;
};
const Exception kExceptions[] = {
    {"pcap/ics/goose.pcap", App::goose, true, "GOOSE is layer 2 (EtherType 0x88b8): flowgen's"},
    {"pcap/ics/mms-and-goose.pcap", App::goose, true, "GOOSE is layer 2, as above"},
    {"pcap/misc/sip.pcap", App::rtp, true,
     "RTP has no signature of its own; tshark follows the SIP/SDP negotiation"},
    {"pcap/remote-access/rdp2.pcap", App::tls, true,
     "TLS inside RDP-UDP datagrams; flowkit reports the flow as rdp"},
    {"pcap/misc/tor.pcap", App::smb, true,
     "SMB browser announcements inside NetBIOS datagrams (UDP 138): flowkit says netbios"},
    {"pcap/mixed/1kxun.pcap", App::smb, true, "SMB inside NetBIOS datagrams, as above"},
    {"pcap/remote-access/teamviewer.pcap", App::wireguard, true,
     "tshark's WireGuard heuristic takes a TeamViewer UDP datagram that starts 04 00 00 00; "
     "flowkit also checks the message size"},
    {"pcap/attacks/log4j-webapp-exploit.pcap", App::ldap, false,
     "the exploit's LDAP callback on port 1389; tshark -d tcp.port==1389,ldap decodes it too"},
    {"pcap/ics/dlms.pcap", App::dlms, false, "tshark 4.0 has no DLMS/COSEM dissector (data)"},
    {"pcap/ics/s7comm-plus.pcap", App::s7, false,
     "tshark 4.0 has no S7comm-plus dissector (cotp data)"},
    {"pcap/ics/profinet-io-le.pcap", App::profinet, false,
     "PROFINET IO context management over DCE/RPC (UDP 34964); tshark says dcerpc"},
    {"pcap/mining/mining.pcapng", App::stratum, false,
     "tshark has no Stratum (mining JSON-RPC) dissector (data)"},
    {"pcap/mining/monero.pcap", App::monero, false,
     "tshark has no dissector for Monero's Levin protocol (data)"},
};

// Names that say more than tshark's: TLS on a service's own port, the CONNECT method.
App canonical(App a) {
    switch (a) {
        case App::dot:
        case App::imaps:
        case App::pop3s:
        case App::smtps:
        case App::ldaps:
            return App::tls;
        case App::http_proxy:
            return App::http;
        default:
            return a;
    }
}

const Exception* exception_for(const std::string& file, App app, bool tshark_only) {
    for (const auto& e : kExceptions) {
        if (file == e.file && app == e.app && tshark_only == e.tshark_only) return &e;
    }
    return nullptr;
}

struct FlowState {
    Classification best;
    int payload_packets = 0;
};

TEST(ClassifyTruth, SameProtocolsAsTshark) {
    std::string data = test::data_dir();
    if (data.empty()) GTEST_SKIP() << "no ../shared/data";
    auto rows = test::read_truth(data + "/truth/protocols.tsv");
    ASSERT_FALSE(rows.empty());
    size_t captures = 0, checked = 0;
    for (const auto& [file, file_rows] : test::by_file(rows)) {
        if (file.rfind("pcap/", 0) != 0) continue;
        SCOPED_TRACE(file);
        std::set<App> expected;
        for (const auto& r : file_rows) {
            auto it = kTsharkNames.find(r.at("protocol"));
            if (it != kTsharkNames.end()) expected.insert(it->second);
        }
        std::map<test::FlowKey, FlowState> flows;
        std::map<test::FlowKey, uint8_t> protos;
        ASSERT_TRUE(test::for_each_packet(data + "/" + file, [&](const test::Packet& p) {
            auto key = test::key_of(p);
            FlowState& f = flows[key];
            protos[key] = p.proto;
            if (f.best.evidence == Evidence::payload) return;
            if (p.payload.empty()) {
                if (f.best.evidence == Evidence::none)
                    f.best = classify(p.proto, p.sport, p.dport, {});
                return;
            }
            if (++f.payload_packets > 4) return;
            Classification c = classify(p.proto, p.sport, p.dport, p.payload);
            if (c.evidence >= f.best.evidence) f.best = c;
        }));
        std::set<App> found, by_payload;
        for (const auto& [key, f] : flows) {
            found.insert(canonical(f.best.app));
            if (f.best.evidence == Evidence::payload) by_payload.insert(canonical(f.best.app));
        }
        // tshark lists the TLS inside QUIC CRYPTO frames as tls too.
        if (expected.count(App::quic) && found.count(App::quic)) found.insert(App::tls);
        for (App a : expected) {
            if (a == App::icmp || a == App::ipsec) continue;  // not TCP/UDP: the walker skips them
            if (exception_for(file, a, true)) continue;
            EXPECT_TRUE(found.count(a)) << "tshark only: " << name_of(a);
            ++checked;
        }
        for (App a : by_payload) {
            if (exception_for(file, a, false)) continue;
            EXPECT_TRUE(expected.count(a)) << "flowkit only: " << name_of(a);
        }
        ++captures;
    }
    std::printf("compared %zu captures, %zu (capture, protocol) pairs\n", captures, checked);
}

}  // namespace
}  // namespace fk::l7
