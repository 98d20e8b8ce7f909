// Crypto-mining from a host: Stratum sessions (app stratum), pool names in TLS SNI or DNS
// questions (built-in pools plus lists), established TCP sessions to mining ports.
#include "detect/lists.h"
#include "detect/method.h"

namespace fk::detect {

namespace {

// Well-known public pools; lists in the config add to them.
constexpr const char* kPools[] = {
    "supportxmr.com", "minexmr.com",       "nanopool.org",   "moneroocean.stream",
    "hashvault.pro",  "2miners.com",       "f2pool.com",     "ethermine.org",
    "nicehash.com",   "viabtc.com",        "antpool.com",    "poolin.com",
    "slushpool.com",  "braiins.com",       "herominers.com", "unmineable.com",
    "c3pool.com",     "minergate.com",     "xmrpool.eu",     "dwarfpool.com",
    "xmrig.com",      "miningpoolhub.com", "ezil.me",        "flexpool.io",
    "kryptex.network"};

struct MiningEntry {
    uint64_t first = 0, last = 0;
    uint64_t flows = 0, stratum = 0, port_flows = 0, domain_flows = 0, bytes = 0;
    IpAddr pool_ip;
    bool has_pool_ip = false;
    uint16_t pool_port = 0;
    std::vector<std::string> names;       // at most 4
    std::vector<uint16_t> stratum_ports;  // pool ports of the Stratum sessions
};

class Mining final : public WindowedMethod<Mining, MiningEntry> {
    friend WindowedMethod;

  public:
    explicit Mining(Engine& e)
        : WindowedMethod(e, "mining", e.config().mining.window), c_(e.config().mining) {
        ports_.assign(65536 / 64, 0);
        for (const uint16_t p : c_.ports) ports_[p >> 6] |= 1ull << (p & 63);
        reload();
    }

    void reload() override {
        DomainList d;
        for (const char* p : kPools) d.add(p);
        for (const auto& f : c_.pool_lists) d.load(f);
        pools_ = std::move(d);
    }

    void block(const Rows& r) override {
        const uint64_t w = c_.window * kSec;
        match_dict(*r.sni, sni_);
        match_dict(*r.qname, qname_);
        constexpr uint8_t kStratum = 15;
        for (size_t i = 0; i < r.n; ++i) {
            const uint16_t p = r.dport[i];
            // The miner's side of an established Stratum session: the pool's answers and
            // port-guessed probes are not mining.
            const bool stratum = r.app[i] == kStratum && (r.flags[i] & kAck) && r.sport[i] > p &&
                                 !is_server_side(r, i);
            // A session that carried data (not a lone SYN/ACK answering a flood's source port).
            const bool port = r.proto[i] == kTcp && (r.flags[i] & kAck) && r.packets[i] > 3 &&
                              ((ports_[p >> 6] >> (p & 63)) & 1);
            int32_t name = sni_[r.sni->ids[i]];
            if (name < 0 && p == 53) name = qname_[r.qname->ids[i]];
            if (!stratum && !port && name < 0) continue;
            bool fresh;
            const Key k{r.src[i], {}, 0};
            MiningEntry& e = tab_.get(k, fresh);
            const uint64_t t = r.start[i];
            if (!fresh && t >= e.first + w) {
                close(k, e);
                e = MiningEntry{};
                fresh = true;
            }
            if (fresh) e.first = e.last = t;
            e.first = std::min(e.first, t);
            e.last = std::max(e.last, t);
            e.bytes += r.bytes[i];
            ++e.flows;
            if (stratum) ++e.stratum;
            if (port) ++e.port_flows;
            if (stratum || port) {
                if (!e.has_pool_ip || stratum) {
                    e.pool_ip = r.dst[i];
                    e.pool_port = p;
                    e.has_pool_ip = true;
                }
                if (stratum && std::find(e.stratum_ports.begin(), e.stratum_ports.end(), p) ==
                                   e.stratum_ports.end())
                    e.stratum_ports.push_back(p);
            }
            if (name >= 0) {
                ++e.domain_flows;
                const std::string& n = names_[static_cast<size_t>(name)];
                if (e.names.size() < 4 &&
                    std::find(e.names.begin(), e.names.end(), n) == e.names.end())
                    e.names.push_back(n);
            }
        }
    }

  private:
    // Stratum is recognised in both directions; the pool's answers are not the miner's.
    bool is_server_side(const Rows& r, size_t i) const {
        const uint16_t sp = r.sport[i];
        return (ports_[sp >> 6] >> (sp & 63)) & 1;
    }

    void match_dict(const StrColumn& col, std::vector<int32_t>& out) {
        const uint32_t n = col.dict.size();
        out.assign(n, -1);
        for (uint32_t id = 1; id < n; ++id) {
            const std::string_view m = pools_.match(col.dict.get(id));
            if (m.empty()) continue;
            auto it = index_.find(std::string(m));
            if (it == index_.end()) {
                it = index_.emplace(std::string(m), static_cast<int32_t>(names_.size())).first;
                names_.emplace_back(m);
            }
            out[id] = it->second;
        }
    }

    void close(const Key& k, const MiningEntry& e) {
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "mining";
        ev.src = k.a;
        ev.has_src = true;
        if (e.has_pool_ip) {
            ev.dst = e.pool_ip;
            ev.has_dst = true;
            ev.port = e.pool_port;
        }
        ev.severity = e.stratum                        ? Severity::kHigh
                      : e.domain_flows && e.port_flows ? Severity::kHigh
                      : e.domain_flows                 ? Severity::kMedium
                                                       : Severity::kLow;
        ev.count("flows", e.flows);
        ev.count("stratum_flows", e.stratum);
        ev.count("port_flows", e.port_flows);
        ev.count("domain_flows", e.domain_flows);
        ev.count("bytes", e.bytes);
        std::string pools;
        for (const auto& n : e.names) pools += (pools.empty() ? "" : ",") + n;
        if (!pools.empty()) ev.note("pools", pools);
        std::string ports;
        for (const uint16_t p : c_.ports) ports += (ports.empty() ? "" : " ") + std::to_string(p);
        // Stratum rows are counted when the source port is above the destination port; the
        // filter names the pools' ports instead (the language compares no two columns).
        std::string sp;
        for (const uint16_t p : e.stratum_ports) sp += (sp.empty() ? "" : " ") + std::to_string(p);
        std::string any = "(proto tcp and flags A and packets > 3 and dst port in [" + ports + "])";
        if (!sp.empty())
            any += " or (app stratum and flags A and dst port in [" + sp +
                   "] and not src port in [" + ports + "])";
        for (const auto& n : e.names)
            any += " or " + domain_term("sni", n) + " or (dst port 53 and " +
                   domain_term("dns_qname", n) + ")";
        ev.filter = ip_term("src", k.a) + " and (" + any + ") and " + time_clause(e.first, e.last);
        ev.attack = "T1496";
        emit(std::move(ev));
    }

    const MiningConfig& c_;
    std::vector<uint64_t> ports_;
    DomainList pools_;
    std::vector<int32_t> sni_, qname_;
    std::unordered_map<std::string, int32_t> index_;
    std::vector<std::string> names_;
};

}  // namespace

std::unique_ptr<Method> make_mining(Engine& e) {
    return std::make_unique<Mining>(e);
}

}  // namespace fk::detect
