// Classification of single payloads: one real payload per signature (cut from the shared
// captures, cited), port fallbacks, and what must not match (random and zero bytes).
#include "l7/classify.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "hex.h"
#include "l7/quic_crypto.h"

namespace fk::l7 {
namespace {

using test::from_hex;

struct Case {
    const char* source;  // capture and frame, or "text" for protocol text typed here
    uint8_t proto;
    uint16_t sport, dport;
    std::string payload;  // hex, or text when source is "text"
    App app;
};

std::vector<uint8_t> bytes_of(const Case& c) {
    if (std::string_view(c.source) == "text") return {c.payload.begin(), c.payload.end()};
    return from_hex(c.payload);
}

const Case kCases[] = {
    {"ics/IEC104.pcap frame 4", 6, 2404, 54768, "6804010042b9", App::iec104},
    {"ics/modbus.pcap frame 4", 6, 2074, 502, "00d100000006010300010001", App::modbus},
    {"ics/dnp3.pcap frame 4", 6, 20000, 2789, "05640a44030004007caee6f78210004fbd", App::dnp3},
    {"ics/ethernetIP.pcap frame 4", 6, 44818, 52593,
     "7000300000050213000000000000000000000000000000000000000000000200a10004009dc60080b1001c00"
     "33358a000000020006000e00cc00000001000000cc00000005000000",
     App::enip},
    {"ics/opc-ua.pcap frame 5", 6, 57420, 4840,
     "48454c46380000000000000000000200000002000000004000800000180000006f70632e7463703a2f2f6c6f"
     "63616c686f73743a34383430",
     App::opcua},
    {"ics/mqtt.pcap frame 2", 6, 41892, 1883,
     "104000064d514973647003c20014001663626161626362616261636262626262616161616162000c30324435"
     "3035303232334433000c303244353035303232334433",
     App::mqtt},
    {"ics/ieee_c37118.pcap frame 4", 6, 36835, 4712, "aa41001200f100000000000000000005d7d0",
     App::c37118},
    {"ics/fins.pcap frame 249", 6, 17134, 9600, "46494e530000000c000000000000000000000000",
     App::fins},
    {"ics/fins.pcap frame 1", 17, 58722, 9600, "8000020000000000007a010100cccccc0001", App::fins},
    {"ics/hart_ip.pcap frame 1", 17, 49905, 5094, "010000000002000d0100007530", App::hart_ip},
    {"ics/dlms.pcap frame 4", 6, 60797, 4060, "7ea0070321930f017e", App::dlms},
    {"ics/bacnet.pcap frame 1", 17, 53234, 47808, "810a001101040005a90c0c023fffff194b",
     App::bacnet},
    {"ics/s7comm.pcap frame 3", 6, 4185, 102, "0300001902f08032010000020000080000f0000001000101e0",
     App::s7},
    {"ics/s7comm.pcap frame 1", 6, 4185, 102, "0300001611e00000000700c1020100c2020102c0010a",
     App::s7},
    {"ics/s7comm-plus.pcap frame 4", 6, 53162, 102,
     "030000241fe00000011200c1020620c21053494d415449432d524f4f542d484d49c0010a", App::s7},
    {"ics/iso9506-1-mms.pcap frame 1", 6, 1345, 102, "0300001611e00000077800c1020001c2020001c0010d",
     App::mms},
    {"ics/iso9506-1-mms.pcap frame 10", 6, 1345, 102,
     "0300004202f0800100010061353033020103a02ea02c020304a273a625a023a1211a0e41413145315130314650"
     "324c44301a0f4c4c4e30244252247263625f423032",
     App::mms},
    {"remote-access/rdp.pcap frame 4", 6, 52494, 3389, "030000130ee00000000000010008000b000000",
     App::rdp},
    {"remote-access/ssh.pcap frame 4", 6, 22, 58395, "5353482d322e302d4f70656e5353485f352e330d0a",
     App::ssh},
    {"attacks/ftp-bruteforce.pcap frame 4", 6, 21, 54017,
     "323230207265646d696e742046545020736572766572202856657273696f6e20362e342f4f70656e4253442f"
     "4c696e75782d667470642d302e3137292072656164792e0d0a",
     App::ftp},
    {"attacks/emotet.pcap frame 4", 6, 587, 57309,
     "323230206f706d7461316d746f30326e643120736d74702e6f72616e67652e66722045534d54502073657276"
     "65722072656164790d0a",
     App::smtp},
    {"remote-access/telnet.pcap frame 4", 6, 1550, 23, "fffd03fffb18fffb1ffffb20fffb21",
     App::telnet},
    {"attacks/vnc-scanner.pcap frame 4", 6, 5900, 46381, "524642203030332e3030380a", App::vnc},
    {"mining/bitcoin.pcap frame 4", 6, 8333, 55317, "f9beb4d976657261636b00000000000000000000",
     App::bitcoin},
    {"mining/monero.pcap frame 4", 6, 48882, 18080,
     "0121010101010101060100000000000001e90300000000000001000000", App::monero},
    {"mixed/1kxun.pcap frame 993", 17, 123, 123,
     "230206ec000026200000f6c911fd1a7ddb4a7e8f3d3ee739db4a8184a643c768db4a8184b424877edb4a81ec"
     "3f779f2c",
     App::ntp},
    {"mixed/teams.pcap frame 1238", 17, 50016, 3478,
     "000300302112a442b2343f6e67f41d58acba639f000f000472c64bc68037000400000002800800040000000680"
     "060004000000010010000400002ee08055000400020002",
     App::stun},
    {"misc/wireguard.pcap frame 9", 17, 43462, 51820,
     "0400000006f47dab03000000000000001956e2b6651dd4f59cb23092a0d09671", App::wireguard},
    {"mixed/1kxun.pcap frame 39", 17, 137, 137,
     "b1e6011000010000000000002046484641454245454341434143414341434143414341434143414341434141"
     "410000200001",
     App::netbios},
    {"ics/mms-and-goose.pcap frame 235", 17, 1076, 161,
     "304a02010104067075626c6963a03d020320ce670201000201003030300e060a2b0601020102020108110500"
     "300e060a2b0601020102020108120500300e060a2b0601020102020108130500",
     App::snmp},
    {"mixed/android.pcap frame 43", 17, 5353, 5353,
     "000000000001000000000000105f73706f746966792d636f6e6e656374045f746370056c6f63616c00000c000"
     "1",
     App::mdns},
    {"misc/openvpn.pcap (TCP, first client packet)", 6, 39772, 1194,
     "000e38507a28a78275788d0000000000", App::openvpn},
    {"misc/openvpn.pcap (UDP 443, first client packet)", 17, 60201, 443,
     "38334857703d96db390000000000", App::openvpn},
    // Protocol text as the captures carry it.
    {"text", 6, 46838, 3333,
     "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"EWBF 0.3.4b\",null]}\n",
     App::stratum},
    {"text", 6, 55190, 9050,
     "{\"method\":\"login\",\"params\":{\"login\":\"4BCe\",\"pass\":\"x\"}}", App::stratum},
    {"text", 6, 40000, 80, "GET /index.html HTTP/1.1\r\nHost: a\r\n", App::http},
    {"text", 6, 80, 40000, "HTTP/1.1 200 OK\r\n", App::http},
    {"text", 6, 40000, 3128, "CONNECT example.com:443 HTTP/1.1\r\n", App::http_proxy},
    {"text", 17, 40000, 1900, "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n", App::ssdp},
    {"text", 17, 5060, 5060, "INVITE sip:bob@example.com SIP/2.0\r\nVia: x\r\n", App::sip},
    {"text", 6, 40000, 554, "DESCRIBE rtsp://cam/stream RTSP/1.0\r\nCSeq: 1\r\n", App::rtsp},
    {"text", 6, 110, 40000, "+OK POP3 server ready\r\n", App::pop3},
    {"text", 6, 143, 40000, "* OK IMAP4rev1 ready\r\n", App::imap},
    {"text", 6, 40000, 143, "a001 LOGIN user pass\r\n", App::imap},
    {"text", 6, 40000, 25, "EHLO client.example\r\n", App::smtp},
    {"text", 6, 40000, 6379, "*1\r\n$4\r\nPING\r\n", App::redis},
    {"text", 17, 40000, 514, "<34>Oct 11 22:14:15 host su: failed", App::syslog},
    {"text", 6, 40000, 5222, "<stream:stream to='example.com' xmlns='jabber:client'>", App::xmpp},
    {"text", 6, 40000, 6881,
     "\x13"
     "BitTorrent protocol",
     App::bittorrent},
};

TEST(Classify, RealPayloads) {
    for (const Case& c : kCases) {
        auto payload = bytes_of(c);
        Classification got = classify(c.proto, c.sport, c.dport, payload);
        EXPECT_EQ(got.app, c.app) << c.source;
        EXPECT_EQ(got.evidence, Evidence::payload) << c.source;
        // The signature holds on an unrelated port pair too, unless it needs its port.
        App elsewhere = app_from_payload(c.proto, 40001, 40002, payload);
        if (elsewhere != App::none && c.app != App::mdns && c.app != App::netbios) {
            EXPECT_EQ(elsewhere, c.app) << c.source;
        }
    }
}

TEST(Classify, EveryPrefixOfTheRealPayloadsOnTheirPorts) {
    // Short reads of each signature on its own ports: no read past the end (the sanitizer
    // build checks), and nothing but the right answer or none.
    for (const Case& c : kCases) {
        auto payload = bytes_of(c);
        for (size_t n = 0; n < payload.size(); ++n) {
            App a = app_from_payload(c.proto, c.sport, c.dport, std::span(payload.data(), n));
            EXPECT_TRUE(a == App::none || a == c.app || n < 8) << c.source << " " << n;
        }
    }
}

TEST(Classify, TlsQuicAndTheirServices) {
    // The start of a ClientHello record, and an application data record.
    auto hello = from_hex("1603010200010001fc0303");
    EXPECT_EQ(classify(6, 50000, 443, hello).app, App::tls);
    EXPECT_EQ(classify(6, 50000, 993, hello).app, App::imaps);
    EXPECT_EQ(classify(6, 853, 50000, from_hex("170303002e")).app, App::dot);
    EXPECT_EQ(classify(6, 50000, 8080, from_hex("170303002e")).app, App::tls);
    // A QUIC v1 Initial on a port that is not 443, and a version negotiation.
    quic::InitialKeys keys;
    std::vector<uint8_t> dcid = {1, 2, 3, 4, 5, 6, 7, 8}, frames(1162, 0), packet(1300);
    ASSERT_TRUE(quic::derive_initial_keys(quic::kVersion1, dcid, quic::Sender::client, keys));
    quic::InitialPacketFields f;
    f.dcid = dcid;
    packet.resize(quic::protect_initial(keys, f, frames, packet));
    EXPECT_EQ(classify(17, 50000, 4433, packet).app, App::quic);
    EXPECT_EQ(classify(17, 443, 50000, from_hex("c0000000000801020304050607080000000001")).app,
              App::quic);
    // Google QUIC Q043 public header (pcap/quic/quic.pcap frame 1 starts like this).
    EXPECT_EQ(classify(17, 50000, 443, from_hex("0d0102030405060708513032340100")).app, App::quic);
    // DTLS 1.2 ClientHello record.
    EXPECT_EQ(classify(17, 50000, 4433, from_hex("16fefd0000000000000000007f01")).app, App::tls);
}

TEST(Classify, DnsFamily) {
    auto query = from_hex(
        "1234010000010000000000000377777707657861"
        "6d706c6503636f6d0000010001");
    EXPECT_EQ(classify(17, 50000, 53, query).app, App::dns);
    EXPECT_EQ(classify(17, 5355, 50000, query).app, App::llmnr);
    EXPECT_EQ(classify(17, 5353, 5353, query).app, App::mdns);
    // Off its ports a query still matches its strict signature.
    EXPECT_EQ(classify(17, 50000, 5300, query).app, App::dns);
    // DHCP discover: op, htype, hlen, then the magic cookie at 236.
    std::vector<uint8_t> dhcp(300, 0);
    dhcp[0] = 1, dhcp[1] = 1, dhcp[2] = 6;
    dhcp[236] = 0x63, dhcp[237] = 0x82, dhcp[238] = 0x53, dhcp[239] = 0x63;
    EXPECT_EQ(classify(17, 68, 67, dhcp).app, App::dhcp);
}

TEST(Classify, PortsAndIpProtocols) {
    EXPECT_EQ(classify(6, 50000, 3389, {}).app, App::rdp);
    EXPECT_EQ(classify(6, 50000, 3389, {}).evidence, Evidence::port);
    EXPECT_EQ(classify(17, 47808, 47808, {}).app, App::bacnet);
    EXPECT_EQ(classify(6, 502, 50000, {}).app, App::modbus);
    // Both ports known: the lower one wins (the client's ephemeral port may be a service's).
    EXPECT_EQ(app_from_ports(6, 5432, 443), App::tls);
    EXPECT_EQ(app_from_ports(1, 0, 2048), App::icmp);
    EXPECT_EQ(app_from_ports(58, 0, 0), App::icmp);
    EXPECT_EQ(app_from_ports(50, 0, 0), App::ipsec);
    EXPECT_EQ(app_from_ports(47, 0, 0), App::none);
    EXPECT_EQ(classify(6, 50000, 50001, {}).evidence, Evidence::none);
    // A payload no signature knows falls back to the port.
    auto c = classify(6, 50000, 502, from_hex("0102"));
    EXPECT_EQ(c.app, App::modbus);
    EXPECT_EQ(c.evidence, Evidence::port);
}

TEST(Classify, ZeroAndRandomBytesRarelyMatch) {
    for (size_t n = 0; n <= 1500; ++n) {
        std::vector<uint8_t> zeros(n, 0);
        EXPECT_EQ(app_from_payload(6, 40000, 40001, zeros), App::none) << n;
        EXPECT_EQ(app_from_payload(17, 40000, 40001, zeros), App::none) << n;
    }
    std::mt19937 rng(12345);
    size_t matches = 0, tries = 0;
    std::vector<uint8_t> buf;
    for (int i = 0; i < 30000; ++i) {
        buf.resize(1 + rng() % 1400);
        for (auto& b : buf) b = static_cast<uint8_t>(rng());
        uint16_t sport = static_cast<uint16_t>(1024 + rng() % 64000);
        uint16_t dport = static_cast<uint16_t>(1024 + rng() % 64000);
        matches += app_from_payload(i % 2 ? 6 : 17, sport, dport, buf) != App::none;
        ++tries;
    }
    // Random payloads on random ports: fewer than 1 in 2000 look like anything.
    EXPECT_LT(matches * 2000, tries) << matches << " of " << tries;
    std::printf("random payloads classified: %zu of %zu\n", matches, tries);
}

}  // namespace
}  // namespace fk::l7
