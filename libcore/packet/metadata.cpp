#include "packet/metadata.h"

#include <span>

#include "l7/quic.h"
#include "l7/tls.h"
#include "record/names.h"

namespace fk {

namespace {

// Payload packets of a connection looked at before giving up on finding a hello: enough for
// STARTTLS and CONNECT preambles, small enough to cost nothing on bulk transfers.
constexpr uint8_t kMaxTries = 8;
// QUIC client datagrams fed to a reader: the hello comes first and takes at most a few.
constexpr unsigned kMaxQuicDatagrams = 4;

void take_hello(Conn& c, const l7::ClientHello& h, App app) {
    c.app = static_cast<uint8_t>(app);
    c.sni.assign(h.sni);
    c.alpn.assign(h.alpn());
    c.tls_version = h.version;
    c.ech = h.ech;
}

}  // namespace

Metadata::Metadata() : scratch_(l7::quic::kMaxInitialPlaintext) {}

void Metadata::finish(FlowCache& cache, Conn& c) {
    c.l7_state = kDone;
    cache.release_l7(c);
}

void Metadata::inspect(FlowCache& cache, FlowCache::Entry& e, Conn& c, const PacketView& v) {
    const std::span<const uint8_t> payload(v.payload, v.payload_cap);
    if (c.l7_state == kTlsBuffering) {
        if (e.client == c.l7_client) tls_segment(cache, e, c, v);
        return;
    }
    if (c.l7_state == kQuic) {
        if (e.client == c.l7_client) quic_datagram(cache, c, v);
        return;
    }
    if (++c.l7_tries > kMaxTries) {
        finish(cache, c);
        return;
    }
    if (e.key.proto == 6) {
        if (!l7::looks_like_client_hello(payload)) return;
        c.app = static_cast<uint8_t>(App::tls);
        c.l7_client = e.client;
        l7::ClientHello h;
        // A segment cut by the snap length will not grow: read what it holds.
        const bool cut = v.payload_cap < v.payload_len;
        const l7::Status s = l7::parse_tls_client_hello(payload, h, cut);
        if (s == l7::Status::done) {
            take_hello(c, h, App::tls);
            finish(cache, c);
        } else if (s == l7::Status::need_more) {
            c.l7_buffer = cache.pool().take_buffer();
            auto& buf = cache.pool().buffer(c.l7_buffer);
            buf.assign(payload.begin(), payload.end());
            c.l7_next_seq = v.seq + v.payload_cap;
            c.l7_state = kTlsBuffering;
        } else {
            finish(cache, c);
        }
    } else if (e.key.proto == 17) {
        if (!l7::looks_like_quic_initial(payload)) return;
        c.l7_quic = cache.pool().take_quic();
        c.l7_client = e.client;
        c.l7_state = kQuic;
        c.app = static_cast<uint8_t>(App::quic);
        quic_datagram(cache, c, v);
    }
}

void Metadata::tls_segment(FlowCache& cache, FlowCache::Entry&, Conn& c, const PacketView& v) {
    auto& buf = cache.pool().buffer(c.l7_buffer);
    // Sequence order: a retransmitted part is skipped, a gap ends the hello where it is.
    const int32_t behind = static_cast<int32_t>(c.l7_next_seq - v.seq);
    bool prefix_only = v.payload_cap < v.payload_len;
    if (behind < 0) {
        prefix_only = true;
    } else if (static_cast<uint32_t>(behind) < v.payload_cap) {
        const size_t room =
            l7::kMaxTlsRecord + 5 > buf.size() ? l7::kMaxTlsRecord + 5 - buf.size() : 0;
        size_t n = v.payload_cap - static_cast<uint32_t>(behind);
        if (n > room) n = room;
        buf.insert(buf.end(), v.payload + behind, v.payload + behind + n);
        c.l7_next_seq = v.seq + v.payload_cap;
    } else {
        return;  // all of it seen before
    }
    if (buf.size() >= l7::kMaxTlsRecord + 5) prefix_only = true;
    l7::ClientHello h;
    const l7::Status s = l7::parse_tls_client_hello(buf, h, prefix_only);
    if (s == l7::Status::need_more && !prefix_only) return;
    if (s == l7::Status::done) take_hello(c, h, App::tls);
    finish(cache, c);
}

void Metadata::quic_datagram(FlowCache& cache, Conn& c, const PacketView& v) {
    l7::QuicInitialReader& r = cache.pool().quic(c.l7_quic);
    const l7::Status s = r.feed(std::span<const uint8_t>(v.payload, v.payload_cap), scratch_);
    if (s == l7::Status::done) {
        take_hello(c, r.hello(), App::quic);
        finish(cache, c);
        return;
    }
    if (++c.l7_tries > kMaxTries || r.packets() >= kMaxQuicDatagrams ||
        (s != l7::Status::need_more && r.packets() == 0 && c.l7_tries > 2))
        finish(cache, c);
}

}  // namespace fk
