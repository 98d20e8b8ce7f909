// DNS: tunnelling (many long or high-entropy names, or much volume, under one domain from one
// client), DGA-like behaviour (many NXDOMAIN answers for different names to one client) and
// resolvers outside the allowed list.
#include <cmath>

#include "common/error.h"
#include "detect/method.h"
#include "record/names.h"

namespace fk::detect {

std::string domain_term(const char* field, const std::string& name) {
    return std::string("(") + field + " " + name + " or " + field + " \"*." + name + "\")";
}

namespace {

constexpr uint8_t kNxDomain = stored_dns_rcode(3);

// Second-level labels that country registries sell names under (bbc.co.uk, abc.net.au,
// example.com.br, city.ac.jp). Only these make a three-label registered domain: an attacker's
// own tun.io or ab.de is the domain, whatever the length of its label.
bool public_second_level(std::string_view label) {
    static constexpr std::string_view kLabels[] = {
        "ac",  "co",  "com", "edu", "gob", "gov", "go",  "gv",  "int", "ltd", "mil", "ne",
        "net", "nhs", "nic", "nom", "or",  "org", "plc", "sch", "ed",  "gr",  "lg",
    };
    for (const auto l : kLabels)
        if (label == l) return true;
    return false;
}

}  // namespace

std::string_view registered_domain(std::string_view name) {
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    const size_t last = name.rfind('.');
    if (last == std::string_view::npos || last == 0) return name;
    const size_t second = name.rfind('.', last - 1);
    if (second == std::string_view::npos) return name;
    const bool country = name.size() - last - 1 == 2;
    if (country && public_second_level(name.substr(second + 1, last - second - 1))) {
        const size_t third = second == 0 ? std::string_view::npos : name.rfind('.', second - 1);
        if (third == std::string_view::npos) return name;
        return name.substr(third + 1);
    }
    return name.substr(second + 1);
}

double entropy(std::string_view s) {
    if (s.empty()) return 0;
    unsigned counts[256] = {};
    for (const char c : s) ++counts[static_cast<unsigned char>(c)];
    double h = 0;
    const double n = static_cast<double>(s.size());
    for (const unsigned c : counts) {
        if (!c) continue;
        const double p = c / n;
        h -= p * std::log2(p);
    }
    return h;
}

namespace {

// Letters, digits, '-' and '_': what names of hosts and services use. Tunnels that encode
// raw bytes (iodine) put anything else into labels.
bool hostname_chars(std::string_view label) {
    for (const char ch : label) {
        const auto c = static_cast<unsigned char>(ch);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

struct NameFacts {
    uint64_t domain = 0;  // hash of the registered domain; 0: no name
    uint64_t name_hash = 0;
    bool suspicious = false;
    uint32_t domain_index = 0;
};

struct TunnelEntry {
    uint64_t first = 0, last = 0;
    uint64_t queries = 0, suspicious = 0, flows = 0, bytes = 0;
    IpAddr resolver;
    std::string domain;
    Distinct names;
};

struct NxEntry {
    uint64_t first = 0, last = 0;
    uint64_t answers = 0;
    IpAddr resolver;
    Distinct domains;  // registered domains of the names not found
};

struct ResolverEntry {
    uint64_t first = 0, last = 0;
    uint64_t flows = 0;
};

class Dns final : public Method {
  public:
    explicit Dns(Engine& e)
        : Method(e, "dns"),
          c_(e.config().dns),
          cap_(static_cast<uint32_t>(e.config().max_distinct)),
          tunnel_(e.config().max_hosts),
          nx_(e.config().max_hosts),
          resolvers_(e.config().max_hosts) {
        for (const auto& r : c_.resolvers) {
            const auto ip = parse_ip(r);
            if (!ip) throw UsageError("[dns] resolvers: '" + r + "' is not an address");
            allowed_.push_back(*ip);
        }
    }

    void block(const Rows& r) override {
        const uint64_t w = c_.window * kSec;
        facts(*r.qname);
        for (size_t i = 0; i < r.n; ++i) {
            const bool query = r.dport[i] == 53, answer = r.sport[i] == 53;
            if (!query && !answer) continue;
            const uint32_t qid = r.qname->ids[i];
            const uint64_t t = r.start[i];
            if (query && !allowed_.empty() && !allowed(r.dst[i])) {
                bool fresh;
                const Key k{r.src[i], r.dst[i], 0};
                ResolverEntry& e = resolvers_.get(k, fresh);
                if (!fresh && t >= e.first + w) {
                    close_resolver(k, e);
                    e = ResolverEntry{};
                    fresh = true;
                }
                if (fresh) e.first = e.last = t;
                e.first = std::min(e.first, t);
                e.last = std::max(e.last, t);
                ++e.flows;
            }
            if (!qid) continue;
            const NameFacts& f = facts_[qid];
            const IpAddr& client = query ? r.src[i] : r.dst[i];
            if (screen(client, f, t, w)) {
                bool fresh;
                const Key k{client, {}, f.domain};
                TunnelEntry& e = tunnel_.get(k, fresh);
                if (!fresh && t >= e.first + w) {
                    close_tunnel(k, e);
                    e = TunnelEntry{};
                    fresh = true;
                }
                if (fresh) {
                    e.first = e.last = t;
                    e.resolver = query ? r.dst[i] : r.src[i];
                    e.domain = domains_[f.domain_index];
                }
                e.first = std::min(e.first, t);
                e.last = std::max(e.last, t);
                ++e.flows;
                e.bytes += r.bytes[i];
                if (query) {
                    ++e.queries;
                    if (f.suspicious) ++e.suspicious;
                    e.names.insert(f.name_hash, cap_);
                }
            }
            if (answer && r.rcode[i] == kNxDomain) {
                bool fresh;
                const Key k{client, {}, 0};
                NxEntry& e = nx_.get(k, fresh);
                if (!fresh && t >= e.first + w) {
                    close_nx(k, e);
                    e = NxEntry{};
                    fresh = true;
                }
                if (fresh) {
                    e.first = e.last = t;
                    e.resolver = r.src[i];
                }
                e.first = std::min(e.first, t);
                e.last = std::max(e.last, t);
                ++e.answers;
                // A generator makes domains; names not found under a few domains (random
                // subdomains of CDNs and ad networks, search-list suffixes) are no DGA.
                e.domains.insert(f.domain, cap_);
            }
        }
    }

    void sweep(uint64_t now, bool all) override {
        const uint64_t w = c_.window * kSec;
        sweep_table(tunnel_, now, all, w,
                    [&](const Key& k, TunnelEntry& e) { close_tunnel(k, e); });
        sweep_table(nx_, now, all, w, [&](const Key& k, NxEntry& e) { close_nx(k, e); });
        sweep_table(resolvers_, now, all, w,
                    [&](const Key& k, ResolverEntry& e) { close_resolver(k, e); });
    }
    uint64_t window() const override { return c_.window * kSec; }
    uint64_t evictions() const override {
        return tunnel_.evictions() + nx_.evictions() + resolvers_.evictions();
    }
    uint64_t entries() const override { return tunnel_.size() + nx_.size() + resolvers_.size(); }

  private:
    // True when the flow of this pair goes to the tunnel table: names that look like a
    // tunnel's always, other names once the pair has had kPromoteAt flows in the window (the
    // flows before do not count in the evidence).
    bool screen(const IpAddr& client, const NameFacts& f, uint64_t t, uint64_t w) {
        const uint64_t h = mix64(IpAddrHash{}(client) ^ f.domain);
        const auto tag = static_cast<uint32_t>(h >> 32) | 1;
        const auto epoch = static_cast<uint32_t>(t / w);
        Screen* set = &screen_[(h & (kSets - 1)) * kWays];
        Screen* slot = nullptr;
        for (size_t j = 0; j < kWays; ++j)
            if (set[j].tag == tag) slot = &set[j];
        if (!slot) {
            // Replace the least used slot, promoted ones last.
            slot = &set[0];
            for (size_t j = 1; j < kWays; ++j) {
                const Screen& c = set[j];
                if (c.promoted < slot->promoted ||
                    (c.promoted == slot->promoted && c.count < slot->count))
                    slot = &set[j];
            }
            *slot = Screen{tag, epoch, 0, 0};
        }
        if (slot->epoch != epoch && !slot->promoted) {
            slot->epoch = epoch;
            slot->count = 0;
        }
        if (f.suspicious || ++slot->count >= kPromoteAt) slot->promoted = 1;
        return slot->promoted;
    }

    template <class T, class F>
    static void sweep_table(Table<T>& t, uint64_t now, bool all, uint64_t w, F&& close) {
        t.sweep([&](const Key& k, T& e) {
            if (!all && now < e.first + w) return false;
            close(k, e);
            return true;
        });
    }

    bool allowed(const IpAddr& a) const {
        for (const auto& x : allowed_)
            if (x == a) return true;
        return false;
    }

    // Per block: the registered domain and suspicion of each distinct question name.
    void facts(const StrColumn& col) {
        const uint32_t n = col.dict.size();
        facts_.assign(n, NameFacts{});
        // Indexes are valid for one block (entries keep their own copy of the name).
        domains_.clear();
        domain_ids_.clear();
        for (uint32_t id = 1; id < n; ++id) {
            const std::string_view name = col.dict.get(id);
            NameFacts& f = facts_[id];
            const std::string_view dom = registered_domain(name);
            f.domain = std::hash<std::string_view>{}(dom) | 1;
            f.name_hash = std::hash<std::string_view>{}(name);
            auto it = domain_ids_.find(f.domain);
            if (it == domain_ids_.end()) {
                it = domain_ids_.emplace(f.domain, static_cast<uint32_t>(domains_.size())).first;
                domains_.emplace_back(dom);
            }
            f.domain_index = it->second;
            const std::string_view label = name.substr(0, name.find('.'));
            f.suspicious = name.size() >= c_.long_name ||
                           (label.size() >= c_.min_label && entropy(label) >= c_.entropy) ||
                           !hostname_chars(label);
        }
    }

    void close_tunnel(const Key& k, const TunnelEntry& e) {
        const bool many = e.suspicious >= c_.tunnel_queries || e.names.count() >= c_.tunnel_names;
        const bool volume = e.bytes >= c_.tunnel_bytes && e.queries >= 10;
        if (!many && !volume) return;
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "dns";
        ev.severity = Severity::kHigh;
        ev.src = k.a;
        ev.dst = e.resolver;
        ev.has_src = ev.has_dst = true;
        ev.port = 53;
        ev.note("type", "tunnel");
        ev.note("domain", e.domain);
        ev.count("flows", e.flows);
        ev.count("queries", e.queries);
        ev.count("suspicious_names", e.suspicious);
        ev.count("distinct_names", e.names.count());
        ev.count("bytes", e.bytes);
        ev.filter = "((" + ip_term("src", k.a) + " and dst port 53) or (" + ip_term("dst", k.a) +
                    " and src port 53)) and " + domain_term("dns_qname", e.domain) + " and " +
                    time_clause(e.first, e.last);
        ev.attack = "T1071.004";
        emit(std::move(ev));
    }

    void close_nx(const Key& k, const NxEntry& e) {
        if (e.domains.count() < c_.dga_nxdomain) return;
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "dns";
        ev.severity =
            e.domains.count() >= 4 * c_.dga_nxdomain ? Severity::kHigh : Severity::kMedium;
        ev.src = k.a;
        ev.dst = e.resolver;
        ev.has_src = ev.has_dst = true;
        ev.port = 53;
        ev.note("type", "dga");
        ev.count("nxdomain", e.answers);
        ev.count("domains", e.domains.count());
        ev.filter = ip_term("dst", k.a) + " and src port 53 and dns_rcode 3 and " +
                    time_clause(e.first, e.last);
        ev.attack = "T1568.002";
        emit(std::move(ev));
    }

    void close_resolver(const Key& k, const ResolverEntry& e) {
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "dns";
        ev.severity = Severity::kMedium;
        ev.src = k.a;
        ev.dst = k.b;
        ev.has_src = ev.has_dst = true;
        ev.port = 53;
        ev.note("type", "resolver");
        ev.count("flows", e.flows);
        ev.filter = ip_term("src", k.a) + " and " + ip_term("dst", k.b) + " and dst port 53 and " +
                    time_clause(e.first, e.last);
        ev.attack = "T1071.004";
        emit(std::move(ev));
    }

    const DnsConfig& c_;
    uint32_t cap_;
    Table<TunnelEntry> tunnel_;
    Table<NxEntry> nx_;
    Table<ResolverEntry> resolvers_;
    std::vector<IpAddr> allowed_;
    // Screening of (client, domain) pairs before they get a tunnel entry: 4-way sets of
    // 16-byte slots, a few MB that mostly stay in cache, where a table of full entries for
    // every pair would miss it on almost every DNS flow.
    struct Screen {
        uint32_t tag = 0;
        uint32_t epoch = 0;  // window number of the count
        uint32_t count = 0;
        uint32_t promoted = 0;
    };
    static constexpr size_t kSets = 1 << 16, kWays = 4, kPromoteAt = 8;
    std::vector<Screen> screen_ = std::vector<Screen>(kSets * kWays);
    std::vector<NameFacts> facts_;
    std::unordered_map<uint64_t, uint32_t> domain_ids_;
    std::vector<std::string> domains_;
};

}  // namespace

std::unique_ptr<Method> make_dns(Engine& e) {
    return std::make_unique<Dns>(e);
}

}  // namespace fk::detect
