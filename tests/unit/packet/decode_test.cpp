// The decoder on hand-built frames: link types, VLAN/QinQ, MPLS, PPPoE, IPv6 extension
// headers, fragments, tunnels, and frames that are not (or not quite) IP.
#include <gtest/gtest.h>

#include "packet/capture_file.h"
#include "packet/decode.h"
#include "packet_builder.h"
#include "record/names.h"

namespace fk::test {
namespace {

constexpr uint32_t kA = 0x0a000001, kB = 0x0a000002;

Decoded run(const Bytes& f, PacketView& v, uint32_t link = kLinkEthernet, bool decap = true) {
    DecodeOptions o;
    o.decap = decap;
    return decode_packet(f.data(), static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size()),
                         link, o, v);
}

TEST(Decode, EthernetIpv4Udp) {
    const Bytes f = eth_ipv4(kA, kB, 17, udp(1234, 53, Bytes(10, 'x')));
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kIp);
    EXPECT_EQ(v.src, IpAddr::v4(kA));
    EXPECT_EQ(v.dst, IpAddr::v4(kB));
    EXPECT_EQ(v.proto, 17);
    EXPECT_EQ(v.sport, 1234);
    EXPECT_EQ(v.dport, 53);
    EXPECT_EQ(v.bytes, 20u + 8 + 10);  // IP bytes: no Ethernet header
    EXPECT_EQ(v.payload_len, 10u);
}

TEST(Decode, QinQKeepsTheOuterVlan) {
    Bytes f = ether(0x88a8);
    append(f, vlan_tag(100, 0x8100));
    append(f, vlan_tag(200, 0x0800));
    const Bytes l4 = tcp(40000, 443, 0x02, 7);
    append(f, ipv4(kA, kB, 6, l4.size()));
    append(f, l4);
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kIp);
    EXPECT_EQ(v.vlan, 100);
    EXPECT_EQ(v.dport, 443);
    EXPECT_EQ(v.tcp_flags, 0x02);
    EXPECT_EQ(v.seq, 7u);
}

TEST(Decode, MplsLabelStack) {
    Bytes f = ether(0x8847);
    append(f, {0x00, 0x01, 0x00, 0x40});  // label 16, not bottom
    append(f, {0x00, 0x02, 0x01, 0x40});  // label 32, bottom of stack
    const Bytes l4 = udp(5000, 6000);
    append(f, ipv4(kA, kB, 17, l4.size()));
    append(f, l4);
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kIp);
    EXPECT_EQ(v.sport, 5000);
}

TEST(Decode, PppoeSession) {
    Bytes f = ether(0x8864);
    append(f, {0x11, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x21});
    const Bytes l4 = udp(1, 2);
    append(f, ipv4(kA, kB, 17, l4.size()));
    append(f, l4);
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kIp);
    EXPECT_EQ(v.dport, 2);
}

TEST(Decode, Ipv6ExtensionHeadersAndFragment) {
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8}, b[16] = {0x20, 0x01, 0x0d, 0xb8};
    a[15] = 1;
    b[15] = 2;
    const Bytes l4 = udp(1000, 2000, Bytes(4, 0));
    Bytes ext;
    append(ext, {44, 0, 0, 0, 0, 0, 0, 0});        // hop-by-hop, 8 bytes, next: fragment
    append(ext, {17, 0, 0x00, 0x01, 0, 0, 0, 9});  // fragment offset 0, M=1, id 9
    Bytes f = ether(0x86dd);
    append(f, ipv6(a, b, 0, ext.size() + l4.size()));
    append(f, ext);
    append(f, l4);
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kIp);
    EXPECT_EQ(v.proto, 17);
    EXPECT_EQ(v.sport, 1000);
    EXPECT_EQ(v.frag, kFirstFragment);
    EXPECT_EQ(v.frag_id, 9u);
    EXPECT_EQ(v.bytes, 40u + ext.size() + l4.size());
}

TEST(Decode, LaterIpv4FragmentHasNoPorts) {
    Bytes f = ether(0x0800);
    append(f, ipv4(kA, kB, 17, 100, 77, 0x00b9));  // offset 185*8
    append(f, Bytes(100, 0));
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kIp);
    EXPECT_EQ(v.frag, kLastFragment);  // no "more fragments" flag
    EXPECT_EQ(v.frag_id, 77u);
    EXPECT_EQ(v.sport, 0);
    Bytes m = ether(0x0800);
    append(m, ipv4(kA, kB, 17, 100, 77, 0x20b9));  // more fragments follow
    append(m, Bytes(100, 0));
    ASSERT_EQ(run(m, v), Decoded::kIp);
    EXPECT_EQ(v.frag, kLaterFragment);
}

TEST(Decode, IcmpTypeAndCodeInDport) {
    PacketView v;
    ASSERT_EQ(run(eth_ipv4(kA, kB, 1, {3, 1, 0, 0, 0, 0, 0, 0}), v), Decoded::kIp);
    EXPECT_EQ(v.dport, 3 * 256 + 1);
}

