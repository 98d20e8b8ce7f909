#include "synth/frame.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>

#include "common/io.h"
#include "pcap_reader.h"
#include "synth/checksum.h"
#include "test_util.h"

namespace fk::synth {
namespace {

using test::be16;
using test::be32;

// Crafts frames into a pcap file and reads them back.
class Frames {
  public:
    explicit Frames(uint32_t snaplen = 65535) : path_(dir_.file("f.pcap")) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        out_ = std::make_unique<Output>(fd_, path_, 1 << 20);
        pcap_ = std::make_unique<PcapWriter>(*out_, snaplen);
        writer_ = std::make_unique<FrameWriter>(*pcap_);
    }
    ~Frames() { ::close(fd_); }
    FrameWriter& writer() { return *writer_; }
    test::PcapFile read() {
        out_->flush();
        return test::read_pcap(path_);
    }

  private:
    fk::test::TempDir dir_;
    std::string path_;
    int fd_;
    std::unique_ptr<Output> out_;
    std::unique_ptr<PcapWriter> pcap_;
    std::unique_ptr<FrameWriter> writer_;
};

struct Addrs {
    uint8_t a[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
    uint8_t b[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 7};
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11};
    uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x22};
};

Packet tcp_packet(const Addrs& ad, const uint8_t* payload, size_t len) {
    Packet p;
    p.src = ad.a;
    p.dst = ad.b;
    p.src_mac = 0x001b21000001ull;
    p.dst_mac = 0x001c73000001ull;
    p.proto = kTcp;
    p.sport = 50000;
    p.dport = 443;
    p.seq = 1000;
    p.ack = 2000;
    p.flags = kAck | kPsh;
    p.window = 1026;
    p.ip_id = 0x1234;
    p.payload = payload;
    p.payload_len = len;
    return p;
}

// The transport checksum over the pseudo-header, computed the plain way.
uint16_t transport_checksum(const uint8_t* ip, bool v6) {
    uint8_t pseudo[40];
    size_t n;
    size_t l4_len;
    const uint8_t* l4;
    uint8_t proto;
    if (v6) {
        l4_len = be16(ip + 4);
        proto = ip[6];
        l4 = ip + 40;
        std::memcpy(pseudo, ip + 8, 32);
        pseudo[32] = 0;
        pseudo[33] = 0;
        pseudo[34] = static_cast<uint8_t>(l4_len >> 8);
        pseudo[35] = static_cast<uint8_t>(l4_len);
        pseudo[36] = pseudo[37] = pseudo[38] = 0;
        pseudo[39] = proto;
        n = 40;
    } else {
        const size_t ihl = (ip[0] & 15) * 4u;
        l4_len = be16(ip + 2) - ihl;
        proto = ip[9];
        l4 = ip + ihl;
        std::memcpy(pseudo, ip + 12, 8);
        pseudo[8] = 0;
        pseudo[9] = proto;
        pseudo[10] = static_cast<uint8_t>(l4_len >> 8);
        pseudo[11] = static_cast<uint8_t>(l4_len);
        n = 12;
    }
    std::vector<uint8_t> all(pseudo, pseudo + n);
    all.insert(all.end(), l4, l4 + l4_len);
    return internet_checksum(all.data(), all.size());
}

