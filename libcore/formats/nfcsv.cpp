#include "formats/nfcsv.h"

#include <array>
#include <charconv>
#include <cmath>

#include "common/error.h"
#include "common/time.h"
#include "formats/import_util.h"
#include "record/names.h"

namespace fk {

namespace {

enum Col {
    kTs,
    kTe,
    kTd,
    kSa,
    kDa,
    kSp,
    kDp,
    kPr,
    kFlg,
    kStos,
    kIpkt,
    kIbyt,
    kIn,
    kOut,
    kSas,
    kDas,
    kSmk,
    kDmk,
    kNh,
    kSvln,
    kIsmc,
    kOdmc,
    kCl,
    kSl,
    kAl,
    kRa,
    kNumCols
};
constexpr std::array<std::string_view, kNumCols> kNames = {
    "ts",  "te",  "td",  "sa",  "da",  "sp", "dp",   "pr",   "flg",  "stos", "ipkt", "ibyt", "in",
    "out", "sas", "das", "smk", "dmk", "nh", "svln", "ismc", "odmc", "cl",   "sl",   "al",   "ra"};

using imp::LineError;
using imp::trim;

// A number of at most max (the width of its field, a port's 65535).
uint64_t number(std::string_view s, const char* col, uint64_t max = UINT64_MAX) {
    uint64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && v <= max) return v;
    return imp::to_u64(s, (std::string("column ") + col).c_str(), max);  // throws, saying why
}

// "0.097" seconds (or ms for latencies) → microseconds, at most max.
uint64_t decimal_micros(std::string_view s, const char* col, uint64_t unit, uint64_t max) {
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    // !(v >= 0) also refuses nan.
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !(v >= 0)) {
        throw LineError{std::string("column ") + col + ": '" + std::string(s) +
                        "' is not a duration"};
    }
    const double us = std::round(v * static_cast<double>(unit));
    // max + 1.0: UINT64_MAX is not a double, 2^64 is.
    if (!(us < static_cast<double>(max) + 1.0)) {
        throw LineError{std::string("column ") + col + ": '" + std::string(s) +
                        "' is out of range"};
    }
    return static_cast<uint64_t>(us);
}

IpAddr address(std::string_view s, const char* col) {
    const auto a = parse_ip(s);
    if (!a)
        throw LineError{std::string("column ") + col + ": '" + std::string(s) +
                        "' is not an address"};
    return *a;
}

}  // namespace

