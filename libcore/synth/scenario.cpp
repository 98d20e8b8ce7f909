#include "synth/scenario.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include "common/error.h"
#include "record/ipaddr.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

constexpr std::string_view kStages[] = {
#define FK_SYNTH_STAGE_NAME(id, name) name,
    FK_SYNTH_STAGES(FK_SYNTH_STAGE_NAME)
#undef FK_SYNTH_STAGE_NAME
};

// "k=v,k=v" parameters of one scenario; every key must be used by the scenario.
class Params {
  public:
    Params(std::string_view scenario, std::string_view spec) : scenario_(scenario) {
        while (!spec.empty()) {
            const size_t comma = spec.find(',');
            const std::string_view item = spec.substr(0, comma);
            const size_t eq = item.find('=');
            if (eq == std::string_view::npos || eq == 0) {
                throw UsageError("--scenario " + scenario_ + ": expected k=v, got '" +
                                 std::string(item) + "'");
            }
            values_[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
            if (comma == std::string_view::npos) break;
            spec.remove_prefix(comma + 1);
        }
    }

    std::string text(const std::string& key, const std::string& def) {
        used_.push_back(key);
        auto it = values_.find(key);
        const std::string v = it == values_.end() ? def : it->second;
        applied_ += (applied_.empty() ? "" : ",") + key + "=" + v;
        return v;
    }
    double number(const std::string& key, double def, double lo, double hi) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", def);
        const std::string v = text(key, buf);
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end || d < lo || d > hi) {
            std::snprintf(buf, sizeof buf, "%g..%g", lo, hi);
            throw UsageError("--scenario " + scenario_ + ": " + key + " must be a number in " +
                             buf);
        }
        return d;
    }
    // An IPv4 address given as text, or def.
    uint32_t address(const std::string& key, const std::string& def) {
        const std::string v = text(key, def);
        const auto ip = parse_ip(v);
        if (!ip || !ip->is_v4())
            throw UsageError("--scenario " + scenario_ + ": " + key + " must be an IPv4 address");
        return ip->v4_value();
    }
    std::string choice(const std::string& key, std::initializer_list<std::string_view> options) {
        const std::string v = text(key, std::string(*options.begin()));
        for (auto o : options) {
            if (o == v) return v;
        }
        std::string all;
        for (auto o : options) all += (all.empty() ? "" : ", ") + std::string(o);
        throw UsageError("--scenario " + scenario_ + ": " + key + " must be one of " + all);
    }
    // After the scenario read what it knows: anything left is a mistake.
    void check_all_used() const {
        for (const auto& [k, v] : values_) {
            if (std::find(used_.begin(), used_.end(), k) == used_.end()) {
                throw UsageError("--scenario " + scenario_ + ": unknown parameter '" + k + "'");
            }
        }
    }
    const std::string& applied() const { return applied_; }

  private:
    std::string scenario_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> used_;
    std::string applied_;
};

std::string v4_text(uint32_t v) {
    return ip_string(IpAddr::v4(v));
}

uint64_t seconds(double s) {
    return static_cast<uint64_t>(s * 1e6);
}

uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

// A public-looking IPv4 address outside the ranges this network uses or that are reserved.
uint32_t spoofed_source(Rng& r) {
    for (;;) {
        const uint32_t v = static_cast<uint32_t>(r.next());
        const unsigned a = v >> 24;
        if (a < 1 || a == 10 || a == 100 || a == 127 || a == 169 || a == 172 || a == 192 ||
            a == 198 || a == 203 || a >= 224) {
            continue;
        }
        return v;
    }
}

// Conversations of one scenario come from a base of shared parameters.
class Base : public Scenario {
  public:
    Base(uint8_t label, Population& pop, const TrafficOptions& options, std::string_view name)
        : label_(label),
          pop_(pop),
          options_(options),
          rng_(options.seed * 0x9E3779B97F4A7C15ull + label * 0x632BE59BD9B4E019ull + 1) {
        info_.name = std::string(name);
    }
    uint64_t next_start() const override { return next_; }

