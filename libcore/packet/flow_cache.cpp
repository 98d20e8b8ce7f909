#include "packet/flow_cache.h"

#include <algorithm>
#include <memory>

#include "l7/classify.h"
#include "record/names.h"

namespace fk {

namespace {

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

uint8_t layer2_app(uint16_t ether_type) {
    switch (ether_type) {
        case 0x88b8:
        case 0x88b9:
            return static_cast<uint8_t>(App::goose);
        case 0x88ba:
            return static_cast<uint8_t>(App::iec61850_sv);
        case 0x8892:
            return static_cast<uint8_t>(App::profinet);
        default:
            return 0;
    }
}

}  // namespace

FlowKey key_of(const PacketView& v, bool layer2) {
    FlowKey k;
    k.vlan = v.vlan;
    if (layer2) {
        k.src = IpAddr{0, v.src_mac};
        k.dst = IpAddr{0, v.dst_mac};
        k.sport = v.ether_type;
        k.layer2 = 1;
        return k;
    }
    k.src = v.src;
    k.dst = v.dst;
    k.sport = v.sport;
    k.dport = v.dport;
    k.proto = v.proto;
    return k;
}

FlowKey reverse(const FlowKey& k) {
    FlowKey r = k;
    r.src = k.dst;
    r.dst = k.src;
    if (!k.layer2) {
        r.sport = k.dport;
        r.dport = k.sport;
    }
    return r;
}

uint32_t L7Pool::take_buffer() {
    if (!free_buffers_.empty()) {
        const uint32_t id = free_buffers_.back();
        free_buffers_.pop_back();
        return id;
    }
    buffers_.emplace_back();
    return static_cast<uint32_t>(buffers_.size());
}

void L7Pool::give_buffer(uint32_t id) {
    buffers_[id - 1].clear();
    free_buffers_.push_back(id);
}

uint32_t L7Pool::take_quic() {
    if (!free_readers_.empty()) {
        const uint32_t id = free_readers_.back();
        free_readers_.pop_back();
        readers_[id - 1]->reset();
        return id;
    }
    readers_.push_back(std::make_unique<l7::QuicInitialReader>());
    return static_cast<uint32_t>(readers_.size());
}

void Conn::reset() {
    const uint32_t keep_next = next_free;
    syn_ts = synack_ts = request_ts = 0;
    rtt_client = rtt_server = srt = 0;
    handshake = 0;
    responded = false;
    app = 0;
    tls_version = http_status = dns_qtype = 0;
    dns_rcode = 0;
    ech = false;
    l7_state = l7_client = l7_tries = 0;
    class_tries = 0;
    app_evidence = 0;
    l7_next_seq = l7_buffer = l7_quic = l7_mark = 0;
    if (has_text) {
        // clear() keeps the strings' capacity: a reused Conn does not allocate again.
        sni.clear();
        alpn.clear();
        http_host.clear();
        http_method.clear();
        dns_qname.clear();
        has_text = false;
    }
    refs = 0;
    next_free = keep_next;
}

FlowCache::FlowCache(const CacheOptions& opts) : opts_(opts) {
    if (opts_.sampling == 0) opts_.sampling = 1;
    if (opts_.max_flows == 0) opts_.max_flows = 1;
    slots_.assign(1u << 12, Slot{0, 0});
    mask_ = static_cast<uint32_t>(slots_.size() - 1);
    entries_.reserve(1u << 11);
}

uint32_t FlowCache::find(const FlowKey& k, uint32_t h) const {
    for (uint32_t i = h & mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.idx == 0) return 0;
        if (s.hash == h && entries_[s.idx - 1].key == k) return s.idx;
    }
}

void FlowCache::grow_table() {
    std::vector<Slot> old(slots_.size() * 2, Slot{0, 0});
    old.swap(slots_);
    mask_ = static_cast<uint32_t>(slots_.size() - 1);
    for (const Slot& s : old) {
        if (s.idx == 0) continue;
        uint32_t i = s.hash & mask_;
        while (slots_[i].idx != 0) i = (i + 1) & mask_;
        slots_[i] = s;
    }
}

