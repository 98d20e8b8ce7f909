// QUIC Initial reader: the RFC sample packets end to end, hellos scattered over CRYPTO frames,
// packets and datagrams (as Chrome sends them), coalesced packets, Retry, and bad input.
#include "l7/quic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "capture.h"
#include "hello_builder.h"
#include "hex.h"
#include "test_util.h"
#include "truth.h"

namespace fk::l7 {
namespace {

using test::from_hex;

// The client Initial of RFC 9001 Appendix A.2 (v1) and RFC 9369 Appendix A.2 (v2) are
// rebuilt from their published payload with protect_initial(), whose output the quic_crypto
// tests compare with the RFCs byte for byte.
const std::vector<uint8_t> kRfcDcid = from_hex("8394c8f03e515708");
const std::vector<uint8_t> kRfcCrypto = from_hex(
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff");

std::vector<uint8_t> initial_packet(uint32_t version, std::span<const uint8_t> dcid,
                                    std::span<const uint8_t> frames, uint32_t pn,
                                    size_t pad_to = 1162) {
    quic::InitialKeys keys;
    EXPECT_TRUE(quic::derive_initial_keys(version, dcid, quic::Sender::client, keys));
    std::vector<uint8_t> payload(frames.begin(), frames.end());
    if (payload.size() < pad_to) payload.resize(pad_to, 0x00);
    quic::InitialPacketFields f;
    f.dcid = dcid;
    f.packet_number = pn;
    std::vector<uint8_t> out(quic::protected_initial_size(f, payload.size()));
    EXPECT_EQ(quic::protect_initial(keys, f, payload, out), out.size());
    return out;
}

void put_varint(std::vector<uint8_t>& v, uint64_t x) {
    if (x < 64) {
        v.push_back(static_cast<uint8_t>(x));
    } else {
        v.push_back(static_cast<uint8_t>(0x40 | x >> 8));
        v.push_back(static_cast<uint8_t>(x));
    }
}

std::vector<uint8_t> crypto_frame(std::span<const uint8_t> stream, size_t offset, size_t len) {
    std::vector<uint8_t> f = {0x06};
    put_varint(f, offset);
    put_varint(f, len);
    f.insert(f.end(), stream.begin() + offset, stream.begin() + offset + len);
    return f;
}

// A hello of about 1.9 KB, like a hello with a post-quantum key share: it needs two Initials.
std::vector<uint8_t> large_hello() {
    test::Ext key_share{51, std::vector<uint8_t>(1250, 0x5a)};
    return test::hello_message({test::sni_ext("www.example.org"),
                                test::alpn_ext({"h3"}),
                                test::versions_ext({0x0304}),
                                key_share,
                                {0xfe0d, std::vector<uint8_t>(500, 0x01)}});
}

class QuicReader : public ::testing::Test {
  protected:
    std::vector<uint8_t> scratch = std::vector<uint8_t>(quic::kMaxInitialPlaintext);
};

TEST_F(QuicReader, RfcSampleClientInitials) {
    for (uint32_t version : {quic::kVersion1, quic::kVersion2}) {
        auto packet = initial_packet(version, kRfcDcid, kRfcCrypto, 2);
        ASSERT_EQ(packet.size(), 1200u);
        EXPECT_TRUE(looks_like_quic_initial(packet));
        QuicInitialReader r;
        ASSERT_EQ(r.feed(packet, scratch), Status::done);
        EXPECT_EQ(r.hello().sni, "example.com");
        EXPECT_EQ(r.hello().alpn(), "alpn");
        EXPECT_EQ(r.hello().version, 0x0304);
        EXPECT_FALSE(r.hello().ech);
        EXPECT_EQ(r.version(), version);
        EXPECT_EQ(r.packets(), 1u);
        // Later datagrams of the flow change nothing.
        EXPECT_EQ(r.feed(packet, scratch), Status::done);
    }
}

TEST_F(QuicReader, ScatteredFramesOverTwoDatagrams) {
    auto hello = large_hello();
    ASSERT_GT(hello.size(), 1800u);
    // Pieces out of order, overlapping, with PING, PADDING and an ACK between them; the
    // first datagram lacks the start of the stream.
    std::vector<uint8_t> first, second;
    auto add = [](std::vector<uint8_t>& to, const std::vector<uint8_t>& frame) {
        to.insert(to.end(), frame.begin(), frame.end());
    };
    add(first, crypto_frame(hello, 900, 500));
    add(first, {0x01, 0x00, 0x00});
    add(first, {0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00});  // ACK, one extra range
    add(first, crypto_frame(hello, 300, 650));
    add(second, crypto_frame(hello, 1400, hello.size() - 1400));
    add(second, crypto_frame(hello, 0, 310));
    auto d1 = initial_packet(quic::kVersion1, kRfcDcid, first, 0);
    auto d2 = initial_packet(quic::kVersion1, kRfcDcid, second, 1);
    QuicInitialReader r;
    ASSERT_EQ(r.feed(d1, scratch), Status::need_more);
    ASSERT_EQ(r.feed(d2, scratch), Status::done);
    EXPECT_EQ(r.packets(), 2u);
    EXPECT_EQ(r.hello().sni, "www.example.org");
    EXPECT_EQ(r.hello().alpn(), "h3");
    EXPECT_TRUE(r.hello().ech);
    EXPECT_FALSE(r.hello().truncated);
}

TEST_F(QuicReader, CoalescedPacketsInOneDatagram) {
    auto hello = large_hello();
    std::vector<uint8_t> a = crypto_frame(hello, 0, 1000),
                         b = crypto_frame(hello, 1000, hello.size() - 1000);
    auto p1 = initial_packet(quic::kVersion2, kRfcDcid, a, 0, 0);
    auto p2 = initial_packet(quic::kVersion2, kRfcDcid, b, 1, 0);
    // A 0-RTT packet (v2 type 2) between them is skipped by its Length.
    std::vector<uint8_t> zero_rtt = {0xe0, 0x6b, 0x33, 0x43, 0xcf, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5};
    std::vector<uint8_t> datagram = p1;
    datagram.insert(datagram.end(), zero_rtt.begin(), zero_rtt.end());
    datagram.insert(datagram.end(), p2.begin(), p2.end());
    datagram.resize(datagram.size() + 40, 0);  // trailing padding
    QuicInitialReader r;
    ASSERT_EQ(r.feed(datagram, scratch), Status::done);
    EXPECT_EQ(r.packets(), 2u);
    EXPECT_EQ(r.hello().sni, "www.example.org");
}

TEST_F(QuicReader, KeysFollowARetry) {
    auto hello = large_hello();
    // The first Initial is answered by a Retry; the client repeats its hello in Initials
    // protected with keys from the Retry's connection ID.
    auto lost = initial_packet(quic::kVersion1, kRfcDcid, crypto_frame(hello, 0, 1000), 0);
    auto retry_cid = from_hex("0011223344556677");
    auto p1 = initial_packet(quic::kVersion1, retry_cid, crypto_frame(hello, 0, 1000), 1);
    auto p2 = initial_packet(quic::kVersion1, retry_cid,
                             crypto_frame(hello, 1000, hello.size() - 1000), 2);
    QuicInitialReader r;
    ASSERT_EQ(r.feed(lost, scratch), Status::need_more);
    ASSERT_EQ(r.feed(p1, scratch), Status::need_more);
    ASSERT_EQ(r.feed(p2, scratch), Status::done);
    EXPECT_EQ(r.hello().sni, "www.example.org");
}

TEST_F(QuicReader, HelloLargerThanTheBufferIsParsedAsAPrefix) {
    test::Ext big{0xff01, std::vector<uint8_t>(5000, 0)};
    auto hello = test::hello_message({test::sni_ext("big.example"), big});
    QuicInitialReader r;
    Status s = Status::need_more;
    for (size_t off = 0, pn = 0; off < hello.size() && s == Status::need_more; off += 1100) {
        size_t len = std::min<size_t>(1100, hello.size() - off);
        s = r.feed(initial_packet(quic::kVersion1, kRfcDcid, crypto_frame(hello, off, len),
                                  static_cast<uint32_t>(pn++)),
                   scratch);
    }
    ASSERT_EQ(s, Status::done);
    EXPECT_TRUE(r.hello().truncated);
    EXPECT_EQ(r.hello().sni, "big.example");
}

TEST_F(QuicReader, WhatIsNotAClientInitial) {
    QuicInitialReader r;
    // Short header, Google QUIC (version Q046), version negotiation, garbage.
    EXPECT_EQ(r.feed(from_hex("4011223344556677"), scratch), Status::not_this);
    auto gquic = initial_packet(quic::kVersion1, kRfcDcid, kRfcCrypto, 2);
    gquic[1] = 'Q', gquic[2] = '0', gquic[3] = '4', gquic[4] = '6';
    EXPECT_FALSE(looks_like_quic_initial(gquic));
    EXPECT_EQ(r.feed(gquic, scratch), Status::not_this);
    EXPECT_EQ(r.feed(from_hex("c00000000008"), scratch), Status::not_this);
    EXPECT_EQ(r.feed({}, scratch), Status::not_this);
    EXPECT_EQ(r.packets(), 0u);
}

TEST_F(QuicReader, DamagedOrMalformedInitials) {
    auto packet = initial_packet(quic::kVersion1, kRfcDcid, kRfcCrypto, 2);
    auto damaged = packet;
    damaged[700] ^= 0x80;
    QuicInitialReader r1;
    EXPECT_EQ(r1.feed(damaged, scratch), Status::invalid);
    // An unknown frame type, a CRYPTO frame longer than the packet, an ACK range count
    // that cannot be there, and a CRYPTO stream that is not a ClientHello.
    for (auto frames : {from_hex("0100ff"), from_hex("060044ff01"), from_hex("0200007fff00"),
                        from_hex("060004020000ff")}) {
        QuicInitialReader r;
        EXPECT_EQ(r.feed(initial_packet(quic::kVersion1, kRfcDcid, frames, 0), scratch),
                  Status::invalid)
            << test::to_hex(frames);
    }
    // A truncated datagram (the capture cut it) is not read past its end.
    QuicInitialReader r2;
    EXPECT_EQ(r2.feed(std::span(packet.data(), 600), scratch), Status::not_this);
}

TEST_F(QuicReader, TooScatteredStreamsStayBounded) {
    // Single bytes at every other offset: more holes than ranges kept; no hello, no overrun.
    auto hello = large_hello();
    std::vector<uint8_t> frames;
    for (size_t off = 2; off < 160; off += 2) {
        auto f = crypto_frame(hello, off, 1);
        frames.insert(frames.end(), f.begin(), f.end());
    }
    QuicInitialReader r;
    EXPECT_EQ(r.feed(initial_packet(quic::kVersion1, kRfcDcid, frames, 0), scratch),
              Status::need_more);
}

// A hello whose first 80 bytes come one byte per CRYPTO frame, the even offsets first: more
// pieces than the 32 ranges the reader kept, whose later bytes it dropped (tshark reads it).
TEST_F(QuicReader, HelloInHundredsOfPiecesIsRead) {
    const auto hello = test::hello_message({test::sni_ext("pieces.example")});
    ASSERT_GT(hello.size(), 80u);
    std::vector<uint8_t> frames;
    for (size_t start : {0, 1})
        for (size_t off = start; off < 80; off += 2) {
            const auto f = crypto_frame(hello, off, 1);
            frames.insert(frames.end(), f.begin(), f.end());
        }
    const auto rest = crypto_frame(hello, 80, hello.size() - 80);
    frames.insert(frames.end(), rest.begin(), rest.end());
    QuicInitialReader r;
    ASSERT_EQ(r.feed(initial_packet(quic::kVersion1, kRfcDcid, frames, 0), scratch), Status::done);
    EXPECT_EQ(r.hello().sni, "pieces.example");
}

TEST_F(QuicReader, RealHelloInTwoInitials) {
    // pcap/quic/quic_frags_ch_in_multiple_packets.pcapng: a v1 hello in two Initials, with
    // the 18 ALPN ids tshark lists for frame 2.
    std::string data = test::data_dir();
    if (data.empty()) GTEST_SKIP() << "no ../shared/data";
    QuicInitialReader r;
    Status last = Status::not_this;
    test::for_each_packet(data + "/pcap/quic/quic_frags_ch_in_multiple_packets.pcapng",
                          [&](const test::Packet& p) {
                              if (p.dport == 4443 && last != Status::done) {
                                  last = r.feed(p.payload, scratch);
                              }
                          });
    ASSERT_EQ(last, Status::done);
    EXPECT_EQ(r.packets(), 2u);
    EXPECT_EQ(r.hello().alpn(),
              "h3-34,hq-34,h3-33,hq-33,h3-32,hq-32,h3-31,hq-31,h3-29,hq-29,h3-30,hq-30,h3-28,"
              "hq-28,h3-27,hq-27,h3,hq-interop");
    EXPECT_EQ(r.hello().version, 0x0304);
}

// A CHLO message with the given (tag, value) entries.
std::vector<uint8_t> chlo(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::vector<uint8_t> m = {'C', 'H', 'L', 'O', static_cast<uint8_t>(entries.size()), 0, 0, 0};
    std::string values;
    for (const auto& [tag, value] : entries) {
        m.insert(m.end(), tag.begin(), tag.end());
        values += value;
        for (int i = 0; i < 4; ++i) m.push_back(static_cast<uint8_t>(values.size() >> (8 * i)));
    }
    m.insert(m.end(), values.begin(), values.end());
    return m;
}

TEST(GoogleQuic, PublicHeaderAndLongHeaderHellos) {
    auto msg = chlo({{std::string("PAD\0", 4), std::string(20, '-')},
                     {std::string("SNI\0", 4), "www.example.com"},
                     {std::string("VER\0", 4), "Q035"}});
    // Q035: flags (version, 8-byte CID, 1-byte packet number), CID, version, packet
    // number, 12-byte hash, stream frame header, message.
    std::vector<uint8_t> q035 = from_hex("0901020304050607085130333501");
    q035.insert(q035.end(), 12, 0xaa);
    q035.insert(q035.end(), {0xa0, 0x01, 0x00, 0x04});
    q035.insert(q035.end(), msg.begin(), msg.end());
    GquicHello h;
    ASSERT_EQ(parse_gquic_client_hello(q035, h), Status::done);
    EXPECT_EQ(h.sni, "www.example.com");
    EXPECT_EQ(h.version, 0x51303335u);
    // Q046: long header, DCID of 8 bytes, no SCID, 4-byte packet number.
    std::vector<uint8_t> q046 = from_hex("c35130343650010203040506070800000001");
    q046.insert(q046.end(), 12, 0xbb);
    q046.insert(q046.end(), {0xa0, 0x01, 0x00, 0x04});
    q046.insert(q046.end(), msg.begin(), msg.end());
    ASSERT_EQ(parse_gquic_client_hello(q046, h), Status::done);
    EXPECT_EQ(h.sni, "www.example.com");
    // An IETF Initial, a short header, and the message cut inside its values.
    EXPECT_EQ(parse_gquic_client_hello(initial_packet(quic::kVersion1, kRfcDcid, kRfcCrypto, 0), h),
              Status::not_this);
    EXPECT_EQ(parse_gquic_client_hello(from_hex("40010203"), h), Status::not_this);
    std::vector<uint8_t> cut(q035.begin(), q035.end() - 10);
    EXPECT_EQ(parse_gquic_client_hello(cut, h), Status::invalid);
}

TEST(GoogleQuic, LyingEntries) {
    std::vector<uint8_t> header = from_hex("0901020304050607085130333501");
    header.insert(header.end(), 12, 0);
    GquicHello h;
    // End offsets going backwards; an entry count larger than the datagram; too many.
    auto back = chlo({{"AAAA", "xxxx"}, {std::string("SNI\0", 4), "a"}});
    back[8 + 4] = 9;  // first end offset past the second
    std::vector<uint8_t> d = header;
    d.insert(d.end(), back.begin(), back.end());
    EXPECT_EQ(parse_gquic_client_hello(d, h), Status::invalid);
    d = header;
    d.insert(d.end(), {'C', 'H', 'L', 'O', 0x40, 0x00, 0, 0});
    EXPECT_EQ(parse_gquic_client_hello(d, h), Status::invalid);
    d = header;
    d.insert(d.end(), {'C', 'H', 'L', 'O', 0xff, 0x01, 0, 0});
    d.resize(d.size() + 8 * 511, 0);
    EXPECT_EQ(parse_gquic_client_hello(d, h), Status::invalid);
}

}  // namespace
}  // namespace fk::l7