  protected:
    // A conversation of this scenario between two given endpoints.
    void begin(Conversation& c, uint64_t id, Kind kind, Stage stage) {
        init_conversation(c, id, rng_, kind);
        c.scenario = label_;
        c.stage = static_cast<uint8_t>(stage);
    }
    uint64_t at(Params& p, double def) {
        return options_.start + seconds(p.number("at", def, 0, 1e7));
    }

    uint8_t label_;
    Population& pop_;
    const TrafficOptions& options_;
    Rng rng_;
    uint64_t next_ = kNoMoreConversations;
};

// ---- scan

class Scan : public Base {
  public:
    Scan(Params& p, uint8_t label, Population& pop, const TrafficOptions& o,
         Stage stage = Stage::probe, double default_at = 5)
        : Base(label, pop, o, "scan"), stage_(stage) {
        vertical_ = p.choice("type", {"horizontal", "vertical"}) == "vertical";
        attacker_ = p.address("attacker", "203.0.113.66");
        port_ = static_cast<uint16_t>(p.number("port", 22, 1, 65535));
        target_ = p.address("target", "10.0.10.40");
        count_ = static_cast<uint32_t>(p.number("count", vertical_ ? 1000 : 512, 1, 65535));
        rate_ = p.number("rate", 200, 0.1, 1e6);
        sport_ = static_cast<uint16_t>(40000 + rng_.below(20000));
        next_ = at(p, default_at);
        info_.attacker = v4_text(attacker_);
        info_.target = vertical_ ? v4_text(target_) : "10.20.0.0/16";
        info_.port = vertical_ ? 0 : port_;
        info_.start = next_;
        info_.end = next_ + seconds(count_ / rate_);
    }

