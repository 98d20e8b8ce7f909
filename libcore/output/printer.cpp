#include "output/printer.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "record/names.h"

namespace fk {

namespace {

using Item = RecordPrinter::Item;

struct Token {
    std::string_view name;
    Item item;
    FieldId field;
    int width;
    std::string_view header;
};

// nfdump's fmt: tokens (nfdump(1) "-o fmt"), mapped onto flowkit fields.
constexpr Token kTokens[] = {
    {"ts", Item::kField, FieldId::start, 24, "Date first seen"},
    {"te", Item::kField, FieldId::end, 24, "Date last seen"},
    {"td", Item::kDuration, FieldId::start, 9, "Duration"},
    {"pr", Item::kField, FieldId::proto, -5, "Proto"},
    {"sap", Item::kSrcAddrPort, FieldId::src, 21, "Src IP Addr:Port"},
    {"dap", Item::kDstAddrPort, FieldId::dst, -21, "Dst IP Addr:Port"},
    {"sa", Item::kField, FieldId::src, 15, "Src IP Addr"},
    {"da", Item::kField, FieldId::dst, 15, "Dst IP Addr"},
    {"sp", Item::kField, FieldId::sport, 6, "Src Pt"},
    {"dp", Item::kDstPort, FieldId::dport, 6, "Dst Pt"},
    {"pkt", Item::kField, FieldId::packets, 8, "Packets"},
    {"ipkt", Item::kField, FieldId::packets, 8, "In Pkt"},
    {"byt", Item::kField, FieldId::bytes, 8, "Bytes"},
    {"ibyt", Item::kField, FieldId::bytes, 8, "In Byte"},
    {"fl", Item::kFlows, FieldId::start, 5, "Flows"},
    {"flg", Item::kField, FieldId::flags, 8, "Flags"},
    {"tos", Item::kField, FieldId::tos, 3, "Tos"},
    {"stos", Item::kField, FieldId::tos, 4, "STos"},
    {"in", Item::kField, FieldId::in_if, 5, "Input"},
    {"out", Item::kField, FieldId::out_if, 6, "Output"},
    {"sas", Item::kField, FieldId::src_as, 6, "Src AS"},
    {"das", Item::kField, FieldId::dst_as, 6, "Dst AS"},
    {"smk", Item::kField, FieldId::src_mask, 5, "SMask"},
    {"dmk", Item::kField, FieldId::dst_mask, 5, "DMask"},
    {"svln", Item::kField, FieldId::vlan, 5, "SVlan"},
    {"dvln", Item::kField, FieldId::vlan, 5, "DVlan"},
    {"ra", Item::kField, FieldId::exporter, 15, "Router IP"},
    {"nh", Item::kField, FieldId::next_hop, 15, "Next-hop IP"},
    {"bps", Item::kBps, FieldId::start, 8, "bps"},
    {"pps", Item::kPps, FieldId::start, 8, "pps"},
    {"bpp", Item::kBpp, FieldId::start, 6, "Bpp"},
    {"sni", Item::kField, FieldId::sni, -24, "SNI"},
    {"ismc", Item::kField, FieldId::src_mac, 17, "In src MAC"},
    {"odmc", Item::kField, FieldId::dst_mac, 17, "Out dst MAC"},
    {"app", Item::kField, FieldId::app, -7, "App"},
};

constexpr std::string_view kLine = "%ts %td %pr %sap -> %dap %pkt %byt %fl";
constexpr std::string_view kLong = "%ts %td %pr %sap -> %dap %flg %tos %pkt %byt %fl";
constexpr std::string_view kExtended =
    "%ts %td %pr %sap -> %dap %flg %tos %pkt %byt %pps %bps %bpp %fl";

bool is_counter(FieldId f) {
    return f == FieldId::packets || f == FieldId::bytes;
}

void pad(std::string& out, const char* text, size_t n, int width) {
    const size_t w = static_cast<size_t>(width < 0 ? -width : width);
    if (width > 0 && n < w) out.append(w - n, ' ');
    out.append(text, n);
    if (width < 0 && n < w) out.append(w - n, ' ');
}

uint64_t duration_micros(const FlowBlock& b, size_t i) {
    const uint64_t s = column<FieldId::start>(b)[i], e = column<FieldId::end>(b)[i];
    return e > s ? e - s : 0;
}

double seconds(const FlowBlock& b, size_t i) {
    const uint64_t s = column<FieldId::start>(b)[i], e = column<FieldId::end>(b)[i];
    return e > s ? static_cast<double>(e - s) / 1e6 : 0.0;
}

double derived(Item item, const FlowBlock& b, size_t i) {
    const double secs = seconds(b, i);
    const double packets = static_cast<double>(column<FieldId::packets>(b)[i]);
    const double bytes = static_cast<double>(column<FieldId::bytes>(b)[i]);
    switch (item) {
        case Item::kDuration:
            return secs;
        case Item::kBps:
            return secs > 0 ? bytes * 8 / secs : 0;
        case Item::kPps:
            return secs > 0 ? packets / secs : 0;
        case Item::kBpp:
            return packets > 0 ? bytes / packets : 0;
        default:
            return 0;
    }
}

// A port as nfdump prints it: ICMP's (type * 256 + code, as NetFlow carries it) as type.code.
size_t format_port(char* out, uint16_t port, uint8_t proto) {
    if (proto == 1 || proto == 58)
        return static_cast<size_t>(std::snprintf(out, 16, "%u.%u", port >> 8, port & 0xff));
    return format_count(out, port, false);
}

size_t format_endpoint(char* out, const FlowBlock& b, size_t i, bool source) {
    return format_address_port(out,
                               source ? column<FieldId::src>(b)[i] : column<FieldId::dst>(b)[i],
                               source ? column<FieldId::sport>(b)[i] : column<FieldId::dport>(b)[i],
                               column<FieldId::proto>(b)[i]);
}

FieldSet fields_of(const std::vector<RecordPrinter::Column>& cols) {
    FieldSet fs;
    auto set = [&](FieldId f) { fs.set(static_cast<unsigned>(f)); };
    for (const auto& c : cols) {
        switch (c.item) {
            case Item::kLiteral:
            case Item::kFlows:
                break;
            case Item::kField:
                set(c.field);
                break;
            case Item::kSrcAddrPort:
                set(FieldId::src);
                set(FieldId::sport);
                set(FieldId::proto);
                break;
            case Item::kDstAddrPort:
                set(FieldId::dst);
                set(FieldId::dport);
                set(FieldId::proto);
                break;
            case Item::kDstPort:
                set(FieldId::dport);
                set(FieldId::proto);
                break;
            default:
                set(FieldId::start);
                set(FieldId::end);
                set(FieldId::packets);
                set(FieldId::bytes);
        }
    }
    return fs;
}

std::vector<RecordPrinter::Column> parse_fmt(std::string_view fmt) {
    std::vector<RecordPrinter::Column> cols;
    std::string literal;
    auto flush = [&]() {
        if (!literal.empty()) cols.push_back({Item::kLiteral, FieldId::start, 0, literal});
        literal.clear();
    };
    for (size_t i = 0; i < fmt.size();) {
        if (fmt[i] != '%') {
            literal += fmt[i++];
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            const size_t close = fmt.find('}', i);
            if (close == std::string_view::npos) throw UsageError("fmt: '%{' without '}'");
            const std::string_view name = fmt.substr(i + 2, close - i - 2);
            flush();
            if (name == "duration") {
                cols.push_back({Item::kDuration, FieldId::start, 9, "duration"});
            } else if (const FieldInfo* f = find_field(name)) {
                cols.push_back({Item::kField, f->id, f->width, std::string(name)});
            } else {
                throw UsageError("fmt: unknown field '" + std::string(name) + "'");
            }
            i = close + 1;
            continue;
        }
        const Token* best = nullptr;
        for (const Token& t : kTokens) {
            if (fmt.substr(i + 1, t.name.size()) == t.name &&
                (!best || t.name.size() > best->name.size())) {
                best = &t;
            }
        }
        if (!best) {
            throw UsageError("fmt: unknown token at '" + std::string(fmt.substr(i, 6)) + "'");
        }
        flush();
        cols.push_back({best->item, best->field, best->width, std::string(best->header)});
        i += 1 + best->name.size();
    }
    flush();
    return cols;
}

}  // namespace

size_t format_address_port(char* out, const IpAddr& a, uint16_t port, uint8_t proto) {
    size_t n = 0;
    const bool v6 = !a.is_v4();
    if (v6) out[n++] = '[';
    n += format_ip(out + n, a);
    if (v6) out[n++] = ']';
    out[n++] = ':';
    return n + format_port(out + n, port, proto);
}

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
            ++i;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
        } else {
            // Copy a valid UTF-8 sequence; escape stray bytes so the line stays valid JSON.
            const size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
            bool ok = len > 0 && i + len <= s.size();
            for (size_t k = 1; ok && k < len; ++k)
                ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
            if (ok) {
                out.append(s.substr(i, len));
                i += len;
            } else {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
                ++i;
            }
        }
    }
    out += '"';
}

