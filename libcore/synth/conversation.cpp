#include "synth/conversation.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "synth/bytes.h"
#include "synth/checksum.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

struct KindInfo {
    std::string_view name;
    std::string_view help;
};
constexpr KindInfo kKinds[] = {
#define FK_SYNTH_KIND_INFO(id, name, help) {name, help},
    FK_SYNTH_KINDS(FK_SYNTH_KIND_INFO)
#undef FK_SYNTH_KIND_INFO
};

enum Phase : uint8_t {
    kSendSyn,
    kSendSynAck,
    kSendAck,
    kTransfer,
    kFinalAck,
    kClose1,
    kClose2,
    kClose3,
    kDatagram,  // UDP, ICMP, layer 2: one message per direction per exchange
    kDone,
};

constexpr uint64_t kNever = ~0ull;
constexpr uint64_t kLongestTransfer = 80'000'000;
constexpr uint64_t kShortestTransfer = 3'000'000;
constexpr uint32_t kTlsSpan = 5 + kTlsRecordMax;
constexpr uint16_t kWindowSyn[2] = {64240, 65160};
constexpr uint16_t kWindow[2] = {1026, 501};  // scaled windows, as Windows and Linux send them

// Opaque bytes standing in for encrypted or compressed content, with prefix sums of their
// checksum contribution at even and at odd packet offsets: the checksum of any slice of
// filler is then two subtractions instead of a pass over the bytes.
// The block is small enough for its sums to stay in the L2 cache.
struct Filler {
    static constexpr size_t kPeriod = 16384;
    static constexpr size_t kSize = kPeriod + 2048;  // room for a slice of one segment
    std::array<uint8_t, kSize> bytes{};
    std::array<uint32_t, kSize + 1> even{};  // byte j weighted 256 when j is even, else 1
    std::array<uint32_t, kSize + 1> odd{};   // the other way round
    Filler() {
        Rng r(0x5eedf111e7ull);
        r.fill(bytes.data(), bytes.size());
        for (size_t j = 0; j < kSize; ++j) {
            even[j + 1] = even[j] + bytes[j] * (j % 2 == 0 ? 256u : 1u);
            odd[j + 1] = odd[j] + bytes[j] * (j % 2 == 0 ? 1u : 256u);
        }
    }
};
const Filler& filler_block() {
    static const Filler f;
    return f;
}
const uint8_t* filler() {
    return filler_block().bytes.data();
}

// A payload assembled piece by piece, with its checksum sum kept along the way.
struct PayloadBuilder {
    uint8_t* out;
    size_t len = 0;
    uint64_t sum = 0;

    void bytes(const uint8_t* p, size_t n) {
        std::memcpy(out + len, p, n);
        uint64_t s = ones_sum(p, n);
        if (len % 2 == 1) s = ((s & 0xff) << 8) | (s >> 8);
        sum += s;
        len += n;
    }
    void filler_slice(size_t start, size_t n) {
        const Filler& f = filler_block();
        std::memcpy(out + len, f.bytes.data() + start, n);
        const bool same_parity = (len - start) % 2 == 0;
        sum += same_parity ? f.even[start + n] - f.even[start] : f.odd[start + n] - f.odd[start];
        static_assert(Filler::kSize * 255ull * 256 < (1ull << 32), "sums fit 32 bits");
        len += n;
    }
};

bool is_tls_kind(Kind k) {
    return k == Kind::https || k == Kind::tls_ech || k == Kind::tls_split;
}

constexpr size_t kQuicClientInitial = 1250;  // as Chrome pads it
constexpr size_t kQuicServerFlight = 1200;

// The connection IDs of a QUIC conversation, the same whenever they are needed.
QuicIds quic_ids(const Conversation& c) {
    QuicIds ids;
    Rng r(c.id * 0xA24BAED4963EE407ull + 0x9FB21C651E98DF25ull);
    r.fill(ids.initial_dcid, kQuicCidLength);
    r.fill(ids.client_scid, kQuicCidLength);
    r.fill(ids.server_scid, kQuicCidLength);
    return ids;
}

uint32_t quic_version(const Conversation& c) {
    return c.app_word == 2 ? kQuicV2 : kQuicV1;
}

// The random stream of one message: rebuilt identically whenever a segment needs it.
Rng message_rng(const Conversation& c, unsigned dir, uint32_t exchange) {
    return Rng(c.id * 0x9E3779B97F4A7C15ull ^
               (uint64_t{exchange} << 1 | dir) * 0xBF58476D1CE4E5B9ull);
}

uint32_t jitter(Rng& r, uint32_t median) {
    return static_cast<uint32_t>(std::min(r.lognormal(median, 0.5), 8e6));
}

// Heavy-tailed transfer sizes: most responses are small, a few are huge.
uint64_t heavy_bytes(Rng& r, double median_scale) {
    return static_cast<uint64_t>(r.pareto(100.0 * median_scale, 1.0, 48e6));
}

uint64_t bulk_bytes(Rng& r) {
    return static_cast<uint64_t>(r.pareto(400e3, 1.1, 48e6));
}

// A QUIC body goes out in datagrams of mss bytes; the last one must hold a short header, a
// little payload and the AEAD tag.
uint64_t quic_body(const Conversation& c, uint64_t n) {
    const uint64_t rest = n % c.mss;
    return rest > 0 && rest < 40 ? n + 40 : n;
}

// Bytes of one TLS record with its header in this conversation's bodies.
uint64_t tls_span(const Conversation& c) {
    return c.kind == Kind::rdp ? c.mss : kTlsSpan;
}

