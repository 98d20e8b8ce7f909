// The flow cache: unidirectional flows keyed by 5-tuple + VLAN in a flat open-addressing
// table, with NetFlow expiry driven by packet time (idle and active timeouts, TCP FIN/RST),
// a bound on the number of flows (the least recently seen flow is evicted), and connection
// state shared by the two directions of a connection (TCP handshake delays, server response
// time, application metadata), so that both records carry it.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "l7/classify.h"
#include "l7/quic.h"

#include "packet/decode.h"
#include "record/flow_block.h"

namespace fk {

struct FlowKey {
    IpAddr src, dst;  // layer-2 flows: the MAC addresses in .lo
    uint16_t sport = 0, dport = 0;
    uint16_t vlan = 0;
    uint8_t proto = 0;
    uint8_t layer2 = 0;
    bool operator==(const FlowKey&) const = default;
};
static_assert(sizeof(FlowKey) == 40);

FlowKey key_of(const PacketView& v, bool layer2);
FlowKey reverse(const FlowKey& k);

// Buffers and QUIC readers lent to the few connections whose metadata spans packets (a
// ClientHello over several segments, QUIC Initials), reused once their hello is read.
class L7Pool {
  public:
    uint32_t take_buffer();
    std::vector<uint8_t>& buffer(uint32_t id) { return buffers_[id - 1]; }
    void give_buffer(uint32_t id);
    uint32_t take_quic();
    l7::QuicInitialReader& quic(uint32_t id) { return *readers_[id - 1]; }
    void give_quic(uint32_t id) { free_readers_.push_back(id); }

  private:
    std::vector<std::vector<uint8_t>> buffers_;
    std::vector<uint32_t> free_buffers_;
    std::vector<std::unique_ptr<l7::QuicInitialReader>> readers_;
    std::vector<uint32_t> free_readers_;
};

// State of one connection, shared by the records of both directions. What every packet,
// every record and the end of a connection read fits the first cache line; the handshake
// times (read by its first packets only, while the line is hot) and the strings (set for
// few connections) come after it.
struct alignas(64) Conn {
    uint32_t refs = 0;
    uint32_t next_free = 0;
    uint64_t request_ts = 0;
    uint32_t rtt_client = 0, rtt_server = 0, srt = 0;
    uint8_t handshake = 0;  // 0 none, 1 SYN seen, 2 SYN/ACK seen, 3 done
    bool responded = false;
    uint8_t app = 0;
    uint16_t tls_version = 0;
    uint16_t http_status = 0;
    uint16_t dns_qtype = 0;
    uint8_t dns_rcode = 0;  // stored: the code plus one, 0 before an answer (record/names.h)
    bool ech = false;
    // Payload inspection (packet/metadata.h).
    uint8_t l7_state = 0;
    uint8_t l7_client = 0;  // Entry::client of the direction the parsed messages come from
    uint8_t l7_tries = 0;
    uint8_t class_tries = 0;   // payload packets shown to the classifier
    uint8_t app_evidence = 0;  // l7::Evidence of `app`
    bool has_text = false;     // one of the strings was set: without, their lines stay cold
    uint32_t l7_next_seq = 0;  // TLS over TCP: next client sequence number to buffer
    uint32_t l7_buffer = 0;    // L7Pool ids, 0 = none
    uint32_t l7_quic = 0;
    // A message being buffered: for a TLS hello, the stream length its parser asked for (not
    // parsed again before); for an HTTP request, where its parser resumes.
    uint32_t l7_mark = 0;
    // TCP handshake: times of the client's SYN and the server's SYN/ACK.
    uint64_t syn_ts = 0, synack_ts = 0;
    std::string sni, alpn, http_host, http_method, dns_qname;
    void reset();
};
static_assert(offsetof(Conn, l7_quic) + sizeof(Conn::l7_quic) <= 64);

struct CacheOptions {
    uint64_t idle_us = 15 * 1000000ull;
    uint64_t active_us = 300 * 1000000ull;
    // After a FIN the flow takes in what comes within this time of its last packet (the
    // ACKs that end the connection), then it is over.
    uint64_t fin_us = 1000000ull;
    uint32_t max_flows = 1u << 20;
    uint32_t sampling = 1;  // 1:N, counters are multiplied by N on export
};

struct CacheStats {
    uint64_t flows = 0;    // records exported
    uint64_t packets = 0;  // their packets and bytes (renormalised when sampled)
    uint64_t bytes = 0;
    uint64_t evicted = 0;  // flows ended early because the cache was full
    uint64_t peak_flows = 0;
    uint64_t clock_steps_back = 0;  // times packet time went back by over the idle timeout
};

class FlowCache {
  public:
    // 128 bytes on a cache-line boundary, what a lookup compares and a packet updates in
    // the first line: a flow costs two lines, not three. The outer addresses of tunnelled
    // flows (rare) live in tunnels_.
    struct alignas(64) Entry {
        FlowKey key;
        uint64_t first, last;
        uint32_t hash;
        uint32_t conn;  // Conn index + 1, 0 = none
        uint64_t packets, bytes;
        uint64_t linked;      // `last` when put at the tail of the list (see link_tail)
        uint32_t prev, next;  // recency list, oldest first (index + 1; 0 = none)
        uint32_t retrans;
        uint32_t seq_end;  // highest TCP sequence number sent + 1
        uint8_t flags, tos;
        uint8_t client;  // 1: this direction opened the connection
        uint8_t seq_valid;
        uint8_t closing;  // a FIN was seen: the flow ends fin_us after its last packet
        uint8_t tunnel;   // the outer addresses are in tunnels_[index]
        // Idle, its record out: kept for sleep_us(), with the metadata of its connection, for
        // the packets that come after the pause (see expire_idle).
        uint8_t asleep;
        uint16_t ether_type;
    };
    static_assert(sizeof(Entry) == 128);

