#include "detect/eve.h"

#include <simdjson.h>

#include <map>
#include <tuple>

#include "common/error.h"
#include "common/time.h"
#include "detect/method.h"
#include "formats/line_reader.h"

namespace fk::detect {

namespace {

uint8_t proto_number(std::string_view p) {
    if (p == "TCP") return 6;
    if (p == "UDP") return 17;
    if (p == "ICMP") return 1;
    if (p == "IPv6-ICMP" || p == "ICMPv6") return 58;
    if (p == "SCTP") return 132;
    return 0;
}

bool has_ports(uint8_t proto) {
    return proto == 6 || proto == 17 || proto == 132;
}

// "2014-01-14T17:37:24.826632+0000": the zone without a colon is not ISO 8601 proper.
std::optional<uint64_t> eve_time(std::string_view ts) {
    std::string s(ts);
    if (s.size() > 5 && (s[s.size() - 5] == '+' || s[s.size() - 5] == '-') &&
        s.find(':', s.size() - 5) == std::string::npos)
        s.insert(s.size() - 2, ":");
    return parse_time(s);
}

Key pair_key(const IpAddr& a, const IpAddr& b) {
    return a < b ? Key{a, b, 0} : Key{b, a, 0};
}

}  // namespace

Key EveAlerts::tuple_key(const IpAddr& a, uint16_t pa, const IpAddr& b, uint16_t pb,
                         uint8_t proto) {
    if (!has_ports(proto)) pa = pb = 0;
    if (b < a || (a == b && pb < pa))
        return Key{b, a, uint64_t{proto} << 32 | uint64_t{pb} << 16 | pa};
    return Key{a, b, uint64_t{proto} << 32 | uint64_t{pa} << 16 | pb};
}

void EveAlerts::load(const std::string& path) {
    // Suricata rotates and compresses its logs: a .gz is read as the text it holds.
    LineReader in(path);
    simdjson::ondemand::parser parser;
    std::string_view line;
    while (in.next_line(line)) {
        const size_t first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos) continue;
        // Only alerts are parsed (an eve.json is mostly flows, DNS, TLS...); every other line
        // must still look like one JSON object, or a file that is no eve.json at all (a
        // README, a pcap) would give no alert and no error.
        const size_t last = line.find_last_not_of(" \t");
        if (line[first] != '{' || line[last] != '}')
            throw DataError(in.name() + ":" + std::to_string(in.line_number()) +
                            ": not a JSON object: " + excerpt(line));
        if (line.find("\"alert\"") == std::string_view::npos) continue;
        const std::string where = in.name() + ":" + std::to_string(in.line_number());
        simdjson::padded_string padded(line);
        simdjson::ondemand::document doc;
        if (parser.iterate(padded).get(doc)) throw DataError(where + ": not JSON");
        simdjson::ondemand::object obj;
        if (doc.get_object().get(obj)) throw DataError(where + ": not a JSON object");
        Alert a;
        std::string_view type, ts, src, dst, proto;
        bool ok = true;
        int64_t sp = 0, dp = 0;
        for (auto field : obj) {
            std::string_view key;
            if (field.unescaped_key().get(key)) {
                ok = false;
                break;
            }
            auto v = field.value();
            if (key == "event_type") {
                ok &= !v.get_string().get(type);
            } else if (key == "timestamp") {
                ok &= !v.get_string().get(ts);
                a.time = eve_time(ts).value_or(0);
            } else if (key == "src_ip") {
                ok &= !v.get_string().get(src);
                if (auto ip = parse_ip(src)) a.src = *ip;
            } else if (key == "dest_ip") {
                ok &= !v.get_string().get(dst);
                if (auto ip = parse_ip(dst)) a.dst = *ip;
            } else if (key == "src_port") {
                ok &= !v.get_int64().get(sp);
            } else if (key == "dest_port") {
                ok &= !v.get_int64().get(dp);
            } else if (key == "proto") {
                ok &= !v.get_string().get(proto);
                a.proto = proto_number(proto);
            } else if (key == "flow") {
                // Alerts raised when Suricata times a flow out carry a late timestamp; the
                // flow's start still places them.
                simdjson::ondemand::object fl;
                if (v.get_object().get(fl)) {
                    ok = false;
                    break;
                }
                for (auto f : fl) {
                    std::string_view k2;
                    if (f.unescaped_key().get(k2)) break;
                    if (k2 != "start") continue;
                    std::string_view s;
                    if (!f.value().get_string().get(s)) a.flow_start = eve_time(s).value_or(0);
                }
            } else if (key == "alert") {
                simdjson::ondemand::object al;
                if (v.get_object().get(al)) {
                    ok = false;
                    break;
                }
                for (auto f : al) {
                    std::string_view k2;
                    if (f.unescaped_key().get(k2)) break;
                    auto v2 = f.value();
                    if (k2 == "signature_id") {
                        int64_t x = 0;
                        if (!v2.get_int64().get(x)) a.sid = static_cast<uint32_t>(x);
                    } else if (k2 == "severity") {
                        int64_t x = 3;
                        if (!v2.get_int64().get(x)) a.severity = static_cast<uint8_t>(x);
                    } else if (k2 == "signature") {
                        std::string_view s;
                        if (!v2.get_string().get(s)) a.signature = std::string(s);
                    } else if (k2 == "category") {
                        std::string_view s;
                        if (!v2.get_string().get(s)) a.category = std::string(s);
                    }
                }
            }
            if (!ok) break;
        }
        if (!ok) throw DataError(where + ": malformed eve record");
        if (type != "alert") continue;
        if (!a.time) throw DataError(where + ": alert without a valid timestamp");
        a.sport = static_cast<uint16_t>(sp);
        a.dport = static_cast<uint16_t>(dp);
        const auto idx = static_cast<uint32_t>(alerts_.size());
        alerts_.push_back(std::move(a));
        const Alert& al = alerts_.back();
        by_tuple_[tuple_key(al.src, al.sport, al.dst, al.dport, al.proto)].push_back(idx);
        by_pair_[pair_key(al.src, al.dst)].push_back(idx);
        by_host_[Key{al.src, {}, 0}].push_back(idx);
        if (!(al.dst == al.src)) by_host_[Key{al.dst, {}, 0}].push_back(idx);
    }
}