void FlowCache::unlink(uint32_t idx) {
    Entry& e = entries_[idx];
    if (e.prev)
        entries_[e.prev - 1].next = e.next;
    else
        (e.asleep ? sleep_head_ : head_) = e.next;
    if (e.next)
        entries_[e.next - 1].prev = e.prev;
    else
        (e.asleep ? sleep_tail_ : tail_) = e.prev;
}

void FlowCache::link_tail(uint32_t idx) {
    Entry& e = entries_[idx];
    // The clock is a packet behind (advance_clock). A flow dated further ahead (a bad
    // timestamp) is linked at the clock instead, so that it does not hold the head: it comes
    // back there an idle period later, and is linked again until the clock reaches it.
    // An entry asleep is linked at the time it fell asleep, in the list of those asleep.
    e.linked = e.asleep || e.last > now_ + opts_.idle_us ? now_ : e.last;
    uint32_t& head = e.asleep ? sleep_head_ : head_;
    uint32_t& tail = e.asleep ? sleep_tail_ : tail_;
    e.prev = tail;
    e.next = 0;
    if (tail)
        entries_[tail - 1].next = idx + 1;
    else
        head = idx + 1;
    tail = idx + 1;
}

uint32_t FlowCache::new_conn() {
    uint32_t c;
    if (free_conn_) {
        c = free_conn_;
        Conn& x = conns_[c - 1];
        free_conn_ = x.next_free;
        x.reset();
    } else {
        conns_.emplace_back();
        c = static_cast<uint32_t>(conns_.size());
    }
    conns_[c - 1].refs = 1;
    return c;
}

void FlowCache::release_l7(Conn& c) {
    if (c.l7_buffer) pool_.give_buffer(c.l7_buffer);
    if (c.l7_quic) pool_.give_quic(c.l7_quic);
    c.l7_buffer = c.l7_quic = 0;
}

void FlowCache::release_conn(uint32_t c) {
    Conn& x = conns_[c - 1];
    if (--x.refs == 0) {
        release_l7(x);
        x.next_free = free_conn_;
        free_conn_ = c;
    }
}

uint32_t FlowCache::insert(const FlowKey& k, uint32_t h, uint64_t ts) {
    while (count_ >= opts_.max_flows) {
        // The entries asleep first, then the head: about the least recently seen.
        if (sleep_head_) {
            end_flow(sleep_head_ - 1);
        } else {
            ++stats_.evicted;
            end_flow(head_ - 1);
        }
    }
    if ((count_ + 1) * 2 > slots_.size()) grow_table();
    uint32_t idx;
    if (free_entry_) {
        idx = free_entry_ - 1;
        free_entry_ = entries_[idx].next;
    } else {
        idx = static_cast<uint32_t>(entries_.size());
        entries_.emplace_back();
    }
    Entry& e = entries_[idx];
    e = Entry{};
    e.key = k;
    e.hash = h;
    e.first = e.last = ts;
    uint32_t i = h & mask_;
    while (slots_[i].idx != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{h, idx + 1};
    link_tail(idx);
    ++count_;
    if (count_ > stats_.peak_flows) stats_.peak_flows = count_;
    return idx;
}

void FlowCache::erase(uint32_t idx) {
    Entry& e = entries_[idx];
    uint32_t i = e.hash & mask_;
    while (slots_[i].idx != idx + 1) i = (i + 1) & mask_;
    // Backward-shift deletion keeps every probe sequence unbroken without tombstones.
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & mask_;
        if (slots_[j].idx == 0) break;
        const uint32_t home = slots_[j].hash & mask_;
        if (((j - home) & mask_) >= ((j - i) & mask_)) {
            slots_[i] = slots_[j];
            i = j;
        }
    }
    slots_[i] = Slot{0, 0};
    unlink(idx);
    if (e.conn) release_conn(e.conn);
    e.conn = 0;
    e.next = free_entry_;
    free_entry_ = idx + 1;
    --count_;
}