    void make(Conversation& c, uint64_t id) override {
        const double x = rng_.uniform();
        Kind kind;
        Opening opening = Opening::full;
        if (vertical_) {
            kind = x < 0.9 ? Kind::syn_rst : x < 0.98 ? Kind::syn_noanswer : Kind::syn_rst;
            if (x >= 0.98) opening = Opening::half_open;
        } else {
            kind = x < 0.7 ? Kind::syn_noanswer : Kind::syn_rst;
            if (x >= 0.95) opening = Opening::half_open;
        }
        // A half-open probe is answered with SYN/ACK; the SYN-ACK path runs through a TCP
        // kind that is not syn_rst.
        begin(c, id, opening == Opening::half_open ? Kind::ssh : kind, stage_);
        c.opening = opening;
        c.syn_tries = 1;
        Population::external(c.ep[0], attacker_, 0);
        c.ep[0].port = sport_;
        c.ep[0].ttl = 44;
        if (vertical_) {
            Population::external(c.ep[1], target_, 0x2000000ull + target_);
            c.ep[1].port = port_of(done_);
        } else {
            pop_.client(c.ep[1], static_cast<unsigned>(done_ % std::max(1u, pop_.clients())),
                        false);
            c.ep[1].port = port_;
        }
        c.ep[1].ttl = 64;
        c.rtt_client = static_cast<uint32_t>(rng_.lognormal(30'000, 0.3));
        c.rtt_server = static_cast<uint32_t>(rng_.lognormal(400, 0.3));
        start_conversation(c, next_);
        if (++done_ >= count_) {
            next_ = kNoMoreConversations;
        } else {
            // Probe i at i / rate from the start, give or take a tenth of an interval: the rate
            // is the one asked for, and the last probe falls within the planned window.
            const double step = 1e6 / rate_;
            next_ = info_.start + static_cast<uint64_t>(step * (done_ - 0.1)) +
                    rng_.below(static_cast<uint64_t>(0.2 * step) + 1);
        }
    }

  private:
    // Ports in the order a scanner tries them: the well-known ones first.
    static uint16_t port_of(uint32_t i) {
        static constexpr uint16_t kFirst[] = {80, 443,  22,   21,   25,   3389, 445, 139, 135,
                                              53, 8080, 3306, 1433, 5900, 23,   110, 143, 993};
        static constexpr uint16_t kFirstSorted[] = {21,  22,   23,   25,   53,   80,
                                                    110, 135,  139,  143,  443,  445,
                                                    993, 1433, 3306, 3389, 5900, 8080};
        if (i < std::size(kFirst)) return kFirst[i];
        // Then 1, 2, 3, ... skipping the ports already tried.
        uint32_t p = i - static_cast<uint32_t>(std::size(kFirst)) + 1;
        for (uint16_t f : kFirstSorted) {
            if (p >= f) ++p;
        }
        return static_cast<uint16_t>(std::min<uint32_t>(p, 65535));
    }

    Stage stage_;
    bool vertical_;
    uint32_t attacker_, target_;
    uint16_t port_, sport_;
    uint32_t count_, done_ = 0;
    double rate_;
};

// ---- SYN flood

class SynFlood : public Base {
  public:
    SynFlood(Params& p, uint8_t label, Population& pop, const TrafficOptions& o,
             Stage stage = Stage::flood, double default_at = 5)
        : Base(label, pop, o, "synflood"), stage_(stage) {
        target_ = p.address("target", "10.0.10.80");
        port_ = static_cast<uint16_t>(p.number("port", 80, 1, 65535));
        rate_ = p.number("rate", 2000, 1, 1e7);
        duration_ = seconds(p.number("duration", 10, 0.001, 1e6));
        sources_ = static_cast<uint32_t>(p.number("sources", 1, 1, 1e7));
        attacker_ = p.address("attacker", "203.0.113.13");
        next_ = at(p, default_at);
        end_ = next_ + duration_;
        info_.attacker =
            sources_ == 1 ? v4_text(attacker_) : "distributed:" + std::to_string(sources_);
        info_.target = v4_text(target_);
        info_.port = port_;
        info_.start = next_;
        info_.end = end_;
        sport_ = static_cast<uint16_t>(1024 + rng_.below(60000));
    }

    void make(Conversation& c, uint64_t id) override {
        const bool answered = rng_.chance(0.5);
        begin(c, id, answered ? Kind::http : Kind::syn_noanswer, stage_);
        c.opening = Opening::unacked;
        c.syn_tries = 1;
        const uint32_t src = sources_ == 1 ? attacker_ : spoofed(rng_.below(sources_));
        Population::external(c.ep[0], src, 0);
        c.ep[0].port = sources_ == 1 ? sport_++ : static_cast<uint16_t>(1024 + rng_.below(64000));
        if (sport_ < 1024) sport_ = 1024;
        c.ep[0].ttl = static_cast<uint8_t>(40 + rng_.below(20));
        Population::external(c.ep[1], target_, 0x3000000ull + target_);
        c.ep[1].port = port_;
        c.ep[1].ttl = 64;
        c.rtt_client = static_cast<uint32_t>(rng_.lognormal(40'000, 0.5));
        c.rtt_server = static_cast<uint32_t>(rng_.lognormal(300, 0.3));
        start_conversation(c, next_);
        next_ += static_cast<uint64_t>(rng_.exponential(1e6 / rate_)) + 1;
        if (next_ >= end_) next_ = kNoMoreConversations;
    }

  private:
    uint32_t spoofed(uint64_t i) const {
        Rng r(mix64(i * 0x9E37 + label_));
        return spoofed_source(r);
    }
    Stage stage_;
    uint32_t target_, attacker_, sources_;
    uint16_t port_, sport_;
    double rate_;
    uint64_t duration_, end_;
};

// ---- brute force

class Bruteforce : public Base {
  public:
    Bruteforce(Params& p, uint8_t label, Population& pop, const TrafficOptions& o,
               double default_at = 5, bool default_success = false)
        : Base(label, pop, o, "bruteforce") {
        rdp_ = p.choice("service", {"ssh", "rdp"}) == "rdp";
        attempts_ = static_cast<uint32_t>(p.number("attempts", 40, 1, 1e6));
        success_ = p.number("success", default_success ? 1 : 0, 0, 1) != 0;
        interval_ = seconds(p.number("interval", 2, 0.01, 1e4));
        attacker_ = p.address("attacker", "203.0.113.77");
        target_ = p.address("target", rdp_ ? "10.0.10.20" : "10.0.10.40");
        user_ = p.text("user", "administrator");
        next_ = at(p, default_at);
        info_.attacker = v4_text(attacker_);
        info_.target = v4_text(target_);
        info_.port = rdp_ ? 3389 : 22;
        info_.start = next_;
        info_.end = next_ + attempts_ * interval_ + (success_ ? seconds(150) : 0);
        if (user_.size() > 64) throw UsageError("--scenario bruteforce: user is too long");
    }
    uint32_t victim() const { return target_; }
    uint64_t login_time() const { return info_.start + attempts_ * interval_; }

    void make(Conversation& c, uint64_t id) override {
        const bool login = done_ == attempts_;  // the successful session after the failures
        begin(c, id, rdp_ ? Kind::rdp : Kind::ssh, login ? Stage::login : Stage::attempt);
        Population::external(c.ep[0], attacker_, 0);
        c.ep[0].port = pop_.ephemeral_of(c.ep[0]);
        c.ep[0].ttl = 50;
        Population::external(c.ep[1], target_, 0x4000000ull + target_);
        c.ep[1].port = rdp_ ? 3389 : 22;
        c.ep[1].ttl = rdp_ ? 128 : 64;
        c.rtt_client = static_cast<uint32_t>(rng_.lognormal(35'000, 0.1));
        c.rtt_server = static_cast<uint32_t>(rng_.lognormal(400, 0.1));
        c.response = 2000;
        c.set_name(user_);
        c.auth_ok = login;
        c.app_word = 1;
        c.teardown = login  ? Teardown::fin_client
                     : rdp_ ? Teardown::fin_server
                            : Teardown::fin_client;
        if (rdp_) {
            c.exchanges = login ? 4 + 300 : 4;
            c.think = login ? 400'000 : 20'000;
        } else {
            c.exchanges = login ? 5 + 150 : 5;
            c.think = login ? 900'000 : 15'000;
        }
        start_conversation(c, next_);
        ++done_;
        if (done_ > attempts_ || (done_ == attempts_ && !success_)) {
            next_ = kNoMoreConversations;
        } else {
            // Session i at i intervals from the start, give or take 5% of one: the interval is
            // the one asked for, and the sessions fall within the planned window.
            next_ =
                info_.start + done_ * interval_ - interval_ / 20 + rng_.below(interval_ / 10 + 1);
        }
    }

  private:
    bool rdp_, success_;
    uint32_t attempts_, done_ = 0;
    uint64_t interval_;
    uint32_t attacker_, target_;
    std::string user_;
};

// ---- mining

class Mining : public Base {
  public:
    Mining(Params& p, uint8_t label, Population& pop, const TrafficOptions& o,
           double default_at = 5, const std::string& default_miner = "10.20.0.57")
        : Base(label, pop, o, "mining") {
        miner_ = p.address("miner", default_miner);
        pool_name_ = p.text("pool", "pool.supportxmr.com");
        pool_ = p.address("pool_ip", "198.51.100.23");
        port_ = static_cast<uint16_t>(p.number("port", 3333, 1, 65535));
        duration_ = seconds(p.number("duration", 240, 1, 1e6));
        if (pool_name_.empty() || pool_name_.size() > 200)
            throw UsageError("--scenario mining: bad pool name");
        next_ = at(p, default_at);
        end_ = next_ + duration_;
        info_.attacker = v4_text(miner_);
        info_.target = v4_text(pool_) + " " + pool_name_;
        info_.port = port_;
        info_.start = next_;
        info_.end = end_;
    }

    void make(Conversation& c, uint64_t id) override {
        const bool lookup = !looked_up_;
        begin(c, id, lookup ? Kind::dns : Kind::stratum, lookup ? Stage::lookup : Stage::mining);
        Population::external(c.ep[0], miner_, 0x5000000ull + miner_);
        if (lookup) {
            Population::internal(c.ep[1], 0, 53, false);
            c.ep[0].port = pop_.ephemeral_of(c.ep[0]);
            c.ep[1].port = 53;
            c.set_name(pool_name_);
            c.qtype = kDnsA;
            c.rtt_server = 400;
            start_conversation(c, next_);
            looked_up_ = true;
            next_ += 20'000 + rng_.below(30'000);
            return;
        }
        Population::external(c.ep[1], pool_, 0);
        c.ep[0].port = pop_.ephemeral_of(c.ep[0]);
        c.ep[1].port = port_;
        c.ep[1].ttl = 50;
        c.set_name("47sghzufGhJJDQEbScMCwVBimTuq6L5JiRixD8VeGbpjCTA12noXmi.worker1");
        // A share submitted every 4-9 s.
        c.think = 4'000'000;
        c.think_max = 9'000'000;
        // One connection covers up to kLongestConversation (below a probe's active timeout);
        // it ends in time for the next one, which looks the pool up again.
        const uint64_t session = std::min<uint64_t>(end_ - next_, kLongestConversation);
        c.lasts = session > seconds(10) ? session - seconds(10) : 0;
        c.exchanges = 2 + static_cast<uint32_t>(session / c.think);
        c.teardown = Teardown::fin_client;
        start_conversation(c, next_);
        next_ += session + 1'000'000;
        looked_up_ = false;
        if (next_ >= end_) next_ = kNoMoreConversations;
    }

  private:
    uint32_t miner_, pool_;
    std::string pool_name_;
    uint16_t port_;
    uint64_t duration_, end_;
    bool looked_up_ = false;
};

// ---- DNS tunnel

class DnsTunnel : public Base {
  public:
    DnsTunnel(Params& p, uint8_t label, Population& pop, const TrafficOptions& o)
        : Base(label, pop, o, "dns-tunnel") {
        client_ = p.address("client", "10.20.0.88");
        domain_ = p.text("domain", "t.cdnsync-update.net");
        queries_ = static_cast<uint32_t>(p.number("queries", 2000, 1, 1e8));
        rate_ = p.number("rate", 20, 0.01, 1e5);
        const std::string qtype = p.choice("qtype", {"TXT", "NULL", "CNAME"});
        qtype_ = qtype == "TXT" ? kDnsTxt : qtype == "NULL" ? kDnsNull : kDnsCname;
        if (domain_.empty() || domain_.size() > 100)
            throw UsageError("--scenario dns-tunnel: bad domain");
        next_ = at(p, 5);
        info_.attacker = v4_text(client_);
        info_.target = domain_;
        info_.port = 53;
        info_.start = next_;
        info_.end = next_ + seconds(queries_ / rate_);
        port0_ = static_cast<uint32_t>(rng_.below(16384));
    }

    void make(Conversation& c, uint64_t id) override {
        begin(c, id, Kind::dns, Stage::tunnel);
        Population::external(c.ep[0], client_, 0x6000000ull + client_);
        Population::internal(c.ep[1], 0, 53, false);
        c.ep[0].port = static_cast<uint16_t>(49152 + (port0_ + done_) % 16384);
        c.ep[1].port = 53;
        c.rtt_server = 400;
        c.response = 30'000;
        c.qtype = qtype_;
        c.app_word = static_cast<uint16_t>(rng_.between(120, 220));  // TXT payload down
        // Base32-encoded data in two long labels, then the tunnel's domain.
        static constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
        char name[256];
        size_t n = 0;
        for (int label = 0; label < 2; ++label) {
            const size_t len = label == 0 ? 63 : 20 + rng_.below(40);
            for (size_t i = 0; i < len; ++i) name[n++] = kBase32[rng_.below(32)];
            name[n++] = '.';
        }
        std::memcpy(name + n, domain_.data(), domain_.size());
        c.set_name({name, n + domain_.size()});
        start_conversation(c, next_);
        if (++done_ >= queries_) {
            next_ = kNoMoreConversations;
        } else {
            next_ += static_cast<uint64_t>(rng_.exponential(1e6 / rate_)) + 1;
        }
    }

  private:
    uint32_t client_;
    std::string domain_;
    uint32_t queries_, done_ = 0;
    uint32_t port0_;  // source ports count up from here, one per query
    double rate_;
    uint16_t qtype_;
};

// ---- exfiltration

class Exfil : public Base {
  public:
    Exfil(Params& p, uint8_t label, Population& pop, const TrafficOptions& o)
        : Base(label, pop, o, "exfil") {
        client_ = static_cast<unsigned>(p.number("client", 7, 0, std::max(1u, pop.clients()) - 1));
        bytes_ = static_cast<uint64_t>(p.number("bytes", 50e6, 1e3, 4e9));
        sessions_ = static_cast<uint32_t>(p.number("sessions", 1, 1, 1000));
        target_ = p.address("target", "198.51.100.200");
        sni_ = p.text("sni", "upload.filedrop-share.com");
        if (sni_.empty() || sni_.size() > 200) throw UsageError("--scenario exfil: bad sni");
        next_ = at(p, 5);
        Endpoint ep;
        pop.client(ep, client_, false);
        info_.attacker = ip_string(IpAddr::v4_bytes(ep.addr + 12));
        info_.target = v4_text(target_) + " " + sni_;
        info_.port = 443;
        info_.start = next_;
        // About 3 MB/s per connection at the default round trips.
        info_.end = next_ + seconds(static_cast<double>(bytes_) / 3e6);
    }

    void make(Conversation& c, uint64_t id) override {
        begin(c, id, Kind::https, Stage::upload);
        pop_.client(c.ep[0], client_, false);
        c.ep[0].port = pop_.ephemeral(client_);
        Population::external(c.ep[1], target_, 0);
        c.ep[1].port = 443;
        c.ep[1].ttl = 52;
        c.set_name(sni_);
        c.alpn = 0;
        c.tls_version = 0x0304;
        c.rtt_server = 20'000;
        c.gap = 15;
        c.bulk_up = bytes_ / sessions_;
        c.bulk_down = 300;
        c.exchanges = 2;
        c.teardown = Teardown::fin_client;
        start_conversation(c, next_);
        if (++done_ >= sessions_) {
            next_ = kNoMoreConversations;
        } else {
            next_ += seconds(static_cast<double>(bytes_ / sessions_) / 3e6) + 2'000'000;
        }
    }

  private:
    unsigned client_;
    uint64_t bytes_;
    uint32_t sessions_, done_ = 0;
    uint32_t target_;
    std::string sni_;
};

// ---- OT segment with stable peers, then a new one

class OtNewPeer : public Base {
  public:
    OtNewPeer(Params& p, uint8_t label, Population& pop, const TrafficOptions& o)
        : Base(label, pop, o, "ot-new-peer") {
        iec104_ = p.choice("proto", {"modbus", "iec104"}) == "iec104";
        new_at_ = at(p, 60);
        peer_ = p.address("peer", "10.20.5.77");
        target_ = p.address("target", iec104_ ? "172.16.2.1" : "172.16.3.1");
        end_ = new_at_ + seconds(p.number("after", 60, 1, 1e6));
        info_.attacker = v4_text(peer_);
        info_.target = v4_text(target_);
        info_.port = iec104_ ? 2404 : 502;
        info_.start = new_at_;
        info_.end = end_;
        // Stable polling: the SCADA master to four RTUs (IEC 104) and the HMI to three PLCs
        // (Modbus), one 120-second session after another from the start.
        for (unsigned i = 0; i < 7; ++i) next_poll_[i] = o.start + rng_.below(2'000'000);
        update_next();
    }

    void make(Conversation& c, uint64_t id) override {
        if (next_ == new_at_ && !new_done_) {
            begin(c, id, iec104_ ? Kind::iec104 : Kind::modbus, Stage::new_peer);
            Population::external(c.ep[0], peer_, 0x7000000ull + peer_);
            if ((target_ >> 16) == 0xac10) {
                Population::ot(c.ep[1], (target_ >> 8) & 0xff, target_ & 0xff);
            } else {
                Population::external(c.ep[1], target_, 0x8000000ull + target_);
            }
            c.ep[0].port = pop_.ephemeral_of(c.ep[0]);
            c.ep[1].port = iec104_ ? 2404 : 502;
            c.app_word = 1;
            c.think = 1'000'000;
            c.exchanges = 20;
            c.rtt_server = 600;
            start_conversation(c, next_);
            new_done_ = true;
            update_next();
            return;
        }
        unsigned i = 0;
        for (unsigned k = 1; k < 7; ++k) {
            if (next_poll_[k] < next_poll_[i]) i = k;
        }
        const bool iec = i < 4;
        begin(c, id, iec ? Kind::iec104 : Kind::modbus, Stage::poll);
        Population::ot(c.ep[0], 1, iec ? 10 : 20);
        Population::ot(c.ep[1], iec ? 2 : 3, iec ? 1 + i : 1 + (i - 4));
        c.ep[0].port = pop_.ephemeral_of(c.ep[0]);
        c.ep[1].port = iec ? 2404 : 502;
        c.app_word = static_cast<uint16_t>(iec ? 1 + i : 1 + (i - 4));
        c.rtt_client = 150;
        c.rtt_server = 500;
        c.think = 2'000'000;
        c.exchanges = 60;
        start_conversation(c, next_poll_[i]);
        next_poll_[i] += seconds(121);
        update_next();
    }

  private:
    void update_next() {
        uint64_t t = *std::min_element(next_poll_, next_poll_ + 7);
        if (!new_done_ && new_at_ <= t) t = new_at_;
        next_ = t < end_ ? t : kNoMoreConversations;
    }
    bool iec104_;
    bool new_done_ = false;
    uint64_t new_at_, end_;
    uint32_t peer_, target_;
    uint64_t next_poll_[7];
};

// ---- the cryptojacking chain: cover, brute force that succeeds, mining from the victim

class Cryptojacking : public Base {
  public:
    Cryptojacking(Params& p, uint8_t label, Population& pop, const TrafficOptions& o)
        : Base(label, pop, o, "cryptojacking") {
        const std::string service = p.choice("service", {"ssh", "rdp"});
        const std::string cover = p.choice("cover", {"scan", "synflood"});
        const std::string attacker = p.text("attacker", "203.0.113.99");
        const std::string victim = p.text("victim", service == "rdp" ? "10.0.10.21" : "10.0.10.41");
        const double start = p.number("at", 5, 0, 1e7);
        const double attempts = p.number("attempts", 30, 1, 1e5);
        const std::string pool = p.text("pool", "pool.supportxmr.com");
        const double duration = p.number("duration", 240, 1, 1e6);
        char buf[512];
        if (cover == "scan") {
            std::snprintf(buf, sizeof buf,
                          "type=horizontal,port=%s,count=300,rate=100,attacker=%s,at=%g",
                          service == "rdp" ? "3389" : "22", attacker.c_str(), start);
            Params cp("cryptojacking", buf);
            cover_ = std::make_unique<Scan>(cp, label, pop, o, Stage::cover);
        } else {
            std::snprintf(buf, sizeof buf,
                          "target=%s,port=%s,rate=1000,duration=5,sources=500,at=%g",
                          victim.c_str(), service == "rdp" ? "3389" : "22", start);
            Params cp("cryptojacking", buf);
            cover_ = std::make_unique<SynFlood>(cp, label, pop, o, Stage::cover);
        }
        std::snprintf(buf, sizeof buf,
                      "service=%s,attempts=%g,success=1,interval=1.5,attacker=%s,target=%s,at=%g",
                      service.c_str(), attempts, attacker.c_str(), victim.c_str(), start + 4);
        Params bp("cryptojacking", buf);
        auto brute = std::make_unique<Bruteforce>(bp, label, pop, o);
        // Mining starts a minute into the attacker's session on the victim.
        const double mining_at = static_cast<double>(brute->login_time() - o.start) / 1e6 + 60;
        std::snprintf(buf, sizeof buf, "miner=%s,pool=%s,duration=%g,at=%g", victim.c_str(),
                      pool.c_str(), duration, mining_at);
        Params mp("cryptojacking", buf);
        mining_ = std::make_unique<Mining>(mp, label, pop, o);
        brute_ = std::move(brute);
        info_.attacker = attacker;
        info_.target = victim;
        info_.port = service == "rdp" ? 3389 : 22;
        info_.start = cover_->info().start;
        info_.end = mining_->info().end;
        update_next();
    }

    void make(Conversation& c, uint64_t id) override {
        Scenario* s = earliest();
        s->make(c, id);
        update_next();
    }

  private:
    Scenario* earliest() const {
        Scenario* best = cover_.get();
        for (Scenario* s : {brute_.get(), mining_.get()}) {
            if (s->next_start() < best->next_start()) best = s;
        }
        return best;
    }
    void update_next() { next_ = earliest()->next_start(); }

    std::unique_ptr<Scenario> cover_, brute_, mining_;
};

}  // namespace

std::string_view stage_name(uint8_t stage) {
    return stage < std::size(kStages) ? kStages[stage] : "";
}

const std::vector<ScenarioHelp>& scenario_help() {
    static const std::vector<ScenarioHelp> help = {
        {"scan", "type=horizontal|vertical port count rate attacker target at",
         "SYN scan: unanswered SYNs, RSTs, a few half-open"},
        {"synflood", "target port rate duration sources attacker at",
         "SYNs never completed; sources>1 spoofs many sources"},
        {"bruteforce", "service=ssh|rdp attempts success=0|1 interval attacker target user at",
         "many short similar sessions; success adds one long session"},
        {"mining", "miner pool pool_ip port duration at", "pool lookup, then Stratum sessions"},
        {"cryptojacking", "service cover=scan|synflood attacker victim attempts pool duration at",
         "cover, brute force that succeeds, then the victim mines"},
        {"dns-tunnel", "client domain queries rate qtype=TXT|NULL|CNAME at",
         "long random names under one domain, high volume"},
        {"exfil", "client bytes sessions target sni at",
         "one client uploads far above its usual volume"},
        {"ot-new-peer", "proto=modbus|iec104 peer target after at",
         "stable IEC 104/Modbus polling, then a new peer"},
    };
    return help;
}

std::unique_ptr<Scenario> make_scenario(std::string_view spec, uint8_t label, Population& pop,
                                        const TrafficOptions& options) {
    const size_t colon = spec.find(':');
    const std::string name(spec.substr(0, colon));
    Params p(name, colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1));
    std::unique_ptr<Scenario> s;
    if (name == "scan") {
        s = std::make_unique<Scan>(p, label, pop, options);
    } else if (name == "synflood") {
        s = std::make_unique<SynFlood>(p, label, pop, options);
    } else if (name == "bruteforce") {
        s = std::make_unique<Bruteforce>(p, label, pop, options);
    } else if (name == "mining") {
        s = std::make_unique<Mining>(p, label, pop, options);
    } else if (name == "cryptojacking") {
        s = std::make_unique<Cryptojacking>(p, label, pop, options);
    } else if (name == "dns-tunnel") {
        s = std::make_unique<DnsTunnel>(p, label, pop, options);
    } else if (name == "exfil") {
        s = std::make_unique<Exfil>(p, label, pop, options);
    } else if (name == "ot-new-peer") {
        s = std::make_unique<OtNewPeer>(p, label, pop, options);
    } else {
        throw UsageError("--scenario: unknown scenario '" + name +
                         "' (flowsynth --list names them)");
    }
    p.check_all_used();
    s->set_label(s->info().name);
    s->set_params(p.applied());
    return s;
}

}  // namespace fk::synth
