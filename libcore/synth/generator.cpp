#include "synth/generator.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>

#include "common/error.h"
#include "common/time.h"
#include "record/ipaddr.h"
#include "record/names.h"
#include "synth/frame.h"
#include "synth/messages.h"
#include "synth/pcap_writer.h"
#include "synth/scenario.h"

namespace fk::synth {

namespace {

const std::vector<std::string> kTruthColumns = {
    "conv",        "dir",       "src",         "dst",         "sport",       "dport",
    "proto",       "vlan",      "inner_vlan",  "mpls",        "tunnel",      "tun_src",
    "tun_dst",     "src_mac",   "dst_mac",     "ether_type",  "packets",     "bytes",
    "first",       "last",      "flags",       "app",         "sni",         "alpn",
    "tls_version", "ech",       "http_host",   "http_method", "http_status", "dns_qname",
    "dns_qtype",   "dns_rcode", "rtt_client",  "rtt_server",  "fragments",   "ext6",
    "scenario",    "stage",     "quic_version"};

// Writes one line of tab-separated fields.
class Row {
  public:
    explicit Row(Output& out) : out_(out) {}
    Row& str(std::string_view s) {
        sep();
        out_.write(s);
        return *this;
    }
    Row& num(uint64_t v) {
        char buf[24];
        const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        return str({buf, static_cast<size_t>(end - buf)});
    }
    Row& num_if(bool present, uint64_t v) { return present ? num(v) : str(""); }
    Row& addr(const uint8_t* a, bool v6) {
        char buf[64];
        const IpAddr ip = v6 ? IpAddr::v6(a) : IpAddr::v4_bytes(a + 12);
        return str({buf, format_ip(buf, ip)});
    }
    Row& mac(uint64_t m) {
        char buf[24];
        return str({buf, format_mac(buf, m)});
    }
    void end() { out_.put('\n'); }

  private:
    void sep() {
        if (!first_) out_.put('\t');
        first_ = false;
    }
    Output& out_;
    bool first_ = true;
};

class TruthWriter {
  public:
    TruthWriter(Output& out, const std::vector<std::unique_ptr<Scenario>>& scenarios)
        : out_(out), scenarios_(scenarios) {}

    void header() {
        for (const auto& s : scenarios_) {
            const ScenarioInfo& i = s->info();
            Row r(out_);
            r.str("#scenario").str(i.label).str(i.name).str(i.attacker).str(i.target);
            r.num(i.port).num(i.start).num(i.end).str(i.params);
            r.end();
        }
        Row r(out_);
        for (const auto& c : kTruthColumns) r.str(c);
        r.end();
    }

    // One row per direction that carried packets; returns how many.
    unsigned conversation(const Conversation& c) {
        unsigned rows = 0;
        for (unsigned dir = 0; dir < 2; ++dir) {
            if (c.tally[dir].packets == 0) continue;
            row(c, dir);
            ++rows;
        }
        return rows;
    }

