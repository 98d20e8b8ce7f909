#include "formats/import_util.h"

#include "common/time.h"

namespace fk::imp {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

namespace {

enum class Parsed { kOk, kNotNumber, kTooLarge };

Parsed parse_u64(std::string_view s, uint64_t max, uint64_t& v) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ptr != s.data() + s.size()) return Parsed::kNotNumber;
    if (r.ec == std::errc::result_out_of_range) return Parsed::kTooLarge;
    if (r.ec != std::errc()) return Parsed::kNotNumber;
    return v > max ? Parsed::kTooLarge : Parsed::kOk;
}

[[noreturn]] void bad_number(const std::string& what, std::string_view s, Parsed p, uint64_t max) {
    if (p == Parsed::kTooLarge) {
        throw LineError{what + ": '" + std::string(s) + "' is out of range (0 to " +
                        std::to_string(max) + ")"};
    }
    throw LineError{what + ": '" + std::string(s) + "' is not a number"};
}

}  // namespace

uint64_t to_u64(std::string_view s, const char* what, uint64_t max) {
    uint64_t v = 0;
    if (const auto p = parse_u64(s, max, v); p != Parsed::kOk) bad_number(what, s, p, max);
    return v;
}

uint64_t to_micros(uint64_t v, uint64_t unit, const char* what) {
    const uint64_t max = UINT64_MAX / unit;
    if (v > max) bad_number(what, std::to_string(v), Parsed::kTooLarge, max);
    return v * unit;
}

IpAddr to_ip(std::string_view s, const char* what) {
    const auto a = parse_ip(s);
    if (!a) throw LineError{std::string(what) + ": '" + std::string(s) + "' is not an address"};
    return *a;
}

void malformed(const std::string& name, size_t line, const std::string& what,
               const ImportOptions& opts, ImportStats& stats) {
    const std::string msg = name + ":" + std::to_string(line) + ": " + what;
    if (!opts.ignore_errors) throw DataError(msg);
    ++stats.skipped;
    if (opts.warn) opts.warn(msg + "; skipped");
}

bool starts_broken(LineReader& in, simdjson::dom::parser& parser, size_t n) {
    for (;;) {
        const std::string_view text = in.peek(n);
        const simdjson::padded_string padded(text);
        simdjson::dom::document_stream docs;
        // What simdjson refuses here, it refuses for the whole input, which reports it.
        if (parser.parse_many(padded, std::max<size_t>(padded.size(), 1 << 16)).get(docs))
            return false;
        auto it = docs.begin();
        if (it != docs.end()) return !object_or_array(*it);
        // No document ends in text: one may end further on, unless text is all the input.
        if (text.size() < n) return docs.truncated_bytes() != 0;
        n = 2 * text.size();
    }
}

simdjson::dom::element member(simdjson::dom::element obj, std::string_view key) {
    simdjson::dom::element e;
    if (obj[key].get(e)) throw LineError{"no \"" + std::string(key) + "\""};
    return e;
}

bool has_member(simdjson::dom::element obj, std::string_view key) {
    simdjson::dom::element e;
    return !obj[key].get(e) && !e.is_null();
}

std::string_view str_member(simdjson::dom::element obj, std::string_view key) {
    std::string_view s;
    if (member(obj, key).get(s)) throw LineError{"\"" + std::string(key) + "\" is not a string"};
    return s;
}

uint64_t num_member(simdjson::dom::element obj, std::string_view key, uint64_t max) {
    const auto e = member(obj, key);
    auto what = [&] { return "\"" + std::string(key) + "\""; };
    uint64_t v = 0;
    if (!e.get(v)) {
        if (v > max) bad_number(what(), std::to_string(v), Parsed::kTooLarge, max);
        return v;
    }
    std::string_view s;
    if (e.get(s)) throw LineError{what() + " is not a number"};
    if (const auto p = parse_u64(s, max, v); p != Parsed::kOk) bad_number(what(), s, p, max);
    return v;
}

uint64_t time_member(simdjson::dom::element obj, std::string_view key) {
    const auto s = str_member(obj, key);
    const auto t = parse_time(s);
    if (!t) throw LineError{"\"" + std::string(key) + "\": '" + std::string(s) + "' is not a time"};
    return *t;
}

}  // namespace fk::imp
