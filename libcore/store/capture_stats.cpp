#include "store/capture_stats.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <tuple>

#include "common/error.h"
#include "common/io.h"
#include "common/time.h"

namespace fk {

namespace {

struct Counter {
    const char* name;
    uint64_t ExporterStats::*member;
};

// The counters of an exporter, in file column order. New counters go at the end.
constexpr Counter kCounters[] = {
    {"datagrams", &ExporterStats::datagrams},
    {"bytes", &ExporterStats::bytes},
    {"flows", &ExporterStats::flows},
    {"lost_datagrams", &ExporterStats::lost_datagrams},
    {"lost_records", &ExporterStats::lost_records},
    {"sequence_errors", &ExporterStats::sequence_errors},
    {"malformed", &ExporterStats::malformed},
    {"templates", &ExporterStats::templates},
    {"templates_refused", &ExporterStats::templates_refused},
    {"templates_expired", &ExporterStats::templates_expired},
    {"templates_withdrawn", &ExporterStats::templates_withdrawn},
    {"options_records", &ExporterStats::options_records},
    {"sets_held", &ExporterStats::sets_held},
    {"sets_late", &ExporterStats::sets_late},
    {"sets_dropped", &ExporterStats::sets_dropped},
    {"suspect_times", &ExporterStats::suspect_times},
    {"counter_samples", &ExporterStats::counter_samples},
    {"undecodable_samples", &ExporterStats::undecodable},
};

struct Global {
    const char* name;
    uint64_t CaptureStats::*member;
};
constexpr Global kGlobals[] = {
    {"socket_drops", &CaptureStats::socket_drops},
    {"refused", &CaptureStats::refused},
    {"unknown_version", &CaptureStats::unknown_version},
    {"sources_refused", &CaptureStats::sources_refused},
    {"truncated", &CaptureStats::truncated},
    {"sources_evicted", &CaptureStats::sources_evicted},
    {"evicted_datagrams", &CaptureStats::evicted_datagrams},
};

auto key(const ExporterStats& e) {
    return std::tie(e.exporter, e.domain, e.version);
}

// For printf's %llu.
constexpr unsigned long long ull(uint64_t v) {
    return v;
}

// "1:N", or "none" for an exporter that states no rate (its records hold sampling 1).
std::string sampling_text(uint32_t rate) {
    return rate > 1 ? "1:" + std::to_string(rate) : "none";
}

}  // namespace

std::string version_name(uint8_t version) {
    switch (version) {
        case 5:
            return "v5";
        case 9:
            return "v9";
        case 10:
            return "ipfix";
        case 50:
            return "sflow";
        default:
            return "?";
    }
}

void CaptureStats::add(const CaptureStats& o) {
    for (const auto& e : o.exporters) {
        auto it = std::find_if(exporters.begin(), exporters.end(),
                               [&](const ExporterStats& x) { return key(x) == key(e); });
        if (it == exporters.end()) {
            exporters.push_back(e);
            continue;
        }
        for (const auto& c : kCounters) (*it).*c.member += e.*c.member;
        if (e.first_seen && (!it->first_seen || e.first_seen < it->first_seen)) {
            it->first_seen = e.first_seen;
        }
        if (e.last_seen > it->last_seen) {
            it->last_seen = e.last_seen;
            if (e.sampling) it->sampling = e.sampling;
        }
    }
    std::sort(exporters.begin(), exporters.end(),
              [](const ExporterStats& a, const ExporterStats& b) { return key(a) < key(b); });
    for (const auto& g : kGlobals) this->*g.member += o.*g.member;
}

void save_capture_stats(const std::string& path, const CaptureStats& s) {
    std::string text = "# flowcapture statistics\n";
    for (const auto& g : kGlobals)
        text += std::string(g.name) + "\t" + std::to_string(s.*g.member) + "\n";
    text += "exporter\tdomain\tversion\tfirst_seen\tlast_seen\tsampling";
    for (const auto& c : kCounters) text += std::string("\t") + c.name;
    text += "\n";
    for (const auto& e : s.exporters) {
        text += ip_string(e.exporter) + "\t" + std::to_string(e.domain) + "\t" +
                version_name(e.version) + "\t" + std::to_string(e.first_seen) + "\t" +
                std::to_string(e.last_seen) + "\t" + std::to_string(e.sampling);
        for (const auto& c : kCounters) text += "\t" + std::to_string(e.*c.member);
        text += "\n";
    }
    AtomicFile f(path);
    write_all(f.fd(), text.data(), text.size(), path);
    f.commit();
}

CaptureStats load_capture_stats(const std::string& path) {
    CaptureStats s;
    std::ifstream in(path);
    if (!in) return s;
    std::string line;
    size_t lineno = 0;
    std::vector<std::string> columns;
    auto bad = [&](const std::string& why) {
        return DataError(path + ":" + std::to_string(lineno) + ": " + why);
    };
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, '\t');) f.push_back(x);
        if (f[0] == "exporter") {
            columns = f;
            continue;
        }
        auto num = [&](const std::string& v) {
            try {
                size_t used = 0;
                const uint64_t n = std::stoull(v, &used);
                if (used != v.size()) throw bad("not a number: '" + v + "'");
                return n;
            } catch (const std::logic_error&) {
                throw bad("not a number: '" + v + "'");
            }
        };
        if (columns.empty()) {
            if (f.size() != 2) throw bad("expected NAME<TAB>COUNT");
            for (const auto& g : kGlobals) {
                if (f[0] == g.name) s.*g.member = num(f[1]);
            }
            continue;
        }
        if (f.size() != columns.size())
            throw bad("expected " + std::to_string(columns.size()) + " columns");
        ExporterStats e;
        for (size_t i = 0; i < f.size(); ++i) {
            const std::string& c = columns[i];
            if (c == "exporter") {
                const auto ip = parse_ip(f[i]);
                if (!ip) throw bad("bad address '" + f[i] + "'");
                e.exporter = *ip;
            } else if (c == "version") {
                for (uint8_t v : {5, 9, 10, 50}) {
                    if (version_name(v) == f[i]) e.version = v;
                }
            } else if (c == "domain") {
                e.domain = static_cast<uint32_t>(num(f[i]));
            } else if (c == "first_seen") {
                e.first_seen = num(f[i]);
            } else if (c == "last_seen") {
                e.last_seen = num(f[i]);
            } else if (c == "sampling") {
                e.sampling = static_cast<uint32_t>(num(f[i]));
            } else {
                for (const auto& k : kCounters) {
                    if (c == k.name) e.*k.member = num(f[i]);
                }
            }
        }
        s.exporters.push_back(e);
    }
    return s;
}

