#include "synth/messages.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "l7/quic_crypto.h"
#include "pcap_reader.h"

namespace fk::synth {
namespace {

using test::be16;
using test::be32;

std::string text(const uint8_t* p, size_t n) {
    return std::string(reinterpret_cast<const char*>(p), n);
}

// Walks BER TLVs in [p, p+n): every length fits its parent exactly; returns the count.
int ber_walk(const uint8_t* p, size_t n) {
    int count = 0;
    size_t off = 0;
    while (off < n) {
        const uint8_t tag = p[off++];
        EXPECT_LT(off, n);
        size_t len = p[off++];
        if (len & 0x80) {
            const size_t k = len & 0x7f;
            len = 0;
            for (size_t i = 0; i < k; ++i) len = (len << 8) | p[off++];
        }
        EXPECT_LE(off + len, n) << "TLV overruns its parent";
        if (off + len > n) return count;
        ++count;
        if (tag & 0x20) count += ber_walk(p + off, len);
        off += len;
    }
    return count;
}

TEST(synth_dns, QueryBytes) {
    uint8_t out[kMaxMessage];
    const size_t n = dns_query(out, {0x1234, "www.example.com", kDnsA});
    const std::vector<uint8_t> expected = {
        0x12, 0x34, 0x01, 0x00, 0,    1,   0,   0,   0,   0,   0,   1,  // header, RD
        3,    'w',  'w',  'w',  7,    'e', 'x', 'a', 'm', 'p', 'l', 'e',
        3,    'c',  'o',  'm',  0,                                  // name
        0,    1,    0,    1,                                        // A, IN
        0,    0,    41,   0x04, 0xd0, 0,   0,   0,   0,   0,   0};  // OPT 1232
    EXPECT_EQ(std::vector<uint8_t>(out, out + n), expected);
}

TEST(synth_dns, AnswersPointAtTheQuestion) {
    uint8_t out[kMaxMessage];
    Rng rng(1);
    const size_t n = dns_response(out, {7, "cdn.example.org", kDnsA}, kRcodeNoError, 2, 0, rng);
    EXPECT_EQ(be16(out + 2), 0x8180);
    EXPECT_EQ(be16(out + 6), 2);
    size_t off = 12 + 17 + 4;  // header, name, type and class
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(be16(out + off), 0xc00c);
        EXPECT_EQ(be16(out + off + 2), kDnsA);
        EXPECT_EQ(be16(out + off + 10), 4);
        EXPECT_EQ(out[off + 12], 198);
        off += 16;
    }
    EXPECT_EQ(n, off + 11);  // then the OPT record
}

TEST(synth_dns, NxdomainCarriesTheZonesSoa) {
    uint8_t out[kMaxMessage];
    Rng rng(1);
    const size_t n =
        dns_response(out, {7, "nope.example.org", kDnsAaaa}, kRcodeNxDomain, 2, 0, rng);
    EXPECT_EQ(be16(out + 2) & 0xf, kRcodeNxDomain);
    EXPECT_EQ(be16(out + 6), 0);  // no answers
    EXPECT_EQ(be16(out + 8), 1);  // one authority record
    const size_t soa = 12 + 18 + 4;
    EXPECT_EQ(be16(out + soa), 0xc000 | (12 + 5));  // "example.org" inside the question
    EXPECT_EQ(be16(out + soa + 2), kDnsSoa);
    EXPECT_EQ(soa + 12 + be16(out + soa + 10) + 11u, n);
}

TEST(synth_dns, TxtAnswersHoldTheRequestedText) {
    uint8_t out[kMaxMessage];
    Rng rng(1);
    const size_t n = dns_response(out, {7, "a.b", kDnsTxt}, kRcodeNoError, 1, 600, rng);
    // 600 bytes of text as character-strings of at most 255 bytes: 3 length bytes.
    EXPECT_EQ(n, 12u + 5 + 4 + 12 + 603 + 11);
}

struct Hello {
    std::set<uint16_t> extensions;
    std::string sni;
    std::vector<std::string> alpn;
    std::vector<uint16_t> versions;
    size_t session_id = 0;
};

Hello parse_hello(const uint8_t* h, size_t n) {
    Hello r;
    EXPECT_EQ(h[0], 1);
    EXPECT_EQ((size_t{h[1]} << 16 | size_t{h[2]} << 8 | h[3]) + 4, n);
    size_t off = 4 + 2 + 32;
    r.session_id = h[off];
    off += 1 + h[off];
    off += 2 + be16(h + off);  // cipher suites
    off += 1 + h[off];         // compression
    const size_t end = off + 2 + be16(h + off);
    EXPECT_EQ(end, n);
    off += 2;
    while (off < end) {
        const uint16_t type = be16(h + off);
        const size_t len = be16(h + off + 2);
        const uint8_t* d = h + off + 4;
        r.extensions.insert(type);
        if (type == 0) r.sni = text(d + 5, be16(d + 3));
        if (type == 16) {
            for (size_t i = 2; i < 2u + be16(d); i += 1u + d[i])
                r.alpn.push_back(text(d + i + 1, d[i]));
        }
        if (type == 43) {
            for (size_t i = 1; i < 1u + d[0]; i += 2) r.versions.push_back(be16(d + i));
        }
        off += 4 + len;
    }
    EXPECT_EQ(off, end);
    return r;
}

TEST(synth_tls, ClientHelloRecordWithSniAlpnVersionsAndEch) {
    uint8_t out[kMaxMessage];
    Rng rng(9);
    ClientHello h;
    h.sni = "www.example.com";
    h.alpn = "h2,http/1.1";
    h.ech = true;
    const size_t n = tls_client_hello_record(out, h, rng);
    EXPECT_EQ(out[0], 0x16);
    EXPECT_EQ(be16(out + 1), 0x0301);
    EXPECT_EQ(be16(out + 3) + 5u, n);
    const Hello p = parse_hello(out + 5, n - 5);
    EXPECT_EQ(p.sni, "www.example.com");
    EXPECT_EQ(p.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
    EXPECT_EQ(p.versions, (std::vector<uint16_t>{0x0304, 0x0303}));
    EXPECT_EQ(p.session_id, 32u);
    for (uint16_t e : {0x0000, 0x0010, 0x002b, 0x0033, 0x000d, 0x000a, 0xfe0d}) {
        EXPECT_TRUE(p.extensions.count(e)) << "extension " << e;
    }
}

TEST(synth_tls, Tls12HelloWithoutSniOrAlpn) {
    uint8_t out[kMaxMessage];
    Rng rng(9);
    ClientHello h;
    h.version = 0x0303;
    const size_t n = tls_client_hello_record(out, h, rng);
    const Hello p = parse_hello(out + 5, n - 5);
    EXPECT_TRUE(p.sni.empty());
    EXPECT_FALSE(p.extensions.count(0x002b));
    EXPECT_FALSE(p.extensions.count(0x0010));
    EXPECT_FALSE(p.extensions.count(0xfe0d));
}

TEST(synth_tls, QuicHelloCarriesTransportParameters) {
    uint8_t out[kMaxMessage];
    Rng rng(9);
    ClientHello h;
    h.sni = "q.example.net";
    h.alpn = "h3";
    h.quic = true;
    const size_t n = tls_client_hello_message(out, h, rng);
    const Hello p = parse_hello(out, n);
    EXPECT_EQ(p.session_id, 0u);
    EXPECT_TRUE(p.extensions.count(0x0039));
    EXPECT_EQ(p.versions, std::vector<uint16_t>{0x0304});
    EXPECT_EQ(p.alpn, std::vector<std::string>{"h3"});
}

TEST(synth_tls, ServerHelloAndChangeCipherSpec) {
    uint8_t out[kMaxMessage];
    Rng rng(9);
    const size_t n = tls_server_hello_records(out, 0x0304, rng);
    const size_t first = 5 + be16(out + 3);
    EXPECT_EQ(out[5], 2);
    EXPECT_EQ(n, first + 6);
    EXPECT_EQ(out[first], 0x14);
}

TEST(synth_quic, InitialsOpenWithTheVersionsKeys) {
    namespace quic = fk::l7::quic;
    for (uint32_t version : {kQuicV1, kQuicV2}) {
        QuicIds ids;
        Rng rng(version);
        rng.fill(ids.initial_dcid, kQuicCidLength);
        rng.fill(ids.client_scid, kQuicCidLength);
        rng.fill(ids.server_scid, kQuicCidLength);
        ClientHello h;
        h.sni = "video.example.com";
        h.alpn = "h3";
        h.quic = true;
        uint8_t out[kMaxMessage];
        const size_t n = quic_client_initial(out, version, ids, h, 1250, 1, rng);
        ASSERT_EQ(n, 1250u);
        quic::InitialHeader header;
        ASSERT_EQ(quic::parse_initial_header({out, n}, header), quic::PacketStatus::ok);
        EXPECT_EQ(header.version, version);
        EXPECT_EQ(header.packet_size, n);
        quic::InitialKeys keys;
        ASSERT_TRUE(quic::derive_initial_keys(version, header.dcid, quic::Sender::client, keys));
        std::vector<uint8_t> plain(n);
        quic::UnprotectedInitial pkt;
        ASSERT_EQ(quic::unprotect_initial({out, n}, header, keys, plain, pkt),
                  quic::PacketStatus::ok);
        ASSERT_EQ(pkt.payload[0], 0x06);  // CRYPTO at offset 0, 2-byte length
        const size_t len = be16(pkt.payload.data() + 2) & 0x3fff;
        const Hello p = parse_hello(pkt.payload.data() + 4, len);
        EXPECT_EQ(p.sni, "video.example.com");
        EXPECT_EQ(p.alpn, std::vector<std::string>{"h3"});
        for (size_t i = 4 + len; i < pkt.payload.size(); ++i)
            ASSERT_EQ(pkt.payload[i], 0) << "PADDING";

        // A hello in two Initials: packet numbers 0 and 1, CRYPTO offsets that join up.
        uint8_t two[2 * 1250];
        ASSERT_EQ(quic_client_initial(two, version, ids, h, 1250, 2, rng), 2500u);
        std::vector<uint8_t> crypto;
        for (unsigned part = 0; part < 2; ++part) {
            const std::span<const uint8_t> datagram(two + 1250 * part, 1250);
            ASSERT_EQ(quic::parse_initial_header(datagram, header), quic::PacketStatus::ok);
            ASSERT_EQ(quic::unprotect_initial(datagram, header, keys, plain, pkt),
                      quic::PacketStatus::ok);
            EXPECT_EQ(pkt.packet_number, part);
            const uint8_t* f = pkt.payload.data();
            ASSERT_EQ(f[0], 0x06);
            const size_t offset = part == 0 ? f[1] : be16(f + 1) & 0x3fff;
            const uint8_t* len_at = f + (part == 0 ? 2 : 3);
            EXPECT_EQ(offset, crypto.size());
            crypto.insert(crypto.end(), len_at + 2, len_at + 2 + (be16(len_at) & 0x3fff));
        }
        EXPECT_EQ(parse_hello(crypto.data(), crypto.size()).sni, "video.example.com");

        // The server's datagram: its Initial opens with the server keys of the client's DCID,
        // and a Handshake packet fills the rest.
        const size_t s = quic_server_initial(out, version, ids, 1200, rng);
        ASSERT_EQ(s, 1200u);
        ASSERT_EQ(quic::parse_initial_header({out, s}, header), quic::PacketStatus::ok);
        ASSERT_TRUE(quic::derive_initial_keys(version, {ids.initial_dcid, kQuicCidLength},
                                              quic::Sender::server, keys));
        ASSERT_EQ(quic::unprotect_initial({out, s}, header, keys, plain, pkt),
                  quic::PacketStatus::ok);
        EXPECT_EQ(pkt.payload[0], 0x02);  // ACK
        EXPECT_EQ(pkt.payload[5], 0x06);  // CRYPTO with the ServerHello
        EXPECT_EQ(pkt.payload[9], 2);
        const uint8_t* hs = out + header.packet_size;
        EXPECT_EQ(hs[0] & 0xf0, version == kQuicV2 ? 0xf0 : 0xe0);  // Handshake long header
        EXPECT_EQ(be32(hs + 1), version);
        EXPECT_EQ(header.packet_size + 1 + 4 + 1 + 8 + 1 + 8 + 2 + (be16(hs + 23) & 0x3fff), s);
    }
}

TEST(synth_http, RequestAndResponseHeads) {
    uint8_t out[kMaxMessage];
    Rng rng(2);
    size_t n = http_request(out, "POST", "up.example.com", "/upload", 1234, rng);
    const std::string req = text(out, n);
    EXPECT_EQ(req.rfind("POST /upload HTTP/1.1\r\nHost: up.example.com\r\n", 0), 0u);
    EXPECT_NE(req.find("Content-Length: 1234\r\n"), std::string::npos);
    EXPECT_EQ(req.substr(req.size() - 4), "\r\n\r\n");
    n = http_response_head(out, 404, 10, rng);
    EXPECT_EQ(text(out, n).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
    n = http_response_head(out, 304, 0, rng);
    EXPECT_EQ(text(out, n).find("Content-Length"), std::string::npos);
}

TEST(synth_ssh, BinaryPacketsAreWellFramed) {
    uint8_t out[kMaxMessage];
    Rng rng(3);
    for (int which = 0; which < 3; ++which) {
        const size_t n = which == 0   ? ssh_kexinit(out, false, rng)
                         : which == 1 ? ssh_ecdh_init(out, rng)
                                      : ssh_newkeys(out);
        EXPECT_EQ(be32(out) + 4, n);
        EXPECT_EQ(n % 8, 0u);
        EXPECT_GE(out[4], 4);
    }
    const size_t n = ssh_ecdh_reply_newkeys(out, rng);
    const size_t first = be32(out) + 4;
    EXPECT_EQ(out[5], 31);
    EXPECT_EQ(out[first + 5], 21);
    EXPECT_EQ(n, first + 16);
    EXPECT_EQ(text(out, ssh_banner(out, true, rng)).rfind("SSH-2.0-", 0), 0u);
}

TEST(synth_rdp, ConnectionRequestWithCookie) {
    uint8_t out[kMaxMessage];
    const size_t n = rdp_connection_request(out, "bob");
    EXPECT_EQ(out[0], 3);
    EXPECT_EQ(be16(out + 2), n);
    EXPECT_EQ(out[4] + 5u, n);
    EXPECT_EQ(out[5], 0xe0);
    EXPECT_EQ(text(out + 11, 22), "Cookie: mstshash=bob\r\n");
    const std::vector<uint8_t> neg = {1, 0, 8, 0, 3, 0, 0, 0};
    EXPECT_EQ(std::vector<uint8_t>(out + n - 8, out + n), neg);
    EXPECT_EQ(rdp_connection_confirm(out), 19u);
}

TEST(synth_smb, NegotiateRequestAndResponse) {
    uint8_t out[kMaxMessage];
    Rng rng(4);
    size_t n = smb2_negotiate_request(out, rng);
    EXPECT_EQ(be32(out) + 4, n);
    EXPECT_EQ(text(out + 4, 4), "\xfeSMB");
    EXPECT_EQ(out[4 + 64], 36);
    n = smb2_negotiate_response(out, rng);
    EXPECT_EQ(be32(out) + 4, n);
    EXPECT_EQ(out[4 + 16] & 1, 1);  // response flag
    n = smb3_transform_header(out, 500, 1, rng);
    EXPECT_EQ(n, 56u);
    EXPECT_EQ(be32(out), 552u);
    EXPECT_EQ(text(out + 4, 4), "\xfdSMB");
}

// The DNP3 CRC by the book, to check the frames' CRCs against.
uint16_t dnp3_crc(const uint8_t* p, size_t n) {
    uint16_t crc = 0;
    for (size_t i = 0; i < n; ++i) {
        for (int b = 0; b < 8; ++b) {
            const bool bit = ((crc ^ (p[i] >> b)) & 1) != 0;
            crc = static_cast<uint16_t>(crc >> 1);
            if (bit) crc ^= 0xa6bc;
        }
    }
    return static_cast<uint16_t>(~crc);
}

TEST(synth_dnp3, LinkFramesCarryCorrectCrcs) {
    // The published example header 05 64 05 C0 01 00 00 04 has CRC E9 21.
    const uint8_t example[] = {0x05, 0x64, 0x05, 0xc0, 0x01, 0x00, 0x00, 0x04};
    EXPECT_EQ(dnp3_crc(example, 8), 0x21e9);
    uint8_t out[kMaxMessage];
    Rng rng(5);
    const size_t n = dnp3_read_response(out, 1, 10, 3, 6, rng);
    EXPECT_EQ(be16(out), 0x0564);
    const size_t user = out[2] - 5u;
    EXPECT_EQ(n, 10 + user + 2 * ((user + 15) / 16));
    EXPECT_EQ(out[8] | (out[9] << 8), dnp3_crc(out, 8));
    for (size_t off = 10, left = user; left > 0;) {
        const size_t k = left < 16 ? left : 16;
        EXPECT_EQ(out[off + k] | (out[off + k + 1] << 8), dnp3_crc(out + off, k));
        off += k + 2;
        left -= k;
    }
}

TEST(synth_ics, Iec104ModbusCotpS7) {
    uint8_t out[kMaxMessage];
    Rng rng(6);
    EXPECT_EQ(std::vector<uint8_t>(out, out + iec104_u_frame(out, 0x07)),
              (std::vector<uint8_t>{0x68, 4, 7, 0, 0, 0}));
    size_t n = iec104_measurements(out, 5, 2, 1, 3, rng);
    EXPECT_EQ(out[1] + 2u, n);
    EXPECT_EQ(out[6], 13);  // M_ME_NC_1
    EXPECT_EQ(out[7], 3);
    n = modbus_read_request(out, 9, 1, 40, 10);
    EXPECT_EQ(be16(out + 4) + 6u, n);
    EXPECT_EQ(out[7], 3);
    n = modbus_read_response(out, 9, 1, 10, rng);
    EXPECT_EQ(be16(out + 4) + 6u, n);
    EXPECT_EQ(out[8], 20);
    n = cotp_connection_request(out, 1, 0x0100, 0x0102);
    EXPECT_EQ(be16(out + 2), n);
    EXPECT_EQ(out[4] + 5u, n);
    n = s7_read_var_ack(out, 3, 8, rng);
    EXPECT_EQ(be16(out + 2), n);
    EXPECT_EQ(out[7], 0x32);
    EXPECT_EQ(out[8], 3);
    EXPECT_EQ(be16(out + 13) + be16(out + 15) + 12 + 7u, n);
}

TEST(synth_ics, MmsPdusAreConsistentBer) {
    uint8_t out[kMaxMessage];
    Rng rng(7);
    for (size_t n : {mms_initiate_request(out)}) {
        EXPECT_EQ(be16(out + 2), n);
        EXPECT_EQ(out[7], 0x0d);  // session CONNECT
    }
    size_t n = mms_read_request(out, 5, "IED1LD0", "MMXU1$MX$TotW$mag$f");
    EXPECT_EQ(be16(out + 2), n);
    EXPECT_EQ(out[7], 0x01);
    EXPECT_GE(ber_walk(out + 11, n - 11), 8);
    n = mms_read_response(out, 5, rng);
    EXPECT_GE(ber_walk(out + 11, n - 11), 5);
}

TEST(synth_ics, GooseCoapDlms) {
    uint8_t out[kMaxMessage];
    Rng rng(8);
    size_t n = goose_pdu(out, 0x3001, "IED1", 1'700'000'000'000'000ull, 1, 2, rng);
    EXPECT_EQ(be16(out), 0x3001);
    EXPECT_EQ(be16(out + 2), n);
    EXPECT_EQ(out[8], 0x61);
    EXPECT_GE(ber_walk(out + 8, n - 8), 15);
    n = coap_get(out, 0x77, 0x1234, "sensors/temp");
    EXPECT_EQ(std::vector<uint8_t>(out, out + 7),
              (std::vector<uint8_t>{0x42, 0x01, 0x00, 0x77, 0x12, 0x34, 0xb7}));
    EXPECT_EQ(text(out + 7, 7), "sensors");
    EXPECT_EQ(out[14], 0x04);
    n = dlms_aarq(out);
    EXPECT_EQ(be16(out + 6) + 8u, n);
    EXPECT_EQ(out[8], 0x60);
    EXPECT_EQ(out[9] + 10u, n);
    n = dlms_aare(out);
    EXPECT_EQ(out[9] + 10u, n);
}

TEST(synth_stratum, JsonLines) {
    uint8_t out[kMaxMessage];
    Rng rng(9);
    const std::string sub = text(out, stratum_subscribe(out, 1));
    EXPECT_EQ(
        sub,
        "{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cpuminer-multi/1.3.7\"]}\n");
    const std::string auth = text(out, stratum_authorize_result(out, 2, 0x1a0, rng));
    EXPECT_NE(auth.find("mining.notify"), std::string::npos);
    EXPECT_EQ(auth.back(), '\n');
    const std::string submit = text(out, stratum_submit(out, 3, "w", 416, rng));
    EXPECT_NE(submit.find("\"mining.submit\""), std::string::npos);
}

TEST(synth_ntp, ClientAndServer) {
    uint8_t out[kMaxMessage];
    Rng rng(1);
    EXPECT_EQ(ntp_packet(out, false, 1'700'000'000'000'000ull, rng), 48u);
    EXPECT_EQ(out[0] & 7, 3);
    EXPECT_EQ(be32(out + 40), 1'700'000'000u + 2'208'988'800u);
    EXPECT_EQ(ntp_packet(out, true, 1'700'000'000'000'000ull, rng), 48u);
    EXPECT_EQ(out[0] & 7, 4);
}

}  // namespace
}  // namespace fk::synth
