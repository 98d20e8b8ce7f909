// DNS parsing: a real query from the captures, responses, the name decoder's compression,
// loop and length rules, the text escaping, and DNS over TCP prefixes.
#include "l7/dns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hex.h"

namespace fk::l7 {
namespace {

using test::from_hex;

// The query of pcap/dns/dns_long_domainname.pcap, frame 1 (tshark: A query for
// gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com).
const std::vector<uint8_t> kQuery = from_hex(
    "8b540100000100000000000006676d7230326302313601300c66686b666873646b6668736b0674756e6e656c"
    "076578616d706c6503636f6d0000010001");

// A header followed by the given body.
std::vector<uint8_t> message(uint16_t flags, uint16_t qdcount, const std::vector<uint8_t>& body) {
    std::vector<uint8_t> m = {0x12,
                              0x34,
                              static_cast<uint8_t>(flags >> 8),
                              static_cast<uint8_t>(flags),
                              0,
                              static_cast<uint8_t>(qdcount),
                              0,
                              0,
                              0,
                              0,
                              0,
                              0};
    m.insert(m.end(), body.begin(), body.end());
    return m;
}

TEST(Dns, RealQuery) {
    DnsMessage m;
    ASSERT_EQ(parse_dns(kQuery, m), Status::done);
    EXPECT_EQ(m.id, 0x8b54);
    EXPECT_FALSE(m.response);
    EXPECT_EQ(m.opcode, 0);
    EXPECT_TRUE(m.has_question);
    EXPECT_EQ(m.qname(), "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com");
    EXPECT_EQ(m.qtype, 1);
    EXPECT_EQ(m.qclass, 1);
    // Every truncation of the datagram: too short for a header, or a question cut off.
    for (size_t cut = 0; cut < kQuery.size(); ++cut) {
        Status s = parse_dns(std::span(kQuery.data(), cut), m);
        EXPECT_EQ(s, cut < 12 ? Status::not_this : Status::invalid) << cut;
    }
}

TEST(Dns, ResponsesAndOpcodes) {
    // NXDOMAIN response to a query for "x." (root-level label), AAAA.
    auto nx = message(0x8183, 1, from_hex("017800001c0001"));
    DnsMessage m;
    ASSERT_EQ(parse_dns(nx, m), Status::done);
    EXPECT_TRUE(m.response);
    EXPECT_EQ(m.rcode, 3);
    EXPECT_EQ(m.qname(), "x");
    EXPECT_EQ(m.qtype, 28);
    // The root name; a truncated (TC) response; mDNS question asking for a unicast answer.
    ASSERT_EQ(parse_dns(message(0x0100, 1, from_hex("0000020001")), m), Status::done);
    EXPECT_EQ(m.qname(), ".");
    EXPECT_EQ(m.qtype, 2);
    ASSERT_EQ(parse_dns(message(0x8380, 1, from_hex("0161000001000180")), m), Status::done);
    EXPECT_TRUE(m.truncated);
    ASSERT_EQ(parse_dns(message(0x0000, 1, from_hex("056c6f63616c00000c8001")), m), Status::done);
    EXPECT_EQ(m.qclass, 0x8001);
    // mDNS announcements carry answers and no question.
    ASSERT_EQ(parse_dns(message(0x8400, 0, from_hex("c00c")), m), Status::done);
    EXPECT_FALSE(m.has_question);
    EXPECT_EQ(m.qname(), "");
    // Opcode 3 is unassigned, 7-15 too.
    EXPECT_EQ(parse_dns(message(0x1800, 1, from_hex("0000010001")), m), Status::not_this);
    EXPECT_EQ(parse_dns(message(0x7800, 1, from_hex("0000010001")), m), Status::not_this);
    ASSERT_EQ(parse_dns(message(0x2800, 1, from_hex("0000060001")), m), Status::done);
    EXPECT_EQ(m.opcode, 5);  // update
}

TEST(Dns, CompressionPointersPointBackwards) {
    // Two questions: "example.com" at 12, then "www" + pointer to 12 at 29.
    auto m = message(0x0100, 2, from_hex("076578616d706c6503636f6d000001000103777777c00c00010001"));
    DnsName name;
    ASSERT_EQ(decode_dns_name(m, 29, name), Status::done);
    EXPECT_EQ(name.text(), "www.example.com");
    EXPECT_EQ(name.wire_end, 35u);
    ASSERT_EQ(decode_dns_name(m, 12, name), Status::done);
    EXPECT_EQ(name.wire_end, 25u);
    // A pointer to itself, forward, into the middle of itself, and mutual pointers.
    EXPECT_EQ(decode_dns_name(message(0, 1, from_hex("c00c")), 12, name), Status::invalid);
    EXPECT_EQ(decode_dns_name(message(0, 1, from_hex("c00e0000")), 12, name), Status::invalid);
    auto mutual = message(0, 1, from_hex("0161c00e0162c00c"));
    EXPECT_EQ(decode_dns_name(mutual, 12, name), Status::invalid);
    EXPECT_EQ(decode_dns_name(mutual, 16, name), Status::invalid);
    // The first question cannot use compression: nothing before it is a name.
    DnsMessage msg;
    EXPECT_EQ(parse_dns(message(0x0100, 1, from_hex("03777777c0040001")), msg), Status::invalid);
}

TEST(Dns, PointerChainsAreLimited) {
    // "a" at 12, then a chain of pointers, each to the one before.
    std::vector<uint8_t> body = {0x01, 'a', 0x00};
    size_t prev = 12;
    for (int i = 0; i < 40; ++i) {
        size_t here = 12 + body.size();
        body.push_back(static_cast<uint8_t>(0xc0 | prev >> 8));
        body.push_back(static_cast<uint8_t>(prev));
        prev = here;
    }
    auto m = message(0, 1, body);
    DnsName name;
    ASSERT_EQ(decode_dns_name(m, 12 + 3 + 2 * (kMaxDnsPointers - 1), name), Status::done);
    EXPECT_EQ(name.text(), "a");
    EXPECT_EQ(decode_dns_name(m, 12 + 3 + 2 * kMaxDnsPointers, name), Status::invalid);
}

TEST(Dns, NameLengthAndLabelTypes) {
    // 255 bytes on the wire is the most: four labels of 63, 63, 63, 61.
    std::vector<uint8_t> body;
    for (int len : {63, 63, 63, 61}) {
        body.push_back(static_cast<uint8_t>(len));
        body.insert(body.end(), len, 'x');
    }
    body.push_back(0);
    ASSERT_EQ(body.size(), 255u);
    body.insert(body.end(), {0, 1, 0, 1});
    DnsMessage m;
    ASSERT_EQ(parse_dns(message(0x0100, 1, body), m), Status::done);
    EXPECT_EQ(m.qname().size(), 253u);
    body[192] = 62;  // the last label one byte longer: 256 bytes
    body.insert(body.begin() + 193, 'x');
    EXPECT_EQ(parse_dns(message(0x0100, 1, body), m), Status::invalid);
    // 0x40 and 0x80 label types.
    EXPECT_EQ(parse_dns(message(0x0100, 1, from_hex("4100000100")), m), Status::invalid);
    EXPECT_EQ(parse_dns(message(0x0100, 1, from_hex("8100000100")), m), Status::invalid);
    // A label claiming more bytes than the message has.
    EXPECT_EQ(parse_dns(message(0x0100, 1, from_hex("3f61620000010001")), m), Status::invalid);
}

TEST(Dns, NameTextIsEscaped) {
    // Labels "a.b", "c\d", "e f", 0x00 0xff 0xe4 (binary, as DNS tunnels send), "ok".
    auto m = message(0x0100, 1, from_hex("03612e6203635c64036520660300ffe4026f6b0000100001"));
    DnsMessage msg;
    ASSERT_EQ(parse_dns(m, msg), Status::done);
    EXPECT_EQ(msg.qname(), "a\\.b.c\\\\d.e\\032f.\\000\\255\\228.ok");
    EXPECT_EQ(msg.qtype, 16);
    // The worst case fills the text buffer without overflowing it: 250 bytes to escape.
    std::vector<uint8_t> body;
    for (int len : {63, 63, 63, 61}) {
        body.push_back(static_cast<uint8_t>(len));
        body.insert(body.end(), len, 0xff);
    }
    body.insert(body.end(), {0, 0, 1, 0, 1});
    ASSERT_EQ(parse_dns(message(0x0100, 1, body), msg), Status::done);
    EXPECT_EQ(msg.qname().size(), 250u * 4 + 3);
    EXPECT_LE(msg.qname().size(), kMaxDnsNameText);
}

TEST(Dns, OverTcp) {
    std::vector<uint8_t> stream = {0x00, static_cast<uint8_t>(kQuery.size())};
    stream.insert(stream.end(), kQuery.begin(), kQuery.end());
    DnsMessage m;
    ASSERT_EQ(parse_dns_tcp(stream, m), Status::done);
    EXPECT_EQ(m.qname(), "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com");
    for (size_t cut = 0; cut < stream.size(); ++cut) {
        ASSERT_EQ(parse_dns_tcp(std::span(stream.data(), cut), m), Status::need_more) << cut;
        EXPECT_EQ(m.needed, cut < 2 ? 2u : stream.size()) << cut;
    }
    // Only the question is needed: a long response is parsed from its first bytes, and asks
    // for at most kMaxDnsTcpPrefix bytes.
    std::vector<uint8_t> big = {0x40, 0x00};
    auto answer = message(0x8180, 1, from_hex("01610000010001"));
    big.insert(big.end(), answer.begin(), answer.end());
    ASSERT_EQ(parse_dns_tcp(big, m), Status::done);
    EXPECT_EQ(m.qname(), "a");
    ASSERT_EQ(parse_dns_tcp(std::span(big.data(), 16), m), Status::need_more);
    EXPECT_EQ(m.needed, kMaxDnsTcpPrefix);
    // A length too small for a header; a prefix that holds no complete name although it is
    // as long as any first question can be.
    EXPECT_EQ(parse_dns_tcp(from_hex("000b0000"), m), Status::not_this);
    std::vector<uint8_t> endless = {0x40, 0x00};
    auto h = message(0x0100, 1, {});
    endless.insert(endless.end(), h.begin(), h.end());
    while (endless.size() < kMaxDnsTcpPrefix + 10) endless.insert(endless.end(), {0x01, 'z'});
    EXPECT_EQ(parse_dns_tcp(endless, m), Status::invalid);
}

}  // namespace
}  // namespace fk::l7
