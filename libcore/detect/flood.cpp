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
            if (r.proto[i] == kTcp && (r.flags[i] & (kSyn | kAck)) == kSyn)
                add(syn_, Key{r.dst[i], {}, r.dport[i]}, t, w, r, i, true);
            add(dos_, Key{r.dst[i], {}, 0}, t, w, r, i, false);
        }
    }

    void sweep(uint64_t now, bool all) override {
        const uint64_t w = c_.window * kSec;
        for (bool syn : {true, false}) {
            auto& m = (syn ? syn_ : dos_).map();
            for (auto it = m.begin(); it != m.end();) {
                if (all || now >= it->second.first + w) {
                    close(it->first, it->second, syn);
                    it = m.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }
    uint64_t evictions() const override { return syn_.evictions() + dos_.evictions(); }
    uint64_t entries() const override { return syn_.size() + dos_.size(); }

  private:
    void add(Table<FloodEntry>& tab, const Key& k, uint64_t t, uint64_t w, const Rows& r, size_t i,
             bool syn) {
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
        e.packets += r.packets[i];
        ++e.flows;
        // Counting sources only matters once the target is busy; saves work on idle hosts.
        if (e.packets * 4 >= (syn ? c_.syn_rate : c_.dos_pps) * c_.window || e.sources.count() == 0)
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

    const FloodConfig& c_;
    uint32_t cap_;
    Table<FloodEntry> syn_, dos_;
};

}  // namespace

std::unique_ptr<Method> make_flood(Engine& e) {
    return std::make_unique<Flood>(e);
}

}  // namespace fk::detect
