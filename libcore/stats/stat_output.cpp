#include "stats/stat_output.h"

#include <cstdio>

#include "common/saturate.h"
#include "common/time.h"
#include "output/printer.h"
#include "record/ipaddr.h"
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

// One value of a CSV row or JSON object: JSON quotes it unless it is a number.
struct Cell {
    std::string_view name;
    std::string text;
    bool number;
};

Cell number_cell(std::string_view name, uint64_t v) {
    return {name, std::to_string(v), true};
}

void append_row(const std::vector<Cell>& cells, TableFormat f, std::string& out) {
    if (f == TableFormat::kJson) out += '{';
    for (size_t i = 0; i < cells.size(); ++i) {
        if (i) out += ',';
        if (f == TableFormat::kJson) {
            append_json_string(out, cells[i].name);
            out += ':';
            if (cells[i].number)
                out += cells[i].text;
            else
                append_json_string(out, cells[i].text);
        } else {
            append_csv_field(out, cells[i].text);
        }
    }
    out += f == TableFormat::kJson ? "}\n" : "\n";
}

// The counters, then the rates and times, after the key columns of -s, -A, -b and -B tables.
void append_counters(std::vector<Cell>& cells, const AggValue& v) {
    cells.push_back(number_cell("flows", v.flows));
    cells.push_back(number_cell("packets", v.packets));
    cells.push_back(number_cell("bytes", v.bytes));
}

void append_rates_and_times(std::vector<Cell>& cells, const AggValue& v) {
    const Rates r = rates(v);
    cells.push_back(number_cell("bps", r.bps));
    cells.push_back(number_cell("pps", r.pps));
    cells.push_back(number_cell("bpp", r.bpp));
    cells.push_back({"first", v.flows ? time_string(v.first, TimeDigits::kLossless) : "", false});
    cells.push_back({"last", v.flows ? time_string(v.last, TimeDigits::kLossless) : "", false});
}

// Key parts and counters as CSV fields or JSON members; the same columns for -s and -A.
void machine_row(const AggTable& t, uint32_t g, TableFormat f, std::string& out) {
    std::vector<Cell> cells;
    const auto& parts = t.spec().parts;
    for (size_t p = 0; p < parts.size(); ++p) {
        const FieldInfo& info = field_info(parts[p].field);
        cells.push_back({parts[p].name, t.key_text(g, p),
                         is_integer(info.storage) && prints_as_number(info.format)});
    }
    append_counters(cells, t.value(g));
    append_rates_and_times(cells, t.value(g));
    append_row(cells, f, out);
}

std::string csv_header(const std::vector<Cell>& cells) {
    std::string h;
    for (const Cell& c : cells) h += (h.empty() ? "" : ",") + std::string(c.name);
    return h + "\n";
}

std::string machine_header(const AggTable& t) {
    std::vector<Cell> cells;
    for (const auto& p : t.spec().parts) cells.push_back({p.name, "", false});
    append_counters(cells, AggValue{});
    append_rates_and_times(cells, AggValue{});
    return csv_header(cells);
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

namespace {

std::string address_port(const IpAddr& a, uint16_t port, uint8_t proto) {
    char buf[kMaxValueText + 24];
    return std::string(buf, format_address_port(buf, a, port, proto));
}

std::vector<Cell> conversation_cells(const Conversation& c) {
    char buf[kMaxValueText];
    const AggValue t = c.total();
    std::vector<Cell> cells{
        {"proto", std::string(buf, format_int_field(buf, FieldId::proto, c.proto, PrintStyle{})),
         false},
        {"srcip", ip_string(c.src), false},
        number_cell("srcport", c.sport),
        {"dstip", ip_string(c.dst), false},
        number_cell("dstport", c.dport)};
    append_counters(cells, t);
    cells.push_back(number_cell("src_packets", c.from_src.packets));
    cells.push_back(number_cell("src_bytes", c.from_src.bytes));
    cells.push_back(number_cell("dst_packets", c.from_dst.packets));
    cells.push_back(number_cell("dst_bytes", c.from_dst.bytes));
    append_rates_and_times(cells, t);
    return cells;
}

}  // namespace

std::string format_conversations(const std::vector<Conversation>& conversations,
                                 const StatPrintOptions& o) {
    std::string out;
    if (o.format != TableFormat::kText) {
        if (o.format == TableFormat::kCsv && !o.quiet)
            out += csv_header(conversation_cells(Conversation{}));
        for (const Conversation& c : conversations)
            append_row(conversation_cells(c), o.format, out);
        return out;
    }
    std::vector<std::string> srcs, dsts;
    size_t src_width = 16, dst_width = 16;
    for (const Conversation& c : conversations) {
        srcs.push_back(address_port(c.src, c.sport, c.proto));
        dsts.push_back(address_port(c.dst, c.dport, c.proto));
        src_width = std::max(src_width, srcs.back().size());
        dst_width = std::max(dst_width, dsts.back().size());
    }
    auto padr = [](const std::string& s, size_t w) {
        return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
    };
    if (!o.quiet) {
        out += padl("Date first seen", 24) + " " + padl("Duration", 10) + " Proto " +
               padl("Src IP Addr:Port", src_width) + " <-> " + padr("Dst IP Addr:Port", dst_width) +
               " " + padl("Src Pkt", 8) + " " + padl("Dst Pkt", 8) + " " + padl("Src Byte", 8) +
               " " + padl("Dst Byte", 8) + " " + padl("Flows", 6) + "\n";
    }
    for (size_t i = 0; i < conversations.size(); ++i) {
        const Conversation& c = conversations[i];
        const AggValue t = c.total();
        char buf[kMaxValueText];
        const std::string proto(buf, format_int_field(buf, FieldId::proto, c.proto, PrintStyle{}));
        out += padl(time_string(t.first), 24) + " " + padl(fixed(t.duration_seconds(), 3), 10) +
               " " + padr(proto, 5) + " " + padl(srcs[i], src_width) + " <-> " +
               padr(dsts[i], dst_width) + " " + padl(count(c.from_src.packets, o.raw_numbers), 8) +
               " " + padl(count(c.from_dst.packets, o.raw_numbers), 8) + " " +
               padl(count(c.from_src.bytes, o.raw_numbers), 8) + " " +
               padl(count(c.from_dst.bytes, o.raw_numbers), 8) + " " +
               padl(count(t.flows, o.raw_numbers), 6) + "\n";
    }
    return out;
}

}  // namespace fk
