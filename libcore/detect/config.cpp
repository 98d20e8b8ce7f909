#include "detect/config.h"

#include <charconv>
#include <cmath>
#include <fstream>

#include "common/error.h"

namespace fk::detect {

namespace {

std::string trim(std::string s) {
    const size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return {};
    const size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

std::vector<std::string> split_list(const std::string& v) {
    std::vector<std::string> out;
    size_t p = 0;
    while (p <= v.size()) {
        size_t q = v.find(',', p);
        if (q == std::string::npos) q = v.size();
        std::string item = trim(v.substr(p, q - p));
        if (!item.empty()) out.push_back(item);
        p = q + 1;
    }
    return out;
}

struct Setter {
    const std::string& value;
    const std::string& where;
    const std::string name;  // section.key
    void num(uint64_t& out) const {
        uint64_t v = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc() || ptr != value.data() + value.size())
            throw UsageError(where + ": '" + value + "' is not a whole number");
        out = v;
    }
    // A count or threshold that 0 turns into nonsense: max_hosts 0 kept no state (not one
    // event), scan.hosts 0 made every SYN a scan.
    void count(uint64_t& out) const {
        num(out);
        if (out == 0) throw UsageError(where + ": " + name + " must be at least 1");
    }
    // A window: time is divided by it, so 0 is refused.
    void window(uint64_t& out) const {
        num(out);
        if (out == 0) throw UsageError(where + ": a window is at least 1 second");
    }
    // zero_ok: 0 is a meaningful bound (similarity 0: equal byte counts only), else it is not
    // (entropy 0: every label is random).
    void real(double& out, bool zero_ok) const {
        try {
            size_t n = 0;
            out = std::stod(value, &n);
            if (n != value.size()) throw std::invalid_argument("x");
        } catch (const std::exception&) {
            throw UsageError(where + ": '" + value + "' is not a number");
        }
        if (!std::isfinite(out) || out < 0 || (out == 0 && !zero_ok))
            throw UsageError(where + ": " + name + " must be " +
                             (zero_ok ? "at least 0" : "more than 0"));
    }
    void flag(bool& out) const {
        if (value == "yes" || value == "true" || value == "1" || value == "on") {
            out = true;
        } else if (value == "no" || value == "false" || value == "0" || value == "off") {
            out = false;
        } else {
            throw UsageError(where + ": '" + value + "' is not yes or no");
        }
    }
    void ports(std::vector<uint16_t>& out) const {
        out.clear();
        for (const auto& item : split_list(value)) {
            uint64_t p = 0;
            const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), p);
            if (ec != std::errc() || ptr != item.data() + item.size() || p > 65535)
                throw UsageError(where + ": '" + item + "' is not a port");
            out.push_back(static_cast<uint16_t>(p));
        }
    }
    void list(std::vector<std::string>& out) const { out = split_list(value); }
};

}  // namespace

void set_config(DetectConfig& c, const std::string& section, const std::string& key,
                const std::string& value, const std::string& where) {
    const Setter s{value, where, section + "." + key};
    auto bad = [&]() {
        throw UsageError(where + ": unknown setting '" + key + "' in [" + section + "]");
    };
    if (section == "general") {
        if (key == "max_hosts") return s.count(c.max_hosts);
        if (key == "max_distinct") return s.count(c.max_distinct);
        if (key == "delay") return s.num(c.delay);
        if (key == "state") {
            c.state = value;
            return;
        }
        bad();
    }
    if (section == "scan") {
        auto& m = c.scan;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "window") return s.window(m.window);
        if (key == "hosts") return s.count(m.hosts);
        if (key == "ports") return s.count(m.ports);
        if (key == "max_packets") return s.count(m.max_packets);
        bad();
    }
    if (section == "synflood" || section == "dos") {
        auto& m = c.flood;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "window") return s.window(m.window);
        if (key == "syn_rate") return s.count(m.syn_rate);
        if (key == "sources") return s.count(m.sources);
        if (key == "dos_pps") return s.count(m.dos_pps);
        bad();
    }
    if (section == "bruteforce") {
        auto& m = c.brute;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "window") return s.window(m.window);
        if (key == "attempts") return s.count(m.attempts);
        if (key == "max_duration") return s.count(m.max_duration);
        if (key == "similarity") return s.real(m.similarity, true);
        if (key == "success_duration") return s.count(m.success_duration);
        if (key == "ports") return s.ports(m.ports);
        bad();
    }
    if (section == "blacklist") {
        auto& m = c.blacklist;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "window") return s.window(m.window);
        if (key == "ip_lists") return s.list(m.ip_lists);
        if (key == "domain_lists") return s.list(m.domain_lists);
        bad();
    }
    if (section == "mining") {
        auto& m = c.mining;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "window") return s.window(m.window);
        if (key == "ports") return s.ports(m.ports);
        if (key == "pool_lists") return s.list(m.pool_lists);
        if (key == "chain_window") return s.window(m.chain_window);
        bad();
    }
    if (section == "dns") {
        auto& m = c.dns;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "window") return s.window(m.window);
        if (key == "long_name") return s.count(m.long_name);
        if (key == "entropy") return s.real(m.entropy, false);
        if (key == "min_label") return s.count(m.min_label);
        if (key == "tunnel_queries") return s.count(m.tunnel_queries);
        if (key == "tunnel_bytes") return s.count(m.tunnel_bytes);
        if (key == "tunnel_names") return s.count(m.tunnel_names);
        if (key == "dga_nxdomain") return s.count(m.dga_nxdomain);
        if (key == "resolvers") return s.list(m.resolvers);
        bad();
    }
    if (section == "volume" || section == "exfil") {
        auto& m = c.volume;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "window") return s.window(m.window);
        if (key == "factor") return s.real(m.factor, true);
        if (key == "min_bytes") return s.num(m.min_bytes);
        if (key == "learn") return s.count(m.learn);
        if (key == "bytes") return s.count(m.bytes);
        if (key == "internal") return s.list(m.internal);
        bad();
    }
    if (section == "ot") {
        auto& m = c.ot;
        if (key == "enabled") return s.flag(m.enabled);
        if (key == "segments") return s.list(m.segments);
        if (key == "learn") return s.num(m.learn);
        if (key == "window") return s.window(m.window);
        bad();
    }
    if (section == "eve") {
        if (key == "slack") return s.num(c.eve.slack);
        bad();
    }
    throw UsageError(where + ": unknown section [" + section + "]");
}

