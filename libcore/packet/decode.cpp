#include "packet/decode.h"

#include <cstring>

#include "packet/capture_file.h"
#include "record/names.h"

namespace fk {

namespace {

inline uint16_t be16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}
inline uint64_t mac48(const uint8_t* p) {
    return uint64_t{be16(p)} << 32 | be32(p + 2);
}
inline void set_macs(const uint8_t* eth, PacketView& out) {
    out.dst_mac = mac48(eth);
    out.src_mac = mac48(eth + 6);
}

constexpr int kMaxDepth = 4;  // nested encapsulations followed before giving up

enum : uint16_t {
    kEthIpv4 = 0x0800,
    kEthIpv6 = 0x86dd,
    kEthVlan = 0x8100,
    kEthQinQ = 0x88a8,
    kEthQinQOld = 0x9100,
    kEthMpls = 0x8847,
    kEthMplsMc = 0x8848,
    kEthPppoe = 0x8864,
    kEthGoose = 0x88b8,
    kEthGse = 0x88b9,
    kEthSv = 0x88ba,
    kEthProfinet = 0x8892,
    kEthTeb = 0x6558,  // transparent Ethernet bridging (GRE, Geneve)
    kEthErspan2 = 0x88be,
    kEthErspan3 = 0x22eb,
};

// One decoding pass; `end` bounds the captured bytes, `wire_end` the frame on the wire.
// The common path (Ethernet, VLAN, IP, TCP or UDP) is inlined into one function; the rare
// branches (tunnels, MPLS, GRE) are calls, which also breaks the recursion of tunnels.
struct Decoder {
    const DecodeOptions& opts;
    PacketView& out;
    const uint8_t* wire_end;
    const uint8_t* eth = nullptr;  // the innermost Ethernet header: its MACs are read at the end
    int depth = 0;

    uint32_t wire_left(const uint8_t* p) const {
        return p < wire_end ? static_cast<uint32_t>(wire_end - p) : 0;
    }

    [[gnu::always_inline]] Decoded ethernet(const uint8_t* p, uint32_t len) {
        if (len < 14) return Decoded::kMalformed;
        eth = p;
        return ethertype(be16(p + 12), p + 14, len - 14);
    }

    [[gnu::always_inline]] Decoded ethertype(uint16_t type, const uint8_t* p, uint32_t len) {
        for (int tags = 0; tags < 8; ++tags) {
            switch (type) {
                case kEthIpv4:
                    return ipv4(p, len);
                case kEthIpv6:
                    return ipv6(p, len);
                case kEthVlan:
                case kEthQinQ:
                case kEthQinQOld:
                    if (len < 4) return Decoded::kMalformed;
                    // The outermost tag is the VLAN of the capture point.
                    if (out.vlan == 0) out.vlan = be16(p) & 0x0fff;
                    type = be16(p + 2);
                    p += 4;
                    len -= 4;
                    continue;
                case kEthMpls:
                case kEthMplsMc:
                    return mpls(p, len);
                case kEthPppoe:
                    if (len < 8) return Decoded::kMalformed;
                    return ppp_proto(be16(p + 6), p + 8, len - 8);
                case kEthGoose:
                case kEthGse:
                case kEthSv:
                case kEthProfinet:
                    out.ether_type = type;
                    out.bytes = wire_left(p);
                    return Decoded::kLayer2;
                default:
                    return Decoded::kNotIp;
            }
        }
        return Decoded::kMalformed;
    }

    [[gnu::noinline]] Decoded mpls(const uint8_t* p, uint32_t len) {
        for (int labels = 0; labels < 16; ++labels) {
            if (len < 4) return Decoded::kMalformed;
            const bool bottom = p[2] & 1;
            p += 4;
            len -= 4;
            if (!bottom) continue;
            if (len < 1) return Decoded::kMalformed;
            switch (p[0] >> 4) {
                case 4:
                    return ipv4(p, len);
                case 6:
                    return ipv6(p, len);
                case 0:  // pseudowire control word, then an Ethernet frame
                    if (len < 4 || depth >= kMaxDepth) return Decoded::kNotIp;
                    ++depth;
                    return ethernet(p + 4, len - 4);
                default:
                    return Decoded::kNotIp;
            }
        }
        return Decoded::kMalformed;
    }

