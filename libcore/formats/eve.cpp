#include "common/time.h"
#include "formats/cloud.h"
#include "formats/import_util.h"
#include "record/names.h"

namespace fk {

namespace {

using imp::LineError;
using simdjson::dom::element;

uint8_t hex_flags(element tcp, std::string_view key) {
    std::string_view s;
    if (tcp[key].get(s)) return 0;
    uint8_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
        throw LineError{"tcp." + std::string(key) + ": '" + std::string(s) + "' is not hex flags"};
    return v;
}

// Suricata's app_proto names where flowkit's differ; others go through parse_app.
uint8_t eve_app(std::string_view name) {
    static constexpr std::pair<std::string_view, App> kAliases[] = {
        {"rfb", App::vnc},        {"krb5", App::kerberos},
        {"http2", App::http},     {"ftp-data", App::ftp},
        {"pgsql", App::postgres}, {"ike", App::ipsec},
        {"ikev2", App::ipsec},    {"bittorrent-dht", App::bittorrent},
        {"doh2", App::doh},       {"nbss", App::netbios},
    };
    for (const auto& [alias, app] : kAliases) {
        if (name == alias) return static_cast<uint8_t>(app);
    }
    return parse_app(name).value_or(0);
}

// ICMP type and code as the destination port: type*256+code.
uint16_t icmp_port(element ev, std::string_view type, std::string_view code) {
    const uint64_t t = imp::num_member(ev, type, 255);
    return static_cast<uint16_t>(t * 256 +
                                 (imp::has_member(ev, code) ? imp::num_member(ev, code, 255) : 0));
}

}  // namespace

void EveImporter::read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
                       ImportStats& stats) {
    imp::for_each_json(in, opts, stats, [&](element ev, size_t) {
        ++stats.lines;
        const std::string_view type = imp::str_member(ev, "event_type");
        const bool bidir = type == "flow";
        if (!bidir && type != "netflow") {
            ++stats.ignored;
            return;
        }
        FlowRecord r;
        r.src = imp::to_ip(imp::str_member(ev, "src_ip"), "src_ip");
        r.dst = imp::to_ip(imp::str_member(ev, "dest_ip"), "dest_ip");
        const std::string_view proto = imp::str_member(ev, "proto");
        const auto p = parse_proto(proto);
        if (!p) throw LineError{"proto: '" + std::string(proto) + "'"};
        r.proto = *p;
        if (imp::has_member(ev, "src_port"))
            r.sport = static_cast<uint16_t>(imp::num_member(ev, "src_port", 65535));
        if (imp::has_member(ev, "dest_port"))
            r.dport = static_cast<uint16_t>(imp::num_member(ev, "dest_port", 65535));
        if (imp::has_member(ev, "icmp_type")) {
            r.dport = icmp_port(ev, "icmp_type", "icmp_code");
        }
        std::string_view app;
        if (!ev["app_proto"].get(app)) r.app = eve_app(app);
        element tcp;
        const bool has_tcp = !ev["tcp"].get(tcp);
        const element f = imp::member(ev, bidir ? "flow" : "netflow");
        r.start = imp::time_member(f, "start");
        r.end = imp::has_member(f, "end") ? imp::time_member(f, "end") : r.start;
        if (r.end < r.start) r.end = r.start;
        r.sampling = 1;
        if (!bidir) {
            r.packets = imp::num_member(f, "pkts");
            r.bytes = imp::num_member(f, "bytes");
            if (has_tcp) r.flags = hex_flags(tcp, "tcp_flags");
            sink(r);
            ++stats.flows;
            return;
        }
        r.packets = imp::num_member(f, "pkts_toserver");
        r.bytes = imp::num_member(f, "bytes_toserver");
        const uint64_t rp = imp::num_member(f, "pkts_toclient");
        const uint64_t rb = imp::num_member(f, "bytes_toclient");
        if (has_tcp) r.flags = hex_flags(tcp, "tcp_flags_ts");
        // The answer's own fields are read before the first flow goes out: a malformed event
        // gives no flow.
        const bool answer_icmp = rp != 0 && imp::has_member(ev, "response_icmp_type");
        const uint16_t answer_port =
            answer_icmp ? icmp_port(ev, "response_icmp_type", "response_icmp_code") : 0;
        const uint8_t answer_flags = rp != 0 && has_tcp ? hex_flags(tcp, "tcp_flags_tc") : 0;
        sink(r);
        ++stats.flows;
        if (rp == 0) return;
        std::swap(r.src, r.dst);
        std::swap(r.sport, r.dport);
        if (answer_icmp) {
            r.sport = 0;
            r.dport = answer_port;
        } else if (imp::has_member(ev, "icmp_type")) {
            r.sport = 0;
        }
        r.packets = rp;
        r.bytes = rb;
        r.flags = answer_flags;
        sink(r);
        ++stats.flows;
    });
}

}  // namespace fk
