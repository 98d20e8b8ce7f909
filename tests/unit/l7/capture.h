// Test-side packet walking for the L7 tests: reads a capture with libpcap, peels link layers
// and tunnels down to the innermost TCP or UDP header, and reassembles each TCP direction
// into an in-order byte stream. Independent of the probe's own decoder (libcore/packet), so
// the parsers are checked against tshark's truth on their own.
#pragma once
#include <pcap/pcap.h>

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace fk::test {

struct Packet {
    uint64_t frame = 0;  // 1-based, as tshark numbers frames
    uint8_t proto = 0;   // 6 or 17
    std::string src, dst;
    uint16_t sport = 0, dport = 0;
    // Ports of the outermost UDP header (a VXLAN tunnel's), which tshark's truth tables
    // report (-E occurrence=f); equal to sport/dport without such a tunnel.
    uint16_t outer_sport = 0, outer_dport = 0;
    uint32_t seq = 0;
    uint8_t tcp_flags = 0;
    std::span<const uint8_t> payload;
};

namespace detail {

inline uint16_t be16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

inline std::string addr_text(const uint8_t* a, bool v6) {
    char buf[64];
    if (!v6) {
        snprintf(buf, sizeof buf, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return buf;
    }
    std::string s;
    for (int i = 0; i < 16; i += 2) {
        snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", be16(a + i));
        s += buf;
    }
    return s;
}

class Walker {
  public:
    explicit Walker(std::function<void(const Packet&)> fn) : fn_(std::move(fn)) {}

    void link(int dlt, const uint8_t* p, size_t n) {
        outer_udp_ = false;
        switch (dlt) {
            case DLT_EN10MB:
                return ether(p, n);
            case DLT_LINUX_SLL:
                if (n >= 16) ethertype(be16(p + 14), p + 16, n - 16);
                return;
            case DLT_NULL:
            case DLT_LOOP:
                if (n >= 4) return ip(p + 4, n - 4);
                return;
            case DLT_PPP:
                if (n >= 4 && p[0] == 0xff && p[1] == 0x03) return ppp(be16(p + 2), p + 4, n - 4);
                if (n >= 2) return ppp(be16(p), p + 2, n - 2);
                return;
            case DLT_RAW:
            case 101:
                return ip(p, n);
            default:
                return;
        }
    }
    uint64_t frame = 0;

  private:
    void ether(const uint8_t* p, size_t n) {
        if (n < 14) return;
        ethertype(be16(p + 12), p + 14, n - 14);
    }
    void ppp(uint16_t proto, const uint8_t* p, size_t n) {
        if (proto == 0x0021 || proto == 0x0057) ip(p, n);
    }
    void ethertype(uint16_t type, const uint8_t* p, size_t n) {
        while ((type == 0x8100 || type == 0x88a8) && n >= 4) {
            type = be16(p + 2);
            p += 4;
            n -= 4;
        }
        if (type == 0x8847) {  // MPLS: labels up to bottom of stack, then IP
            while (n >= 4 && !(p[2] & 1)) p += 4, n -= 4;
            if (n >= 4) ip(p + 4, n - 4);
            return;
        }
        if (type == 0x8864 && n >= 8) return ppp(be16(p + 6), p + 8, n - 8);
        if (type == 0x0800 || type == 0x86dd) ip(p, n);
    }
    void ip(const uint8_t* p, size_t n) {
        if (n < 1) return;
        if ((p[0] >> 4) == 4) {
            if (n < 20) return;
            size_t hl = (p[0] & 15) * 4;
            size_t total = be16(p + 2);
            if (hl < 20 || total < hl) return;
            if (total > n) total = n;
            if (be16(p + 6) & 0x1fff) return;  // later fragment: no transport header
            return transport(p[9], addr_text(p + 12, false), addr_text(p + 16, false), p + hl,
                             total - hl);
        }
        if ((p[0] >> 4) == 6 && n >= 40) {
            size_t total = std::min<size_t>(n, 40 + be16(p + 4));
            uint8_t next = p[6];
            size_t off = 40;
            while ((next == 0 || next == 43 || next == 60 || next == 44 || next == 51) &&
                   off + 8 <= total) {
                if (next == 44) {
                    if (be16(p + off + 2) & 0xfff8) return;
                    next = p[off];
                    off += 8;
                } else {
                    size_t len = next == 51 ? (p[off + 1] + 2) * 4 : (p[off + 1] + 1) * 8;
                    next = p[off];
                    off += len;
                }
            }
            if (off > total) return;
            return transport(next, addr_text(p + 8, true), addr_text(p + 24, true), p + off,
                             total - off);
        }
    }
    void transport(uint8_t proto, std::string src, std::string dst, const uint8_t* p, size_t n) {
        if (proto == 4 || proto == 41) return ip(p, n);
        if (proto == 47) return gre(p, n);
        Packet pk;
        pk.frame = frame;
        pk.proto = proto;
        pk.src = std::move(src);
        pk.dst = std::move(dst);
        if (proto == 6 && n >= 20) {
            size_t off = (p[12] >> 4) * 4;
            if (off < 20 || off > n) return;
            pk.sport = be16(p);
            pk.dport = be16(p + 2);
            pk.seq = be32(p + 4);
            pk.tcp_flags = p[13];
            pk.payload = {p + off, n - off};
        } else if (proto == 17 && n >= 8) {
            pk.sport = be16(p);
            pk.dport = be16(p + 2);
            size_t len = std::min<size_t>(n, std::max<size_t>(8, be16(p + 4)));
            pk.payload = {p + 8, len - 8};
            if (!outer_udp_) {
                outer_udp_ = true;
                outer_sport_ = pk.sport;
                outer_dport_ = pk.dport;
            }
            pk.outer_sport = outer_sport_;
            pk.outer_dport = outer_dport_;
            if (pk.dport == 4789 && len >= 16) return ether(p + 16, len - 16);  // VXLAN
            if (pk.dport == 2152 && len >= 16 && (p[8] & 0xe0) == 0x20) {       // GTP-U
                size_t off = 16 + ((p[8] & 0x07) ? 4 : 0);
                if (off < len) ip(p + off, len - off);
                return;
            }
        } else {
            return;
        }
        fn_(pk);
    }
    void gre(const uint8_t* p, size_t n) {
        if (n < 4) return;
        uint16_t flags = be16(p), proto = be16(p + 2);
        // Checksum, key, sequence number; version 1 (PPTP) adds an acknowledgment number.
        size_t off = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) +
                     ((flags & 0x1000) ? 4 : 0) + ((flags & 7) == 1 && (flags & 0x0080) ? 4 : 0);
        if (off > n) return;
        if (proto == 0x880b) {  // PPP, with or without address/control and a 1-byte protocol
            const uint8_t* q = p + off;
            size_t m = n - off;
            if (m >= 2 && q[0] == 0xff && q[1] == 0x03) q += 2, m -= 2;
            if (m >= 1 && (q[0] & 1)) return ppp(q[0], q + 1, m - 1);
            if (m >= 2) return ppp(be16(q), q + 2, m - 2);
            return;
        }
        if (proto == 0x88be) return ether(p + off + 8, n >= off + 8 ? n - off - 8 : 0);
        if (proto == 0x22eb) return ether(p + off + 12, n >= off + 12 ? n - off - 12 : 0);
        if (proto == 0x6558) return ether(p + off, n - off);
        ethertype(proto, p + off, n - off);
    }

    std::function<void(const Packet&)> fn_;
    bool outer_udp_ = false;
    uint16_t outer_sport_ = 0, outer_dport_ = 0;
};

}  // namespace detail

// Calls fn for every TCP or UDP packet of the capture; false when it cannot be opened.
inline bool for_each_packet(const std::string& path, std::function<void(const Packet&)> fn) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* pc = pcap_open_offline(path.c_str(), err);
    if (!pc) return false;
    int dlt = pcap_datalink(pc);
    detail::Walker w(std::move(fn));
    pcap_pkthdr* h;
    const u_char* data;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        ++w.frame;
        w.link(dlt, data, h->caplen);
    }
    pcap_close(pc);
    return true;
}