    Decoded ppp_proto(uint16_t proto, const uint8_t* p, uint32_t len) {
        if (proto == 0x0021) return ipv4(p, len);
        if (proto == 0x0057) return ipv6(p, len);
        return Decoded::kNotIp;
    }

    Decoded ppp(const uint8_t* p, uint32_t len) {
        if (len >= 2 && p[0] == 0xff && p[1] == 0x03) {
            p += 2;
            len -= 2;
        }
        if (len < 1) return Decoded::kMalformed;
        // Protocol-field compression: an odd first byte is a one-byte protocol.
        if (p[0] & 1) return ppp_proto(p[0], p + 1, len - 1);
        if (len < 2) return Decoded::kMalformed;
        return ppp_proto(be16(p), p + 2, len - 2);
    }

    Decoded raw_ip(const uint8_t* p, uint32_t len) {
        if (len < 1) return Decoded::kMalformed;
        switch (p[0] >> 4) {
            case 4:
                return ipv4(p, len);
            case 6:
                return ipv6(p, len);
            default:
                return Decoded::kNotIp;
        }
    }

    [[gnu::always_inline]] Decoded ipv4(const uint8_t* p, uint32_t len) {
        if (len < 20 || (p[0] >> 4) != 4) return Decoded::kMalformed;
        const uint32_t hl = (p[0] & 0x0f) * 4u;
        if (hl < 20 || len < hl) return Decoded::kMalformed;
        uint32_t total = be16(p + 2);
        if (total == 0) total = wire_left(p);  // segmentation offload: no length
        if (total < hl) return Decoded::kMalformed;
        out.src = IpAddr::v4(be32(p + 12));
        out.dst = IpAddr::v4(be32(p + 16));
        out.tos = p[1];
        out.proto = p[9];
        out.bytes = total;
        out.sport = out.dport = 0;
        out.frag = kNotFragment;
        const uint16_t ff = be16(p + 6);
        if (ff & 0x3fff) {
            out.frag_id = be16(p + 4);
            out.frag_next = out.proto;
            if (ff & 0x1fff) {
                out.frag = ff & 0x2000 ? kLaterFragment : kLastFragment;
                return Decoded::kIp;
            }
            out.frag = kFirstFragment;
        }
        const uint32_t cap = (len < total ? len : total) - hl;
        return transport(p + hl, cap, total - hl);
    }

    [[gnu::always_inline]] Decoded ipv6(const uint8_t* p, uint32_t len) {
        if (len < 40 || (p[0] >> 4) != 6) return Decoded::kMalformed;
        const uint32_t plen = be16(p + 4);
        uint32_t total = plen ? 40 + plen : wire_left(p);  // 0: jumbogram or offload
        if (total < 40) total = 40;
        out.src = IpAddr::v6(p + 8);
        out.dst = IpAddr::v6(p + 24);
        out.tos = static_cast<uint8_t>((p[0] & 0x0f) << 4 | p[1] >> 4);
        out.bytes = total;
        out.sport = out.dport = 0;
        out.frag = kNotFragment;
        uint8_t nh = p[6];
        uint32_t cap = (len < total ? len : total) - 40;
        uint32_t wire = total - 40;
        const uint8_t* q = p + 40;
        for (int n = 0; n < 16; ++n) {
            uint32_t hlen;
            switch (nh) {
                case 0:    // hop-by-hop
                case 43:   // routing
                case 60:   // destination options
                case 135:  // mobility
                case 139:  // HIP
                case 140:  // shim6
                    if (cap < 2) {
                        out.proto = nh;
                        return Decoded::kIp;
                    }
                    hlen = (q[1] + 1u) * 8u;
                    break;
                case 51:  // authentication header
                    if (cap < 2) {
                        out.proto = nh;
                        return Decoded::kIp;
                    }
                    hlen = (q[1] + 2u) * 4u;
                    break;
                case 44: {  // fragment
                    if (cap < 8) {
                        out.proto = nh;
                        return Decoded::kIp;
                    }
                    const uint16_t off = be16(q + 2);
                    out.frag_id = be32(q + 4);
                    out.frag_next = q[0];
                    if (off & 0xfff8) {
                        out.frag = off & 1 ? kLaterFragment : kLastFragment;
                        out.proto = q[0];
                        return Decoded::kIp;
                    }
                    if (off & 1) out.frag = kFirstFragment;
                    hlen = 8;
                    break;
                }
                default:
                    out.proto = nh;
                    return transport(q, cap, wire);
            }
            if (hlen > cap || hlen > wire) {
                out.proto = nh;
                return Decoded::kIp;
            }
            nh = q[0];
            q += hlen;
            cap -= hlen;
            wire -= hlen;
        }
        out.proto = nh;
        return Decoded::kIp;
    }