void append_csv_field(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(s);
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

RecordPrinter RecordPrinter::create(const std::string& spec, PrinterOptions opts) {
    RecordPrinter p;
    p.opts_ = opts;
    if (spec == "line" || spec == "long" || spec == "extended") {
        p.columns_ = parse_fmt(spec == "line" ? kLine : spec == "long" ? kLong : kExtended);
    } else if (spec.starts_with("fmt:")) {
        p.columns_ = parse_fmt(std::string_view(spec).substr(4));
    } else if (spec == "csv" || spec.starts_with("csv:") || spec == "json") {
        p.kind_ = spec == "json" ? Kind::kJson : Kind::kCsv;
        std::vector<std::string> names;
        if (spec.starts_with("csv:")) {
            std::string_view list = std::string_view(spec).substr(4);
            while (!list.empty()) {
                const size_t comma = list.find(',');
                names.emplace_back(list.substr(0, comma));
                list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
            }
        } else {
            for (const auto& f : all_fields()) {
                names.emplace_back(f.name);
                if (f.id == FieldId::end) names.emplace_back("duration");
            }
        }
        static const std::pair<std::string_view, Item> derived_names[] = {
            {"duration", Item::kDuration},
            {"bps", Item::kBps},
            {"pps", Item::kPps},
            {"bpp", Item::kBpp},
            {"flows", Item::kFlows}};
        for (const auto& name : names) {
            bool found = false;
            for (const auto& [dn, item] : derived_names) {
                if (name == dn) {
                    p.columns_.push_back({item, FieldId::start, 0, name});
                    found = true;
                }
            }
            if (found) continue;
            const FieldInfo* f = find_field(name);
            if (!f) throw UsageError("csv: unknown field '" + name + "'");
            p.columns_.push_back({Item::kField, f->id, 0, name});
        }
    } else {
        throw UsageError("unknown output format '" + spec +
                         "' (line, long, extended, csv, csv:FIELDS, json, fmt:FORMAT)");
    }
    p.fields_ = fields_of(p.columns_);
    return p;
}

std::string RecordPrinter::header() const {
    std::string h;
    if (kind_ == Kind::kJson) return h;
    if (kind_ == Kind::kCsv) {
        for (size_t i = 0; i < columns_.size(); ++i) {
            if (i) h += ',';
            h += columns_[i].text;
        }
        return h + '\n';
    }
    for (const auto& c : columns_) {
        if (c.item == Item::kLiteral) {
            h += c.text;
        } else {
            pad(h, c.text.data(), c.text.size(), c.width);
        }
    }
    while (!h.empty() && h.back() == ' ') h.pop_back();
    return h + '\n';
}

void RecordPrinter::print(FlowBlock& b, const uint8_t* mask, std::string& out) const {
    if (b.empty()) return;
    if (mask && std::find(mask, mask + b.size(), 1) == mask + b.size()) return;
    b.ensure(fields_);
    for (size_t i = 0; i < b.size(); ++i) {
        if (mask && !mask[i]) continue;
        switch (kind_) {
            case Kind::kTable:
                print_table_row(b, i, out);
                break;
            case Kind::kCsv:
                print_csv_row(b, i, out);
                break;
            case Kind::kJson:
                print_json_row(b, i, out);
                break;
        }
    }
}

void RecordPrinter::print_table_row(const FlowBlock& b, size_t i, std::string& out) const {
    char buf[kMaxValueText + 64];
    const PrintStyle style{TimeDigits::kMillis};
    const bool scale = !opts_.raw_numbers;
    for (const auto& c : columns_) {
        size_t n = 0;
        switch (c.item) {
            case Item::kLiteral:
                out += c.text;
                continue;
            case Item::kField:
                if (is_counter(c.field)) {
                    const uint64_t v = c.field == FieldId::packets ? column<FieldId::packets>(b)[i]
                                                                   : column<FieldId::bytes>(b)[i];
                    n = format_count(buf, v, scale);
                } else {
                    n = format_field(buf, b, c.field, i, style);
                }
                break;
            case Item::kDuration:
                n = format_double(buf, derived(c.item, b, i), 3);
                break;
            case Item::kBps:
            case Item::kPps:
                n = format_count(buf, static_cast<uint64_t>(derived(c.item, b, i)), scale);
                break;
            case Item::kBpp:
                n = format_count(buf, static_cast<uint64_t>(derived(c.item, b, i)), false);
                break;
            case Item::kFlows:
                buf[0] = '1';
                n = 1;
                break;
            case Item::kSrcAddrPort:
                n = format_endpoint(buf, b, i, true);
                break;
            case Item::kDstAddrPort:
                n = format_endpoint(buf, b, i, false);
                break;
            case Item::kDstPort:
                n = format_port(buf, column<FieldId::dport>(b)[i], column<FieldId::proto>(b)[i]);
                break;
        }
        pad(out, buf, n, c.width);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
}

void RecordPrinter::print_csv_row(const FlowBlock& b, size_t i, std::string& out) const {
    char buf[kMaxValueText + 64];
    const PrintStyle style{TimeDigits::kLossless};
    bool first = true;
    for (const auto& c : columns_) {
        if (!first) out += ',';
        first = false;
        if (c.item == Item::kField) {
            const size_t n = format_field(buf, b, c.field, i, style);
            if (field_info(c.field).storage == Storage::Str) {
                append_csv_field(out, std::string_view(buf, n));
            } else {
                out.append(buf, n);
            }
        } else if (c.item == Item::kFlows) {
            out += '1';
        } else if (c.item == Item::kDuration) {
            out.append(buf, format_seconds(buf, duration_micros(b, i), 6));
        } else {
            out.append(buf, format_double(buf, derived(c.item, b, i), 0));
        }
    }
    out += '\n';
}

void RecordPrinter::print_json_row(const FlowBlock& b, size_t i, std::string& out) const {
    char buf[kMaxValueText + 64];
    const PrintStyle style{TimeDigits::kLossless};
    out += '{';
    bool first = true;
    for (const auto& c : columns_) {
        if (c.item == Item::kDuration) {
            out += ",\"duration\":";
            out.append(buf, format_seconds(buf, duration_micros(b, i), 6));
            continue;
        }
        if (c.item != Item::kField) continue;
        const FieldInfo& f = field_info(c.field);
        // The first ten fields (times, addresses, ports, protocol, flags, counters) are always
        // present; the others only when set.
        const bool core = static_cast<unsigned>(f.id) <= static_cast<unsigned>(FieldId::bytes);
        const size_t n = format_field(buf, b, c.field, i, style);
        bool is_default = n == 0;
        if (!is_default && is_integer(f.storage)) {
            visit_field(f.id, [&](auto t) {
                using T = decltype(t);
                if constexpr (is_integer(T::storage)) is_default = column<T::id>(b)[i] == 0;
            });
        }
        if (is_default && !core) continue;
        if (!first) out += ',';
        first = false;
        out += '"';
        out += f.name;
        out += "\":";
        const bool number = prints_as_number(f.format);
        if (f.format == Format::Bool) {
            out += buf[0] == '1' ? "true" : "false";
        } else if (number) {
            out.append(buf, n);
        } else {
            append_json_string(out, std::string_view(buf, n));
        }
    }
    out += "}\n";
}

}  // namespace fk
