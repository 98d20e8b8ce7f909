#include "packet/metadata.h"

#include <algorithm>
#include <cstring>

#include "l7/classify.h"
#include "l7/dns.h"
#include "l7/http.h"
#include "l7/quic.h"
#include "l7/tls.h"
#include "record/names.h"

namespace fk {

namespace {

// Payload packets of a connection looked at before giving up on finding a message: enough
// for STARTTLS and CONNECT preambles, small enough to cost nothing on bulk transfers.
constexpr uint8_t kMaxTries = 8;
// QUIC client datagrams fed to a reader: the hello comes first and takes at most a few.
constexpr unsigned kMaxQuicDatagrams = 4;
// Payload packets of a connection (both directions) shown to the classifier: about four
// each way, as most flows are decided by their first one.
constexpr uint8_t kMaxClassify = 8;

// A parser that read its message is payload evidence; a classifier verdict from the payload
// stays (it names TLS-wrapped services: imaps, dot, ...).
void set_app(Conn& c, App app) {
    if (c.app_evidence == static_cast<uint8_t>(l7::Evidence::payload)) return;
    c.app = static_cast<uint8_t>(app);
    c.app_evidence = static_cast<uint8_t>(l7::Evidence::payload);
    c.class_tries = Metadata::kClassified;  // nothing left for the classifier to decide
}

// A connection keeps of a name what its record will (kMaxTextBytes): hostile requests with
// Host headers of kilobytes would otherwise hold that much per connection until it ends.
void keep_text(std::string& to, std::string_view s) {
    to.assign(s.substr(0, kMaxTextBytes));
}

bool dns_port(const FlowKey& k) {
    const auto is = [](uint16_t p) { return p == 53 || p == 5353 || p == 5355; };
    return is(k.sport) || is(k.dport);
}

void take_hello(Conn& c, const l7::ClientHello& h, App app) {
    set_app(c, app);
    keep_text(c.sni, h.sni);
    keep_text(c.alpn, h.alpn());
    c.has_text = true;
    c.tls_version = h.version;
    c.ech = h.ech;
}

void take_dns(Conn& c, const l7::DnsMessage& m) {
    set_app(c, App::dns);
    if (m.has_question) {
        keep_text(c.dns_qname, m.qname());
        c.has_text = true;
        c.dns_qtype = m.qtype;
    }
    if (m.response) c.dns_rcode = stored_dns_rcode(m.rcode);
}

size_t limit_of(uint8_t state) {
    switch (state) {
        case Metadata::kTlsBuffering:
            return l7::kMaxTlsRecord + 5;
        case Metadata::kHttpBuffering:
            return l7::kMaxHttpHeader;
        default:
            return l7::kMaxDnsTcpPrefix;
    }
}

}  // namespace

Metadata::Metadata() : scratch_(l7::quic::kMaxInitialPlaintext) {}

void Metadata::finish(FlowCache& cache, Conn& c) {
    c.l7_state = kDone;
    cache.release_l7(c);
}

void Metadata::classify(const FlowCache::Entry& e, Conn& c, const PacketView& v,
                        const l7::DnsMessage* dns) {
    const l7::Classification cl =
        l7::classify(e.key.proto, e.key.sport, e.key.dport,
                     std::span<const uint8_t>(v.payload, v.payload_cap), dns);
    if (cl.evidence == l7::Evidence::payload) {
        c.app = static_cast<uint8_t>(cl.app);
        c.app_evidence = static_cast<uint8_t>(cl.evidence);
        c.class_tries = kClassified;
        return;
    }
    if (cl.evidence == l7::Evidence::port && c.app_evidence == 0) {
        c.app = static_cast<uint8_t>(cl.app);
        c.app_evidence = static_cast<uint8_t>(cl.evidence);
    }
    if (++c.class_tries >= kMaxClassify) c.class_tries = kClassified;
}

bool Metadata::inspect(FlowCache& cache, FlowCache::Entry& e, Conn& c, const PacketView& v) {
    if (e.key.proto == 17 && dns_port(e.key) && c.l7_state == kIdle) {
        // DNS over UDP: every datagram is a message, parsed once for the classifier too.
        l7::DnsMessage m;
        const bool parsed = l7::parse_dns(std::span<const uint8_t>(v.payload, v.payload_cap), m) ==
                            l7::Status::done;
        if (c.class_tries != kClassified) classify(e, c, v, parsed ? &m : nullptr);
        return parsed && dns_datagram(c, m);
    }
    if (c.class_tries != kClassified) classify(e, c, v, nullptr);
    if (c.l7_state == kDone) return false;
    switch (c.l7_state) {
        case kTlsBuffering:
        case kHttpBuffering:
        case kDnsTcpBuffering:
            if (e.client == c.l7_client) client_segment(cache, c, v);
            return false;
        case kQuic:
            if (e.client == c.l7_client) quic_datagram(cache, c, v);
            return false;
        case kWaitResponse:
            // Client segments (a request body) do not count: the response may come late.
            if (e.client != c.l7_client) response(cache, c, v);
            return false;
        default:
            break;
    }
    if (++c.l7_tries > kMaxTries) {
        finish(cache, c);
        return false;
    }
    start(cache, e, c, v);
    return false;
}

// The first payload packets: which protocol starts here?
void Metadata::start(FlowCache& cache, FlowCache::Entry& e, Conn& c, const PacketView& v) {
    const std::span<const uint8_t> payload(v.payload, v.payload_cap);
    // A segment cut by the snap length will not grow: read what it holds.
    const bool cut = v.payload_cap < v.payload_len;
    if (e.key.proto == 17) {
        if (l7::looks_like_http_request(payload)) {
            // HTTP over UDP: SSDP (port 1900) and its kin, one request per datagram.
            l7::HttpRequest req;
            if (l7::parse_http_request(payload, req) != l7::Status::done) return;
            const bool ssdp = e.key.sport == 1900 || e.key.dport == 1900;
            set_app(c, ssdp ? App::ssdp : App::http);
            keep_text(c.http_method, req.method);
            keep_text(c.http_host, req.host);
            c.has_text = true;
            finish(cache, c);
            return;
        }
        if (!l7::looks_like_quic_initial(payload)) {
            // Google QUIC before v50 sends its client hello in the clear.
            l7::GquicHello g;
            if (c.app == static_cast<uint8_t>(App::quic) &&
                l7::parse_gquic_client_hello(payload, g) == l7::Status::done) {
                keep_text(c.sni, g.sni);
                c.has_text = true;
                finish(cache, c);
            }
            return;
        }
        c.l7_client = e.client;
        c.l7_state = kQuic;
        set_app(c, App::quic);
        quic_datagram(cache, c, v);
        return;
    }
    if (e.key.proto != 6) return;
    uint8_t state;
    if (l7::looks_like_client_hello(payload)) {
        state = kTlsBuffering;
    } else if (dns_port(e.key)) {
        state = kDnsTcpBuffering;
    } else if (l7::looks_like_http_request(payload)) {
        state = kHttpBuffering;
    } else {
        return;
    }
    c.l7_client = e.client;
    c.l7_state = state;
    c.l7_mark = 0;
    if (parse_client(c, payload, cut)) buffer(cache, c, v, state);
    if (c.l7_state == kDone) cache.release_l7(c);
}

void Metadata::buffer(FlowCache& cache, Conn& c, const PacketView& v, uint8_t state) {
    c.l7_buffer = cache.pool().take_buffer();
    auto& buf = cache.pool().buffer(c.l7_buffer);
    const size_t n = v.payload_cap < limit_of(state) ? v.payload_cap : limit_of(state);
    buf.assign(v.payload, v.payload + n);
    c.l7_next_seq = v.seq + v.payload_cap;
    c.l7_state = state;
}

// Parses the client stream with the parser of c.l7_state and moves the state on. True when
// the message needs more bytes.
bool Metadata::parse_client(Conn& c, std::span<const uint8_t> stream, bool prefix_only) {
    switch (c.l7_state) {
        case kTlsBuffering: {
            l7::ClientHello h;
            const l7::Status s = l7::parse_tls_client_hello(stream, h, prefix_only);
            if (s == l7::Status::need_more && !prefix_only) {
                c.l7_mark = static_cast<uint32_t>(std::min(h.needed, limit_of(kTlsBuffering)));
                return true;
            }
            if (s == l7::Status::done) take_hello(c, h, App::tls);
            c.l7_state = kDone;
            return false;
        }
        case kHttpBuffering: {
            l7::HttpRequest req;
            const l7::Status s = l7::parse_http_request(stream, req, c.l7_mark);
            if (s == l7::Status::need_more && !prefix_only) {
                c.l7_mark = static_cast<uint32_t>(req.resume_at);
                return true;
            }
            if (s != l7::Status::done) {
                c.l7_state = kIdle;  // not HTTP after all: keep looking (a hello may follow)
                return false;
            }
            set_app(c, App::http);
            keep_text(c.http_method, req.method);
            keep_text(c.http_host, req.host);
            c.has_text = true;
            c.l7_state = kWaitResponse;
            return false;
        }
        default: {  // DNS over TCP
            l7::DnsMessage m;
            const l7::Status s = l7::parse_dns_tcp(stream, m);
            if (s == l7::Status::need_more && !prefix_only) return true;
            if (s == l7::Status::done) take_dns(c, m);
            c.l7_state = s == l7::Status::done && !m.response ? kWaitResponse : kDone;
            return false;
        }
    }
}

// A later client segment of a message being buffered, in sequence order: a retransmitted
// part is skipped, a gap ends the message where it is.
void Metadata::client_segment(FlowCache& cache, Conn& c, const PacketView& v) {
    auto& buf = cache.pool().buffer(c.l7_buffer);
    const size_t before = buf.size();
    const size_t limit = limit_of(c.l7_state);
    const int32_t behind = static_cast<int32_t>(c.l7_next_seq - v.seq);
    bool prefix_only = v.payload_cap < v.payload_len;
    if (behind < 0) {
        prefix_only = true;
    } else if (static_cast<uint32_t>(behind) < v.payload_cap) {
        size_t n = v.payload_cap - static_cast<uint32_t>(behind);
        if (n > limit - buf.size()) n = limit - buf.size();
        buf.insert(buf.end(), v.payload + behind, v.payload + behind + n);
        c.l7_next_seq = v.seq + v.payload_cap;
    } else {
        return;  // all of it seen before
    }
    if (buf.size() >= limit) prefix_only = true;
    // A message arriving in many small segments is parsed again only when it can have
    // changed the outcome: a hello once it has the bytes its parser asked for, a request at
    // a new line (from its first incomplete line). Parsing the whole buffer at every segment
    // took 2-4 s for 300,000 one-byte segments of 16 KB messages.
    const size_t added = buf.size() - before;
    if (!prefix_only && added > 0 &&
        ((c.l7_state == kTlsBuffering && buf.size() < c.l7_mark) ||
         (c.l7_state == kHttpBuffering && !std::memchr(buf.data() + before, '\n', added))))
        return;
    if (parse_client(c, buf, prefix_only)) return;
    cache.release_l7(c);
    if (c.l7_state == kIdle && ++c.l7_tries > kMaxTries) c.l7_state = kDone;
}

// The server's first payload after a request: HTTP status, DNS response code.
void Metadata::response(FlowCache& cache, Conn& c, const PacketView& v) {
    const std::span<const uint8_t> payload(v.payload, v.payload_cap);
    if (c.app == static_cast<uint8_t>(App::dns)) {
        l7::DnsMessage m;
        if (l7::parse_dns_tcp(payload, m) == l7::Status::done) {
            take_dns(c, m);
        } else if (payload.size() >= 6) {  // the header alone holds the response code
            c.dns_rcode = stored_dns_rcode(static_cast<uint8_t>(payload[5] & 0x0f));
        }
        finish(cache, c);
        return;
    }
    l7::HttpResponse resp;
    if (l7::parse_http_response(payload, resp) == l7::Status::done) c.http_status = resp.status;
    // After a CONNECT the tunnel usually carries TLS: keep looking for a hello.
    if (c.http_method == "CONNECT") {
        c.l7_state = kIdle;
        return;
    }
    finish(cache, c);
}

// DNS over UDP: every datagram is a message; each one ends its record.
bool Metadata::dns_datagram(Conn& c, const l7::DnsMessage& m) {
    c.dns_qname.clear();
    c.dns_qtype = 0;
    c.dns_rcode = 0;
    take_dns(c, m);
    return true;
}

void Metadata::quic_datagram(FlowCache& cache, Conn& c, const PacketView& v) {
    if (!c.l7_quic) c.l7_quic = cache.pool().take_quic();
    l7::QuicInitialReader& r = cache.pool().quic(c.l7_quic);
    const l7::Status s = r.feed(std::span<const uint8_t>(v.payload, v.payload_cap), scratch_);
    if (s == l7::Status::done) {
        take_hello(c, r.hello(), App::quic);
        finish(cache, c);
        return;
    }
    if (++c.l7_tries > kMaxTries || r.packets() >= kMaxQuicDatagrams ||
        (s != l7::Status::need_more && r.packets() == 0 && c.l7_tries > 2)) {
        finish(cache, c);
        return;
    }
    // A reader that opened no packet holds nothing: it goes back to the pool until the next
    // datagram, so that flows of one datagram that only looks like an Initial (a flood, a
    // scan) do not hold about 4.5 KB each until they end.
    if (r.packets() == 0) {
        cache.pool().give_quic(c.l7_quic);
        c.l7_quic = 0;
    }
}

}  // namespace fk
