#include "wire/sflow.h"

#include "wire/bytes.h"
#include "wire/sflow_raw.h"

namespace fk::wire::sflow {

namespace {

// A bounds-checked cursor over XDR data (big-endian, 4-byte aligned).
struct Cursor {
    const uint8_t* p;
    const uint8_t* end;
    bool ok = true;
    size_t left() const { return static_cast<size_t>(end - p); }
    uint32_t u32() {
        if (left() < 4) {
            ok = false;
            p = end;
            return 0;
        }
        const uint32_t v = rd32(p);
        p += 4;
        return v;
    }
    const uint8_t* bytes(size_t n) {
        const size_t padded = (n + 3) & ~size_t{3};
        if (n > left() || padded > left() + 3) {
            ok = false;
            p = end;
            return nullptr;
        }
        const uint8_t* q = p;
        p += std::min(padded, left());
        return q;
    }
    IpAddr addr() {
        const uint32_t type = u32();
        if (type == 1) {
            const uint8_t* b = bytes(4);
            return b ? IpAddr::v4_bytes(b) : IpAddr{};
        }
        if (type == 2) {
            const uint8_t* b = bytes(16);
            return b ? IpAddr::v6(b) : IpAddr{};
        }
        if (type != 0) ok = false;
        return {};
    }
};

// Reads the flow records of one flow sample into r; true when r describes a packet, or at
// least its Ethernet frame (addresses and length).
bool read_records(Cursor& c, uint32_t nrecords, FlowRecord& r) {
    bool have = false;
    bool frame = false;
    for (uint32_t i = 0; i < nrecords && c.ok; ++i) {
        const uint32_t format = c.u32();
        const uint32_t len = c.u32();
        const uint8_t* body = c.bytes(len);
        if (!body) return false;
        Cursor rc{body, body + len};
        switch (format) {
            case 1: {  // raw packet header
                const uint32_t protocol = rc.u32();
                const uint32_t frame_length = rc.u32();
                rc.u32();  // stripped
                const uint32_t hlen = rc.u32();
                const uint8_t* h = rc.bytes(hlen);
                if (h && raw_header(protocol, h, hlen, frame_length, r)) have = true;
                break;
            }
            case 2: {  // ethernet frame data
                const uint32_t length = rc.u32();
                const uint8_t* src = rc.bytes(6);
                const uint8_t* dst = rc.bytes(6);
                const uint32_t type = rc.u32();
                if (rc.ok && !have) {
                    r.src_mac = rdn(src, 6);
                    r.dst_mac = rdn(dst, 6);
                    r.ether_type = static_cast<uint16_t>(type);
                    r.bytes = length;
                    frame = true;
                }
                break;
            }
            case 3:    // IPv4 data
            case 4: {  // IPv6 data
                const uint32_t length = rc.u32();
                const uint32_t proto = rc.u32();
                const uint8_t* s = rc.bytes(format == 3 ? 4 : 16);
                const uint8_t* d = rc.bytes(format == 3 ? 4 : 16);
                const uint32_t sport = rc.u32();
                const uint32_t dport = rc.u32();
                const uint32_t flags = rc.u32();
                const uint32_t tos = rc.u32();
                if (rc.ok && !have) {
                    r.src = format == 3 ? IpAddr::v4_bytes(s) : IpAddr::v6(s);
                    r.dst = format == 3 ? IpAddr::v4_bytes(d) : IpAddr::v6(d);
                    r.proto = static_cast<uint8_t>(proto);
                    r.sport = static_cast<uint16_t>(sport);
                    r.dport = static_cast<uint16_t>(dport);
                    r.flags = static_cast<uint8_t>(flags);
                    r.tos = static_cast<uint8_t>(tos);
                    r.bytes = length;
                    r.ether_type = 0;  // an IP flow, whatever a frame record said
                    have = true;
                }
                break;
            }
            case 1001: {  // extended switch
                const uint32_t src_vlan = rc.u32();
                rc.u32();
                if (rc.ok && r.vlan == 0) r.vlan = static_cast<uint16_t>(src_vlan);
                break;
            }
            case 1002: {  // extended router
                const IpAddr nh = rc.addr();
                const uint32_t smask = rc.u32();
                const uint32_t dmask = rc.u32();
                if (rc.ok) {
                    r.next_hop = nh;
                    r.src_mask = static_cast<uint8_t>(smask);
                    r.dst_mask = static_cast<uint8_t>(dmask);
                }
                break;
            }
            case 1003: {    // extended gateway
                rc.addr();  // BGP next hop
                const uint32_t as = rc.u32();
                const uint32_t src_as = rc.u32();
                rc.u32();  // source peer AS
                const uint32_t segments = rc.u32();
                uint32_t dst_as = 0;
                for (uint32_t k = 0; k < segments && rc.ok && k < 64; ++k) {
                    rc.u32();  // segment type
                    const uint32_t n = rc.u32();
                    for (uint32_t j = 0; j < n && rc.ok && j < 256; ++j) dst_as = rc.u32();
                }
                if (rc.ok) {
                    r.src_as = src_as;
                    r.dst_as = segments ? dst_as : as;
                }
                break;
            }
            default:
                break;
        }
    }
    return (have || frame) && c.ok;
}

}  // namespace

bool parse_header(const uint8_t* d, size_t len, Datagram& out) {
    Cursor c{d, d + len};
    if (c.u32() != 5) return false;
    out.agent = c.addr();
    out.sub_agent = c.u32();
    out.sequence = c.u32();
    out.uptime_ms = c.u32();
    out.samples = c.u32();
    out.samples_offset = static_cast<size_t>(c.p - d);
    return c.ok;
}

bool decode_samples(const uint8_t* d, size_t len, const Datagram& dg, uint64_t now, FlowBlock& out,
                    Counts& counts) {
    Cursor c{d + dg.samples_offset, d + len};
    for (uint32_t i = 0; i < dg.samples && c.ok; ++i) {
        const uint32_t format = c.u32();
        const uint32_t slen = c.u32();
        const uint8_t* body = c.bytes(slen);
        if (!body) return false;
        Cursor s{body, body + slen};
        if (format == 2 || format == 4) {
            ++counts.counter_samples;
            continue;
        }
        if (format != 1 && format != 3) continue;  // other enterprises' samples
        ++counts.flow_samples;
        FlowRecord r;
        s.u32();  // sample sequence number
        if (format == 3) {
            s.u32();  // source id type
            s.u32();  // source id index
        } else {
            s.u32();  // source id
        }
        const uint32_t rate = s.u32();
        s.u32();  // sample pool
        s.u32();  // drops
        uint32_t in_if, out_if;
        if (format == 3) {
            s.u32();
            in_if = s.u32();
            s.u32();
            out_if = s.u32();
        } else {
            // Compact form: the top two bits say how to read the rest.
            in_if = s.u32() & 0x3fffffff;
            out_if = s.u32() & 0x3fffffff;
        }
        const uint32_t nrecords = s.u32();
        if (!s.ok) return false;
        if (!read_records(s, nrecords, r)) {
            ++counts.undecodable;
            if (!s.ok) return false;
            continue;
        }
        r.in_if = in_if;
        r.out_if = out_if;
        r.start = r.end = now;
        r.packets = 1;
        r.sampling = rate;
        if (rate > 1) {
            r.packets = rate;
            r.bytes *= rate;
        }
        if (rate) counts.last_rate = rate;
        out.append(r);
    }
    return c.ok;
}

}  // namespace fk::wire::sflow
