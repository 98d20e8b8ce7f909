#include "synth/frame.h"

#include <cstring>

#include "synth/bytes.h"
#include "synth/checksum.h"

namespace fk::synth {

namespace {

constexpr uint16_t kEtherIPv4 = 0x0800, kEtherIPv6 = 0x86dd, kEtherVlan = 0x8100,
                   kEtherQinQ = 0x88a8, kEtherMpls = 0x8847;
constexpr uint16_t kVxlanPort = 4789;
constexpr size_t kExt6Len = 16;  // hop-by-hop + destination options, 8 bytes each
constexpr uint8_t kHopByHop = 0, kDestOpts = 60, kFragment6 = 44;

void put_mac(uint8_t* p, uint64_t mac) {
    for (int i = 0; i < 6; ++i) p[i] = static_cast<uint8_t>(mac >> (40 - 8 * i));
}

size_t l4_header_len(const Packet& pkt) {
    switch (pkt.proto) {
        case kTcp:
            return 20 + pkt.tcp_options_len;
        case kUdp:
        case kIcmp:
        case kIcmp6:
            return 8;
        default:
            return 0;
    }
}

// Writes the transport header and payload at out and fills in its checksum.
size_t write_l4(uint8_t* out, const Packet& pkt) {
    const size_t hlen = l4_header_len(pkt);
    const size_t len = hlen + pkt.payload_len;
    if (pkt.payload_len) std::memcpy(out + hlen, pkt.payload, pkt.payload_len);
    size_t csum_at = 0;
    switch (pkt.proto) {
        case kTcp:
            put16(out, pkt.sport);
            put16(out + 2, pkt.dport);
            put32(out + 4, pkt.seq);
            put32(out + 8, pkt.ack);
            out[12] = static_cast<uint8_t>((hlen / 4) << 4);
            out[13] = pkt.flags;
            put16(out + 14, pkt.window);
            put16(out + 16, 0);
            put16(out + 18, 0);
            if (pkt.tcp_options_len) std::memcpy(out + 20, pkt.tcp_options, pkt.tcp_options_len);
            csum_at = 16;
            break;
        case kUdp:
            put16(out, pkt.sport);
            put16(out + 2, pkt.dport);
            put16(out + 4, static_cast<uint16_t>(len));
            put16(out + 6, 0);
            csum_at = 6;
            break;
        default:  // ICMP, ICMPv6
            out[0] = pkt.icmp_type;
            out[1] = pkt.icmp_code;
            put16(out + 2, 0);
            put32(out + 4, pkt.icmp_rest);
            csum_at = 2;
            break;
    }
    uint64_t sum =
        pkt.payload_sum_known ? header_sum(out, hlen) + pkt.payload_sum : ones_sum(out, len);
    if (pkt.proto != kIcmp) {  // pseudo-header
        if (pkt.v6) {
            sum += header_sum(pkt.src, 16) + header_sum(pkt.dst, 16);
        } else {
            sum += header_sum(pkt.src + 12, 4) + header_sum(pkt.dst + 12, 4);
        }
        sum += len + pkt.proto;
    }
    uint16_t c = fold_checksum(sum);
    if (c == 0 && pkt.proto == kUdp) c = 0xffff;
    put16(out + csum_at, c);
    return len;
}

struct Ipv4Fields {
    uint8_t tos, ttl, proto;
    uint16_t id;
    const uint8_t* src;  // 4 bytes
    const uint8_t* dst;
};

void write_ipv4_header(uint8_t* p, const Ipv4Fields& f, size_t total_len, uint16_t frag_field) {
    p[0] = 0x45;
    p[1] = f.tos;
    put16(p + 2, static_cast<uint16_t>(total_len));
    put16(p + 4, f.id);
    put16(p + 6, frag_field);
    p[8] = f.ttl;
    p[9] = f.proto;
    put16(p + 10, 0);
    std::memcpy(p + 12, f.src, 4);
    std::memcpy(p + 16, f.dst, 4);
    put16(p + 10, fold_checksum(header_sum(p, 20)));
}

void write_ipv4_header(uint8_t* p, const Packet& pkt, size_t total_len, uint16_t frag_field) {
    write_ipv4_header(p, {pkt.tos, pkt.ttl, pkt.proto, pkt.ip_id, pkt.src + 12, pkt.dst + 12},
                      total_len, frag_field);
}

// Fixed IPv6 header plus, when ext6, hop-by-hop and destination options (PadN only).
// Returns the header length; next_after is the protocol that follows the headers.
size_t write_ipv6_headers(uint8_t* p, const Packet& pkt, bool ext6, size_t payload_len,
                          uint8_t next_after) {
    put32(p, 0x60000000u | (uint32_t{pkt.tos} << 20) | (pkt.flow_label & 0xfffff));
    put16(p + 4, static_cast<uint16_t>(payload_len));
    p[6] = ext6 ? kHopByHop : next_after;
    p[7] = pkt.ttl;
    std::memcpy(p + 8, pkt.src, 16);
    std::memcpy(p + 24, pkt.dst, 16);
    if (!ext6) return 40;
    const uint8_t hbh[8] = {kDestOpts, 0, 1, 4, 0, 0, 0, 0};
    const uint8_t dst[8] = {next_after, 0, 1, 4, 0, 0, 0, 0};
    std::memcpy(p + 40, hbh, 8);
    std::memcpy(p + 48, dst, 8);
    return 40 + kExt6Len;
}

}  // namespace

FrameWriter::FrameWriter(PcapWriter& pcap, unsigned mtu)
    : pcap_(pcap), mtu_(mtu), scratch_(65536 + 64) {}

size_t FrameWriter::build_ip(uint8_t* out, const Packet& pkt) {
    const size_t ip_hlen = pkt.v6 ? 40 : 20;
    const size_t l4 = write_l4(out + ip_hlen, pkt);
    if (pkt.v6) {
        write_ipv6_headers(out, pkt, false, l4, pkt.proto);
    } else {
        write_ipv4_header(out, pkt, 20 + l4, pkt.dont_fragment ? 0x4000 : 0);
    }
    return ip_hlen + l4;
}

size_t FrameWriter::link_header(uint8_t* out, const Wrap& wrap, const Packet& pkt, size_t ip_len) {
    const uint16_t ip_type = pkt.v6 ? kEtherIPv6 : kEtherIPv4;
    put_mac(out, pkt.dst_mac);
    put_mac(out + 6, pkt.src_mac);
    size_t off = 12;
    switch (wrap.kind) {
        case WrapKind::vlan:
            put16(out + off, kEtherVlan);
            put16(out + off + 2, wrap.vlan);
            off += 4;
            break;
        case WrapKind::qinq:
            put16(out + off, kEtherQinQ);
            put16(out + off + 2, wrap.vlan);
            put16(out + off + 4, kEtherVlan);
            put16(out + off + 6, wrap.inner_vlan);
            off += 8;
            break;
        default:
            break;
    }
    if (wrap.kind == WrapKind::mpls) {
        put16(out + off, kEtherMpls);
        put32(out + off + 2, (wrap.label << 12) | 0x100 | 64);  // bottom of stack, TTL 64
        return off + 6;
    }
    if (wrap.kind != WrapKind::gre && wrap.kind != WrapKind::vxlan) {
        put16(out + off, ip_type);
        return off + 2;
    }
    // Tunnels: an outer IPv4 header between the link layer and the packet.
    put16(out + off, kEtherIPv4);
    off += 2;
    uint8_t* outer = out + off;
    const bool gre = wrap.kind == WrapKind::gre;
    const size_t tunnel_len = gre ? 4 : 8 + 8 + 14;
    const Ipv4Fields o{0,
                       62,
                       gre ? uint8_t{47} : kUdp,
                       static_cast<uint16_t>(pkt.ip_id ^ 0x5a5a),
                       pkt.answer ? wrap.tunnel_dst : wrap.tunnel_src,
                       pkt.answer ? wrap.tunnel_src : wrap.tunnel_dst};
    write_ipv4_header(outer, o, 20 + tunnel_len + ip_len, 0x4000);
    uint8_t* t = outer + 20;
    if (gre) {
        put16(t, 0);
        put16(t + 2, ip_type);
    } else {
        // Source port from the inner flow, as VTEPs do for ECMP; outer UDP checksum zero.
        put16(t, static_cast<uint16_t>(49152 | ((pkt.sport ^ pkt.dport) & 0x3fff)));
        put16(t + 2, kVxlanPort);
        put16(t + 4, static_cast<uint16_t>(8 + 8 + 14 + ip_len));
        put16(t + 6, 0);
        put32(t + 8, 0x08000000);
        put32(t + 12, wrap.label << 8);
        put_mac(t + 16, pkt.dst_mac ^ 0x020000000000ull);
        put_mac(t + 22, pkt.src_mac ^ 0x020000000000ull);
        put16(t + 28, ip_type);
    }
    return off + 20 + tunnel_len;
}

Written FrameWriter::write(uint64_t time_us, const Wrap& wrap, const Packet& pkt,
                           uint64_t frame_budget) {
    Written w;
    if (frame_budget == 0) return w;
    const size_t l4_len = l4_header_len(pkt) + pkt.payload_len;
    const size_t v6_hlen = 40 + (wrap.ext6 ? kExt6Len : 0);
    const size_t ip_hlen = pkt.v6 ? v6_hlen : 20;
    // The link header's length does not depend on the IP length; measure it once.
    uint8_t* frame = pcap_.frame();
    const bool fragment = wrap.fragment && ip_hlen + l4_len > mtu_;
    if (!fragment) {
        const size_t ip_len = ip_hlen + l4_len;
        const size_t l2 = link_header(frame, wrap, pkt, ip_len);
        uint8_t* ip = frame + l2;
        write_l4(ip + ip_hlen, pkt);
        if (pkt.v6) {
            write_ipv6_headers(ip, pkt, wrap.ext6, ip_len - 40, pkt.proto);
        } else {
            write_ipv4_header(ip, pkt, ip_len, pkt.dont_fragment ? 0x4000 : 0);
        }
        pcap_.commit(time_us, l2 + ip_len);
        w.frames = 1;
        w.ip_bytes = ip_len;
        w.last_time = time_us;
        w.complete = true;
        return w;
    }
    // Fragmentation: the transport header and checksum cover the whole datagram.
    write_l4(scratch_.data(), pkt);
    const size_t frag_hlen = pkt.v6 ? ip_hlen + 8 : ip_hlen;
    const size_t chunk = (mtu_ - frag_hlen) & ~size_t{7};
    uint64_t t = time_us;
    for (size_t off = 0; off < l4_len && w.frames < frame_budget; off += chunk, ++t) {
        const size_t n = off + chunk < l4_len ? chunk : l4_len - off;
        const bool more = off + n < l4_len;
        const size_t ip_len = frag_hlen + n;
        frame = pcap_.frame();
        const size_t l2 = link_header(frame, wrap, pkt, ip_len);
        uint8_t* ip = frame + l2;
        if (pkt.v6) {
            const size_t h = write_ipv6_headers(ip, pkt, wrap.ext6, ip_len - 40, kFragment6);
            uint8_t* fh = ip + h;
            fh[0] = pkt.proto;
            fh[1] = 0;
            put16(fh + 2, static_cast<uint16_t>(off | (more ? 1 : 0)));
            put32(fh + 4, pkt.flow_label ^ (uint32_t{pkt.ip_id} << 12));
        } else {
            write_ipv4_header(ip, pkt, ip_len,
                              static_cast<uint16_t>((off / 8) | (more ? 0x2000 : 0)));
        }
        std::memcpy(ip + frag_hlen, scratch_.data() + off, n);
        pcap_.commit(t, l2 + ip_len);
        ++w.frames;
        w.ip_bytes += ip_len;
        w.last_time = t;
    }
    w.complete = w.ip_bytes == l4_len + frag_hlen * w.frames;
    w.fragmented = true;
    return w;
}

size_t FrameWriter::write_l2(uint64_t time_us, uint64_t src_mac, uint64_t dst_mac, uint16_t vlan,
                             uint8_t priority, uint16_t ether_type, const uint8_t* payload,
                             size_t len) {
    uint8_t* frame = pcap_.frame();
    put_mac(frame, dst_mac);
    put_mac(frame + 6, src_mac);
    size_t off = 12;
    if (vlan || priority) {
        put16(frame + off, kEtherVlan);
        put16(frame + off + 2, static_cast<uint16_t>((priority << 13) | vlan));
        off += 4;
    }
    put16(frame + off, ether_type);
    off += 2;
    const size_t header = off;
    std::memcpy(frame + off, payload, len);
    off += len;
    // Ethernet minimum frame (without FCS) is 60 bytes.
    if (off < 60) {
        std::memset(frame + off, 0, 60 - off);
        off = 60;
    }
    pcap_.commit(time_us, off);
    return off - header;
}

}  // namespace fk::synth
