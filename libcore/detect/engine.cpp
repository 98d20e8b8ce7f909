#include "detect/engine.h"

#include <sys/stat.h>

#include <cerrno>

#include "common/error.h"
#include "common/io.h"
#include "detect/eve.h"
#include "detect/method.h"

namespace fk::detect {

// The cryptojacking chain: a successful brute force into host H (optionally after a scan by
// the same attacker or a flood at H), then mining from H, is one incident.
struct Engine::ChainState {
    struct Cover {
        uint64_t time = 0;
        std::string what, filter;
    };
    struct Login {
        uint64_t time = 0, attempts_first = 0;
        IpAddr attacker;
        uint16_t port = 0;
        std::string filter;
    };
    struct Mine {
        uint64_t time = 0;
        std::string filter, pools;
        IpAddr pool;
    };
    Table<Cover> by_attacker{50000}, by_victim{50000};
    Table<Login> logins{50000};
    Table<Mine> mines{50000};
    Table<uint8_t> reported{50000};
};

Engine::Engine(const DetectConfig& config, Sink sink)
    : config_(config), sink_(std::move(sink)), chain_(std::make_unique<ChainState>()) {
    if (config_.scan.enabled) methods_.push_back(make_scan(*this));
    if (config_.flood.enabled) methods_.push_back(make_flood(*this));
    if (config_.brute.enabled) methods_.push_back(make_brute(*this));
    if (config_.blacklist.enabled) methods_.push_back(make_blacklist(*this));
    if (config_.mining.enabled) methods_.push_back(make_mining(*this));
    if (config_.dns.enabled) methods_.push_back(make_dns(*this));
    if (config_.volume.enabled) methods_.push_back(make_volume(*this));
    if (config_.ot.enabled) methods_.push_back(make_ot(*this));
    if (!config_.state.empty()) load_state();
}

Engine::~Engine() = default;

void Engine::set_alerts(EveAlerts* alerts) {
    alerts_ = alerts;
}

void Engine::process(FlowBlock& b) {
    if (b.empty()) return;
    static const FieldId needed[] = {FieldId::start, FieldId::end,       FieldId::packets,
                                     FieldId::bytes, FieldId::src,       FieldId::dst,
                                     FieldId::sport, FieldId::dport,     FieldId::proto,
                                     FieldId::flags, FieldId::app,       FieldId::dns_rcode,
                                     FieldId::sni,   FieldId::http_host, FieldId::dns_qname};
    for (const FieldId f : needed) b.ensure(f);
    Rows r;
    r.n = b.size();
    r.start = b.start.data();
    r.end = b.end.data();
    r.packets = b.packets.data();
    r.bytes = b.bytes.data();
    r.src = b.src.data();
    r.dst = b.dst.data();
    r.sport = b.sport.data();
    r.dport = b.dport.data();
    r.proto = b.proto.data();
    r.flags = b.flags.data();
    r.app = b.app.data();
    r.rcode = b.dns_rcode.data();
    r.sni = &b.sni;
    r.host = &b.http_host;
    r.qname = &b.dns_qname;
    flows_ += r.n;
    if (alerts_) alerts_->join(r);
    for (auto& m : methods_) m->block(r);
    // Stream time: the latest flow start seen. A method's windows are closed a quarter
    // window apart, `delay` after their end.
    for (size_t i = 0; i < r.n; ++i) now_ = std::max(now_, r.start[i]);
    const uint64_t delay = config_.delay * kSec;
    for (auto& m : methods_) {
        if (now_ < m->next_sweep || now_ <= delay) continue;
        m->sweep(now_ - delay, false);
        m->next_sweep = now_ + std::max<uint64_t>(m->window() / 4, kSec);
    }
}

void Engine::finish() {
    for (auto& m : methods_) m->sweep(now_, true);
    save_state();
    if (alerts_) {
        for (Event& e : alerts_->unmatched()) {
            ++events_;
            sink_(e);
        }
    }
}

namespace {

constexpr std::string_view kStateHeader = "# flowdetect baselines";

}  // namespace

void Engine::load_state() {
    const std::string& path = config_.state;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return;  // the first run makes it
        throw DataError("--state " + path + ": " + errno_text(errno));
    }
    // The file is replaced at the end: anything but our own baselines (a settings file given
    // by mistake, a file damaged by hand) would be lost without a word.
    const std::string text = read_file_text(path);
    if (text.empty()) return;  // nothing in it to lose
    std::string_view rest = text;
    size_t n = 0;
    while (!rest.empty()) {
        const size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (++n == 1) {
            if (line != kStateHeader)
                throw DataError(path + ": not a flowdetect state file (the first line is not '" +
                                std::string(kStateHeader) + "'); left as it is");
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        const std::string_view name = line.substr(0, line.find(' '));
        const std::string where = path + ":" + std::to_string(n);
        if (name != "volume" && name != "ot")
            throw DataError(where + ": " + excerpt(line) + " is not a baseline of volume or ot");
        Method* owner = nullptr;
        for (auto& m : methods_)
            if (m->name() == name) owner = m.get();
        // The baselines of a method not run this time (-m) are written back as they were.
        if (!owner) {
            other_state_.append(line).push_back('\n');
            continue;
        }
        try {
            owner->load_state(line.size() > name.size() ? line.substr(name.size() + 1) : "");
        } catch (const DataError& e) {
            throw DataError(where + ": " + e.what());
        }
    }
}

void Engine::save_state() {
    if (config_.state.empty()) return;
    std::string out = std::string(kStateHeader) + "\n";
    for (auto& m : methods_) m->save_state(out);
    out += other_state_;
    AtomicFile f(config_.state);
    write_all(f.fd(), out.data(), out.size(), config_.state);
    f.commit();
}

void Engine::reload_lists() {
    for (auto& m : methods_) m->reload();
}

std::vector<MethodStats> Engine::stats() const {
    std::vector<MethodStats> out;
    for (const auto& m : methods_)
        out.push_back({m->name(), m->events, m->evictions(), m->entries()});
    return out;
}

void Engine::emit(Event&& e) {
    if (alerts_) alerts_->confirm(e);
    ++events_;
    sink_(e);
    chain(e);
}

void Engine::chain(const Event& e) {
    if (!config_.mining.enabled) return;
    auto& c = *chain_;
    const uint64_t span = config_.mining.chain_window * kSec;
    bool fresh;
    if (e.method == "scan" && e.has_src) {
        auto& cv = c.by_attacker.get(Key{e.src, {}, 0}, fresh);
        cv = {e.time, "scan", e.filter};
        return;
    }
    if ((e.method == "synflood" || e.method == "dos") && e.has_dst) {
        auto& cv = c.by_victim.get(Key{e.dst, {}, 0}, fresh);
        cv = {e.time, e.method, e.filter};
        return;
    }
    const ChainState::Login* login = nullptr;
    const ChainState::Mine* mine = nullptr;
    IpAddr victim;
    if (e.method == "bruteforce" && e.get_count("success")) {
        victim = e.dst;
        auto& l = c.logins.get(Key{victim, {}, 0}, fresh);
        std::string success_filter;
        for (const auto& [k, v] : e.notes)
            if (k == "success_filter") success_filter = v;
        // The login session starts after the last attempt; mining must not come before it.
        l = {e.last, e.time, e.src, e.port, "(" + e.filter + ") or (" + success_filter + ")"};
        login = &l;
        mine = c.mines.find(Key{victim, {}, 0});
    } else if (e.method == "mining" && e.has_src && e.severity >= Severity::kHigh) {
        victim = e.src;
        auto& m = c.mines.get(Key{victim, {}, 0}, fresh);
        std::string pools;
        for (const auto& [k, v] : e.notes)
            if (k == "pools") pools = v;
        m = {e.time, e.filter, pools, e.dst};
        mine = &m;
        login = c.logins.find(Key{victim, {}, 0});
    } else {
        return;
    }
    if (!login || !mine) return;
    if (mine->time + 5 * kSec < login->time || mine->time > login->time + span) return;
    uint8_t& done = c.reported.get(Key{victim, login->attacker, 0}, fresh);
    if (!fresh) return;
    done = 1;
    Event inc;
    inc.time = login->attempts_first;
    inc.last = mine->time;
    inc.method = "cryptojacking";
    inc.severity = Severity::kCritical;
    inc.src = login->attacker;
    inc.dst = victim;
    inc.has_src = inc.has_dst = true;
    inc.port = login->port;
    inc.filter = "(" + login->filter + ") or (" + mine->filter + ")";
    std::string stages = "bruteforce-success,mining";
    const ChainState::Cover* cover = c.by_attacker.find(Key{login->attacker, {}, 0});
    if (!cover || cover->time + span < login->attempts_first)
        cover = c.by_victim.find(Key{victim, {}, 0});
    if (cover && cover->time + span >= login->attempts_first && cover->time <= login->time) {
        stages = cover->what + "," + stages;
        inc.filter = "(" + cover->filter + ") or " + inc.filter;
        inc.time = std::min(inc.time, cover->time);
    }
    inc.note("stages", stages);
    inc.note("pools", mine->pools);
    inc.count("login_port", login->port);
    inc.attack = "T1496";
    ++events_;
    sink_(inc);
}

}  // namespace fk::detect
