// Brute force on login services: many short, established sessions of nearly the same size
// from one source to one service; a long session after them is a likely successful login.
#include <cmath>

#include "common/time.h"
#include "detect/method.h"

namespace fk::detect {

namespace {

struct BruteEntry {
    uint64_t first = 0, last = 0;
    uint64_t attempts = 0;
    double sum = 0, sumsq = 0;
    uint64_t success_start = 0, success_end = 0, success_bytes = 0;
};

const char* service(uint16_t port) {
    switch (port) {
        case 22:
            return "ssh";
        case 3389:
            return "rdp";
        case 21:
            return "ftp";
        case 23:
            return "telnet";
        case 445:
            return "smb";
        case 25:
        case 465:
        case 587:
            return "smtp";
        case 143:
        case 993:
            return "imap";
        case 110:
        case 995:
            return "pop3";
        case 5900:
            return "vnc";
        case 1433:
            return "mssql";
        case 3306:
            return "mysql";
    }
    return "other";
}

class Brute final : public WindowedMethod<Brute, BruteEntry> {
    friend WindowedMethod;

  public:
    explicit Brute(Engine& e)
        : WindowedMethod(e, "bruteforce", e.config().brute.window), c_(e.config().brute) {
        ports_.assign(65536 / 64, 0);
        for (const uint16_t p : c_.ports) ports_[p >> 6] |= 1ull << (p & 63);
    }

    void block(const Rows& r) override {
        const uint64_t w = c_.window * kSec;
        const uint64_t max_d = c_.max_duration * kSec, succ_d = c_.success_duration * kSec;
        for (size_t i = 0; i < r.n; ++i) {
            const uint16_t p = r.dport[i];
            if (!((ports_[p >> 6] >> (p & 63)) & 1)) continue;
            if (r.proto[i] != kTcp || !(r.flags[i] & kAck)) continue;
            const uint64_t t = r.start[i];
            const uint64_t d = r.end[i] - r.start[i];
            const Key k{r.src[i], r.dst[i], p};
            if (d < max_d) {
                bool fresh;
                BruteEntry& e = tab_.get(k, fresh);
                if (!fresh && t >= e.first + w) {
                    close(k, e);
                    e = BruteEntry{};
                    fresh = true;
                }
                if (fresh) e.first = e.last = t;
                e.first = std::min(e.first, t);
                e.last = std::max(e.last, t);
                ++e.attempts;
                const double b = static_cast<double>(r.bytes[i]);
                e.sum += b;
                e.sumsq += b * b;
            } else if (d >= succ_d) {
                BruteEntry* e = tab_.find(k);
                if (e && e->attempts >= c_.attempts && !e->success_start && t >= e->first) {
                    e->success_start = t;
                    e->success_end = r.end[i];
                    e->success_bytes = r.bytes[i];
                }
            }
        }
    }

  private:
    void close(const Key& k, const BruteEntry& e) {
        if (e.attempts < c_.attempts) return;
        const double n = static_cast<double>(e.attempts);
        const double mean = e.sum / n;
        const double var = std::max(0.0, e.sumsq / n - mean * mean);
        const double cv = mean > 0 ? std::sqrt(var) / mean : 0;
        if (cv > c_.similarity) return;
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "bruteforce";
        ev.severity = e.success_start ? Severity::kCritical : Severity::kHigh;
        ev.src = k.a;
        ev.dst = k.b;
        ev.has_src = ev.has_dst = true;
        ev.port = static_cast<uint16_t>(k.x);
        ev.note("service", service(ev.port));
        ev.count("attempts", e.attempts);
        ev.count("mean_bytes", static_cast<uint64_t>(mean + 0.5));
        ev.count("cv_percent", static_cast<uint64_t>(cv * 100 + 0.5));
        ev.count("success", e.success_start ? 1 : 0);
        const std::string base = ip_term("src", k.a) + " and " + ip_term("dst", k.b) +
                                 " and dst port " + std::to_string(k.x) +
                                 " and proto tcp and flags A";
        // Durations in the filter language are milliseconds, as in nfdump.
        ev.filter = base + " and duration < " + std::to_string(c_.max_duration * 1000) + " and " +
                    time_clause(e.first, e.last);
        if (e.success_start) {
            ev.count("success_seconds", (e.success_end - e.success_start) / kSec);
            ev.count("success_bytes", e.success_bytes);
            ev.note("success_time", time_string(e.success_start));
            ev.note("success_filter",
                    base + " and duration >= " + std::to_string(c_.success_duration * 1000) +
                        " and " + time_clause(e.success_start, e.success_start));
        }
        ev.attack = "T1110.001";
        emit(std::move(ev));
    }

    const BruteConfig& c_;
    std::vector<uint64_t> ports_;
};

}  // namespace

std::unique_ptr<Method> make_brute(Engine& e) {
    return std::make_unique<Brute>(e);
}

}  // namespace fk::detect