void NfcsvImporter::read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
                         ImportStats& stats) {
    const std::string& name = in.name();
    std::array<int, kNumCols> pos{};
    bool header_seen = false, in_summary = false;
    std::vector<std::string_view> cells;
    LocalZone zone;  // nfdump prints times in its local zone
    std::string_view line;
    while (in.next_line(line)) {
        const size_t lineno = in.line_number();
        line = trim(line);
        if (line.empty()) continue;
        cells.clear();
        for (size_t p = 0;;) {
            const size_t c = line.find(',', p);
            cells.push_back(trim(line.substr(p, c == std::string_view::npos ? c : c - p)));
            if (c == std::string_view::npos) break;
            p = c + 1;
        }
        // A header line starts the rows of a file: the first line, and in files concatenated
        // (cat a.csv b.csv) each next file's first, after a summary section or not.
        const bool header = !header_seen || cells[0] == "ts" ||
                            (static_cast<size_t>(pos[kTs]) < cells.size() &&
                             cells[static_cast<size_t>(pos[kTs])] == "ts");
        if (header) {
            pos.fill(-1);
            for (size_t i = 0; i < cells.size(); ++i) {
                for (int k = 0; k < kNumCols; ++k) {
                    if (cells[i] == kNames[k]) pos[k] = static_cast<int>(i);
                }
            }
            for (Col required : {kTs, kSa, kDa, kPr, kIpkt, kIbyt}) {
                if (pos[required] < 0) {
                    throw DataError(name + ":" + std::to_string(lineno) + ": not nfdump CSV: no '" +
                                    std::string(kNames[required]) + "' column in the header");
                }
            }
            header_seen = true;
            in_summary = false;
            continue;
        }
        // nfdump ends its CSV with a summary section, up to the next file's header.
        if (line == "Summary") in_summary = true;
        if (in_summary) continue;
        ++stats.lines;
        try {
            auto cell = [&](Col c) -> std::string_view {
                if (pos[c] < 0) return {};
                if (static_cast<size_t>(pos[c]) >= cells.size()) {
                    throw LineError{"only " + std::to_string(cells.size()) + " columns"};
                }
                return cells[static_cast<size_t>(pos[c])];
            };
            FlowRecord r;
            const auto ts = zone.parse(cell(kTs));
            if (!ts) throw LineError{"column ts: '" + std::string(cell(kTs)) + "' is not a time"};
            r.start = *ts;
            if (!cell(kTd).empty()) {
                r.end = r.start + decimal_micros(cell(kTd), "td", 1'000'000, UINT64_MAX - r.start);
            } else if (!cell(kTe).empty()) {
                const auto te = zone.parse(cell(kTe));
                if (!te)
                    throw LineError{"column te: '" + std::string(cell(kTe)) + "' is not a time"};
                r.end = *te;
            } else {
                r.end = r.start;
            }
            r.src = address(cell(kSa), "sa");
            r.dst = address(cell(kDa), "da");
            if (!cell(kSp).empty()) r.sport = static_cast<uint16_t>(number(cell(kSp), "sp", 65535));
            if (!cell(kDp).empty()) {
                // ICMP may be written type.code.
                const std::string_view dp = cell(kDp);
                const size_t dot = dp.find('.');
                if (dot == std::string_view::npos) {
                    r.dport = static_cast<uint16_t>(number(dp, "dp", 65535));
                } else {
                    const uint64_t type = number(dp.substr(0, dot), "dp");
                    const uint64_t code = number(dp.substr(dot + 1), "dp");
                    if (type > 255 || code > 255) {
                        throw LineError{"column dp: '" + std::string(dp) +
                                        "' is out of range (type and code 0 to 255)"};
                    }
                    r.dport = static_cast<uint16_t>(type * 256 + code);
                }
            }
            const auto proto = parse_proto(cell(kPr));
            if (!proto)
                throw LineError{"column pr: unknown protocol '" + std::string(cell(kPr)) + "'"};
            r.proto = *proto;
            if (!cell(kFlg).empty()) {
                const auto f = parse_tcp_flags(cell(kFlg));
                if (!f) throw LineError{"column flg: '" + std::string(cell(kFlg)) + "'"};
                r.flags = *f;
            }
            if (!cell(kStos).empty())
                r.tos = static_cast<uint8_t>(number(cell(kStos), "stos", 255));
            r.packets = number(cell(kIpkt), "ipkt");
            r.bytes = number(cell(kIbyt), "ibyt");
            if (!cell(kIn).empty())
                r.in_if = static_cast<uint32_t>(number(cell(kIn), "in", UINT32_MAX));
            if (!cell(kOut).empty())
                r.out_if = static_cast<uint32_t>(number(cell(kOut), "out", UINT32_MAX));
            if (!cell(kSas).empty())
                r.src_as = static_cast<uint32_t>(number(cell(kSas), "sas", UINT32_MAX));
            if (!cell(kDas).empty())
                r.dst_as = static_cast<uint32_t>(number(cell(kDas), "das", UINT32_MAX));
            if (!cell(kSmk).empty())
                r.src_mask = static_cast<uint8_t>(number(cell(kSmk), "smk", 128));
            if (!cell(kDmk).empty())
                r.dst_mask = static_cast<uint8_t>(number(cell(kDmk), "dmk", 128));
            if (!cell(kSvln).empty())
                r.vlan = static_cast<uint16_t>(number(cell(kSvln), "svln", 65535));
            // nfdump prints 0.0.0.0 and 00:00:... for absent addresses; keep them absent.
            if (const auto nh = cell(kNh); !nh.empty() && nh != "0.0.0.0")
                r.next_hop = address(nh, "nh");
            if (const auto ra = cell(kRa); !ra.empty() && ra != "0.0.0.0")
                r.exporter = address(ra, "ra");
            if (const auto m = cell(kIsmc); !m.empty()) r.src_mac = parse_mac(m).value_or(0);
            if (const auto m = cell(kOdmc); !m.empty()) r.dst_mac = parse_mac(m).value_or(0);
            if (!cell(kCl).empty())
                r.rtt_client =
                    static_cast<uint32_t>(decimal_micros(cell(kCl), "cl", 1000, UINT32_MAX));
            if (!cell(kSl).empty())
                r.rtt_server =
                    static_cast<uint32_t>(decimal_micros(cell(kSl), "sl", 1000, UINT32_MAX));
            if (!cell(kAl).empty())
                r.srt = static_cast<uint32_t>(decimal_micros(cell(kAl), "al", 1000, UINT32_MAX));
            r.sampling = 1;
            sink(r);
            ++stats.flows;
        } catch (const LineError& e) {
            const std::string msg = name + ":" + std::to_string(lineno) + ": " + e.what;
            if (!opts.ignore_errors) throw DataError(msg);
            ++stats.skipped;
            if (opts.warn) opts.warn(msg + "; skipped");
        }
    }
    if (!header_seen) throw DataError(name + ": empty: no nfdump CSV header");
}

}  // namespace fk