bool body_in_tls_records(const Conversation& c, uint32_t exchange) {
    return is_tls_kind(c.kind) || (c.kind == Kind::rdp && exchange >= 1);
}

// A body framed in TLS records must not end in a record too short for its header.
uint64_t tls_body(uint64_t n, uint64_t span = kTlsSpan) {
    const uint64_t rest = n % span;
    return rest > 0 && rest < 6 ? n + 6 : n;
}

const uint8_t kObis[4][6] = {
    {1, 0, 1, 8, 0, 255}, {1, 0, 2, 8, 0, 255}, {1, 0, 32, 7, 0, 255}, {1, 0, 31, 7, 0, 255}};

// Server-side IEC 104 send sequence number before exchange e (e >= 2: one I-frame each).
uint16_t iec104_server_seq(uint32_t e) {
    return static_cast<uint16_t>(e < 2 ? 0 : 3 + (e - 2) / 2);
}

// Writes the application header of the message of `dir` in exchange `e` (everything that
// is not opaque body) and returns its length.
size_t build_head(const Conversation& c, unsigned dir, uint32_t e, uint64_t body, uint8_t* out) {
    Rng r = message_rng(c, dir, e);
    const bool client = dir == 0;
    switch (c.kind) {
        case Kind::https:
        case Kind::tls_ech:
        case Kind::tls_split: {
            if (e != 0) return 0;
            if (!client) return tls_server_hello_records(out, c.tls_version, r);
            ClientHello h;
            h.sni = c.name_view();
            h.alpn = c.alpn_text();
            h.version = c.tls_version;
            h.ech = c.ech;
            return tls_client_hello_record(out, h, r);
        }
        case Kind::quic:
        case Kind::quic_split: {
            if (e != 0) return 0;
            const QuicIds ids = quic_ids(c);
            if (!client)
                return quic_server_initial(out, quic_version(c), ids, kQuicServerFlight, r);
            ClientHello h;
            h.sni = c.name_view();
            h.alpn = c.alpn_text();
            h.ech = c.ech;
            h.quic = true;
            return quic_client_initial(out, quic_version(c), ids, h, kQuicClientInitial,
                                       c.hello_parts, r);
        }
        case Kind::http:
            if (client) {
                return http_request(
                    out, e == 0 ? c.method_text() : "GET", c.name_view(),
                    e == 0 ? std::string_view(c.path, c.path_len) : "/static/app.js", body, r);
            }
            return http_response_head(out, e == 0 ? c.http_status : 200, body, r);
        case Kind::dns_tcp: {
            const DnsQuestion q{static_cast<uint16_t>(c.id * 2654435761u >> 8), c.name_view(),
                                c.qtype};
            const size_t n =
                client ? dns_query(out + 2, q) : dns_response(out + 2, q, c.rcode, 2, 0, r);
            put16(out, static_cast<uint16_t>(n));
            return n + 2;
        }
        case Kind::ssh:
            switch (e) {
                case 0:
                    return ssh_banner(out, !client, r);
                case 1:
                    return ssh_kexinit(out, !client, r);
                case 2:
                    return client ? ssh_ecdh_init(out, r) : ssh_ecdh_reply_newkeys(out, r);
                case 3:
                    return client ? ssh_newkeys(out) : 0;
                default:
                    return 0;
            }
        case Kind::rdp:
            if (e == 0)
                return client ? rdp_connection_request(out, c.name_view())
                              : rdp_connection_confirm(out);
            if (e == 1) {
                if (!client) return tls_server_hello_records(out, 0x0303, r);
                ClientHello h;
                h.version = 0x0303;
                return tls_client_hello_record(out, h, r);
            }
            return 0;
        case Kind::smb:
            if (e == 0)
                return client ? smb2_negotiate_request(out, r) : smb2_negotiate_response(out, r);
            return smb3_transform_header(out, body, c.id, r);
        case Kind::iec104: {
            const uint16_t ca = c.app_word;
            if (e == 0) return iec104_u_frame(out, client ? 0x07 : 0x0b);
            if (e == 1) {
                if (client) return iec104_interrogation(out, 0, 0, 6, ca);
                size_t n = iec104_interrogation(out, 0, 1, 7, ca);
                n += iec104_measurements(out + n, 1, 1, ca, 4 + static_cast<unsigned>(r.below(8)),
                                         r);
                n += iec104_interrogation(out + n, 2, 1, 10, ca);
                return n;
            }
            if (e % 2 == 1) return iec104_u_frame(out, client ? 0x43 : 0x83);
            if (client) return iec104_s_frame(out, iec104_server_seq(e));
            return iec104_measurements(out, iec104_server_seq(e), 1, ca,
                                       1 + static_cast<unsigned>(r.below(4)), r);
        }
        case Kind::modbus: {
            const uint16_t count = static_cast<uint16_t>(4 + (c.id % 5) * 4);
            const auto unit = static_cast<uint8_t>(c.app_word);
            return client ? modbus_read_request(out, static_cast<uint16_t>(e + 1), unit, 40, count)
                          : modbus_read_response(out, static_cast<uint16_t>(e + 1), unit, count, r);
        }
        case Kind::dnp3: {
            const auto seq = static_cast<uint8_t>(e);
            if (client) return dnp3_read_request(out, 1, c.app_word, seq, e == 0);
            return dnp3_read_response(out, 1, c.app_word, seq,
                                      e == 0 ? 6 : static_cast<unsigned>(r.below(3)), r);
        }
        case Kind::s7: {
            if (e == 0)
                return client ? cotp_connection_request(out, 0x0001, 0x0100, 0x0102)
                              : cotp_connection_confirm(out, 0x0001, 0x4431, 0x0100, 0x0102);
            if (e == 1) return s7_setup_communication(out, 0x0100, !client);
            const auto ref = static_cast<uint16_t>(0x0100 + e);
            const uint16_t bytes = static_cast<uint16_t>(2 + (c.id % 8) * 2);
            return client ? s7_read_var(out, ref, static_cast<uint16_t>(c.app_word), bytes)
                          : s7_read_var_ack(out, ref, bytes, r);
        }
        case Kind::mms: {
            if (e == 0)
                return client ? cotp_connection_request(out, 0x0001, 0x0001, 0x0001)
                              : cotp_connection_confirm(out, 0x0001, 0x0002, 0x0001, 0x0001);
            if (e == 1) return client ? mms_initiate_request(out) : mms_initiate_response(out);
            return client ? mms_read_request(out, e, "IED1LD0", "MMXU1$MX$TotW$mag$f")
                          : mms_read_response(out, e, r);
        }
        case Kind::dlms:
            if (e == 0) return client ? dlms_aarq(out) : dlms_aare(out);
            return client ? dlms_get_request(out, static_cast<uint8_t>(e), kObis[e % 4])
                          : dlms_get_response(out, static_cast<uint8_t>(e), r);
        case Kind::stratum: {
            const unsigned id = e + 1;
            const unsigned job = 0x1a0 + e / 3;
            if (e == 0)
                return client ? stratum_subscribe(out, id) : stratum_subscribe_result(out, id, r);
            if (e == 1)
                return client ? stratum_authorize(out, id, c.name_view())
                              : stratum_authorize_result(out, id, job, r);
            return client ? stratum_submit(out, id, c.name_view(), job, r)
                          : stratum_submit_result(out, id, job, r);
        }
        case Kind::dns: {
            const DnsQuestion q{static_cast<uint16_t>(c.id * 2654435761u >> 8), c.name_view(),
                                c.qtype};
            if (client) return dns_query(out, q);
            const bool data = c.qtype == kDnsTxt || c.qtype == kDnsNull;
            const unsigned answers = data ? 1 : 1 + static_cast<unsigned>(r.below(3));
            return dns_response(out, q, c.rcode, answers, static_cast<unsigned>(body), r);
        }
        case Kind::coap: {
            const auto mid = static_cast<uint16_t>(c.app_word + e);
            const auto token = static_cast<uint16_t>(c.id);
            return client ? coap_get(out, mid, token, "sensors/temp")
                          : coap_content(out, mid, token, r);
        }
        default:
            return 0;
    }
}