TEST(Decode, VxlanInnerFlowWithOuterNoted) {
    const Bytes inner = eth_ipv4(0xc0a80001, 0xc0a80002, 6, tcp(1111, 80, 0x10));
    Bytes vx = {0x08, 0, 0, 0, 0, 0, 1, 0};
    append(vx, inner);
    const Bytes f = eth_ipv4(kA, kB, 17, udp(50000, 4789, vx));
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kIp);
    EXPECT_EQ(v.src, IpAddr::v4(0xc0a80001));
    EXPECT_EQ(v.dport, 80);
    EXPECT_EQ(v.tunnel, static_cast<uint8_t>(Tunnel::vxlan));
    EXPECT_EQ(v.tun_src, IpAddr::v4(kA));
    EXPECT_EQ(v.tun_dst, IpAddr::v4(kB));
    PacketView outer;
    ASSERT_EQ(run(f, outer, kLinkEthernet, false), Decoded::kIp);
    EXPECT_EQ(outer.dport, 4789);
    EXPECT_EQ(outer.tunnel, 0);
}

TEST(Decode, GreWithKeyCarriesIpv4) {
    Bytes gre = {0x20, 0x00, 0x08, 0x00, 0, 0, 0, 5};  // K bit, IPv4, key 5
    const Bytes l4 = udp(7, 8);
    append(gre, ipv4(0xc0a80001, 0xc0a80002, 17, l4.size()));
    append(gre, l4);
    PacketView v;
    ASSERT_EQ(run(eth_ipv4(kA, kB, 47, gre), v), Decoded::kIp);
    EXPECT_EQ(v.tunnel, static_cast<uint8_t>(Tunnel::gre));
    EXPECT_EQ(v.sport, 7);
}

TEST(Decode, BrokenInnerPacketKeepsTheOuterFlow) {
    const Bytes gre = {0x00, 0x00, 0x08, 0x00, 0x45, 0x00};  // IPv4 cut after 2 bytes
    PacketView v;
    ASSERT_EQ(run(eth_ipv4(kA, kB, 47, gre), v), Decoded::kIp);
    EXPECT_EQ(v.proto, 47);
    EXPECT_EQ(v.src, IpAddr::v4(kA));
    EXPECT_EQ(v.tunnel, 0);
}

TEST(Decode, GooseIsLayer2) {
    Bytes f = ether(0x88b8, 0x0a0b0c0d0e0f, 0x010ccd010001);
    append(f, Bytes(40, 0));
    PacketView v;
    ASSERT_EQ(run(f, v), Decoded::kLayer2);
    EXPECT_EQ(v.ether_type, 0x88b8);
    EXPECT_EQ(v.src_mac, 0x0a0b0c0d0e0fu);
    EXPECT_EQ(v.dst_mac, 0x010ccd010001u);
    EXPECT_EQ(v.bytes, 40u);
}

TEST(Decode, ArpIsNotIpAndShortFramesAreMalformed) {
    Bytes arp = ether(0x0806);
    append(arp, Bytes(28, 0));
    PacketView v;
    EXPECT_EQ(run(arp, v), Decoded::kNotIp);
    Bytes cut = ether(0x0800);
    append(cut, {0x45, 0, 0, 40});
    EXPECT_EQ(run(cut, v), Decoded::kMalformed);
}

TEST(Decode, OtherLinkTypes) {
    const Bytes l4 = udp(9, 10);
    Bytes ip = ipv4(kA, kB, 17, l4.size());
    append(ip, l4);
    PacketView v;
    // Linux cooked v1: 16-byte header, protocol last.
    Bytes sll = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
    append(sll, ip);
    ASSERT_EQ(run(sll, v, kLinkLinuxSll), Decoded::kIp);
    EXPECT_EQ(v.dport, 10);
    EXPECT_EQ(v.src_mac, 0x010203040506u);
    // Linux cooked v2: protocol first, 20 bytes.
    Bytes sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
    append(sll2, ip);
    ASSERT_EQ(run(sll2, v, kLinkLinuxSll2), Decoded::kIp);
    EXPECT_EQ(v.dport, 10);
    // BSD null in either byte order, and OpenBSD loop in network order.
    for (const Bytes& hdr : {Bytes{2, 0, 0, 0}, Bytes{0, 0, 0, 2}}) {
        Bytes null = hdr;
        append(null, ip);
        ASSERT_EQ(run(null, v, kLinkNull), Decoded::kIp);
        EXPECT_EQ(v.sport, 9);
    }
    Bytes loop = {0, 0, 0, 2};
    append(loop, ip);
    ASSERT_EQ(run(loop, v, kLinkLoop), Decoded::kIp);
    ASSERT_EQ(run(ip, v, kLinkRaw), Decoded::kIp);
    Bytes ppp = {0xff, 0x03, 0x00, 0x21};
    append(ppp, ip);
    ASSERT_EQ(run(ppp, v, kLinkPpp), Decoded::kIp);
    EXPECT_EQ(v.dport, 10);
}

TEST(Decode, SegmentationOffloadTakesTheWireLength) {
    Bytes f = ether(0x0800);
    Bytes ip = ipv4(kA, kB, 6, 20);
    ip[2] = ip[3] = 0;  // total length 0, as captured before TSO splits the segment
    append(f, ip);
    append(f, tcp(1, 2, 0x18));
    PacketView v;
    DecodeOptions o;
    ASSERT_EQ(
        decode_packet(f.data(), static_cast<uint32_t>(f.size()), 14 + 3000, kLinkEthernet, o, v),
        Decoded::kIp);
    EXPECT_EQ(v.bytes, 3000u);
}

}  // namespace
}  // namespace fk::test
