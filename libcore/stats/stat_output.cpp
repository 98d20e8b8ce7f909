#include "stats/stat_output.h"

#include <cstdio>

#include "common/saturate.h"
#include "common/time.h"
#include "output/printer.h"
#include "record/print.h"

namespace fk {

namespace {

std::string count(uint64_t v, bool raw) {
    char buf[32];
    return std::string(buf, format_count(buf, v, !raw));
}

std::string pct(uint64_t part, uint64_t total) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "(%4.1f)",
                  total ? 100.0 * static_cast<double>(part) / static_cast<double>(total) : 0.0);
    return buf;
}

std::string padl(const std::string& s, size_t w) {
    return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

// Rates are whole numbers, truncated as nfdump prints them, in every output format alike; a
// rate past UINT64_MAX (counters near 2^64) is UINT64_MAX, "at least this much".
struct Rates {
    uint64_t pps, bps, bpp;
};
Rates rates(const AggValue& v) {
    const double secs = v.duration_seconds();
    return {secs > 0 ? sat_whole(static_cast<double>(v.packets) / secs) : 0,
            secs > 0 ? sat_whole(static_cast<double>(v.bytes) * 8 / secs) : 0,
            v.packets ? v.bytes / v.packets : 0};
}

std::string fixed(double v, int decimals) {
    char buf[48];
    return std::string(buf, format_double(buf, v, decimals));
}

// Key parts and counters as CSV fields or JSON members; the same columns for -s and -A.
void machine_row(const AggTable& t, uint32_t g, TableFormat f, std::string& out) {
    const AggValue& v = t.value(g);
    const Rates r = rates(v);
    const auto& parts = t.spec().parts;
    if (f == TableFormat::kJson) out += '{';
    for (size_t p = 0; p < parts.size(); ++p) {
        const std::string key = t.key_text(g, p);
        if (f == TableFormat::kJson) {
            if (p) out += ',';
            append_json_string(out, parts[p].name);
            out += ':';
            const bool number = is_integer(field_info(parts[p].field).storage) &&
                                field_info(parts[p].field).format == Format::Num;
            if (number) {
                out += key;
            } else {
                append_json_string(out, key);
            }
        } else {
            if (p) out += ',';
            append_csv_field(out, key);
        }
    }
    const std::string first = v.flows ? time_string(v.first, TimeDigits::kLossless) : "";
    const std::string last = v.flows ? time_string(v.last, TimeDigits::kLossless) : "";
    if (f == TableFormat::kJson) {
        out += ",\"flows\":" + std::to_string(v.flows) +
               ",\"packets\":" + std::to_string(v.packets) +
               ",\"bytes\":" + std::to_string(v.bytes) + ",\"bps\":" + std::to_string(r.bps) +
               ",\"pps\":" + std::to_string(r.pps) + ",\"bpp\":" + std::to_string(r.bpp) +
               ",\"first\":\"" + first + "\",\"last\":\"" + last + "\"}\n";
    } else {
        out += "," + std::to_string(v.flows) + "," + std::to_string(v.packets) + "," +
               std::to_string(v.bytes) + "," + std::to_string(r.bps) + "," + std::to_string(r.pps) +
               "," + std::to_string(r.bpp) + "," + first + "," + last + "\n";
    }
}

std::string machine_header(const AggTable& t) {
    std::string h;
    for (const auto& p : t.spec().parts) h += p.name + ",";
    return h + "flows,packets,bytes,bps,pps,bpp,first,last\n";
}

// CSV (with its header unless quiet) or JSON Lines, one row per group.
std::string machine_table(const AggTable& t, const std::vector<uint32_t>& groups,
                          const StatPrintOptions& o) {
    std::string out;
    if (o.format == TableFormat::kCsv && !o.quiet) out += machine_header(t);
    for (uint32_t g : groups) machine_row(t, g, o.format, out);
    return out;
}

}  // namespace

