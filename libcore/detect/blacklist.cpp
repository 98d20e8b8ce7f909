// Traffic with listed addresses (either side of a flow) and lookups of / connections to listed
// domains (TLS SNI, HTTP Host, DNS question; a listed name also lists its subdomains).
#include "detect/lists.h"
#include "detect/method.h"

namespace fk::detect {

namespace {

struct ListEntry {
    uint64_t first = 0, last = 0;
    uint64_t flows = 0, packets = 0, bytes = 0, established = 0;
    uint32_t score = 0;
    uint16_t list = 0, category = 0;
    bool listed_is_dst = false;
    std::string name;  // domain entries
    uint8_t via = 0;   // domain entries: 1 sni, 2 http_host, 4 dns_qname
};

class Blacklist final : public Method {
  public:
    explicit Blacklist(Engine& e)
        : Method(e, "blacklist"),
          c_(e.config().blacklist),
          ips_(e.config().max_hosts),
          names_(e.config().max_hosts) {
        reload();
    }

    void reload() override {
        IpList ip;
        DomainList dom;
        for (const auto& f : c_.ip_lists) ip.load(f);
        ip.finish();
        for (const auto& f : c_.domain_lists) dom.load(f);
        list_ = std::move(ip);
        domains_ = std::move(dom);
    }

    void block(const Rows& r) override {
        const uint64_t w = c_.window * kSec;
        if (!list_.empty()) {
            for (size_t i = 0; i < r.n; ++i) {
                if (const IpHit* h = list_.find(r.src[i]))
                    add_ip(r, i, r.src[i], r.dst[i], *h, false, w);
                if (const IpHit* h = list_.find(r.dst[i]))
                    add_ip(r, i, r.dst[i], r.src[i], *h, true, w);
            }
        }
        if (domains_.size() == 0) return;
        match_dict(*r.sni, sni_);
        match_dict(*r.host, host_);
        match_dict(*r.qname, qname_);
        for (size_t i = 0; i < r.n; ++i) {
            int32_t m = sni_[r.sni->ids[i]];
            uint8_t via = 1;
            if (m < 0) {
                m = host_[r.host->ids[i]];
                via = 2;
            }
            if (m < 0 && r.dport[i] == 53) {
                m = qname_[r.qname->ids[i]];
                via = 4;
            }
            if (m < 0) continue;
            const std::string& name = names_list_[static_cast<size_t>(m)];
            bool fresh;
            const Key k{r.src[i], {}, std::hash<std::string>{}(name)};
            ListEntry& e = names_.get(k, fresh);
            const uint64_t t = r.start[i];
            if (!fresh && t >= e.first + w) {
                close_name(k, e);
                e = ListEntry{};
                fresh = true;
            }
            if (fresh) {
                e.first = e.last = t;
                e.name = name;
            }
            touch(e, r, i);
            e.via |= via;
        }
    }

    void sweep(uint64_t now, bool all) override {
        const uint64_t w = c_.window * kSec;
        ips_.sweep([&](const Key& k, ListEntry& e) {
            if (!all && now < e.first + w) return false;
            close_ip(k, e);
            return true;
        });
        names_.sweep([&](const Key& k, ListEntry& e) {
            if (!all && now < e.first + w) return false;
            close_name(k, e);
            return true;
        });
    }
    uint64_t window() const override { return c_.window * kSec; }
    uint64_t evictions() const override { return ips_.evictions() + names_.evictions(); }
    uint64_t entries() const override { return ips_.size() + names_.size(); }

  private:
    static void touch(ListEntry& e, const Rows& r, size_t i) {
        const uint64_t t = r.start[i];
        e.first = std::min(e.first, t);
        e.last = std::max(e.last, t);
        ++e.flows;
        e.packets += r.packets[i];
        e.bytes += r.bytes[i];
        if (r.proto[i] != kTcp ? r.packets[i] > 1 : (r.flags[i] & kAck) != 0) ++e.established;
    }

    void add_ip(const Rows& r, size_t i, const IpAddr& listed, const IpAddr& other, const IpHit& h,
                bool listed_is_dst, uint64_t w) {
        bool fresh;
        const Key k{listed, other, 0};
        ListEntry& e = ips_.get(k, fresh);
        const uint64_t t = r.start[i];
        if (!fresh && t >= e.first + w) {
            close_ip(k, e);
            e = ListEntry{};
            fresh = true;
        }
        if (fresh) {
            e.first = e.last = t;
            e.score = h.score;
            e.list = h.list;
            e.category = h.category;
            e.listed_is_dst = listed_is_dst;
        }
        touch(e, r, i);
    }

    // Per block: which dictionary entries are listed names (index into names_list_ or -1).
    void match_dict(const StrColumn& col, std::vector<int32_t>& out) {
        const uint32_t n = col.dict.size();
        out.assign(n, -1);
        for (uint32_t id = 1; id < n; ++id) {
            const std::string_view m = domains_.match(col.dict.get(id));
            if (m.empty()) continue;
            auto it = name_index_.find(std::string(m));
            if (it == name_index_.end()) {
                it = name_index_.emplace(std::string(m), static_cast<int32_t>(names_list_.size()))
                         .first;
                names_list_.emplace_back(m);
            }
            out[id] = it->second;
        }
    }

    void close_ip(const Key& k, const ListEntry& e) {
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "blacklist";
        // The local side is the source of the event when it reached out to the listed one.
        ev.src = e.listed_is_dst ? k.b : k.a;
        ev.dst = e.listed_is_dst ? k.a : k.b;
        ev.has_src = ev.has_dst = true;
        ev.severity = e.established ? Severity::kHigh : Severity::kMedium;
        ev.note("listed", ip_string(k.a));
        ev.note("list", list_.names().size() > e.list ? list_.names()[e.list] : "");
        ev.count("flows", e.flows);
        ev.count("packets", e.packets);
        ev.count("bytes", e.bytes);
        ev.count("established", e.established);
        if (e.score) ev.count("score", e.score);
        if (e.category) ev.count("category", e.category);
        ev.filter = ip_term("", k.a).substr(1) + " and " + ip_term("", k.b).substr(1) + " and " +
                    time_clause(e.first, e.last);
        ev.attack = "T1071";
        emit(std::move(ev));
    }

    void close_name(const Key& k, const ListEntry& e) {
        Event ev;
        ev.time = e.first;
        ev.last = e.last;
        ev.method = "blacklist";
        ev.src = k.a;
        ev.has_src = true;
        ev.severity = (e.via & 3) ? Severity::kHigh : Severity::kMedium;
        ev.note("domain", e.name);
        ev.count("flows", e.flows);
        ev.count("bytes", e.bytes);
        ev.filter = ip_term("src", k.a) + " and (" + domain_term("sni", e.name) + " or " +
                    domain_term("http_host", e.name) + " or (dst port 53 and " +
                    domain_term("dns_qname", e.name) + ")) and " + time_clause(e.first, e.last);
        ev.attack = "T1071";
        emit(std::move(ev));
    }

    const BlacklistConfig& c_;
    IpList list_;
    DomainList domains_;
    Table<ListEntry> ips_, names_;
    std::vector<int32_t> sni_, host_, qname_;
    std::unordered_map<std::string, int32_t> name_index_;
    std::vector<std::string> names_list_;
};

}  // namespace

std::unique_ptr<Method> make_blacklist(Engine& e) {
    return std::make_unique<Blacklist>(e);
}

}  // namespace fk::detect