void check_config(const DetectConfig& c) {
    if (c.max_distinct > UINT32_MAX)
        throw UsageError("general.max_distinct: at most " + std::to_string(UINT32_MAX));
    // Distinct counts saturate at max_distinct: a threshold above it is never reached and
    // turns its detection off without a word.
    const struct {
        bool enabled;
        const char* name;
        uint64_t value;
    } distinct[] = {{c.scan.enabled, "scan.hosts", c.scan.hosts},
                    {c.scan.enabled, "scan.ports", c.scan.ports},
                    {c.flood.enabled, "synflood.sources", c.flood.sources},
                    {c.dns.enabled, "dns.tunnel_names", c.dns.tunnel_names},
                    {c.dns.enabled, "dns.dga_nxdomain", c.dns.dga_nxdomain}};
    for (const auto& d : distinct)
        if (d.enabled && d.value > c.max_distinct)
            throw UsageError(std::string(d.name) + " " + std::to_string(d.value) +
                             " is more than general.max_distinct " +
                             std::to_string(c.max_distinct) +
                             " (where distinct counts stop): it could never be reached");
}

void load_config(const std::string& path, DetectConfig& c) {
    std::ifstream in(path);
    if (!in) throw UsageError("cannot read config file " + path);
    std::string line, section;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        const std::string where = path + ":" + std::to_string(n);
        const size_t hash = line.find_first_of("#;");
        if (hash != std::string::npos) line.resize(hash);
        line = trim(line);
        if (line.empty()) continue;
        if (line.front() == '[') {
            if (line.back() != ']') throw UsageError(where + ": section without ']'");
            section = trim(line.substr(1, line.size() - 2));
            continue;
        }
        const size_t eq = line.find('=');
        if (eq == std::string::npos) throw UsageError(where + ": expected key = value");
        if (section.empty()) section = "general";
        set_config(c, section, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), where);
    }
}

void select_methods(DetectConfig& c, const std::string& list) {
    c.scan.enabled = c.flood.enabled = c.brute.enabled = c.blacklist.enabled = c.mining.enabled =
        c.dns.enabled = c.volume.enabled = c.ot.enabled = false;
    for (const auto& m : split_list(list)) {
        if (m == "scan") {
            c.scan.enabled = true;
        } else if (m == "synflood" || m == "dos") {
            c.flood.enabled = true;
        } else if (m == "bruteforce") {
            c.brute.enabled = true;
        } else if (m == "blacklist") {
            c.blacklist.enabled = true;
        } else if (m == "mining" || m == "cryptojacking") {
            c.mining.enabled = true;
        } else if (m == "dns") {
            c.dns.enabled = true;
        } else if (m == "volume" || m == "exfil") {
            c.volume.enabled = true;
        } else if (m == "ot") {
            c.ot.enabled = true;
        } else {
            throw UsageError("--methods: unknown method '" + m +
                             "' (scan, synflood, bruteforce, blacklist, mining, dns, volume, ot)");
        }
    }
}

}  // namespace fk::detect
