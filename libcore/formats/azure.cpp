#include <array>

#include "common/time.h"
#include "formats/cloud.h"
#include "formats/import_util.h"
#include "record/names.h"

namespace fk {

namespace {

using imp::LineError;
using simdjson::dom::element;

// "000D3AF8801A" → 0x000d3af8801a; 0 when it is not 12 hex digits.
uint64_t bare_mac(std::string_view s) {
    if (s.size() != 12) return 0;
    uint64_t v = 0;
    for (char c : s) {
        const int d = (c >= '0' && c <= '9')   ? c - '0'
                      : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                      : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                               : -1;
        if (d < 0) return 0;
        v = v * 16 + static_cast<uint64_t>(d);
    }
    return v;
}

// The value of the JSON string literal text[from..] (from just past its opening quote) against
// t: true when they are equal; end is set just past the closing quote either way.
bool literal_is(std::string_view text, size_t from, std::string_view t, size_t& end) {
    size_t j = 0;
    bool same = true;
    // One byte of the value against the next of t.
    auto next = [&](char c) {
        same = same && j < t.size() && t[j] == c;
        ++j;
    };
    auto hex4 = [&](size_t at, uint32_t& v) {
        if (at + 4 > text.size()) return false;
        v = 0;
        for (size_t k = at; k < at + 4; ++k) {
            const char c = text[k];
            const int d = (c >= '0' && c <= '9')   ? c - '0'
                          : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                          : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                   : -1;
            if (d < 0) return false;
            v = v * 16 + static_cast<uint32_t>(d);
        }
        return true;
    };
    size_t i = from;
    while (i < text.size() && text[i] != '"') {
        if (text[i] != '\\') {
            next(text[i++]);
            continue;
        }
        if (i + 1 == text.size()) break;
        const char e = text[i + 1];
        i += 2;
        if (e != 'u') {
            next(e == 'b'   ? '\b'
                 : e == 'f' ? '\f'
                 : e == 'n' ? '\n'
                 : e == 'r' ? '\r'
                 : e == 't' ? '\t'
                            : e);
            continue;
        }
        uint32_t cp = 0, lo = 0;
        if (!hex4(i, cp)) {
            same = false;
            continue;
        }
        i += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= text.size() && text[i] == '\\' &&
            text[i + 1] == 'u' && hex4(i + 2, lo) && lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        }
        // UTF-8, as simdjson gives it.
        if (cp < 0x80) {
            next(static_cast<char>(cp));
        } else if (cp < 0x800) {
            next(static_cast<char>(0xc0 | (cp >> 6)));
            next(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            next(static_cast<char>(0xe0 | (cp >> 12)));
            next(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            next(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            next(static_cast<char>(0xf0 | (cp >> 18)));
            next(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            next(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            next(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    }
    end = std::min(i + 1, text.size());
    return same && j == t.size();
}

// The offset of the next string literal from `pos` (outside a literal) whose value is t, and
// pos past it; npos (and pos at the end) when there is none. Comparing values, not the text,
// finds tuples written with escapes (\u002c) too, and each literal is read once.
size_t find_literal(std::string_view text, size_t& pos, std::string_view t) {
    for (size_t q = text.find('"', pos); q != std::string_view::npos; q = text.find('"', pos)) {
        if (literal_is(text, q + 1, t, pos)) return q;
    }
    pos = text.size();
    return std::string_view::npos;
}

enum class Schema { kNsg1, kNsg2, kVnet };

constexpr size_t kMaxCells = 16;

// One flow tuple into one or two flows.
void tuple_flows(std::string_view t, Schema schema, uint64_t mac, const FlowSink& sink,
                 ImportStats& stats) {
    std::array<std::string_view, kMaxCells> c;
    size_t n = 0;
    for (size_t p = 0;;) {
        const size_t comma = t.find(',', p);
        if (n == kMaxCells) throw LineError{"flow tuple with more than 16 values"};
        c[n++] = t.substr(p, comma == std::string_view::npos ? comma : comma - p);
        if (comma == std::string_view::npos) break;
        p = comma + 1;
    }
    const size_t want = schema == Schema::kNsg1 ? 8 : 13;
    if (n != want) {
        throw LineError{"flow tuple '" + std::string(t) + "' has " + std::to_string(n) +
                        " values, schema " +
                        (schema == Schema::kNsg1   ? "1 has 8"
                         : schema == Schema::kNsg2 ? "2 has 13"
                                                   : "4 (VNet) has 13")};
    }
    FlowRecord r;
    const uint64_t ts = imp::to_u64(c[0], "time stamp");
    // NSG tuples carry seconds; VNet tuples milliseconds.
    r.start = imp::to_micros(ts, schema == Schema::kVnet ? 1000 : kMicrosPerSecond, "time stamp");
    r.end = r.start;
    r.src = imp::to_ip(c[1], "source address");
    r.dst = imp::to_ip(c[2], "destination address");
    r.sport = static_cast<uint16_t>(imp::to_u64(c[3], "source port", 65535));
    r.dport = static_cast<uint16_t>(imp::to_u64(c[4], "destination port", 65535));
    if (schema == Schema::kVnet) {
        r.proto = static_cast<uint8_t>(imp::to_u64(c[5], "protocol", 255));
    } else if (c[5] == "T") {
        r.proto = 6;
    } else if (c[5] == "U") {
        r.proto = 17;
    } else {
        throw LineError{"protocol '" + std::string(c[5]) + "' (T or U)"};
    }
    if (c[6] != "I" && c[6] != "O")
        throw LineError{"direction '" + std::string(c[6]) + "' (I or O)"};
    const bool inbound = c[6] == "I";
    // The MAC is the network interface's: the destination of inbound traffic.
    (inbound ? r.dst_mac : r.src_mac) = mac;
    std::string_view state;
    if (schema == Schema::kVnet) {
        state = c[7];
        if (state != "B" && state != "C" && state != "E" && state != "D")
            throw LineError{"flow state '" + std::string(state) + "' (B, C, E or D)"};
        r.action = static_cast<uint8_t>(state == "D" ? Action::reject : Action::accept);
    } else {
        if (c[7] == "A") {
            r.action = static_cast<uint8_t>(Action::accept);
        } else if (c[7] == "D") {
            r.action = static_cast<uint8_t>(Action::reject);
        } else {
            throw LineError{"decision '" + std::string(c[7]) + "' (A or D)"};
        }
        if (schema == Schema::kNsg2) {
            state = c[8];
            if (state != "B" && state != "C" && state != "E")
                throw LineError{"flow state '" + std::string(state) + "' (B, C or E)"};
        }
    }
    uint64_t rev_packets = 0, rev_bytes = 0;
    if (schema != Schema::kNsg1) {
        // Counters are empty in Begin (and Deny) tuples.
        auto count = [&](size_t i, const char* what) -> uint64_t {
            return c[i].empty() ? 0 : imp::to_u64(c[i], what);
        };
        r.packets = count(9, "packets sent");
        r.bytes = count(10, "bytes sent");
        rev_packets = count(11, "packets received");
        rev_bytes = count(12, "bytes received");
    }
    r.sampling = 1;
    sink(r);
    ++stats.flows;
    if (rev_packets || rev_bytes) {
        std::swap(r.src, r.dst);
        std::swap(r.sport, r.dport);
        std::swap(r.src_mac, r.dst_mac);
        r.packets = rev_packets;
        r.bytes = rev_bytes;
        sink(r);
        ++stats.flows;
    }
}

}  // namespace

void AzureImporter::read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
                         ImportStats& stats) {
    const std::string& name = in.name();
    // Tuples are found in the text again to name their line in messages: from pos (after the
    // last one found), with line counted up to lined. So the text is read whole, as the blob
    // is one document anyway; for_each_json then reads it from memory.
    const std::string_view text = in.rest();
    size_t pos = 0, lined = 0, line = 1;
    auto tuples = [&](element list, Schema schema, uint64_t mac, size_t doc_line) {
        simdjson::dom::array arr;
        if (list.get(arr)) throw LineError{"\"flowTuples\" is not an array"};
        for (element e : arr) {
            std::string_view t;
            ++stats.lines;
            const bool is_string = !e.get(t);
            if (is_string) {
                const size_t at = find_literal(text, pos, t);
                if (at != std::string_view::npos) imp::advance_lines(text, lined, at, line);
            }
            const size_t here = std::max(line, doc_line);
            try {
                if (!is_string) throw LineError{"a flow tuple is not a string"};
                tuple_flows(t, schema, mac, sink, stats);
            } catch (const LineError& err) {
                imp::malformed(name, here, err.what, opts, stats);
            }
        }
    };
    auto record = [&](element rec, size_t doc_line) {
        element fr;
        if (!rec["flowRecords"].get(fr)) {
            const uint64_t mac = imp::has_member(rec, "macAddress")
                                     ? bare_mac(imp::str_member(rec, "macAddress"))
                                     : 0;
            simdjson::dom::array flows;
            if (imp::member(fr, "flows").get(flows)) throw LineError{"\"flows\" is not an array"};
            for (element acl : flows) {
                simdjson::dom::array groups;
                if (imp::member(acl, "flowGroups").get(groups))
                    throw LineError{"\"flowGroups\" is not an array"};
                for (element g : groups)
                    tuples(imp::member(g, "flowTuples"), Schema::kVnet, mac, doc_line);
            }
            return;
        }
        const element props = imp::member(rec, "properties");
        const uint64_t version = imp::num_member(props, "Version");
        if (version != 1 && version != 2)
            throw LineError{"NSG flow log schema version " + std::to_string(version) +
                            " (1 and 2 are known)"};
        const Schema schema = version == 1 ? Schema::kNsg1 : Schema::kNsg2;
        simdjson::dom::array rules;
        if (imp::member(props, "flows").get(rules)) throw LineError{"\"flows\" is not an array"};
        for (element rule : rules) {
            simdjson::dom::array per_mac;
            if (imp::member(rule, "flows").get(per_mac))
                throw LineError{"\"flows\" is not an array"};
            for (element m : per_mac) {
                const uint64_t mac =
                    imp::has_member(m, "mac") ? bare_mac(imp::str_member(m, "mac")) : 0;
                tuples(imp::member(m, "flowTuples"), schema, mac, doc_line);
            }
        }
    };
    imp::for_each_json(in, opts, stats, [&](element doc, size_t doc_line) {
        simdjson::dom::array records;
        if (!doc["records"].get(records)) {
            for (element rec : records) {
                try {
                    record(rec, doc_line);
                } catch (const LineError& e) {
                    imp::malformed(name, std::max(line, doc_line), e.what, opts, stats);
                }
            }
        } else {
            record(doc, doc_line);
        }
    });
}

}  // namespace fk