// One direction of a TCP connection, reassembled in sequence order. Segments before the
// stream's first byte (retransmissions) are dropped, overlapping ones trimmed, and
// out-of-order ones held until the gap fills, or skipped over once four segments wait
// behind it (a segment the capture missed).
struct TcpStream {
    bool started = false;
    uint32_t next = 0;
    std::vector<uint8_t> bytes;
    std::map<uint32_t, std::vector<uint8_t>> pending;
    // Stream offset at which each segment started (the start of the segment's new bytes).
    std::vector<size_t> segment_starts;

    // Returns the number of new in-order bytes.
    size_t add(const Packet& p) {
        if (p.tcp_flags & 0x02) {  // SYN
            started = true;
            next = p.seq + 1;
            return 0;
        }
        if (p.payload.empty()) return 0;
        if (!started) {
            started = true;
            next = p.seq;
        }
        size_t before = bytes.size();
        pending[p.seq] = std::vector<uint8_t>(p.payload.begin(), p.payload.end());
        if (pending.size() >= 4 && static_cast<int32_t>(pending.begin()->first - next) > 0) {
            next = pending.begin()->first;
        }
        for (auto it = pending.begin(); it != pending.end();) {
            int32_t ahead = static_cast<int32_t>(it->first - next);
            if (ahead > 0) break;
            size_t skip = static_cast<size_t>(-ahead);
            if (skip < it->second.size()) {
                segment_starts.push_back(bytes.size());
                bytes.insert(bytes.end(), it->second.begin() + skip, it->second.end());
                next += static_cast<uint32_t>(it->second.size() - skip);
            }
            it = pending.erase(it);
        }
        return bytes.size() - before;
    }
};

// Looks for messages in a reassembled stream the way a probe does: at the stream's first byte
// and at later segment starts that pass `candidate`; `parse` returns need_more to wait for
// more bytes at the same place, anything else to move on.
template <typename Candidate, typename Parse>
void scan_segments(TcpStream& s, size_t& next_segment, bool& waiting, size_t& at,
                   Candidate candidate, Parse parse) {
    for (;;) {
        if (!waiting) {
            while (next_segment < s.segment_starts.size() &&
                   !candidate(
                       std::span<const uint8_t>(s.bytes).subspan(s.segment_starts[next_segment]))) {
                ++next_segment;
            }
            if (next_segment == s.segment_starts.size()) return;
            at = s.segment_starts[next_segment++];
            waiting = true;
        }
        if (parse(std::span<const uint8_t>(s.bytes).subspan(at))) return;  // need more
        waiting = false;
    }
}

using FlowKey = std::tuple<std::string, std::string, uint16_t, uint16_t>;
inline FlowKey key_of(const Packet& p) {
    return {p.src, p.dst, p.sport, p.dport};
}

}  // namespace fk::test