// Sizes of the current exchange's bodies and anything else decided per exchange.
void plan_exchange(Conversation& c) {
    Rng& r = c.rng;
    const uint32_t e = c.exchange;
    c.request_body = 0;
    c.response_body = 0;
    switch (c.kind) {
        case Kind::https:
        case Kind::tls_ech:
        case Kind::tls_split:
            if (e == 0) {
                c.response_body = tls_body(r.between(2400, 5200));  // encrypted handshake
            } else if (e == 1 && (c.bulk_up || c.bulk_down)) {
                c.request_body = tls_body(c.bulk_up ? c.bulk_up : r.between(80, 900));
                c.response_body = tls_body(c.bulk_down ? c.bulk_down : r.between(40, 400));
            } else {
                c.request_body = tls_body(r.between(80, 900));
                // Now and then a download (software update, video segment): the elephants.
                c.response_body = tls_body(r.chance(0.004) ? bulk_bytes(r) : heavy_bytes(r, 1.0));
            }
            break;
        case Kind::quic:
        case Kind::quic_split:
            if (e > 0) {
                c.request_body = quic_body(c, r.between(60, 400));
                c.response_body =
                    quic_body(c, r.chance(0.004) ? bulk_bytes(r) : heavy_bytes(r, 1.0));
            }
            break;
        case Kind::http:
            if (c.method_text() == "POST" && e == 0) c.request_body = heavy_bytes(r, 0.5);
            if (c.method_text() == "PUT" && e == 0) c.request_body = heavy_bytes(r, 2.0);
            if (e == 0 && c.bulk_up) c.request_body = c.bulk_up;
            if (c.method_text() != "HEAD" &&
                (e != 0 || (c.http_status != 304 && c.http_status != 204))) {
                c.response_body =
                    c.http_status >= 300 && e == 0 ? r.between(0, 400) : heavy_bytes(r, 1.5);
            }
            break;
        case Kind::ssh: {
            const uint32_t attempts = c.app_word ? c.app_word : 1;
            if (e == 3) {
                c.request_body = 52;  // service request, encrypted
                c.response_body = 52;
            } else if (e >= 4 && e < 4 + attempts) {
                c.request_body = 140 + r.below(8) * 4;  // password attempt
                c.response_body = (e + 1 == 4 + attempts && c.auth_ok) ? 36 : 68;
            } else if (e >= 4) {
                c.request_body = 36 + r.below(4) * 16;  // keystrokes, commands
                c.response_body = r.chance(0.005) ? heavy_bytes(r, 4.0) : 36 + r.below(40) * 16;
            }
            break;
        }
        case Kind::rdp:
            // RDP servers write TLS records of at most one segment, so every segment starts
            // with a record header (tshark parses any other start as a fast-path PDU).
            if (e == 1) c.response_body = tls_body(r.between(900, 1300), c.mss);  // certificate
            if (e == 2) {
                c.request_body = tls_body(r.between(180, 200), c.mss);  // CredSSP NTLM negotiate
                c.response_body = tls_body(r.between(310, 330), c.mss);
            }
            if (e == 3) {
                c.request_body = tls_body(r.between(560, 600), c.mss);  // CredSSP authenticate
                c.response_body = tls_body(c.auth_ok || c.exchanges > 4 ? 60 : 36, c.mss);
            }
            if (e >= 4) {
                c.request_body = tls_body(r.between(60, 400), c.mss);
                c.response_body = tls_body(heavy_bytes(r, 1.5), c.mss);
            }
            break;
        case Kind::smb:
            if (e >= 1) {
                c.request_body = r.between(100, 600);
                c.response_body = r.chance(0.1) ? heavy_bytes(r, 8.0) : r.between(80, 400);
            }
            break;
        case Kind::dns:
            if (c.qtype == kDnsTxt || c.qtype == kDnsNull)
                c.response_body = c.app_word;  // data size
            break;
        case Kind::icmp_echo:
            c.request_body = c.v6 ? 56 : 32 + 24 * (c.id % 2);
            c.response_body = c.request_body;
            break;
        case Kind::icmp_unreach:
            c.request_body = 32;
            break;
        default:
            break;
    }
}