std::string exporter_log_line(const ExporterStats& e) {
    char buf[640];
    std::snprintf(
        buf, sizeof buf,
        "exporter %s domain %u %s: %llu datagrams, %llu flows, lost %llu datagrams / "
        "%llu records, %llu sequence errors, %llu malformed, %llu templates (%llu refused, "
        "%llu expired), %llu held / %llu dropped sets, %llu suspect times, %llu undecodable "
        "samples, sampling %s",
        ip_string(e.exporter).c_str(), e.domain, version_name(e.version).c_str(), ull(e.datagrams),
        ull(e.flows), ull(e.lost_datagrams), ull(e.lost_records), ull(e.sequence_errors),
        ull(e.malformed), ull(e.templates), ull(e.templates_refused), ull(e.templates_expired),
        ull(e.sets_held), ull(e.sets_dropped), ull(e.suspect_times), ull(e.undecodable),
        sampling_text(e.sampling).c_str());
    return buf;
}

std::string format_capture_stats(const CaptureStats& s) {
    std::string out;
    char buf[512];
    std::snprintf(
        buf, sizeof buf, "%-39s %10s %-5s %12s %14s %10s %10s %8s %9s %9s %8s %8s %8s %8s %7s\n",
        "exporter", "domain", "proto", "datagrams", "flows", "lost_dgrams", "lost_recs", "seq_err",
        "malformed", "templates", "refused", "expired", "held", "dropped", "rate");
    out += buf;
    for (const auto& e : s.exporters) {
        std::snprintf(buf, sizeof buf,
                      "%-39s %10u %-5s %12llu %14llu %10llu %10llu %8llu %9llu %9llu %8llu %8llu "
                      "%8llu %8llu %7s\n",
                      ip_string(e.exporter).c_str(), e.domain, version_name(e.version).c_str(),
                      ull(e.datagrams), ull(e.flows), ull(e.lost_datagrams), ull(e.lost_records),
                      ull(e.sequence_errors), ull(e.malformed), ull(e.templates),
                      ull(e.templates_refused), ull(e.templates_expired), ull(e.sets_held),
                      ull(e.sets_dropped), sampling_text(e.sampling).c_str());
        out += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "socket drops %llu, refused by --allow %llu, unknown format %llu, exporters over "
                  "the limit %llu, truncated %llu, silent exporters evicted %llu (%llu "
                  "datagrams)\n",
                  ull(s.socket_drops), ull(s.refused), ull(s.unknown_version),
                  ull(s.sources_refused), ull(s.truncated), ull(s.sources_evicted),
                  ull(s.evicted_datagrams));
    out += buf;
    return out;
}

}  // namespace fk