// The columns emit() fills, each once: the block keeps them sized to cap_ rows, so that
// emit() stores by index instead of growing 38 vectors one value at a time.
template <class F>
void FlowCache::probe_columns(F&& f) {
    FlowBlock& b = out_;
    f(b.start), f(b.end), f(b.packets), f(b.bytes), f(b.vlan), f(b.sampling), f(b.tos);
    f(b.src_mac), f(b.dst_mac), f(b.ether_type), f(b.src), f(b.dst), f(b.sport), f(b.dport);
    f(b.proto), f(b.flags), f(b.retrans), f(b.tunnel), f(b.tun_src), f(b.tun_dst);
    f(b.rtt_client), f(b.rtt_server), f(b.srt), f(b.tls_version), f(b.ech), f(b.http_status);
    f(b.dns_qtype), f(b.dns_rcode), f(b.sni.ids), f(b.alpn.ids), f(b.http_host.ids);
    f(b.http_method.ids), f(b.dns_qname.ids), f(b.app);
}

void FlowCache::size_columns(size_t rows) {
    cap_ = rows;
    probe_columns([&](auto& col) { col.resize(rows); });
}

void FlowCache::end_idle(uint32_t idx) {
    if (keeps_context(entries_[idx]))
        fall_asleep(idx);
    else
        end_flow(idx);
}

void FlowCache::end_sleepers(uint64_t now) {
    next_sleep_check_ = now + 1'000'000;
    while (sleep_head_ && entries_[sleep_head_ - 1].linked + sleep_us() < now) {
        end_flow(sleep_head_ - 1);
    }
}

void FlowCache::fall_asleep(uint32_t idx) {
    emit(idx);
    Entry& e = entries_[idx];
    e.first = e.last;
    e.packets = e.bytes = 0;
    e.flags = 0;
    e.retrans = 0;
    unlink(idx);
    e.asleep = 1;
    link_tail(idx);
}