// Bodies no longer than what slow start moves in the time left of kLongestConversation
// (at most kLongestTransfer, at least a few seconds' worth) at this round trip.
void cap_bodies(Conversation& c, uint64_t now) {
    const uint64_t period =
        std::max<uint64_t>(uint64_t{c.rtt_client} + c.rtt_server, 65ull * c.gap);
    const uint64_t elapsed = now - c.start_time;
    const uint64_t left = elapsed < kLongestConversation ? kLongestConversation - elapsed : 0;
    const uint64_t budget = std::clamp<uint64_t>(left, kShortestTransfer, kLongestTransfer);
    const uint64_t cap = std::max<uint64_t>(budget / period, 1) * 64 * c.mss;
    const bool tls = body_in_tls_records(c, c.exchange);
    if (c.request_body > cap) c.request_body = tls ? tls_body(cap, tls_span(c)) : cap;
    if (c.response_body > cap) c.response_body = tls ? tls_body(cap, tls_span(c)) : cap;
}

// ---- packet emission

// Heads built recently, by (conversation, exchange, direction): a message is measured when
// it is planned and its bytes are needed again when it goes out, with other conversations'
// packets in between. Some heads (QUIC Initials) cost real crypto to build.
struct HeadCache {
    static constexpr size_t kEntries = 512;
    struct Entry {
        uint64_t id = ~0ull;
        uint32_t exchange = 0;
        uint8_t dir = 0;
        size_t len = 0;
        uint8_t head[kMaxMessage];
    };
    std::vector<Entry> entries = std::vector<Entry>(kEntries);
};

struct Scratch {
    HeadCache heads;
    uint8_t payload[kMaxFrame];
};
Scratch& scratch() {
    static Scratch s;
    return s;
}

// The head of a message, built once per (conversation, exchange, direction) in a row.
const uint8_t* head_of(const Conversation& c, unsigned dir, uint32_t e, uint64_t body,
                       size_t& len) {
    HeadCache::Entry& s = scratch().heads.entries[(c.id * 4 + e * 2 + dir) % HeadCache::kEntries];
    if (s.id != c.id || s.exchange != e || s.dir != dir) {
        s.len = build_head(c, dir, e, body, s.head);
        s.id = c.id;
        s.exchange = e;
        s.dir = static_cast<uint8_t>(dir);
    }
    len = s.len;
    return s.head;
}

size_t filler_start(const Conversation& c, unsigned dir, uint32_t e, uint64_t off) {
    const uint64_t base = c.id * 2654435761u + dir * 7919u + e * 104729u;
    return static_cast<size_t>((base + off) % Filler::kPeriod);
}

void copy_filler(const Conversation& c, unsigned dir, uint32_t e, uint64_t off, size_t n,
                 uint8_t* out) {
    std::memcpy(out, filler() + filler_start(c, dir, e, off), n);
}

// The payload traceroute sends in its UDP probes: "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_".
void traceroute_payload(uint8_t* out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(0x40 + i % 32);
}

// Body bytes [off, off + n) of a message.
void body_bytes(const Conversation& c, unsigned dir, uint32_t e, uint64_t body_len, uint64_t off,
                size_t n, PayloadBuilder& out) {
    if (is_quic(c.kind)) {
        // Every datagram starts with a short header for the peer's connection ID.
        const QuicIds ids = quic_ids(c);
        while (n > 0) {
            const uint64_t pos = off % c.mss;
            size_t k;
            if (pos < kQuicShortHeader) {
                uint8_t header[kQuicShortHeader];
                Rng r = message_rng(c, dir, static_cast<uint32_t>(off / c.mss));
                quic_short_header(header, dir == 0 ? ids.server_scid : ids.client_scid, r);
                k = std::min<size_t>(n, kQuicShortHeader - pos);
                out.bytes(header + pos, k);
            } else {
                k = static_cast<size_t>(std::min<uint64_t>(n, c.mss - pos));
                out.filler_slice(filler_start(c, dir, e, off), k);
            }
            off += k;
            n -= k;
        }
        return;
    }
    if (!body_in_tls_records(c, e)) {
        out.filler_slice(filler_start(c, dir, e, off), n);
        return;
    }
    while (n > 0) {
        const uint64_t full = tls_span(c);
        const uint64_t record = off / full;
        const uint64_t pos = off % full;
        const uint64_t span = std::min<uint64_t>(full, body_len - record * full);
        size_t k;
        if (pos < 5) {
            uint8_t header[5];
            tls_app_data_header(header, static_cast<uint16_t>(span - 5));
            k = std::min<size_t>(n, 5 - pos);
            out.bytes(header + pos, k);
        } else {
            k = static_cast<size_t>(std::min<uint64_t>(n, span - pos));
            out.filler_slice(filler_start(c, dir, e, off), k);
        }
        off += k;
        n -= k;
    }
}