    explicit FlowCache(const CacheOptions& opts);

    // Accounts one packet (decoded as `v`, a layer-2 flow when layer2) at time ts and
    // returns its entry's index, so that callers can run per-connection parsers on it
    // before end_if_closed() ends a TCP flow at RST (or, shortly after, at FIN).
    uint32_t add(const PacketView& v, bool layer2, uint64_t ts) {
        const FlowKey k = key_of(v, layer2);
        return add(v, layer2, ts, k, hash(k));
    }
    // The same with the key and its hash computed before (see prefetch()).
    uint32_t add(const PacketView& v, bool layer2, uint64_t ts, const FlowKey& k, uint32_t h);

    static uint32_t hash(const FlowKey& k) {
        const auto rotl = [](uint64_t x, int r) { return x << r | x >> (64 - r); };
        const uint64_t tail = uint64_t{k.sport} | uint64_t{k.dport} << 16 | uint64_t{k.vlan} << 32 |
                              uint64_t{k.proto} << 48 | uint64_t{k.layer2} << 56;
        uint64_t x = (k.src.lo ^ rotl(k.src.hi, 17)) * 0x9E3779B97F4A7C15ull;
        x ^= (k.dst.lo ^ rotl(k.dst.hi, 41)) * 0xC2B2AE3D27D4EB4Full;
        x ^= tail * 0x165667B19E3779F9ull;
        x ^= x >> 31;
        x *= 0xD6E8FEB86659FD93ull;
        x ^= x >> 32;
        return static_cast<uint32_t>(x);
    }
    // Memory hints for a batch of packets: first the table slots of their hashes, then (once
    // those are in cache) the entries the slots point to (both lines: add() writes the
    // counters of the second), so that the lookups in add() that follow find both in cache
    // instead of waiting on memory one packet at a time. A free home slot means a new flow,
    // whose insert() looks for the reverse direction: that slot is asked for instead.
    void prefetch_slot(uint32_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
    void prefetch_entry(uint32_t h, const FlowKey& k) const {
        const Slot& s = slots_[h & mask_];
        if (s.idx) {
            const char* e = reinterpret_cast<const char*>(&entries_[s.idx - 1]);
            __builtin_prefetch(e);
            __builtin_prefetch(e + 64);
        } else if (!k.layer2) {
            __builtin_prefetch(&slots_[hash(reverse(k)) & mask_]);
        }
    }
    // Third step, once the entry is in cache: the connection state that TCP and payload
    // packets read.
    void prefetch_conn(uint32_t h) const {
        const Slot& s = slots_[h & mask_];
        if (s.idx) prefetch_conn_of(entries_[s.idx - 1]);
    }
    void end_if_closed(uint32_t idx, const PacketView& v);
    // Ends a flow now (its record goes out).
    void end(uint32_t idx) { end_flow(idx); }
    Entry& entry(uint32_t idx) { return entries_[idx]; }
    // Accounts packets known only in aggregate (fragments whose first fragment never came).
    void add_aggregate(const FlowKey& key, uint64_t packets, uint64_t bytes, uint64_t first,
                       uint64_t last);
    // Ends the flows idle or active for too long at time `now` (live capture without
    // packets; add() does this itself).
    void expire(uint64_t now);
    // Ends every flow (end of input).
    void flush_all();

    Conn* conn_of(const Entry& e) { return e.conn ? &conns_[e.conn - 1] : nullptr; }
    L7Pool& pool() { return pool_; }
    // Returns a connection's borrowed buffers to the pool.
    void release_l7(Conn& c);

    // Records ended so far, waiting to be taken: their number, the block that holds them,
    // and emptying it once they are taken.
    size_t pending() const { return rows_; }
    FlowBlock& out();
    void clear_out();
    size_t size() const { return count_; }
    const CacheStats& stats() const { return stats_; }

  private:
    uint32_t find(const FlowKey& k, uint32_t h) const;
    uint32_t insert(const FlowKey& k, uint32_t h, uint64_t ts);
    void erase(uint32_t idx);
    void emit(uint32_t idx);
    template <class F>
    void probe_columns(F&& f);
    void size_columns(size_t rows);
    void end_flow(uint32_t idx) {
        emit(idx);
        erase(idx);
    }
    // Whether an idle flow's connection holds what its later packets could not tell again:
    // names, a TLS version, an application read from the payload (not from a port), unless
    // it is closing.
    bool keeps_context(const Entry& e) const {
        if (!e.conn || e.closing) return false;
        const Conn& c = conns_[e.conn - 1];
        return c.has_text || c.tls_version ||
               c.app_evidence == static_cast<uint8_t>(l7::Evidence::payload);
    }
    // An idle flow whose connection keeps context: its record goes out, the entry stays.
    void fall_asleep(uint32_t idx);
    // A packet for a flow asleep: the pause is over, a new record begins.
    void wake(uint32_t idx, uint64_t ts) {
        Entry& e = entries_[idx];
        if (!e.asleep) return;
        unlink(idx);
        e.asleep = 0;
        e.first = e.last = ts;
        link_tail(idx);
    }
    void grow_table();
    void end_peer(const FlowKey& k, uint32_t conn);
    void unlink(uint32_t idx);
    void link_tail(uint32_t idx);
    uint32_t new_conn();
    void release_conn(uint32_t c);
    void tcp_update(Entry& e, const PacketView& v, uint64_t ts);
    // srt: the client's first payload to the server's first payload after it (TCP, UDP).
    void response_time(const Entry& e, Conn& c, const PacketView& v, uint64_t ts);
    // Moves the expiry clock by packet time, expiring idle flows when it goes forward. One
    // packet does not move it alone: it goes forward to the earlier of the last two packets'
    // times, and back only when both are over an idle timeout behind it. So one packet dated
    // years ahead (or at 0) neither ends every flow nor stops expiry for the rest of the input.
    void advance_clock(uint64_t ts);
    [[gnu::cold]] void step_back(uint64_t to);
    // The recency list is kept lazily: a packet only updates `last`, and an entry found at
    // the head still active is moved to the tail then. So a packet costs no list update, and
    // an entry moves at most once per idle period. add() checks the idle timeout itself, so
    // a flow never takes in a packet after an idle gap, whatever the list order. An idle
    // flow with connection context falls asleep rather than ending, so that whether a pause's
    // later packets keep the names does not depend on other traffic moving the clock.
    void expire_idle(uint64_t now) {
        while (head_) {
            const uint32_t i = head_ - 1;
            Entry& e = entries_[i];
            if (head_ != warm_head_) warm(e);
            if (e.linked + opts_.idle_us >= now) break;
            if (e.last + quiet(e) < now) {
                end_idle(i);
            } else {
                unlink(i);
                link_tail(i);
            }
        }
        if (now >= next_sleep_check_) end_sleepers(now);
    }
    // An idle flow ends, or falls asleep when its connection keeps context.
    void end_idle(uint32_t idx);
    // Entries asleep are in a list of their own, in the order they fell asleep: each is
    // looked at once more, when its time is up (checked once a second of packet time, so
    // that a packet does not read the list's cold head).
    [[gnu::cold]] void end_sleepers(uint64_t now);
    // The head of the list is the next flow to expire, long unseen and out of cache: once it
    // is known, ask for what ending it reads (its table slot and connection) and for the
    // entry after it, the next head. Nothing here waits for memory: expiry is checked again
    // at the next packet, by when those have come.
    void warm(const Entry& head) {
        warm_head_ = head_;
        __builtin_prefetch(&slots_[head.hash & mask_]);
        prefetch_conn_of(head);
        if (head.next) {
            const char* n = reinterpret_cast<const char*>(&entries_[head.next - 1]);
            __builtin_prefetch(n);
            __builtin_prefetch(n + 64);
        }
    }
    void prefetch_conn_of(const Entry& e) const {
        if (e.conn) __builtin_prefetch(&conns_[e.conn - 1]);
    }

    uint64_t quiet(const Entry& e) const { return e.closing ? opts_.fin_us : opts_.idle_us; }
    // How long a flow sleeps: four idle timeouts (a minute by default, as long as web
    // servers keep an idle connection), at most the active timeout. Longer took the bench's
    // entries in cache from 8,400 to 35,000 and cost 10% of the time, in cache misses.
    uint64_t sleep_us() const { return std::min(4 * opts_.idle_us, opts_.active_us); }

    CacheOptions opts_;
    struct Slot {
        uint32_t hash;
        uint32_t idx;  // entry index + 1; 0 = free
    };
    std::vector<Slot> slots_;
    uint32_t mask_ = 0;
    std::vector<Entry> entries_;
    std::vector<std::pair<IpAddr, IpAddr>> tunnels_;  // by entry index: outer source, destination
    uint32_t free_entry_ = 0;                         // free list through Entry::next (index + 1)
    uint32_t count_ = 0;
    uint32_t head_ = 0, tail_ = 0;
    uint32_t sleep_head_ = 0, sleep_tail_ = 0;  // the entries asleep, by when they fell asleep
    uint64_t next_sleep_check_ = 0;
    uint32_t warm_head_ = 0;  // the head warm() was last called for
    std::vector<Conn> conns_;
    uint32_t free_conn_ = 0;
    L7Pool pool_;
    uint64_t now_ = 0;      // the expiry clock (advance_clock)
    uint64_t prev_ts_ = 0;  // the time of the packet before
    FlowBlock out_;
    size_t rows_ = 0;  // records written into out_'s columns
    size_t cap_ = 0;   // rows the columns emit() fills are sized to
    FieldSet filled_;  // the columns of the last block out() handed over
    uint64_t t_first_ = UINT64_MAX, t_last_ = 0;
    CacheStats stats_;
};

}  // namespace fk