  private:
    void row(const Conversation& c, unsigned dir) {
        const FlowTally& t = c.tally[dir];
        const Endpoint& src = c.ep[dir];
        const Endpoint& dst = c.ep[1 - dir];
        const uint8_t proto = c.transport();
        const bool l2 = c.kind == Kind::goose;
        const bool client = dir == 0;
        const bool seen = t.heads_seen > 0;
        Row r(out_);
        r.num(c.id).str(client ? "c2s" : "s2c");
        const bool icmp_error = c.kind == Kind::icmp_unreach && !client;
        const uint8_t row_proto = icmp_error ? (c.v6 ? kIcmp6 : kIcmp) : proto;
        if (l2) {
            r.str("").str("").str("").str("").str("");
        } else {
            r.addr(src.addr, c.v6).addr(dst.addr, c.v6);
            if (row_proto == kIcmp || row_proto == kIcmp6) {
                unsigned type, code = 0;
                if (c.kind == Kind::icmp_echo) {
                    type = c.v6 ? (client ? 128 : 129) : (client ? 8 : 0);
                } else {
                    type = c.v6 ? 1 : 3;
                    code = c.v6 ? 4 : 3;
                }
                r.num(0).num(type * 256 + code);
            } else {
                r.num(src.port).num(dst.port);
            }
            r.num(row_proto);
        }
        const Wrap& w = c.wrap;
        const bool tagged = w.kind == WrapKind::vlan || w.kind == WrapKind::qinq;
        r.num_if(tagged, w.vlan).num_if(w.kind == WrapKind::qinq, w.inner_vlan);
        r.num_if(w.kind == WrapKind::mpls, w.label);
        const bool tunnel = w.kind == WrapKind::gre || w.kind == WrapKind::vxlan;
        r.str(w.kind == WrapKind::gre ? "gre" : w.kind == WrapKind::vxlan ? "vxlan" : "");
        if (tunnel) {
            uint8_t a[16] = {}, b[16] = {};
            std::memcpy(a + 12, dir == 0 ? w.tunnel_src : w.tunnel_dst, 4);
            std::memcpy(b + 12, dir == 0 ? w.tunnel_dst : w.tunnel_src, 4);
            r.addr(a, false).addr(b, false);
        } else {
            r.str("").str("");
        }
        if (l2) {
            r.mac(src.mac).mac(dst.mac).str("0x88b8");
        } else {
            r.str("").str("").str("");
        }
        r.num(t.packets).num(t.bytes).num(t.first).num(t.last);
        char flags[16];
        r.str(proto == kTcp && !icmp_error
                  ? std::string_view(flags, format_tcp_flags(flags, t.flags))
                  : "");
        // A traceroute probe is no application; its ICMP answer is.
        const bool probe = c.kind == Kind::icmp_unreach && client;
        r.str(t.payload && !probe ? kind_app(c.kind) : "");
        const bool tls = (c.kind == Kind::https || c.kind == Kind::tls_ech ||
                          c.kind == Kind::tls_split || is_quic(c.kind)) &&
                         client && seen;
        char version[16];
        r.str(tls ? c.name_view() : "").str(tls ? c.alpn_text() : "");
        r.str(tls ? std::string_view(version, format_tls_version(version, c.tls_version)) : "");
        r.str(tls ? (c.ech ? "1" : "0") : "");
        const bool http = c.kind == Kind::http && seen;
        r.str(http && client ? c.name_view() : "").str(http && client ? c.method_text() : "");
        r.num_if(http && !client, c.http_status);
        const bool dns = (c.kind == Kind::dns || c.kind == Kind::dns_tcp) && seen;
        r.str(dns ? c.name_view() : "").num_if(dns, c.qtype).num_if(dns && !client, c.rcode);
        const bool handshake = c.handshake[2] != 0;
        r.num_if(handshake, c.handshake[2] - c.handshake[1]);
        r.num_if(handshake, c.handshake[1] - c.handshake[0]);
        r.num_if(t.fragments > 0, t.fragments).str(w.ext6 ? "1" : "");
        r.str(c.scenario ? std::string_view(scenarios_[c.scenario - 1]->info().label) : "");
        r.str(stage_name(c.stage));
        r.str(is_quic(c.kind) ? (c.app_word == 2 ? "2" : "1") : "");
        r.end();
    }

    Output& out_;
    const std::vector<std::unique_ptr<Scenario>>& scenarios_;
};

struct Event {
    uint64_t time;
    uint64_t id;
    uint32_t slot;
    bool before(const Event& o) const { return time != o.time ? time < o.time : id < o.id; }
};

// A binary min-heap of pending packets with replace_top(): most steps reschedule the
// conversation just served, one sift-down instead of a pop and a push.
class EventHeap {
  public:
    bool empty() const { return v_.empty(); }
    size_t size() const { return v_.size(); }
    const Event& top() const { return v_.front(); }
    void push(const Event& e) {
        size_t i = v_.size();
        v_.push_back(e);
        while (i > 0) {
            const size_t parent = (i - 1) / 2;
            if (!v_[i].before(v_[parent])) break;
            std::swap(v_[i], v_[parent]);
            i = parent;
        }
    }
    void pop() {
        v_.front() = v_.back();
        v_.pop_back();
        if (!v_.empty()) sift_down();
    }
    void replace_top(const Event& e) {
        v_.front() = e;
        sift_down();
    }

  private:
    void sift_down() {
        const size_t n = v_.size();
        size_t i = 0;
        const Event e = v_[0];
        for (;;) {
            size_t child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && v_[child + 1].before(v_[child])) ++child;
            if (!v_[child].before(e)) break;
            v_[i] = v_[child];
            i = child;
        }
        v_[i] = e;
    }
    std::vector<Event> v_;
};

}  // namespace

