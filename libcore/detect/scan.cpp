// Scans: failed connection attempts (SYN-only flows of a few packets, answered by nothing or
// by RST) from one source to many hosts on one port (horizontal) or to many ports of one
// host (vertical).
#include "detect/method.h"

namespace fk::detect {

namespace {

struct ScanEntry {
    uint64_t first = 0, last = 0;
    uint64_t probes = 0, rst = 0;
    Distinct distinct;
};

class Scan final : public Method {
  public:
    explicit Scan(Engine& e)
        : Method(e, "scan"),
          c_(e.config().scan),
          cap_(static_cast<uint32_t>(e.config().max_distinct)),
          horiz_(e.config().max_hosts),
          vert_(e.config().max_hosts) {}

    void block(const Rows& r) override {
        const uint64_t w = c_.window * kSec;
        for (size_t i = 0; i < r.n; ++i) {
            if (r.proto[i] != kTcp) continue;
            const uint8_t f = r.flags[i];
            if ((f & kSyn) && !(f & kAck)) {
                if (r.packets[i] > c_.max_packets) continue;
                const uint64_t t = r.start[i];
                add(horiz_, Key{r.src[i], {}, r.dport[i]}, t, w, r.dst[i].lo ^ r.dst[i].hi, true);
                add(vert_, Key{r.src[i], r.dst[i], 0}, t, w, r.dport[i], false);
            } else if ((f & kRst) && !(f & kSyn)) {
                // The target's answer to a probe: failed-connection evidence.
                if (auto* e = horiz_.find(Key{r.dst[i], {}, r.sport[i]})) ++e->rst;
                if (auto* e = vert_.find(Key{r.dst[i], r.src[i], 0})) ++e->rst;
            }
        }
    }

    void sweep(uint64_t now, bool all) override {
        const uint64_t w = c_.window * kSec;
        for (bool h : {true, false}) {
            (h ? horiz_ : vert_).sweep([&](const Key& k, ScanEntry& e) {
                if (!all && now < e.first + w) return false;
                close(k, e, h);
                return true;
            });
        }
    }
    uint64_t window() const override { return c_.window * kSec; }
    uint64_t evictions() const override { return horiz_.evictions() + vert_.evictions(); }
    uint64_t entries() const override { return horiz_.size() + vert_.size(); }

  private:
    void add(Table<ScanEntry>& t, const Key& k, uint64_t ts, uint64_t w, uint64_t v, bool h) {
        bool fresh;
        ScanEntry& e = t.get(k, fresh);
        if (!fresh && ts >= e.first + w) {
            close(k, e, h);
            e = ScanEntry{};
            fresh = true;
        }
        if (fresh) e.first = e.last = ts;
        e.first = std::min(e.first, ts);
        e.last = std::max(e.last, ts);
        ++e.probes;
        e.distinct.insert(v, cap_);
    }

    void close(const Key& k, const ScanEntry& e, bool h) {
        const uint64_t n = e.distinct.count();
        const uint64_t need = h ? c_.hosts : c_.ports;
        if (n < need) return;
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "scan";
        ev.severity = n >= 4 * need ? Severity::kHigh : Severity::kMedium;
        ev.src = k.a;
        ev.has_src = true;
        ev.note("type", h ? "horizontal" : "vertical");
        ev.count("probes", e.probes);
        ev.count(h ? "hosts" : "ports", n);
        ev.count("rst", e.rst);
        ev.filter = ip_term("src", k.a) +
                    " and proto tcp and flags S and not flags A and packets <= " +
                    std::to_string(c_.max_packets);
        if (h) {
            ev.port = static_cast<uint16_t>(k.x);
            ev.filter += " and dst port " + std::to_string(k.x);
        } else {
            ev.dst = k.b;
            ev.has_dst = true;
            ev.filter += " and " + ip_term("dst", k.b);
        }
        ev.filter += " and " + time_clause(e.first, e.last);
        ev.attack = "T1046";
        emit(std::move(ev));
    }

    const ScanConfig& c_;
    uint32_t cap_;
    Table<ScanEntry> horiz_, vert_;
};

}  // namespace

std::unique_ptr<Method> make_scan(Engine& e) {
    return std::make_unique<Scan>(e);
}

}  // namespace fk::detect