// Writes the record straight into the output block's columns (only those a probe fills;
// out() marks the others all default): going through a FlowRecord cost a copy and a push
// into every column per flow.
void FlowCache::emit(uint32_t idx) {
    const Entry& e = entries_[idx];
    // Nothing since it fell asleep (its record went out then), or woken by a SYN that
    // starts another connection.
    if (e.packets == 0) return;
    if (rows_ == cap_) size_columns(cap_ ? cap_ * 2 : 4096);
    const uint64_t n = opts_.sampling;
    FlowBlock& b = out_;
    const size_t r = rows_;
    const bool l2 = e.key.layer2;
    const Conn* c = e.conn ? &conns_[e.conn - 1] : nullptr;
    const uint64_t packets = e.packets * n, bytes = e.bytes * n;
    b.start[r] = e.first;
    b.end[r] = e.last;
    b.packets[r] = packets;
    b.bytes[r] = bytes;
    b.vlan[r] = e.key.vlan;
    b.sampling[r] = opts_.sampling;
    b.tos[r] = e.tos;
    b.src_mac[r] = l2 ? e.key.src.lo : 0;
    b.dst_mac[r] = l2 ? e.key.dst.lo : 0;
    b.ether_type[r] = l2 ? e.ether_type : 0;
    b.src[r] = l2 ? IpAddr{} : e.key.src;
    b.dst[r] = l2 ? IpAddr{} : e.key.dst;
    b.sport[r] = l2 ? 0 : e.key.sport;
    b.dport[r] = l2 ? 0 : e.key.dport;
    b.proto[r] = l2 ? 0 : e.key.proto;
    b.flags[r] = l2 ? 0 : e.flags;
    b.retrans[r] = l2 ? 0 : e.retrans;
    const bool tunnel = !l2 && e.tunnel;
    b.tunnel[r] = tunnel ? e.tunnel : 0;
    b.tun_src[r] = tunnel ? tunnels_[idx].first : IpAddr{};
    b.tun_dst[r] = tunnel ? tunnels_[idx].second : IpAddr{};
    uint8_t app = l2 ? layer2_app(e.ether_type) : 0;
    if (c) {
        app = c->app;
        b.rtt_client[r] = c->rtt_client;
        b.rtt_server[r] = c->rtt_server;
        b.srt[r] = c->srt;
        b.tls_version[r] = c->tls_version;
        b.ech[r] = c->ech;
        b.http_status[r] = c->http_status;
        b.dns_qtype[r] = c->dns_qtype;
        b.dns_rcode[r] = c->dns_rcode;
    } else {
        b.rtt_client[r] = 0;
        b.rtt_server[r] = 0;
        b.srt[r] = 0;
        b.tls_version[r] = 0;
        b.ech[r] = 0;
        b.http_status[r] = 0;
        b.dns_qtype[r] = 0;
        b.dns_rcode[r] = 0;
    }
    if (c && c->has_text) {
        b.sni.ids[r] = b.sni.dict.intern(c->sni);
        b.alpn.ids[r] = b.alpn.dict.intern(c->alpn);
        b.http_host.ids[r] = b.http_host.dict.intern(c->http_host);
        b.http_method.ids[r] = b.http_method.dict.intern(c->http_method);
        b.dns_qname.ids[r] = b.dns_qname.dict.intern(c->dns_qname);
    } else {  // id 0 is the empty string
        b.sni.ids[r] = 0;
        b.alpn.ids[r] = 0;
        b.http_host.ids[r] = 0;
        b.http_method.ids[r] = 0;
        b.dns_qname.ids[r] = 0;
    }
    // Without a payload verdict, the well-known port (or the IP protocol: ICMP, IPsec).
    if (app == 0 && !l2)
        app = static_cast<uint8_t>(l7::app_from_ports(e.key.proto, e.key.sport, e.key.dport));
    b.app[r] = app;
    ++rows_;
    if (e.first < t_first_) t_first_ = e.first;
    if (e.last > t_last_) t_last_ = e.last;
    ++stats_.flows;
    stats_.packets += packets;
    stats_.bytes += bytes;
}

FlowBlock& FlowCache::out() {
    if (out_.size() != rows_ || cap_ != rows_) {
        probe_columns([&](auto& col) { col.resize(rows_); });
        cap_ = rows_;
        // The columns emit() does not fill (router and cloud fields) stay empty: all default.
        filled_.reset();
        for_each_field([&](auto t) {
            using T = decltype(t);
            const auto& col = column<T::id>(out_);
            if (col.size() == rows_) filled_.set(static_cast<unsigned>(T::id));
        });
        out_.set_rows(rows_, t_first_, t_last_, filled_);
    }
    return out_;
}

void FlowCache::clear_out() {
    // The columns emit() fills keep their length: it overwrites them from row 0. (A sink may
    // have swapped in another block: cap_ is what this one holds.)
    out_.clear_keeping(filled_);
    cap_ = SIZE_MAX;
    probe_columns([&](auto& col) { cap_ = std::min(cap_, col.size()); });
    rows_ = 0;
    t_first_ = UINT64_MAX;
    t_last_ = 0;
}

void FlowCache::response_time(const Entry& e, Conn& c, const PacketView& v, uint64_t ts) {
    if (v.payload_len == 0) return;
    if (e.client) {
        if (c.request_ts == 0) c.request_ts = ts;
    } else if (c.request_ts != 0 && !c.responded) {
        c.srt = static_cast<uint32_t>(ts - c.request_ts);
        c.responded = true;
    }
}

