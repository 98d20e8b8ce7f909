#include <algorithm>

#include "synth/bytes.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

// Writes qname as DNS labels; returns the offsets (within the message) where each label
// starts, so that answers can point at a suffix. At most 127 labels.
size_t write_name(Cursor& c, std::string_view name, uint16_t* label_offsets) {
    size_t labels = 0;
    while (!name.empty()) {
        const size_t dot = name.find('.');
        const std::string_view label = name.substr(0, dot);
        label_offsets[labels++] = static_cast<uint16_t>(c.size());
        c.u8(static_cast<unsigned>(label.size())).str(label);
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    c.u8(0);
    return labels;
}

void write_header(Cursor& c, uint16_t id, uint16_t flags, unsigned an, unsigned ns, unsigned ar) {
    c.u16(id).u16(flags).u16(1).u16(an).u16(ns).u16(ar);
}

void write_opt(Cursor& c) {
    c.u8(0).u16(41).u16(1232).u32(0).u16(0);  // EDNS0, 1232-byte UDP payload (DNS flag day)
}

constexpr uint16_t kPointerToQname = 0xc00c;

}  // namespace

size_t dns_query(uint8_t* out, const DnsQuestion& q) {
    Cursor c(out);
    write_header(c, q.id, 0x0100, 0, 0, 1);  // RD
    uint16_t offsets[128];
    write_name(c, q.qname, offsets);
    c.u16(q.qtype).u16(1);
    write_opt(c);
    return c.size();
}

size_t dns_response(uint8_t* out, const DnsQuestion& q, uint8_t rcode, unsigned answers,
                    unsigned txt_len, Rng& rng) {
    Cursor c(out);
    if (rcode != kRcodeNoError) answers = 0;
    const bool soa = rcode == kRcodeNxDomain;
    write_header(c, q.id, static_cast<uint16_t>(0x8180 | rcode), answers, soa ? 1 : 0, 1);
    uint16_t offsets[128];
    const size_t labels = write_name(c, q.qname, offsets);
    c.u16(q.qtype).u16(1);
    for (unsigned i = 0; i < answers; ++i) {
        c.u16(kPointerToQname)
            .u16(q.qtype)
            .u16(1)
            .u32(static_cast<uint32_t>(rng.between(30, 3600)));
        const size_t rdlen = c.mark(2);
        switch (q.qtype) {
            case kDnsA: {
                // Addresses from 198.18.0.0/15 (RFC 2544 benchmarking), like the servers.
                c.u8(198).u8(static_cast<unsigned>(18 + rng.below(2)));
                c.u8(static_cast<unsigned>(rng.below(256)))
                    .u8(static_cast<unsigned>(1 + rng.below(254)));
                break;
            }
            case kDnsAaaa:
                c.u32(0x20010db8)
                    .u32(static_cast<uint32_t>(rng.next()))
                    .u32(0)
                    .u32(static_cast<uint32_t>(1 + rng.below(65535)));
                break;
            case kDnsTxt: {
                unsigned left = txt_len ? txt_len : 40;
                static constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
                while (left > 0) {
                    const unsigned n = left > 255 ? 255 : left;
                    c.u8(n);
                    for (unsigned k = 0; k < n; ++k)
                        c.u8(static_cast<uint8_t>(kBase32[rng.below(32)]));
                    left -= n;
                }
                break;
            }
            case kDnsMx:
                c.u16(10).u8(4).str("mail").u16(kPointerToQname);
                break;
            case kDnsHttps:
                c.u16(1).u8(0);                                   // priority 1, target "."
                c.u16(1).u16(6).u8(2).str("h2").u8(2).str("h3");  // alpn=h2,h3
                break;
            case kDnsNull: {  // opaque data, as tunnels use it
                uint8_t data[512];
                const size_t n = std::min<size_t>(txt_len ? txt_len : 40, sizeof data);
                rng.fill(data, n);
                c.bytes(data, n);
                break;
            }
            default:  // names: CNAME, PTR, NS and anything else
                c.u8(3).str("cdn").u16(kPointerToQname);
                break;
        }
        c.patch16(rdlen);
    }
    if (soa) {
        // The zone apex: the last two labels of the question.
        const uint16_t apex = labels >= 2 ? offsets[labels - 2] : offsets[0];
        const uint16_t apex_ptr = static_cast<uint16_t>(0xc000 | apex);
        c.u16(apex_ptr).u16(kDnsSoa).u16(1).u32(900);
        const size_t rdlen = c.mark(2);
        c.u8(3).str("ns1").u16(apex_ptr);
        c.u8(10).str("hostmaster").u16(apex_ptr);
        c.u32(static_cast<uint32_t>(2025030100 + rng.below(99)));
        c.u32(7200).u32(900).u32(1209600).u32(300);
        c.patch16(rdlen);
    }
    write_opt(c);
    return c.size();
}

}  // namespace fk::synth