SynthSummary synthesize(const SynthOptions& options, Output& pcap_out, Output* truth_out) {
    const TrafficOptions& to = options.traffic;
    Population pop(to);
    Background background(to, pop);
    std::vector<std::unique_ptr<Scenario>> scenarios;
    for (const auto& spec : options.scenarios) {
        if (scenarios.size() >= 250) throw UsageError("too many --scenario options");
        scenarios.push_back(
            make_scenario(spec, static_cast<uint8_t>(scenarios.size() + 1), pop, to));
        // A scenario given more than once is told apart by a number: scan, scan#2, ...
        unsigned same = 0;
        for (const auto& s : scenarios) same += s->info().name == scenarios.back()->info().name;
        if (same > 1)
            scenarios.back()->set_label(scenarios.back()->info().name + "#" + std::to_string(same));
    }
    // Without background a capture is made of scenarios alone; with neither it would be empty.
    if (background.empty() && scenarios.empty())
        throw UsageError("--mix: no kind has a positive weight, and there is no --scenario");
    std::optional<TruthWriter> truth;
    if (truth_out) {
        truth.emplace(*truth_out, scenarios);
        truth->header();
    }

    PcapWriter pcap(pcap_out, options.snaplen);
    FrameWriter frames(pcap);
    Emitter emitter(frames, options.packets ? options.packets : ~0ull);
    const uint64_t end_time = options.duration ? to.start + options.duration : ~0ull;

    std::vector<Conversation> pool;
    std::vector<uint32_t> free_slots;
    EventHeap queue;
    SynthSummary summary;
    uint64_t next_id = 1;

    auto finish = [&](Conversation& c) {
        if (truth) summary.flows += truth->conversation(c);
    };

    while (emitter.remaining() > 0) {
        // The earliest conversation start among the sources.
        uint64_t source_time = background.empty() ? kNoMoreConversations : background.next_start();
        Scenario* source = nullptr;
        for (auto& s : scenarios) {
            if (s->next_start() < source_time) {
                source_time = s->next_start();
                source = s.get();
            }
        }
        const bool start_new = source_time != kNoMoreConversations &&
                               (queue.empty() || source_time < queue.top().time);
        const uint64_t t = start_new       ? source_time
                           : queue.empty() ? kNoMoreConversations
                                           : queue.top().time;
        if (t == kNoMoreConversations || t >= end_time) break;
        if (start_new) {
            uint32_t slot;
            if (free_slots.empty()) {
                slot = static_cast<uint32_t>(pool.size());
                pool.emplace_back();
            } else {
                slot = free_slots.back();
                free_slots.pop_back();
            }
            Conversation& c = pool[slot];
            const uint64_t id = next_id++;
            if (source) {
                source->make(c, id);
            } else {
                background.make(c, id);
            }
            ++summary.conversations;
            queue.push({c.next_time, id, slot});
            continue;
        }
        const Event ev = queue.top();
        Conversation& c = pool[ev.slot];
        if (emitter.written() == 0) summary.first = ev.time;
        const uint64_t before = emitter.written();
        const bool more = step_conversation(c, emitter);
        if (options.progress && (before ^ emitter.written()) >= kProgressStep) {
            options.progress(emitter.written());
        }
        summary.last = c.last_time;
        if (more) {
            queue.replace_top({c.next_time, c.id, ev.slot});
        } else {
            queue.pop();
            finish(c);
            free_slots.push_back(ev.slot);
        }
    }
    // Conversations cut by the packet or time limit: their truth is what was written.
    std::vector<Event> open;
    while (!queue.empty()) {
        open.push_back(queue.top());
        queue.pop();
    }
    std::sort(open.begin(), open.end(), [](const Event& a, const Event& b) { return a.id < b.id; });
    for (const Event& ev : open) finish(pool[ev.slot]);
    summary.packets = emitter.written();
    for (const auto& s : scenarios) {
        if (s->info().start > summary.last) {
            summary.warnings.push_back("scenario " + s->info().label + " starts at " +
                                       time_string(s->info().start) +
                                       ", after the capture ended; raise --packets or --duration");
        } else if (s->next_start() != kNoMoreConversations || s->info().end > summary.last) {
            summary.warnings.push_back("scenario " + s->info().label +
                                       " was cut short by the end of the capture");
        }
    }
    pcap_out.flush();
    if (truth_out) truth_out->flush();
    return summary;
}

}  // namespace fk::synth