void FlowCache::tcp_update(Entry& e, const PacketView& v, uint64_t ts) {
    const uint8_t f = v.tcp_flags;
    if (e.conn) {
        Conn& c = conns_[e.conn - 1];
        if ((f & (kSyn | kAck)) == kSyn && e.client) {
            // A retransmitted SYN restarts the handshake clock, as the SYN/ACK answers it.
            if (c.handshake <= 1) {
                c.syn_ts = ts;
                c.handshake = 1;
            }
        } else if ((f & (kSyn | kAck)) == (kSyn | kAck) && !e.client) {
            if (c.handshake == 1) {
                c.synack_ts = ts;
                c.rtt_server = static_cast<uint32_t>(ts - c.syn_ts);
                c.handshake = 2;
            }
        } else if ((f & (kSyn | kAck)) == kAck && e.client && c.handshake == 2) {
            c.rtt_client = static_cast<uint32_t>(ts - c.synack_ts);
            c.handshake = 3;
        }
        response_time(e, c, v, ts);
    }
    // Retransmissions: a segment that does not reach past the highest sequence number sent.
    // SYN and FIN take a sequence number each, so a repeated FIN counts too; a keep-alive
    // (one byte below the next sequence number, as tshark tells it) does not.
    if (f & kSyn) {
        if (e.seq_valid && v.seq + 1 == e.seq_end) ++e.retrans;
        e.seq_end = v.seq + 1;
        e.seq_valid = 1;
    } else if (v.payload_len > 0 || (f & kFin)) {
        const uint32_t end = v.seq + v.payload_len + (f & kFin);
        if (e.seq_valid && static_cast<int32_t>(end - e.seq_end) <= 0) {
            const bool keep_alive = v.payload_len == 1 && !(f & kFin) && end == e.seq_end;
            if (!keep_alive) ++e.retrans;
        } else {
            e.seq_end = end;
            e.seq_valid = 1;
        }
    }
}

uint32_t FlowCache::add(const PacketView& v, bool layer2, uint64_t ts, const FlowKey& k,
                        uint32_t h) {
    advance_clock(ts);
    uint32_t found = find(k, h);
    uint32_t idx;
    if (found) {
        idx = found - 1;
        Entry& e = entries_[idx];
        wake(idx, ts);
        if (v.proto == 6 && (v.tcp_flags & (kSyn | kAck)) == kSyn && !layer2 && e.conn &&
            conns_[e.conn - 1].handshake >= 2) {
            // A new connection on the same ports: the old one's records end here, and the
            // new one gets a state of its own.
            end_peer(e.key, e.conn);  // erasing never moves entries: `e` stays valid
            emit(idx);
            e.first = e.last = ts;
            e.packets = e.bytes = 0;
            e.flags = 0;
            e.retrans = 0;
            e.seq_valid = 0;
            e.closing = 0;
            release_conn(e.conn);
            e.conn = new_conn();
            e.client = 1;
        } else if (ts > e.last + quiet(e) || ts >= e.first + opts_.active_us) {
            // Idle, closed or active timeout: the record so far goes out, the flow goes on
            // in a new one (its connection state stays).
            emit(idx);
            e.first = e.last = ts;
            e.packets = e.bytes = 0;
            e.flags = 0;
            e.retrans = 0;
            e.closing = 0;
        }
    } else {
        idx = insert(k, h, ts);
        Entry& e = entries_[idx];
        e.tos = v.tos;
        e.ether_type = v.ether_type;
        e.tunnel = v.tunnel;
        if (v.tunnel) {
            if (tunnels_.size() <= idx) tunnels_.resize(entries_.size());
            tunnels_[idx] = {v.tun_src, v.tun_dst};
        }
        if (!layer2 && (v.proto == 6 || v.proto == 17 || v.proto == 132)) {
            // The two directions share one Conn; the first one seen creates it.
            const FlowKey rk = reverse(k);
            uint32_t peer = find(rk, FlowCache::hash(rk));
            if (peer && v.proto == 6 && (v.tcp_flags & (kSyn | kAck)) == kSyn &&
                entries_[peer - 1].conn && conns_[entries_[peer - 1].conn - 1].handshake >= 2) {
                end_flow(peer - 1);  // the reverse flow of an earlier connection on these ports
                peer = 0;
            }
            if (peer && entries_[peer - 1].conn) {
                const Entry& p = entries_[peer - 1];
                e.conn = p.conn;
                ++conns_[p.conn - 1].refs;
                e.client = !p.client;
            } else {
                e.conn = new_conn();
                if (v.proto == 6 && (v.tcp_flags & kSyn))
                    e.client = !(v.tcp_flags & kAck);
                else  // the side with the lower port is taken for the server
                    e.client = v.sport >= v.dport;
            }
        }
    }
    Entry& e = entries_[idx];
    if (ts < e.first) e.first = ts;
    if (ts > e.last) e.last = ts;
    ++e.packets;
    e.bytes += v.bytes;
    if (!layer2 && v.proto == 6) {
        e.flags |= v.tcp_flags;
        tcp_update(e, v, ts);
    } else if (v.proto == 17 && e.conn) {
        response_time(e, conns_[e.conn - 1], v, ts);
    }
    return idx;
}