    // Follows an encapsulation: on success the inner packet is the flow and the outermost
    // tunnel is noted; when the inner packet does not decode, the outer one stays the flow.
    template <class Inner>
    [[gnu::noinline]] Decoded tunnel(uint8_t kind, Inner&& inner) {
        if (!opts.decap || depth >= kMaxDepth || out.frag != kNotFragment) return Decoded::kIp;
        const PacketView outer = out;
        const uint8_t* outer_eth = eth;
        if (out.tunnel == 0) {
            out.tunnel = kind;
            out.tun_src = out.src;
            out.tun_dst = out.dst;
        }
        ++depth;
        const Decoded d = inner();
        --depth;
        if (d == Decoded::kIp || d == Decoded::kLayer2) return d;
        out = outer;
        eth = outer_eth;
        return Decoded::kIp;
    }

    [[gnu::always_inline]] Decoded transport(const uint8_t* p, uint32_t cap, uint32_t wire) {
        switch (out.proto) {
            case 6: {  // TCP
                if (cap < 4) return Decoded::kIp;
                out.sport = be16(p);
                out.dport = be16(p + 2);
                if (cap < 14) return Decoded::kIp;
                out.seq = be32(p + 4);
                out.ack = be32(p + 8);
                out.tcp_flags = p[13];
                const uint32_t off = (p[12] >> 4) * 4u;
                if (off < 20 || off > cap) return Decoded::kIp;
                out.payload = p + off;
                out.payload_cap = cap - off;
                out.payload_len = wire > off ? wire - off : 0;
                return Decoded::kIp;
            }
            case 17:     // UDP
            case 136: {  // UDP-Lite
                if (cap < 4) return Decoded::kIp;
                out.sport = be16(p);
                out.dport = be16(p + 2);
                if (cap < 8) return Decoded::kIp;
                out.payload = p + 8;
                out.payload_cap = cap - 8;
                out.payload_len = wire > 8 ? wire - 8 : 0;
                if (out.proto != 17) return Decoded::kIp;
                if (out.dport == 4789 && out.payload_cap >= 8 && (out.payload[0] & 0x08)) {
                    const uint8_t* in = out.payload + 8;
                    const uint32_t n = out.payload_cap - 8;
                    return tunnel(static_cast<uint8_t>(Tunnel::vxlan),
                                  [&] { return ethernet(in, n); });
                }
                if (out.dport == 6081 && out.payload_cap >= 8 && (out.payload[0] >> 6) == 0) {
                    const uint32_t h = 8 + (out.payload[0] & 0x3f) * 4u;
                    if (h > out.payload_cap) return Decoded::kIp;
                    const uint16_t type = be16(out.payload + 2);
                    const uint8_t* in = out.payload + h;
                    const uint32_t n = out.payload_cap - h;
                    return tunnel(static_cast<uint8_t>(Tunnel::geneve), [&] {
                        return type == kEthTeb ? ethernet(in, n) : ethertype(type, in, n);
                    });
                }
                return Decoded::kIp;
            }
            case 132:  // SCTP
                if (cap >= 4) {
                    out.sport = be16(p);
                    out.dport = be16(p + 2);
                }
                return Decoded::kIp;
            case 1:   // ICMP
            case 58:  // ICMPv6
                if (cap >= 2) out.dport = static_cast<uint16_t>(p[0] << 8 | p[1]);
                return Decoded::kIp;
            case 4:  // IPv4 in IP
                return tunnel(static_cast<uint8_t>(Tunnel::ipip), [&] { return ipv4(p, cap); });
            case 41:  // IPv6 in IP
                return tunnel(static_cast<uint8_t>(Tunnel::ip6in4), [&] { return ipv6(p, cap); });
            case 47:
                return gre(p, cap);
            default:
                return Decoded::kIp;
        }
    }

