// Internal to detect/: the view of a block every method reads, and the method interface
// (one virtual call per block, never per record).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "detect/engine.h"
#include "detect/state.h"
#include "record/flow_block.h"

namespace fk::detect {

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;
constexpr uint8_t kTcp = 6, kUdp = 17;

struct Rows {
    size_t n = 0;
    const uint64_t *start, *end, *packets, *bytes;
    const IpAddr *src, *dst;
    const uint16_t *sport, *dport;
    const uint8_t *proto, *flags, *app, *rcode;
    const StrColumn *sni, *host, *qname;
};

class Method {
  public:
    Method(Engine& e, std::string name) : engine_(e), name_(std::move(name)) {}
    virtual ~Method() = default;
    virtual void block(const Rows& r) = 0;
    // Closes the windows that ended before now (all of them when all).
    virtual void sweep(uint64_t now, bool all) = 0;
    virtual uint64_t evictions() const = 0;
    // The shortest window of the method (us): its tables are swept a quarter of it apart.
    virtual uint64_t window() const = 0;
    virtual uint64_t entries() const = 0;
    virtual void reload() {}
    // Baselines as lines "NAME ..." (volume, ot) for the state file.
    virtual void save_state(std::string&) {}
    // One line of the state file that belongs to this method, without its name.
    virtual void load_state(std::string_view) {}
    const std::string& name() const { return name_; }
    uint64_t events = 0;
    uint64_t next_sweep = 0;

  protected:
    void emit(Event&& e) {
        ++events;
        engine_.emit(std::move(e));
    }
    Engine& engine_;
    std::string name_;
};

std::unique_ptr<Method> make_scan(Engine& e);
std::unique_ptr<Method> make_flood(Engine& e);
std::unique_ptr<Method> make_brute(Engine& e);
std::unique_ptr<Method> make_blacklist(Engine& e);
std::unique_ptr<Method> make_mining(Engine& e);
std::unique_ptr<Method> make_dns(Engine& e);
std::unique_ptr<Method> make_volume(Engine& e);
std::unique_ptr<Method> make_ot(Engine& e);

constexpr uint64_t kSec = 1'000'000;

// A method whose state is one bounded table of windows per key: an entry is closed
// (Derived::close) once its window, counted from the entry's first flow, has passed.
template <class Derived, class Entry>
class WindowedMethod : public Method {
  public:
    WindowedMethod(Engine& e, std::string name, const uint64_t& window_seconds)
        : Method(e, std::move(name)), window_seconds_(window_seconds), tab_(e.config().max_hosts) {}
    void sweep(uint64_t now, bool all) override {
        const uint64_t w = window();
        tab_.sweep([&](const Key& k, Entry& e) {
            if (!all && now < e.first + w) return false;
            static_cast<Derived*>(this)->close(k, e);
            return true;
        });
    }
    uint64_t window() const override { return window_seconds_ * kSec; }
    uint64_t evictions() const override { return tab_.evictions(); }
    uint64_t entries() const override { return tab_.size(); }

  protected:
    const uint64_t& window_seconds_;
    Table<Entry> tab_;
};

// "ip A" in filter syntax.
inline std::string ip_term(const char* dir, const IpAddr& a) {
    return std::string(dir) + " ip " + ip_string(a);
}

// A text term matching name or any name below it: (F name or F "*.name").
std::string domain_term(const char* field, const std::string& name);
// The registered domain of a DNS name: the last two labels, three under a two-letter
// country code with a short second level (example.co.uk).
std::string_view registered_domain(std::string_view name);
// Shannon entropy in bits per character.
double entropy(std::string_view s);

struct Net {
    IpAddr addr;  // masked
    unsigned bits;
    std::string text;
};
// "10.0.0.0/8" ... (UsageError naming the setting when one is not a network).
std::vector<Net> parse_nets(const std::vector<std::string>& list, const char* setting);
inline bool in_nets(const std::vector<Net>& nets, const IpAddr& a) {
    for (const Net& n : nets)
        if (a.masked(n.bits) == n.addr) return true;
    return false;
}

}  // namespace fk::detect