// Message bytes [off, off + n) of the current exchange's message in direction dir.
void message_bytes(Conversation& c, unsigned dir, uint64_t off, size_t n, PayloadBuilder& out) {
    const uint64_t body = dir == 0 ? c.request_body : c.response_body;
    size_t head_len;
    const uint8_t* head = head_of(c, dir, c.exchange, body, head_len);
    if (off < head_len) {
        const size_t k = std::min<size_t>(n, head_len - static_cast<size_t>(off));
        out.bytes(head + off, k);
        n -= k;
        off += k;
        if (off == head_len) ++c.tally[dir].heads_seen;
    }
    if (n > 0) body_bytes(c, dir, c.exchange, body, off - head_len, n, out);
}

uint64_t message_length(const Conversation& c, unsigned dir) {
    const uint64_t body = dir == 0 ? c.request_body : c.response_body;
    size_t head_len;
    head_of(c, dir, c.exchange, body, head_len);
    return head_len + body;
}

void tally(Conversation& c, unsigned dir, const Written& w, uint8_t flags, uint64_t t,
           bool payload) {
    FlowTally& f = c.tally[dir];
    if (w.frames == 0) return;
    if (f.packets == 0) f.first = t;
    f.packets += w.frames;
    if (w.fragmented) f.fragments += w.frames;
    f.bytes += w.ip_bytes;
    f.last = w.last_time;
    f.flags |= flags;
    f.payload |= payload;
}

Packet base_packet(Conversation& c, unsigned dir, uint8_t proto) {
    Packet p;
    p.v6 = c.v6;
    p.src = c.ep[dir].addr;
    p.dst = c.ep[1 - dir].addr;
    p.src_mac = c.ep[dir].mac;
    p.dst_mac = c.ep[1 - dir].mac;
    p.ttl = c.ep[dir].ttl;
    p.answer = dir == 1;
    p.ip_id = c.ip_id[dir]++;
    p.flow_label = c.flow_label ^ dir;
    p.proto = proto;
    p.sport = c.ep[dir].port;
    p.dport = c.ep[1 - dir].port;
    return p;
}

// A QUIC datagram: the payload given, or (none) a short packet carrying ACK frames, or at
// the end a CONNECTION_CLOSE, opaque either way.
void emit_quic(Conversation& c, Emitter& out, unsigned dir, const PayloadBuilder* payload) {
    Packet p = base_packet(c, dir, kUdp);
    p.dont_fragment = true;
    uint8_t small[64];
    PayloadBuilder ack{small};
    if (!payload) {
        const QuicIds ids = quic_ids(c);
        Rng r = message_rng(c, dir, 0x80000000u + static_cast<uint32_t>(c.tally[dir].packets));
        uint8_t bytes[kQuicShortHeader + 40];
        quic_short_header(bytes, dir == 0 ? ids.server_scid : ids.client_scid, r);
        const size_t n = kQuicShortHeader + 20 + r.below(20);
        r.fill(bytes + kQuicShortHeader, n - kQuicShortHeader);
        ack.bytes(bytes, n);
        payload = &ack;
    }
    p.payload = payload->out;
    p.payload_len = payload->len;
    p.payload_sum_known = true;
    p.payload_sum = payload->sum;
    const Written w = out.frames().write(c.next_time, c.wrap, p, out.remaining());
    out.count(w.frames);
    tally(c, dir, w, 0, c.next_time, true);
}

void emit_tcp(Conversation& c, Emitter& out, unsigned dir, uint8_t flags,
              const PayloadBuilder* payload) {
    if (is_quic(c.kind)) {
        // QUIC rides the same script: segments become datagrams, ACKs short packets.
        emit_quic(c, out, dir, payload);
        return;
    }
    const size_t len = payload ? payload->len : 0;
    Packet p = base_packet(c, dir, kTcp);
    p.seq = c.seq[dir];
    p.ack = (flags & kAck) ? c.seq[1 - dir] : 0;
    p.flags = flags;
    static constexpr uint8_t kSynOptions[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};
    if (flags & kSyn) {
        p.window = kWindowSyn[dir];
        p.tcp_options = kSynOptions;
        p.tcp_options_len = sizeof kSynOptions;
    } else {
        p.window = kWindow[dir];
    }
    if (payload) {
        p.payload = payload->out;
        p.payload_len = len;
        p.payload_sum_known = true;
        p.payload_sum = payload->sum;
    }
    p.dont_fragment = true;
    const Written w = out.frames().write(c.next_time, c.wrap, p, out.remaining());
    out.count(w.frames);
    tally(c, dir, w, flags, c.next_time, len > 0);
    c.seq[dir] += static_cast<uint32_t>(len) + ((flags & (kSyn | kFin)) ? 1 : 0);
}

// ---- the TCP script

