// SYN floods (SYN-only packets toward one address and port) and volumetric DoS (packets
// toward one address, any protocol); distributed when many sources take part.
#include "detect/method.h"

namespace fk::detect {

namespace {

struct FloodEntry {
    uint64_t first = 0, last = 0;
    uint64_t packets = 0, flows = 0;
    IpAddr one_src;
    Distinct sources;
};

class Flood final : public Method {
  public:
    explicit Flood(Engine& e)
        : Method(e, "synflood"),
          c_(e.config().flood),
          cap_(static_cast<uint32_t>(e.config().max_distinct)),
          syn_(e.config().max_hosts),
          dos_(e.config().max_hosts) {}

    void block(const Rows& r) override {
        const uint64_t w = c_.window * kSec;
        for (size_t i = 0; i < r.n; ++i) {
            const uint64_t t = r.start[i];
            const uint64_t packets = packets_in_window(r, i, w);
            if (r.proto[i] == kTcp && (r.flags[i] & (kSyn | kAck)) == kSyn)
                add(syn_, Key{r.dst[i], {}, r.dport[i]}, t, w, r, i, packets, true);
            // Every flow counts toward its target's volume: a direct-mapped array of packet
            // counters per window screens the targets, and only those past a sixteenth of
            // the limit get an exact entry (the evidence starts there).
            const size_t b = IpAddrHash{}(r.dst[i]) & (kBuckets - 1);
            if (t >= bucket_start_[b] + w || t + w < bucket_start_[b]) {
                bucket_start_[b] = t;
                bucket_packets_[b] = 0;
            }
            bucket_packets_[b] += packets;
            if (bucket_packets_[b] * 16 >= dos_limit_)
                add(dos_, Key{r.dst[i], {}, 0}, t, w, r, i, packets, false);
        }
    }

    void sweep(uint64_t now, bool all) override {
        const uint64_t w = c_.window * kSec;
        for (bool syn : {true, false}) {
            (syn ? syn_ : dos_).sweep([&](const Key& k, FloodEntry& e) {
                if (!all && now < e.first + w) return false;
                close(k, e, syn);
                return true;
            });
        }
    }
    uint64_t window() const override { return c_.window * kSec; }
    uint64_t evictions() const override { return syn_.evictions() + dos_.evictions(); }
    uint64_t entries() const override { return syn_.size() + dos_.size(); }

  private:
    // A flow is counted at its start, so a flow longer than the window counts only its share
    // of one window (packets spread evenly over its duration). Counting all of a 300 s
    // record's packets in its first 10 s would make a steady transfer look 30 times as fast.
    static uint64_t packets_in_window(const Rows& r, size_t i, uint64_t w) {
        const uint64_t duration = r.end[i] > r.start[i] ? r.end[i] - r.start[i] : 0;
        if (duration <= w) return r.packets[i];
        return static_cast<uint64_t>(static_cast<unsigned __int128>(r.packets[i]) * w / duration);
    }

    void add(Table<FloodEntry>& tab, const Key& k, uint64_t t, uint64_t w, const Rows& r, size_t i,
             uint64_t packets, bool syn) {
        bool fresh;
        FloodEntry& e = tab.get(k, fresh);
        if (!fresh && t >= e.first + w) {
            close(k, e, syn);
            e = FloodEntry{};
            fresh = true;
        }
        if (fresh) {
            e.first = e.last = t;
            e.one_src = r.src[i];
        }
        e.first = std::min(e.first, t);
        e.last = std::max(e.last, t);
        e.packets += packets;
        ++e.flows;
        e.sources.insert(r.src[i].lo ^ r.src[i].hi, cap_);
    }

    void close(const Key& k, const FloodEntry& e, bool syn) {
        const uint64_t limit = (syn ? c_.syn_rate : c_.dos_pps) * c_.window;
        if (e.packets < limit || limit == 0) return;
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = syn ? "synflood" : "dos";
        ev.severity = e.packets >= 10 * limit ? Severity::kCritical : Severity::kHigh;
        ev.dst = k.a;
        ev.has_dst = true;
        const uint64_t n = e.sources.count();
        const bool distributed = n >= c_.sources;
        if (n == 1) {
            ev.src = e.one_src;
            ev.has_src = true;
        }
        ev.note("type", distributed ? "distributed" : "single");
        ev.count("packets", e.packets);
        ev.count("flows", e.flows);
        ev.count("sources", n);
        ev.count("pps", e.packets / c_.window);
        ev.filter = ip_term("dst", k.a);
        if (syn) {
            ev.port = static_cast<uint16_t>(k.x);
            ev.filter += " and dst port " + std::to_string(k.x) +
                         " and proto tcp and flags S and not flags A";
        }
        ev.filter += " and " + time_clause(e.first, e.last);
        ev.attack = distributed ? "T1498.001" : "T1498";
        emit(std::move(ev));
    }

    static constexpr size_t kBuckets = 1 << 16;
    const FloodConfig& c_;
    uint32_t cap_;
    uint64_t dos_limit_ = c_.dos_pps * c_.window;
    std::vector<uint64_t> bucket_start_ = std::vector<uint64_t>(kBuckets, 0);
    std::vector<uint64_t> bucket_packets_ = std::vector<uint64_t>(kBuckets, 0);
    Table<FloodEntry> syn_, dos_;
};

}  // namespace

std::unique_ptr<Method> make_flood(Engine& e) {
    return std::make_unique<Flood>(e);
}

}  // namespace fk::detect