std::string format_top(const AggTable& t, StatOrder order, size_t n, const StatPrintOptions& o) {
    const auto groups = t.top(order, n);
    if (o.format != TableFormat::kText) return machine_table(t, groups, o);
    std::string out;
    std::string key_name;
    for (const auto& p : t.spec().parts) key_name += (key_name.empty() ? "" : ",") + p.name;
    size_t key_width = key_name.size();
    for (uint32_t g : groups) {
        size_t w = 0;
        for (size_t p = 0; p < t.spec().parts.size(); ++p) w += t.key_text(g, p).size() + 1;
        key_width = std::max(key_width, w);
    }
    key_width = std::max<size_t>(key_width, 15);
    if (!o.quiet) {
        out += "Top " + std::to_string(groups.size()) + " " + key_name + " ordered by " +
               std::string(stat_order_name(order)) + ":\n";
        out += padl("Date first seen", 24) + " " + padl("Duration", 10) + " " +
               padl(key_name, key_width) + " " + padl("Flows(%)", 17) + " " +
               padl("Packets(%)", 17) + " " + padl("Bytes(%)", 17) + " " + padl("pps", 8) + " " +
               padl("bps", 8) + " " + padl("bpp", 6) + "\n";
    }
    for (uint32_t g : groups) {
        const AggValue& v = t.value(g);
        const Rates r = rates(v);
        std::string key;
        for (size_t p = 0; p < t.spec().parts.size(); ++p) {
            key += (p ? "," : "") + t.key_text(g, p);
        }
        out += padl(time_string(v.first), 24) + " " + padl(fixed(v.duration_seconds(), 3), 10) +
               " " + padl(key, key_width) + " " +
               padl(count(v.flows, o.raw_numbers) + pct(v.flows, t.total_flows), 17) + " " +
               padl(count(v.packets, o.raw_numbers) + pct(v.packets, t.total_packets), 17) + " " +
               padl(count(v.bytes, o.raw_numbers) + pct(v.bytes, t.total_bytes), 17) + " " +
               padl(count(r.pps, o.raw_numbers), 8) + " " + padl(count(r.bps, o.raw_numbers), 8) +
               " " + padl(std::to_string(r.bpp), 6) + "\n";
    }
    return out;
}

std::string format_aggregated(const AggTable& t, StatOrder order, size_t n,
                              const StatPrintOptions& o) {
    const auto groups = t.sorted(order, n);
    if (o.format != TableFormat::kText) return machine_table(t, groups, o);
    std::string out;
    const auto& parts = t.spec().parts;
    std::vector<size_t> widths(parts.size());
    for (size_t p = 0; p < parts.size(); ++p) {
        widths[p] = std::max<size_t>(parts[p].name.size(), 5);
        for (uint32_t g : groups) widths[p] = std::max(widths[p], t.key_text(g, p).size());
    }
    if (!o.quiet) {
        out += padl("Date first seen", 24) + " " + padl("Duration", 10);
        for (size_t p = 0; p < parts.size(); ++p) out += " " + padl(parts[p].name, widths[p]);
        out += " " + padl("Packets", 8) + " " + padl("Bytes", 8) + " " + padl("bps", 8) + " " +
               padl("Bpp", 6) + " " + padl("Flows", 6) + "\n";
    }
    for (uint32_t g : groups) {
        const AggValue& v = t.value(g);
        const Rates r = rates(v);
        out += padl(time_string(v.first), 24) + " " + padl(fixed(v.duration_seconds(), 3), 10);
        for (size_t p = 0; p < parts.size(); ++p) out += " " + padl(t.key_text(g, p), widths[p]);
        out += " " + padl(count(v.packets, o.raw_numbers), 8) + " " +
               padl(count(v.bytes, o.raw_numbers), 8) + " " + padl(count(r.bps, o.raw_numbers), 8) +
               " " + padl(std::to_string(r.bpp), 6) + " " + padl(count(v.flows, o.raw_numbers), 6) +
               "\n";
    }
    return out;
}

}  // namespace fk