uint64_t segment_time(const Conversation& c, uint32_t i) {
    // Slow start from 10 segments, doubling each round trip up to 64 per round.
    const uint64_t period =
        std::max<uint64_t>(uint64_t{c.rtt_client} + c.rtt_server, 65ull * c.gap);
    uint32_t round, pos;
    if (i < 10) {
        round = 0, pos = i;
    } else if (i < 30) {
        round = 1, pos = i - 10;
    } else if (i < 70) {
        round = 2, pos = i - 30;
    } else {
        round = 3 + (i - 70) / 64, pos = (i - 70) % 64;
    }
    return c.tx_start + round * period + uint64_t{pos} * c.gap;
}

void segment_bounds(const Conversation& c, uint32_t i, uint64_t& off, size_t& len) {
    if (c.split > 1) {
        off = c.tx_len * i / c.split;
        len = static_cast<size_t>(c.tx_len * (i + 1) / c.split - off);
        return;
    }
    off = uint64_t{i} * c.mss;
    len = static_cast<size_t>(std::min<uint64_t>(c.mss, c.tx_len - off));
}

uint32_t receiver_rtt(const Conversation& c, unsigned receiver) {
    return receiver == 0 ? c.rtt_client : c.rtt_server;
}

void begin_message(Conversation& c, unsigned dir, uint64_t start);
void after_exchange(Conversation& c, uint64_t t);

void begin_exchange(Conversation& c, uint64_t start) {
    plan_exchange(c);
    cap_bodies(c, start);
    if (message_length(c, 0) > 0) {
        begin_message(c, 0, start);
    } else {
        begin_message(c, 1, start);
    }
}

void begin_message(Conversation& c, unsigned dir, uint64_t start) {
    c.tx_dir = static_cast<uint8_t>(dir);
    c.tx_len = message_length(c, dir);
    // Split hellos: over 2-3 TCP segments, or one Initial datagram per part.
    c.split = 0;
    if (dir == 0 && c.exchange == 0 && is_tls_kind(c.kind))
        c.split = static_cast<uint8_t>(c.app_word);
    if (dir == 0 && c.exchange == 0 && is_quic(c.kind)) c.split = c.hello_parts;
    c.tx_segs = c.split > 1 ? c.split : static_cast<uint32_t>((c.tx_len + c.mss - 1) / c.mss);
    c.tx_sent = 0;
    c.tx_acks = 0;
    c.tx_seq0 = c.seq[dir];
    c.tx_start = start;
    c.phase = kTransfer;
    c.next_time = start;
    if (c.tx_segs == 0) {  // nothing to say this way
        if (dir == 0) {
            begin_message(c, 1, start);
        } else {
            after_exchange(c, start);
        }
    }
}