    [[gnu::noinline]] Decoded gre(const uint8_t* p, uint32_t cap) {
        if (cap < 4) return Decoded::kIp;
        const uint16_t flags = be16(p);
        const uint16_t type = be16(p + 2);
        if ((flags & 0x7) == 1) {
            // Enhanced GRE (PPTP, RFC 2637): key always, optional sequence and ack, then PPP.
            if (type != 0x880b) return Decoded::kIp;
            const uint32_t h = 8 + ((flags & 0x1000) ? 4 : 0) + ((flags & 0x0080) ? 4 : 0);
            if (h > cap) return Decoded::kIp;
            return tunnel(static_cast<uint8_t>(Tunnel::gre), [&] { return ppp(p + h, cap - h); });
        }
        // Version 0 only, and no source routing (its length is variable).
        if ((flags & 0x7) != 0 || (flags & 0x4000)) return Decoded::kIp;
        uint32_t h = 4;
        if (flags & 0x8000) h += 4;  // checksum
        if (flags & 0x2000) h += 4;  // key
        const bool seq = flags & 0x1000;
        if (seq) h += 4;
        if (h > cap) return Decoded::kIp;
        const uint8_t* in = p + h;
        uint32_t n = cap - h;
        switch (type) {
            case kEthTeb:
                return tunnel(static_cast<uint8_t>(Tunnel::gre), [&] { return ethernet(in, n); });
            case kEthErspan2:
                // ERSPAN type I has no header and no sequence number; type II has 8 bytes.
                if (seq) {
                    if (n < 8) return Decoded::kIp;
                    in += 8;
                    n -= 8;
                }
                return tunnel(static_cast<uint8_t>(Tunnel::gre), [&] { return ethernet(in, n); });
            case kEthErspan3: {
                if (n < 12) return Decoded::kIp;
                const uint32_t eh = (in[11] & 1) ? 20 : 12;  // optional platform subheader
                if (n < eh) return Decoded::kIp;
                return tunnel(static_cast<uint8_t>(Tunnel::gre),
                              [&] { return ethernet(in + eh, n - eh); });
            }
            default:
                return tunnel(static_cast<uint8_t>(Tunnel::gre),
                              [&] { return ethertype(type, in, n); });
        }
    }
};

}  // namespace

namespace {

[[gnu::always_inline]] inline Decoded decode_link(Decoder& d, const uint8_t* data, uint32_t caplen,
                                                  uint32_t link) {
    PacketView& out = d.out;
    switch (link) {
        case kLinkEthernet:
            return d.ethernet(data, caplen);
        case kLinkLinuxSll: {
            if (caplen < 16) return Decoded::kMalformed;
            if (be16(data + 4) == 6) out.src_mac = mac48(data + 6);
            return d.ethertype(be16(data + 14), data + 16, caplen - 16);
        }
        case kLinkLinuxSll2: {
            if (caplen < 20) return Decoded::kMalformed;
            if (data[11] == 6) out.src_mac = mac48(data + 12);
            return d.ethertype(be16(data), data + 20, caplen - 20);
        }
        case kLinkNull:
        case kLinkLoop: {
            if (caplen < 4) return Decoded::kMalformed;
            uint32_t family;
            std::memcpy(&family, data, 4);
            // DLT_NULL is in the writer's byte order: a family number fits in 16 bits.
            if (link == kLinkLoop || family > 0xffff) family = __builtin_bswap32(family);
            switch (family) {
                case 2:
                    return d.ipv4(data + 4, caplen - 4);
                case 10:  // Linux
                case 24:  // NetBSD, OpenBSD
                case 28:  // FreeBSD
                case 30:  // macOS
                    return d.ipv6(data + 4, caplen - 4);
                default:
                    return Decoded::kNotIp;
            }
        }
        case kLinkPpp:
            return d.ppp(data, caplen);
        case kLinkIpv4:
            return d.ipv4(data, caplen);
        case kLinkIpv6:
            return d.ipv6(data, caplen);
        default:  // raw IP (101, 12, 14)
            return d.raw_ip(data, caplen);
    }
}

}  // namespace

Decoded decode_packet(const uint8_t* data, uint32_t caplen, uint32_t wirelen, uint32_t link,
                      const DecodeOptions& opts, PacketView& out) {
    out = PacketView{};
    Decoder d{opts, out, data + (wirelen > caplen ? wirelen : caplen)};
    const Decoded r = decode_link(d, data, caplen, link);
    if (d.eth && (r == Decoded::kLayer2 || (r == Decoded::kIp && opts.ip_macs)))
        set_macs(d.eth, out);
    return r;
}

}  // namespace fk
