// Volume / exfiltration: bytes a host inside sends outside per window, against a baseline of
// the same hour of day (mean and variance over past windows, kept in the state file).
#include <charconv>
#include <cmath>

#include "common/error.h"
#include "detect/method.h"

namespace fk::detect {

std::vector<Net> parse_nets(const std::vector<std::string>& list, const char* setting) {
    std::vector<Net> out;
    for (const auto& t : list) {
        const size_t slash = t.find('/');
        const auto ip = parse_ip(t.substr(0, slash));
        unsigned len = ip && ip->is_v4() ? 32 : 128;
        if (slash != std::string::npos) {
            const auto [p, ec] = std::from_chars(t.data() + slash + 1, t.data() + t.size(), len);
            if (ec != std::errc() || p != t.data() + t.size()) len = 999;
        }
        if (!ip || len > (ip->is_v4() ? 32u : 128u))
            throw UsageError(std::string(setting) + ": '" + t + "' is not a network");
        const unsigned bits = prefix_bits(ip->is_v4(), len);
        out.push_back({ip->masked(bits), bits, t});
    }
    return out;
}

namespace {

struct VolEntry {
    uint64_t first = 0, last = 0;
    uint64_t bytes = 0, flows = 0;
    IpAddr top;
    uint64_t top_bytes = 0;
};

struct Baseline {
    uint64_t n = 0;
    double mean = 0, m2 = 0;  // Welford
};

class Volume final : public WindowedMethod<Volume, VolEntry> {
    friend WindowedMethod;

  public:
    explicit Volume(Engine& e)
        : WindowedMethod(e, "volume", e.config().volume.window),
          c_(e.config().volume),
          internal_(parse_nets(c_.internal, "[volume] internal")),
          base_(e.config().max_hosts * 24) {}

    void block(const Rows& r) override {
        const uint64_t w = c_.window * kSec;
        for (size_t i = 0; i < r.n; ++i) {
            if (!in_nets(internal_, r.src[i]) || in_nets(internal_, r.dst[i])) continue;
            const uint64_t t = r.start[i];
            bool fresh;
            const Key k{r.src[i], {}, 0};
            VolEntry& e = tab_.get(k, fresh);
            if (!fresh && t >= e.first + w) {
                close(k, e);
                e = VolEntry{};
                fresh = true;
            }
            if (fresh) e.first = e.last = t;
            e.first = std::min(e.first, t);
            e.last = std::max(e.last, t);
            e.bytes += r.bytes[i];
            ++e.flows;
            if (r.bytes[i] > e.top_bytes) {
                e.top_bytes = r.bytes[i];
                e.top = r.dst[i];
            }
        }
    }

    void save_state(std::string& out) override {
        base_.sweep([&](const Key& k, Baseline& b) {
            char buf[160];
            std::snprintf(buf, sizeof buf, " %llu %llu %.17g %.17g\n",
                          static_cast<unsigned long long>(k.x),
                          static_cast<unsigned long long>(b.n), b.mean, b.m2);
            out += "volume " + ip_string(k.a) + buf;
            return false;
        });
    }
    void load_state(std::string_view line) override {
        // ADDR HOUR N MEAN M2
        std::string s(line);
        char addr[64];
        unsigned long long hour = 0, n = 0;
        double mean = 0, m2 = 0;
        if (std::sscanf(s.c_str(), "%63s %llu %llu %lg %lg", addr, &hour, &n, &mean, &m2) != 5 ||
            hour > 23)
            throw DataError("volume baseline '" + s + "' is malformed");
        const auto ip = parse_ip(addr);
        if (!ip) throw DataError("volume baseline '" + s + "' has no address");
        bool fresh;
        base_.get(Key{*ip, {}, hour}, fresh) = Baseline{n, mean, m2};
    }

  private:
    void close(const Key& k, const VolEntry& e) {
        const uint64_t hour = (e.first / kSec % 86400) / 3600;
        bool fresh;
        Baseline& b = base_.get(Key{k.a, {}, hour}, fresh);
        const double x = static_cast<double>(e.bytes);
        bool fire = false;
        double sd = 0;
        if (b.n >= c_.learn) {
            sd = b.n > 1 ? std::sqrt(b.m2 / static_cast<double>(b.n - 1)) : 0;
            fire = x >= b.mean + c_.factor * sd && x - b.mean >= static_cast<double>(c_.min_bytes);
        } else {
            fire = e.bytes >= c_.bytes;
        }
        if (fire) {
            Event ev;
            ev.time = e.first;
            ev.last = e.last;
            ev.method = "volume";
            ev.severity = Severity::kHigh;
            ev.src = k.a;
            ev.dst = e.top;
            ev.has_src = ev.has_dst = true;
            ev.note("type", "exfil");
            ev.count("bytes", e.bytes);
            ev.count("flows", e.flows);
            ev.count("top_flow_bytes", e.top_bytes);
            ev.count("baseline_bytes", static_cast<uint64_t>(b.mean + 0.5));
            ev.count("baseline_sd", static_cast<uint64_t>(sd + 0.5));
            ev.count("baseline_windows", b.n);
            std::string nets;
            for (const Net& n : internal_)
                nets += (nets.empty() ? "" : " or ") + ("dst net " + n.text);
            ev.filter = ip_term("src", k.a) + (nets.empty() ? "" : " and not (" + nets + ")") +
                        " and " + time_clause(e.first, e.last);
            ev.attack = "T1048";
            emit(std::move(ev));
        } else {
            // Anomalies do not teach the baseline.
            ++b.n;
            const double d = x - b.mean;
            b.mean += d / static_cast<double>(b.n);
            b.m2 += d * (x - b.mean);
        }
    }

    const VolumeConfig& c_;
    std::vector<Net> internal_;
    Table<Baseline> base_;
};

}  // namespace

std::unique_ptr<Method> make_volume(Engine& e) {
    return std::make_unique<Volume>(e);
}

}  // namespace fk::detect
