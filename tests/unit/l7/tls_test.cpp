// TLS ClientHello parser: real hellos cut from the shared captures, hellos built here to reach
// each branch, and malformed input (truncation at every byte, lying lengths).
#include "l7/tls.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hello_builder.h"
#include "hex.h"

namespace fk::l7 {
namespace {

using test::from_hex;

// curl 7.x to www.ntop.org: TCP payload of frame 4 of pcap/tls/443-curl.pcap (517 bytes,
// one record; TLS 1.2 without supported_versions; ALPN h2,http/1.1 per tshark).
const std::vector<uint8_t> kCurlHello = from_hex(
    "1603010200010001fc03033e3841edcc20f6d0e5f7167ab7ee91a800c8ef70c2"
    "d624c7c7943a24026d9fbc000086cc14cc13cc15c030c02cc028c024c014c00a"
    "00a3009f006b006a00390038ff8500c400c3008800870081c032c02ec02ac026"
    "c00fc005009d003d003500c00084c02fc02bc027c023c013c00900a2009e0067"
    "00400033003200be00bd00450044c031c02dc029c025c00ec004009c003c002f"
    "00ba0041c012c00800160013c00dc003000a00ff0100014d00000011000f0000"
    "0c7777772e6e746f702e6f7267000b000403000102000a003a0038000e000d00"
    "19001c000b000c001b00180009000a001a001600170008000600070014001500"
    "04000500120013000100020003000f00100011000d00260024060106020603ef"
    "ef050105020503040104020403eeeeeded030103020303020102020203337400"
    "000010000e000c02683208687474702f312e31001500ae000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000");

// An SSL 2.0 compatible CLIENT-HELLO offering TLS 1.0: frame 4 of pcap/tls/google_ssl.pcap.
const std::vector<uint8_t> kSslv2Hello = from_hex(
    "807c01030100630000001000003900003800003500001600001300000a0700c0"
    "00003300003200002f0300800000660000050000040100800800800000630000"
    "6200006100001500001200000906004000006500006400006000001400001100"
    "0008000006040080000003020080447674058ab9c9a5abbb06702cc6cf1f");

using test::alpn_ext;
using test::hello_message;
using test::put16;
using test::record;
using test::sni_ext;
using test::versions_ext;

TEST(Tls, RealHelloFromCurl) {
    ClientHello h;
    ASSERT_EQ(parse_tls_client_hello(kCurlHello, h), Status::done);
    EXPECT_EQ(h.sni, "www.ntop.org");
    EXPECT_EQ(h.alpn(), "h2,http/1.1");
    EXPECT_EQ(h.version, 0x0303);
    EXPECT_EQ(h.legacy_version, 0x0303);
    EXPECT_FALSE(h.ech);
    EXPECT_FALSE(h.truncated);
    // The SNI points into the input.
    EXPECT_GE(reinterpret_cast<const uint8_t*>(h.sni.data()), kCurlHello.data());
    EXPECT_LT(reinterpret_cast<const uint8_t*>(h.sni.data()), kCurlHello.data() + 517);
    EXPECT_TRUE(looks_like_client_hello(kCurlHello));
}

TEST(Tls, EveryTcpSplitAsksForTheRightByteCount) {
    // The hello cut after any byte, as if it came in two TCP segments: need_more and the
    // whole record's size, then done once all of it is there.
    for (size_t cut = 0; cut < kCurlHello.size(); ++cut) {
        ClientHello h;
        std::span<const uint8_t> part(kCurlHello.data(), cut);
        ASSERT_EQ(parse_tls_client_hello(part, h), Status::need_more) << cut;
        EXPECT_EQ(h.needed, cut < 5 ? 5u : kCurlHello.size()) << cut;
    }
    // Bytes after the hello (the next record) do not matter.
    auto longer = kCurlHello;
    longer.insert(longer.end(), {0x14, 0x03, 0x03, 0x00, 0x01, 0x01});
    ClientHello h;
    EXPECT_EQ(parse_tls_client_hello(longer, h), Status::done);
    EXPECT_EQ(h.sni, "www.ntop.org");
}

TEST(Tls, PrefixModeReturnsWhatTheBufferHolds) {
    ClientHello h;
    // 5 + 4 + 2 + 32 + 1 + 2 + 134 + 2 + 2 + ... the SNI extension ends at byte 207.
    std::span<const uint8_t> first(kCurlHello.data(), 230);
    ASSERT_EQ(parse_tls_client_hello(first, h, true), Status::done);
    EXPECT_TRUE(h.truncated);
    EXPECT_EQ(h.sni, "www.ntop.org");
    EXPECT_EQ(h.alpn(), "");  // ALPN comes later in this hello
    // Too short to hold even the record header.
    EXPECT_EQ(parse_tls_client_hello(std::span(kCurlHello.data(), 3), h, true), Status::need_more);
}

TEST(Tls, HelloSpanningTwoRecords) {
    // The same message fragmented over two records: the first record's part is parsed.
    std::vector<uint8_t> msg(kCurlHello.begin() + 5, kCurlHello.end());
    std::vector<uint8_t> a(msg.begin(), msg.begin() + 300), b(msg.begin() + 300, msg.end());
    auto stream = record(a);
    auto second = record(b);
    stream.insert(stream.end(), second.begin(), second.end());
    ClientHello h;
    ASSERT_EQ(parse_tls_client_hello(stream, h), Status::done);
    EXPECT_TRUE(h.truncated);
    EXPECT_EQ(h.sni, "www.ntop.org");
    // Until the first record is complete, the parser asks for it.
    ASSERT_EQ(parse_tls_client_hello(std::span(stream.data(), 100), h), Status::need_more);
    EXPECT_EQ(h.needed, 305u);
}

TEST(Tls, Sslv2CompatibleHello) {
    ClientHello h;
    EXPECT_TRUE(looks_like_client_hello(kSslv2Hello));
    ASSERT_EQ(parse_tls_client_hello(kSslv2Hello, h), Status::done);
    EXPECT_EQ(h.version, 0x0301);
    EXPECT_EQ(h.sni, "");
    ASSERT_EQ(parse_tls_client_hello(std::span(kSslv2Hello.data(), 60), h), Status::need_more);
    EXPECT_EQ(h.needed, kSslv2Hello.size());
    auto bad = kSslv2Hello;
    bad[6] = 0x07;  // cipher spec length no longer a multiple of 3 nor adding up
    EXPECT_EQ(parse_tls_client_hello(bad, h), Status::invalid);
}

TEST(Tls, Tls13VersionsEchAndAlpn) {
    auto msg = hello_message({
        sni_ext("outer.example"),
        alpn_ext({"h3", "h2", "http/1.1"}),
        versions_ext({0x7a7a, 0x0304, 0x0303}),  // GREASE first
        {kTlsExtEncryptedClientHello, {0x00, 0x00, 0x01, 0x00, 0x01, 0x42}},
    });
    ClientHello h;
    ASSERT_EQ(parse_client_hello_message(msg, h), Status::done);
    EXPECT_EQ(h.sni, "outer.example");
    EXPECT_EQ(h.alpn(), "h3,h2,http/1.1");
    EXPECT_EQ(h.version, 0x0304);
    EXPECT_EQ(h.legacy_version, 0x0303);
    EXPECT_TRUE(h.ech);
    ASSERT_EQ(parse_tls_client_hello(record(msg), h), Status::done);
    EXPECT_TRUE(h.ech);
}

TEST(Tls, AlpnTextKeepsWholeProtocolsAndPrintableBytes) {
    std::vector<std::string> many(40, "abcdef");
    std::vector<uint8_t> odd = {'h', 0x01, '2'};
    many.push_back(std::string(odd.begin(), odd.end()));
    ClientHello h;
    ASSERT_EQ(parse_client_hello_message(hello_message({alpn_ext(many)}), h), Status::done);
    EXPECT_LE(h.alpn().size(), kMaxAlpnText);
    EXPECT_EQ(h.alpn().size() % 7, 6u);  // whole "abcdef" entries joined by commas
    ASSERT_EQ(parse_client_hello_message(
                  hello_message({alpn_ext({"h?", std::string(odd.begin(), odd.end())})}), h),
              Status::done);
    EXPECT_EQ(h.alpn(), "h?,h?2");
}

TEST(Tls, NotAHello) {
    ClientHello h;
    const std::vector<uint8_t> http = {'G', 'E', 'T', ' ', '/', ' '};
    EXPECT_EQ(parse_tls_client_hello(http, h), Status::not_this);
    EXPECT_FALSE(looks_like_client_hello(http));
    // A ServerHello record, application data, a record of version 2.x.
    auto server = kCurlHello;
    server[5] = 2;
    EXPECT_EQ(parse_tls_client_hello(server, h), Status::not_this);
    auto appdata = kCurlHello;
    appdata[0] = 23;
    EXPECT_EQ(parse_tls_client_hello(appdata, h), Status::not_this);
    auto v2 = kCurlHello;
    v2[1] = 2;
    EXPECT_EQ(parse_tls_client_hello(v2, h), Status::not_this);
    // A handshake message that is not a ClientHello.
    EXPECT_EQ(parse_client_hello_message(std::vector<uint8_t>{2, 0, 0, 0}, h), Status::not_this);
}

TEST(Tls, LyingLengths) {
    ClientHello h;
    auto huge = kCurlHello;
    huge[3] = 0x40;  // record of 16385+ bytes
    huge[4] = 0x01;
    EXPECT_EQ(parse_tls_client_hello(huge, h), Status::invalid);
    auto sid = kCurlHello;
    sid[43] = 33;  // session id longer than 32
    EXPECT_EQ(parse_tls_client_hello(sid, h), Status::invalid);
    auto suites = kCurlHello;
    suites[45] = 0x87;  // odd cipher suites length
    EXPECT_EQ(parse_tls_client_hello(suites, h), Status::invalid);
    auto ext = kCurlHello;
    ext[183] = 0x4e;  // extensions length one more than there is
    EXPECT_EQ(parse_tls_client_hello(ext, h), Status::invalid);
    // An extension claiming more bytes than the hello has.
    auto one = kCurlHello;
    one[186] = 0xff;  // server_name extension length
    EXPECT_EQ(parse_tls_client_hello(one, h), Status::invalid);
    // A server_name list that lies inside a well-formed extension: ignored, not read past.
    auto inner = hello_message({{kTlsExtServerName, {0x00, 0x20, 0x00, 0x00, 0x30, 'a'}}});
    ASSERT_EQ(parse_client_hello_message(inner, h), Status::done);
    EXPECT_EQ(h.sni, "");
    // Every truncation of a complete-looking message, with the length left as it was.
    for (size_t cut = 4; cut < kCurlHello.size() - 5; ++cut) {
        std::span<const uint8_t> msg(kCurlHello.data() + 5, cut);
        Status s = parse_client_hello_message(msg, h);
        EXPECT_EQ(s, Status::need_more) << cut;
        EXPECT_EQ(h.needed, kCurlHello.size() - 5) << cut;
    }
}

TEST(Tls, HelloWithoutExtensions) {
    auto msg = hello_message({});
    msg.resize(msg.size() - 2);  // drop the empty extensions length as SSL 3.0 clients did
    msg[3] = static_cast<uint8_t>(msg[3] - 2);
    ClientHello h;
    ASSERT_EQ(parse_client_hello_message(msg, h), Status::done);
    EXPECT_EQ(h.version, 0x0303);
    EXPECT_EQ(h.sni, "");
}

}  // namespace
}  // namespace fk::l7