TEST(synth_frame_writer, Ipv4TcpWithPayload) {
    Frames f;
    Addrs ad;
    const uint8_t payload[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    const Written w = f.writer().write(1'700'000'000'123'456ull, Wrap{},
                                       tcp_packet(ad, payload, sizeof payload - 1));
    EXPECT_EQ(w.frames, 1u);
    EXPECT_EQ(w.ip_bytes, 20u + 20 + sizeof payload - 1);
    const auto pcap = f.read();
    EXPECT_EQ(pcap.magic, 0xa1b2c3d4u);
    EXPECT_EQ(pcap.linktype, 1u);
    ASSERT_EQ(pcap.records.size(), 1u);
    const auto& r = pcap.records[0];
    EXPECT_EQ(r.time_us, 1'700'000'000'123'456ull);
    ASSERT_EQ(r.data.size(), 14 + w.ip_bytes);
    const uint8_t* e = r.data.data();
    EXPECT_EQ(be16(e + 12), 0x0800);
    EXPECT_EQ(e[0], 0x00);
    EXPECT_EQ(e[5], 0x01);
    const uint8_t* ip = e + 14;
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ(be16(ip + 2), w.ip_bytes);
    EXPECT_EQ(be16(ip + 4), 0x1234);
    EXPECT_EQ(be16(ip + 6), 0x4000);  // DF
    EXPECT_EQ(internet_checksum(ip, 20), 0);
    EXPECT_EQ(transport_checksum(ip, false), 0);
    const uint8_t* tcp = ip + 20;
    EXPECT_EQ(be16(tcp), 50000);
    EXPECT_EQ(be32(tcp + 4), 1000u);
    EXPECT_EQ(be32(tcp + 8), 2000u);
    EXPECT_EQ(tcp[12] >> 4, 5);
    EXPECT_EQ(tcp[13], kAck | kPsh);
    EXPECT_EQ(std::memcmp(tcp + 20, payload, sizeof payload - 1), 0);
}

TEST(synth_frame_writer, KnownPayloadSumGivesTheSameChecksum) {
    Frames f;
    Addrs ad;
    uint8_t payload[777];
    for (size_t i = 0; i < sizeof payload; ++i) payload[i] = static_cast<uint8_t>(i * 31 + 7);
    Packet p = tcp_packet(ad, payload, sizeof payload);
    f.writer().write(1, Wrap{}, p);
    p.payload_sum_known = true;
    p.payload_sum = ones_sum(payload, sizeof payload);
    f.writer().write(2, Wrap{}, p);
    const auto pcap = f.read();
    ASSERT_EQ(pcap.records.size(), 2u);
    EXPECT_EQ(pcap.records[0].data, pcap.records[1].data);
}

TEST(synth_frame_writer, Ipv6UdpAndIcmp6WithExtensionHeaders) {
    Frames f;
    Addrs ad;
    const uint8_t payload[] = {1, 2, 3, 4, 5};
    Packet p;
    p.v6 = true;
    p.src = ad.a6;
    p.dst = ad.b6;
    p.proto = kUdp;
    p.sport = 5353;
    p.dport = 53;
    p.flow_label = 0xabcde;
    p.payload = payload;
    p.payload_len = sizeof payload;
    Wrap ext;
    ext.ext6 = true;
    f.writer().write(1, Wrap{}, p);
    const Written w = f.writer().write(2, ext, p);
    EXPECT_EQ(w.ip_bytes, 40u + 16 + 8 + sizeof payload);
    p.proto = kIcmp6;
    p.icmp_type = 128;
    p.icmp_rest = 0x00010002;
    f.writer().write(3, Wrap{}, p);
    const auto pcap = f.read();
    ASSERT_EQ(pcap.records.size(), 3u);
    const uint8_t* ip = pcap.records[0].data.data() + 14;
    EXPECT_EQ(be16(pcap.records[0].data.data() + 12), 0x86dd);
    EXPECT_EQ(be32(ip) & 0xfffff, 0xabcdeu);
    EXPECT_EQ(ip[6], kUdp);
    EXPECT_EQ(transport_checksum(ip, true), 0);
    // Hop-by-hop (0) -> destination options (60) -> UDP, each 8 bytes of PadN.
    const uint8_t* ip2 = pcap.records[1].data.data() + 14;
    EXPECT_EQ(ip2[6], 0);
    EXPECT_EQ(ip2[40], 60);
    EXPECT_EQ(ip2[48], kUdp);
    EXPECT_EQ(be16(ip2 + 4), 16 + 8 + sizeof payload);
    const uint8_t* ip3 = pcap.records[2].data.data() + 14;
    EXPECT_EQ(ip3[40], 128);
    EXPECT_EQ(transport_checksum(ip3, true), 0);
}

TEST(synth_frame_writer, TagsLabelsAndTunnels) {
    Frames f;
    Addrs ad;
    const uint8_t payload[] = {9, 9, 9};
    const Packet p = tcp_packet(ad, payload, sizeof payload);
    Wrap vlan;
    vlan.kind = WrapKind::vlan;
    vlan.vlan = 120;
    Wrap qinq;
    qinq.kind = WrapKind::qinq;
    qinq.vlan = 2001;
    qinq.inner_vlan = 130;
    Wrap mpls;
    mpls.kind = WrapKind::mpls;
    mpls.label = 16016;
    Wrap gre;
    gre.kind = WrapKind::gre;
    const uint8_t t1[4] = {192, 0, 2, 1}, t2[4] = {192, 0, 2, 2};
    std::memcpy(gre.tunnel_src, t1, 4);
    std::memcpy(gre.tunnel_dst, t2, 4);
    Wrap vxlan = gre;
    vxlan.kind = WrapKind::vxlan;
    vxlan.label = 5001;
    for (const Wrap& w : {vlan, qinq, mpls, gre, vxlan}) {
        const Written written = f.writer().write(1, w, p);
        EXPECT_EQ(written.ip_bytes, 43u) << "the inner packet's bytes, whatever carries it";
    }
    const auto pcap = f.read();
    ASSERT_EQ(pcap.records.size(), 5u);
    const uint8_t* v = pcap.records[0].data.data();
    EXPECT_EQ(be16(v + 12), 0x8100);
    EXPECT_EQ(be16(v + 14), 120);
    EXPECT_EQ(be16(v + 16), 0x0800);
    const uint8_t* q = pcap.records[1].data.data();
    EXPECT_EQ(be16(q + 12), 0x88a8);
    EXPECT_EQ(be16(q + 14), 2001);
    EXPECT_EQ(be16(q + 16), 0x8100);
    EXPECT_EQ(be16(q + 18), 130);
    EXPECT_EQ(be16(q + 20), 0x0800);
    const uint8_t* m = pcap.records[2].data.data();
    EXPECT_EQ(be16(m + 12), 0x8847);
    EXPECT_EQ(be32(m + 14) >> 12, 16016u);
    EXPECT_EQ((be32(m + 14) >> 8) & 1, 1u);  // bottom of stack
    EXPECT_EQ(m[18] >> 4, 4);                // IPv4 follows
    const uint8_t* g = pcap.records[3].data.data() + 14;
    EXPECT_EQ(g[9], 47);
    EXPECT_EQ(be16(g + 2), 20 + 4 + 43);
    EXPECT_EQ(internet_checksum(g, 20), 0);
    EXPECT_EQ(be16(g + 22), 0x0800);
    EXPECT_EQ(transport_checksum(g + 24, false), 0);
    const uint8_t* x = pcap.records[4].data.data() + 14;
    EXPECT_EQ(x[9], kUdp);
    EXPECT_EQ(be16(x + 22), 4789);
    EXPECT_EQ(be32(x + 32) >> 8, 5001u);
    EXPECT_EQ(be16(x + 36 + 12), 0x0800);
    EXPECT_EQ(transport_checksum(x + 50, false), 0);
}

TEST(synth_frame_writer, FragmentsReassembleToTheDatagram) {
    for (bool v6 : {false, true}) {
        Frames f;
        Addrs ad;
        std::vector<uint8_t> payload(3000);
        for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i);
        Packet p;
        p.v6 = v6;
        p.src = v6 ? ad.a6 : ad.a;
        p.dst = v6 ? ad.b6 : ad.b;
        p.proto = kUdp;
        p.sport = 53;
        p.dport = 40000;
        p.ip_id = 77;
        p.dont_fragment = false;
        p.payload = payload.data();
        p.payload_len = payload.size();
        Wrap w;
        w.fragment = true;
        const Written written = f.writer().write(100, w, p);
        EXPECT_EQ(written.frames, 3u);
        EXPECT_TRUE(written.complete);
        EXPECT_TRUE(written.fragmented);
        const auto pcap = f.read();
        ASSERT_EQ(pcap.records.size(), 3u);
        std::vector<uint8_t> datagram;
        uint64_t bytes = 0;
        for (size_t i = 0; i < 3; ++i) {
            const auto& d = pcap.records[i].data;
            EXPECT_LE(d.size(), 14u + 1500);
            EXPECT_EQ(pcap.records[i].time_us, 100 + i);
            const uint8_t* ip = d.data() + 14;
            size_t offset, header;
            bool more;
            if (v6) {
                EXPECT_EQ(ip[6], 44);
                const uint8_t* fh = ip + 40;
                EXPECT_EQ(fh[0], kUdp);
                offset = be16(fh + 2) & ~7u;
                more = be16(fh + 2) & 1;
                header = 48;
                bytes += 40 + be16(ip + 4);
            } else {
                EXPECT_EQ(internet_checksum(ip, 20), 0);
                EXPECT_EQ(be16(ip + 4), 77);
                offset = (be16(ip + 6) & 0x1fff) * 8u;
                more = be16(ip + 6) & 0x2000;
                header = 20;
                bytes += be16(ip + 2);
            }
            EXPECT_EQ(offset, datagram.size());
            EXPECT_EQ(more, i < 2);
            datagram.insert(datagram.end(), d.begin() + static_cast<long>(14 + header), d.end());
        }
        EXPECT_EQ(bytes, written.ip_bytes);
        ASSERT_EQ(datagram.size(), 8 + payload.size());
        EXPECT_EQ(be16(datagram.data() + 4), datagram.size());
        EXPECT_EQ(std::memcmp(datagram.data() + 8, payload.data(), payload.size()), 0);
    }
}

TEST(synth_frame_writer, FrameBudgetCutsAFragmentTrain) {
    Frames f;
    Addrs ad;
    std::vector<uint8_t> payload(4000, 1);
    Packet p;
    p.src = ad.a;
    p.dst = ad.b;
    p.proto = kUdp;
    p.payload = payload.data();
    p.payload_len = payload.size();
    Wrap w;
    w.fragment = true;
    const Written written = f.writer().write(1, w, p, 2);
    EXPECT_EQ(written.frames, 2u);
    EXPECT_FALSE(written.complete);
    EXPECT_EQ(f.read().records.size(), 2u);
}

TEST(synth_frame_writer, SnaplenKeepsTheWireLength) {
    Frames f(64);
    Addrs ad;
    std::vector<uint8_t> payload(1000, 0x5a);
    f.writer().write(1, Wrap{}, tcp_packet(ad, payload.data(), payload.size()));
    const auto pcap = f.read();
    EXPECT_EQ(pcap.snaplen, 64u);
    ASSERT_EQ(pcap.records.size(), 1u);
    EXPECT_EQ(pcap.records[0].data.size(), 64u);
    EXPECT_EQ(pcap.records[0].orig_len, 14u + 40 + 1000);
}

TEST(synth_frame_writer, LayerTwoFramesArePaddedToTheMinimum) {
    Frames f;
    const uint8_t payload[] = {0x30, 0x01, 0, 8, 0, 0, 0, 0};
    // A layer-2 flow counts the bytes after the Ethernet header and tag, padding included.
    EXPECT_EQ(f.writer().write_l2(5, 0x0030a7000011ull, 0x010ccd010001ull, 0, 4, 0x88b8, payload,
                                  sizeof payload),
              60u - 18);
    const auto pcap = f.read();
    ASSERT_EQ(pcap.records.size(), 1u);
    const auto& d = pcap.records[0].data;
    EXPECT_EQ(d.size(), 60u);
    EXPECT_EQ(be16(d.data() + 12), 0x8100);
    EXPECT_EQ(d[14] >> 5, 4);  // priority 4
    EXPECT_EQ(be16(d.data() + 16), 0x88b8);
}

TEST(synth_frame_writer, BuildIpForIcmpQuotes) {
    Addrs ad;
    const uint8_t payload[] = {1, 2, 3, 4};
    Packet p;
    p.src = ad.a;
    p.dst = ad.b;
    p.proto = kUdp;
    p.sport = 1234;
    p.dport = 33434;
    p.payload = payload;
    p.payload_len = sizeof payload;
    uint8_t out[64];
    const size_t n = FrameWriter::build_ip(out, p);
    EXPECT_EQ(n, 20u + 8 + 4);
    EXPECT_EQ(internet_checksum(out, 20), 0);
    EXPECT_EQ(be16(out + 22), 33434);
}

}  // namespace
}  // namespace fk::synth