void EveAlerts::join(const Rows& r) {
    if (alerts_.empty()) return;
    for (size_t i = 0; i < r.n; ++i) {
        auto it = by_tuple_.find(tuple_key(r.src[i], r.sport[i], r.dst[i], r.dport[i], r.proto[i]));
        if (it == by_tuple_.end()) continue;
        const uint64_t lo = r.start[i] > slack_ ? r.start[i] - slack_ : 0;
        const uint64_t hi = r.end[i] + slack_;
        for (const uint32_t idx : it->second) {
            Alert& a = alerts_[idx];
            const bool inside = a.time >= lo && a.time <= hi;
            const bool flow_inside = a.flow_start && a.flow_start >= lo && a.flow_start <= hi;
            if (!inside && !flow_inside) continue;
            ++a.flows;
            a.flow_first = std::min(a.flow_first, r.start[i]);
            a.flow_last = std::max(a.flow_last, r.start[i]);
        }
    }
}

uint64_t EveAlerts::joined_alerts() const {
    uint64_t n = 0;
    for (const auto& a : alerts_) n += a.flows > 0;
    return n;
}

uint64_t EveAlerts::confirm(Event& e) {
    if (alerts_.empty() || (!e.has_src && !e.has_dst)) return 0;
    const std::vector<uint32_t>* cand = nullptr;
    if (e.has_src && e.has_dst) {
        auto it = by_pair_.find(pair_key(e.src, e.dst));
        if (it != by_pair_.end()) cand = &it->second;
    } else {
        auto it = by_host_.find(Key{e.has_src ? e.src : e.dst, {}, 0});
        if (it != by_host_.end()) cand = &it->second;
    }
    if (!cand) return 0;
    // Alerts come during the sessions whose starts make the evidence: allow two minutes on.
    const uint64_t lo = e.time > slack_ ? e.time - slack_ : 0;
    const uint64_t hi = e.last + slack_ + 120 * kSec;
    uint64_t n = 0;
    uint32_t best = 0;
    uint8_t sev = 255;
    for (const uint32_t idx : *cand) {
        Alert& a = alerts_[idx];
        if (a.time < lo || a.time > hi) continue;
        a.used = true;
        ++n;
        if (a.severity < sev) {
            sev = a.severity;
            best = idx;
        }
    }
    if (n) {
        e.count("suricata_alerts", n);
        e.count("suricata_sid", alerts_[best].sid);
        e.note("suricata_signature", alerts_[best].signature);
        e.note("confirmed", "suricata");
        e.severity = raise(e.severity);
    }
    return n;
}

std::vector<Event> EveAlerts::unmatched() {
    struct Group {
        uint64_t first = UINT64_MAX, last = 0, count = 0, flows = 0;
        uint64_t flow_first = UINT64_MAX, flow_last = 0;
        const Alert* a = nullptr;
    };
    std::map<std::tuple<uint32_t, IpAddr, uint16_t, IpAddr, uint16_t, uint8_t>, Group> groups;
    for (const Alert& a : alerts_) {
        if (a.used) continue;
        Group& g = groups[{a.sid, a.src, a.sport, a.dst, a.dport, a.proto}];
        if (!g.a) g.a = &a;
        g.first = std::min(g.first, a.time);
        g.last = std::max(g.last, a.time);
        ++g.count;
        g.flows += a.flows;
        g.flow_first = std::min(g.flow_first, a.flow_first);
        g.flow_last = std::max(g.flow_last, a.flow_last);
    }
    std::vector<Event> out;
    for (const auto& [key, g] : groups) {
        const Alert& a = *g.a;
        Event ev;
        ev.time = g.first;
        ev.last = g.last;
        ev.method = "suricata";
        ev.severity = a.severity <= 1   ? Severity::kHigh
                      : a.severity == 2 ? Severity::kMedium
                                        : Severity::kLow;
        ev.src = a.src;
        ev.dst = a.dst;
        ev.has_src = !a.src.is_zero();
        ev.has_dst = !a.dst.is_zero();
        ev.port = a.dport;
        ev.count("alerts", g.count);
        ev.count("sid", a.sid);
        ev.count("joined_flows", g.flows);
        ev.note("signature", a.signature);
        if (!a.category.empty()) ev.note("category", a.category);
        if (g.flows) {
            std::string t = "proto " + std::to_string(a.proto);
            if (has_ports(a.proto)) {
                const std::string fwd =
                    "src ip " + ip_string(a.src) + " and src port " + std::to_string(a.sport) +
                    " and dst ip " + ip_string(a.dst) + " and dst port " + std::to_string(a.dport);
                const std::string rev =
                    "src ip " + ip_string(a.dst) + " and src port " + std::to_string(a.dport) +
                    " and dst ip " + ip_string(a.src) + " and dst port " + std::to_string(a.sport);
                t += " and ((" + fwd + ") or (" + rev + "))";
            } else {
                t += " and ip " + ip_string(a.src) + " and ip " + ip_string(a.dst);
            }
            ev.filter = t + " and " + time_clause(g.flow_first, g.flow_last);
        }
        out.push_back(std::move(ev));
    }
    return out;
}

}  // namespace fk::detect