void begin_close(Conversation& c, uint64_t t) {
    c.phase = kClose1;
    const bool client_closes =
        c.teardown == Teardown::fin_client || c.teardown == Teardown::rst_client;
    c.next_time = t + (client_closes ? c.rtt_client + jitter(c.rng, 20'000) : jitter(c.rng, 200));
}

void after_exchange(Conversation& c, uint64_t t) {
    ++c.exchange;
    if (c.exchange < c.exchanges && t - c.start_time < std::min(c.lasts, kLongestConversation)) {
        const uint32_t pause = c.think_max
                                   ? static_cast<uint32_t>(c.rng.between(c.think, c.think_max))
                                   : std::max<uint32_t>(2000, jitter(c.rng, c.think));
        begin_exchange(c, t + c.rtt_client + pause);
    } else {
        begin_close(c, t);
    }
}

void message_done(Conversation& c, uint64_t last) {
    const unsigned dir = c.tx_dir;
    const bool odd = c.tx_segs % 2 == 1;
    if (dir == 0) {
        if (message_length(c, 1) > 0) {
            begin_message(c, 1, last + c.rtt_server + jitter(c.rng, c.response));
        } else if (odd) {
            c.phase = kFinalAck;
            c.next_time = last + c.rtt_server;
        } else {
            after_exchange(c, last);
        }
        return;
    }
    if (odd) {
        c.phase = kFinalAck;
        c.next_time = last + c.rtt_client + 1000;
    } else {
        after_exchange(c, last);
    }
}

// When the receiver acknowledges segment i of the current message (every second one), or
// never: QUIC acknowledges the client's Initials inside the server's Initial.
uint64_t ack_time(const Conversation& c, uint32_t i) {
    if (i >= c.tx_segs || (is_quic(c.kind) && c.exchange == 0)) return kNever;
    return segment_time(c, i) + receiver_rtt(c, 1 - c.tx_dir);
}

void step_transfer(Conversation& c, Emitter& out) {
    const unsigned dir = c.tx_dir;
    const unsigned recv = 1 - dir;
    const uint32_t acked = 2 * c.tx_acks + 1;
    const uint64_t data_at = c.tx_sent < c.tx_segs ? segment_time(c, c.tx_sent) : kNever;
    const uint64_t ack_at = ack_time(c, acked);
    if (data_at <= ack_at) {
        uint64_t off;
        size_t len;
        segment_bounds(c, c.tx_sent, off, len);
        PayloadBuilder payload{scratch().payload};
        message_bytes(c, dir, off, len, payload);
        c.next_time = data_at;
        const bool last = c.tx_sent + 1 == c.tx_segs;
        emit_tcp(c, out, dir, static_cast<uint8_t>(kAck | (last ? kPsh : 0)), &payload);
        ++c.tx_sent;
    } else {
        c.next_time = ack_at;
        // The receiver acknowledges everything up to the end of segment `acked`.
        uint64_t off;
        size_t len;
        segment_bounds(c, acked, off, len);
        const uint32_t saved = c.seq[dir];
        c.seq[dir] = c.tx_seq0 + static_cast<uint32_t>(off + len);
        emit_tcp(c, out, recv, kAck, nullptr);
        c.seq[dir] = saved;
        ++c.tx_acks;
    }
    const uint64_t next_data = c.tx_sent < c.tx_segs ? segment_time(c, c.tx_sent) : kNever;
    const uint64_t next_ack = ack_time(c, 2 * c.tx_acks + 1);
    if (next_data == kNever && next_ack == kNever) {
        message_done(c, segment_time(c, c.tx_segs - 1));
    } else {
        c.next_time = std::min(next_data, next_ack);
    }
}

bool step_tcp(Conversation& c, Emitter& out) {
    switch (c.phase) {
        case kSendSyn:
            c.handshake[0] = c.next_time;
            emit_tcp(c, out, 0, kSyn, nullptr);
            c.seq[0] = c.seq0[0];  // a retransmitted SYN carries the same sequence number
            if (c.kind == Kind::syn_noanswer) {
                if (--c.syn_tries == 0) return false;
                c.next_time += uint64_t{1'000'000} << (2 - std::min<uint8_t>(c.syn_tries, 2));
                return true;
            }
            c.seq[0] = c.seq0[0] + 1;
            c.phase = kSendSynAck;
            c.next_time += c.rtt_server;
            return true;
        case kSendSynAck:
            if (c.kind == Kind::syn_rst) {
                emit_tcp(c, out, 1, kRst | kAck, nullptr);
                return false;
            }
            c.handshake[1] = c.next_time;
            emit_tcp(c, out, 1, kSyn | kAck, nullptr);
            if (c.opening == Opening::unacked) return false;
            c.phase = kSendAck;
            c.next_time += c.rtt_client;
            return true;
        case kSendAck:
            if (c.opening == Opening::half_open) {
                emit_tcp(c, out, 0, kRst, nullptr);
                return false;
            }
            c.handshake[2] = c.next_time;
            emit_tcp(c, out, 0, kAck, nullptr);
            c.exchange = 0;
            begin_exchange(c, c.next_time + 30 + c.rng.below(200));
            return true;
        case kTransfer:
            step_transfer(c, out);
            return true;
        case kFinalAck: {
            const unsigned recv = 1 - c.tx_dir;
            emit_tcp(c, out, recv, kAck, nullptr);
            after_exchange(c, c.next_time);
            return true;
        }
        case kClose1:
        case kClose2:
        case kClose3: {
            if (is_quic(c.kind)) {
                emit_quic(c, out, 0, nullptr);  // CONNECTION_CLOSE
                return false;
            }
            const unsigned closer =
                (c.teardown == Teardown::fin_client || c.teardown == Teardown::rst_client) ? 0 : 1;
            if (c.teardown == Teardown::rst_client || c.teardown == Teardown::rst_server) {
                emit_tcp(c, out, closer, kRst | kAck, nullptr);
                return false;
            }
            const unsigned dir = c.phase == kClose2 ? 1 - closer : closer;
            emit_tcp(c, out, dir, c.phase == kClose3 ? kAck : kFin | kAck, nullptr);
            if (c.phase == kClose3) return false;
            c.next_time += receiver_rtt(c, 1 - dir);
            c.phase = c.phase == kClose1 ? kClose2 : kClose3;
            return true;
        }
        default:
            return false;
    }
}

// ---- UDP, ICMP and layer 2

void emit_datagram(Conversation& c, Emitter& out, unsigned dir) {
    uint8_t* payload = scratch().payload;
    Packet p;
    size_t len = 0;
    uint8_t flags = 0;
    if (c.kind == Kind::icmp_echo) {
        p = base_packet(c, dir, c.v6 ? kIcmp6 : kIcmp);
        const bool request = dir == 0;
        p.icmp_type = c.v6 ? (request ? 128 : 129) : (request ? 8 : 0);
        p.icmp_rest = (static_cast<uint32_t>(c.app_word) << 16) | (c.exchange + 1);
        len = static_cast<size_t>(request ? c.request_body : c.response_body);
        copy_filler(c, 0, 0, 0, len, payload);  // the reply echoes the request's data
    } else if (c.kind == Kind::icmp_unreach && dir == 1) {
        // The error quotes the offending datagram's IP header and first 8 bytes (RFC 792);
        // ICMPv6 quotes as much as fits (RFC 4443).
        --c.ip_id[0];  // the quote repeats the datagram's own IP id
        Packet quoted = base_packet(c, 0, kUdp);
        quoted.dont_fragment = false;
        quoted.payload = payload + 2048;
        quoted.payload_len = static_cast<size_t>(c.request_body);
        traceroute_payload(payload + 2048, quoted.payload_len);
        const size_t full = FrameWriter::build_ip(payload, quoted);
        len = c.v6 ? full : 28;
        p = base_packet(c, 1, c.v6 ? kIcmp6 : kIcmp);
        p.icmp_type = c.v6 ? 1 : 3;
        p.icmp_code = c.v6 ? 4 : 3;
    } else {
        p = base_packet(c, dir, kUdp);
        p.dont_fragment = false;
        if (c.kind == Kind::ntp) {
            len = ntp_packet(payload, dir == 1, c.next_time, c.rng);
        } else if (c.kind == Kind::icmp_unreach) {
            len = static_cast<size_t>(c.request_body);
            traceroute_payload(payload, len);
        } else {
            const uint64_t body = dir == 0 ? c.request_body : c.response_body;
            size_t head_len;
            const uint8_t* head = head_of(c, dir, c.exchange, body, head_len);
            std::memcpy(payload, head, head_len);
            len = head_len;
        }
    }
    p.payload = payload;
    p.payload_len = len;
    const Written w = out.frames().write(c.next_time, c.wrap, p, out.remaining());
    out.count(w.frames);
    if (w.complete && p.proto == kUdp) ++c.tally[dir].heads_seen;
    tally(c, dir, w, flags, c.next_time, len > 0 || p.proto != kUdp);
}

void emit_goose(Conversation& c, Emitter& out) {
    uint8_t* payload = scratch().payload;
    Rng r = message_rng(c, 0, c.exchange);
    const size_t len = goose_pdu(payload, c.app_word, c.name_view(), c.next_time, 1, c.exchange, r);
    Written w;
    w.ip_bytes = out.frames().write_l2(c.next_time, c.ep[0].mac, c.ep[1].mac, c.wrap.vlan, 4,
                                       0x88b8, payload, len);
    out.count(1);
    w.frames = 1;
    w.last_time = c.next_time;
    tally(c, 0, w, 0, c.next_time, true);
    ++c.tally[0].heads_seen;
}

bool step_datagram(Conversation& c, Emitter& out) {
    if (c.kind == Kind::goose) {
        emit_goose(c, out);
        if (++c.exchange >= c.exchanges) return false;
        c.next_time += jitter(c.rng, c.think);
        return true;
    }
    const unsigned dir = c.tx_dir;
    emit_datagram(c, out, dir);
    if (dir == 0 && c.answered) {
        c.tx_dir = 1;
        c.next_time += c.rtt_server + jitter(c.rng, c.response);
        return true;
    }
    if (++c.exchange >= c.exchanges) return false;
    c.tx_dir = 0;
    c.next_time += c.rtt_client + jitter(c.rng, c.think);
    plan_exchange(c);
    return true;
}

}  // namespace

std::string_view kind_name(Kind k) {
    return kKinds[static_cast<size_t>(k)].name;
}

std::string_view kind_help(Kind k) {
    return kKinds[static_cast<size_t>(k)].help;
}

bool parse_kind(std::string_view name, Kind& out) {
    for (size_t i = 0; i < kKindCount; ++i) {
        if (kKinds[i].name == name) {
            out = static_cast<Kind>(i);
            return true;
        }
    }
    return false;
}

std::string_view kind_app(Kind k) {
    switch (k) {
        case Kind::dns:
        case Kind::dns_tcp:
            return "dns";
        case Kind::http:
            return "http";
        case Kind::https:
        case Kind::tls_ech:
        case Kind::tls_split:
            return "tls";
        case Kind::ssh:
            return "ssh";
        case Kind::rdp:
            return "rdp";
        case Kind::smb:
            return "smb";
        case Kind::ntp:
            return "ntp";
        case Kind::icmp_echo:
        case Kind::icmp_unreach:
            return "icmp";
        case Kind::iec104:
            return "iec104";
        case Kind::modbus:
            return "modbus";
        case Kind::dnp3:
            return "dnp3";
        case Kind::s7:
            return "s7";
        case Kind::mms:
            return "mms";
        case Kind::coap:
            return "coap";
        case Kind::dlms:
            return "dlms";
        case Kind::stratum:
            return "stratum";
        case Kind::quic:
        case Kind::quic_split:
            return "quic";
        case Kind::goose:
            return "goose";
        default:
            return "";
    }
}

void Conversation::set_name(std::string_view s) {
    name_len = static_cast<uint16_t>(std::min(s.size(), sizeof name));
    std::memcpy(name, s.data(), name_len);
}

void Conversation::set_path(std::string_view s) {
    path_len = static_cast<uint16_t>(std::min(s.size(), sizeof path));
    std::memcpy(path, s.data(), path_len);
}

uint8_t Conversation::transport() const {
    switch (kind) {
        case Kind::dns:
        case Kind::ntp:
        case Kind::coap:
        case Kind::icmp_unreach:
            return kUdp;
        case Kind::icmp_echo:
            return v6 ? kIcmp6 : kIcmp;
        case Kind::goose:
            return 0;
        case Kind::quic:
        case Kind::quic_split:
            return kUdp;
        default:
            return kTcp;
    }
}

std::string_view Conversation::alpn_text() const {
    return kAlpnOffers[alpn % std::size(kAlpnOffers)];
}

std::string_view Conversation::method_text() const {
    return kHttpMethods[method % std::size(kHttpMethods)];
}

void start_conversation(Conversation& c, uint64_t start) {
    c.next_time = start;
    c.start_time = start;
    c.exchange = 0;
    c.tx_dir = 0;
    if (is_quic(c.kind)) {
        begin_exchange(c, start);
    } else if (c.transport() == kTcp) {
        c.seq0[0] = static_cast<uint32_t>(c.rng.next());
        c.seq0[1] = static_cast<uint32_t>(c.rng.next());
        c.seq[0] = c.seq0[0];
        c.seq[1] = c.seq0[1];
        c.phase = kSendSyn;
    } else {
        c.phase = kDatagram;
        plan_exchange(c);
    }
}

bool step_conversation(Conversation& c, Emitter& out) {
    c.last_time = c.next_time;
    const bool more = c.phase == kDatagram ? step_datagram(c, out) : step_tcp(c, out);
    // Where one phase hands over to the next, a computed time may fall before the packet just
    // written; a conversation never goes back in time.
    c.next_time = std::max(c.next_time, c.last_time);
    return more;
}

}  // namespace fk::synth
