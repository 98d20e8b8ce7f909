// OT segments: after a learning period, flows of an OT network (configured CIDRs) between a
// pair of hosts never seen together (new peer), or a known pair over a protocol it never used
// (new protocol: the application, else the lower port), are reported per window. The learned
// pairs and protocols are kept in the state file.
#include <charconv>
#include <unordered_set>

#include "common/error.h"
#include "detect/method.h"
#include "record/names.h"

namespace fk::detect {

namespace {

struct NewEntry {
    uint64_t first = 0, last = 0;
    uint64_t flows = 0, packets = 0;
    IpAddr initiator;  // source of the first flow
    uint16_t port = 0;
    uint8_t proto = 0, app = 0;
    bool new_peer = false;
};

class Ot final : public WindowedMethod<Ot, NewEntry> {
    friend WindowedMethod;

  public:
    explicit Ot(Engine& e)
        : WindowedMethod(e, "ot", e.config().ot.window),
          c_(e.config().ot),
          segments_(parse_nets(c_.segments, "[ot] segments")),
          learn_cap_(e.config().max_hosts * 16) {}

    void block(const Rows& r) override {
        if (segments_.empty()) return;
        const uint64_t w = c_.window * kSec;
        for (size_t i = 0; i < r.n; ++i) {
            if (!in_nets(segments_, r.src[i]) && !in_nets(segments_, r.dst[i])) continue;
            const uint64_t t = r.start[i];
            if (!learn_start_) learn_start_ = t;
            const bool a_first = r.src[i] < r.dst[i];
            const IpAddr& a = a_first ? r.src[i] : r.dst[i];
            const IpAddr& b = a_first ? r.dst[i] : r.src[i];
            const uint16_t port = std::min(r.sport[i], r.dport[i]);
            const uint64_t proto_id =
                r.app[i] ? (uint64_t{1} << 40) | r.app[i] : (uint64_t{r.proto[i]} << 16) | port;
            const uint64_t pair = pair_hash(a, b);
            const uint64_t pp = proto_hash(pair, proto_id);
            const bool known_pair = pairs_.count(pair) > 0;
            const bool known_proto = protos_.count(pp) > 0;
            if (t < learn_start_ + c_.learn * kSec) {
                learn(pairs_, pair);
                learn(protos_, pp);
                continue;
            }
            if (known_pair && known_proto) continue;
            // A new peer's protocols are part of it; a new protocol joins at the report.
            if (!known_pair) learn(protos_, pp);
            bool fresh;
            const Key k{a, b, known_pair ? proto_id : 0};
            NewEntry& e = tab_.get(k, fresh);
            if (!fresh && t >= e.first + w) {
                close(k, e);
                e = NewEntry{};
                if (pairs_.count(pair) && (!known_pair || protos_.count(pp))) continue;  // reported
                fresh = true;
            }
            if (fresh) {
                e.first = e.last = t;
                e.initiator = r.src[i];
                e.port = port;
                e.proto = r.proto[i];
                e.app = r.app[i];
                e.new_peer = !known_pair;
            }
            e.first = std::min(e.first, t);
            e.last = std::max(e.last, t);
            ++e.flows;
            e.packets += r.packets[i];
        }
    }

    uint64_t evictions() const override { return tab_.evictions() + dropped_; }

    void save_state(std::string& out) override {
        if (learn_start_) out += "ot start " + std::to_string(learn_start_) + "\n";
        for (const uint64_t p : pairs_) out += "ot pair " + std::to_string(p) + "\n";
        for (const uint64_t p : protos_) out += "ot proto " + std::to_string(p) + "\n";
    }
    void load_state(std::string_view line) override {
        const size_t sp = line.find(' ');
        uint64_t v = 0;
        const std::string_view kind = line.substr(0, sp), num = line.substr(sp + 1);
        const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
        if (sp == std::string_view::npos || ec != std::errc() || p != num.data() + num.size())
            throw DataError("ot baseline '" + std::string(line) + "' is malformed");
        if (kind == "start") {
            learn_start_ = v;
        } else if (kind == "pair") {
            learn(pairs_, v);
        } else if (kind == "proto") {
            learn(protos_, v);
        } else {
            throw DataError("ot baseline '" + std::string(line) + "' is malformed");
        }
    }

  private:
    // The baseline is bounded too: past 16 x max_hosts items nothing more is learned (the
    // items that could not be kept count as evictions, and keep being reported).
    void learn(std::unordered_set<uint64_t>& set, uint64_t v) {
        if (set.size() >= learn_cap_ && !set.count(v)) {
            ++dropped_;
            return;
        }
        set.insert(v);
    }
    static uint64_t pair_hash(const IpAddr& a, const IpAddr& b) {
        return mix64(IpAddrHash{}(a)*31 + IpAddrHash{}(b));
    }
    static uint64_t proto_hash(uint64_t pair, uint64_t proto_id) {
        return mix64(pair ^ mix64(proto_id));
    }

    void close(const Key& k, const NewEntry& e) {
        if (!e.flows) return;
        // Reported once: from now on the pair and protocol belong to the baseline.
        const uint64_t pair = pair_hash(k.a, k.b);
        learn(pairs_, pair);
        if (!e.new_peer) learn(protos_, proto_hash(pair, k.x));
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "ot";
        ev.severity = e.new_peer ? Severity::kHigh : Severity::kMedium;
        ev.src = e.initiator;
        ev.dst = e.initiator == k.a ? k.b : k.a;
        ev.has_src = ev.has_dst = true;
        ev.port = e.port;
        ev.note("type", e.new_peer ? "new-peer" : "new-protocol");
        char buf[16];
        const std::string app(buf, format_app(buf, e.app));
        if (e.app) ev.note("app", app);
        ev.count("flows", e.flows);
        ev.count("packets", e.packets);
        ev.filter = ip_term("", k.a).substr(1) + " and " + ip_term("", k.b).substr(1);
        if (!e.new_peer) {
            ev.filter += e.app ? std::string(" and app ") + app
                               : " and proto " + std::to_string(e.proto) + " and port " +
                                     std::to_string(e.port);
        }
        ev.filter += " and " + time_clause(e.first, e.last);
        ev.attack = e.new_peer ? "T0886" : "T0869";
        emit(std::move(ev));
    }

    const OtConfig& c_;
    std::vector<Net> segments_;
    std::unordered_set<uint64_t> pairs_, protos_;
    uint64_t learn_start_ = 0;
    uint64_t dropped_ = 0;
    size_t learn_cap_;
};

}  // namespace

std::unique_ptr<Method> make_ot(Engine& e) {
    return std::make_unique<Ot>(e);
}

}  // namespace fk::detect