void FlowCache::end_peer(const FlowKey& k, uint32_t conn) {
    const FlowKey rk = reverse(k);
    const uint32_t peer = find(rk, FlowCache::hash(rk));
    if (peer && entries_[peer - 1].conn == conn) end_flow(peer - 1);
}

void FlowCache::end_if_closed(uint32_t idx, const PacketView& v) {
    if (v.proto != 6) return;
    if (v.tcp_flags & kRst)
        end_flow(idx);
    else if (v.tcp_flags & kFin)
        entries_[idx].closing = 1;
}

void FlowCache::add_aggregate(const FlowKey& key, uint64_t packets, uint64_t bytes, uint64_t first,
                              uint64_t last) {
    const uint32_t h = FlowCache::hash(key);
    const uint32_t found = find(key, h);
    const uint32_t idx = found ? found - 1 : insert(key, h, first);
    wake(idx, first);
    Entry& e = entries_[idx];
    if (first < e.first) e.first = first;
    if (last > e.last) e.last = last;
    e.packets += packets;
    e.bytes += bytes;
}

void FlowCache::expire(uint64_t now) {
    if (now > now_) now_ = now;
    expire_idle(now_);
    // Flows that are still busy but past the active timeout also end on a clock tick.
    for (uint32_t i = head_; i;) {
        const uint32_t next = entries_[i - 1].next;
        if (entries_[i - 1].first + opts_.active_us <= now_) end_flow(i - 1);
        i = next;
    }
}

void FlowCache::advance_clock(uint64_t ts) {
    const uint64_t prev = prev_ts_;
    prev_ts_ = ts;
    const uint64_t earlier = std::min(ts, prev);
    if (earlier > now_) {
        now_ = earlier;
        expire_idle(now_);
    } else if (std::max(ts, prev) + opts_.idle_us < now_) {
        step_back(std::max(ts, prev));
    }
}

void FlowCache::step_back(uint64_t to) {
    // The capture's clock was set back: the flows last seen after the new time are from
    // before the step, and end here (each once, so repeated steps cost no more than the
    // flows they end). The packet before this one may have opened a flow of the new time.
    ++stats_.clock_steps_back;
    for (const uint32_t list : {head_, sleep_head_}) {
        for (uint32_t i = list; i;) {
            const uint32_t next = entries_[i - 1].next;
            if (entries_[i - 1].last > to) end_flow(i - 1);
            i = next;
        }
    }
    now_ = to;
}

void FlowCache::flush_all() {
    while (head_) end_flow(head_ - 1);
    while (sleep_head_) end_flow(sleep_head_ - 1);
}

}  // namespace fk
