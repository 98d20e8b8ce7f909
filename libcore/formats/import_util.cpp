#include "formats/import_util.h"

#include "common/time.h"

namespace fk::imp {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

uint64_t to_u64(std::string_view s, const char* what) {
    uint64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
        throw LineError{std::string(what) + ": '" + std::string(s) + "' is not a number"};
    }
    return v;
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

uint64_t num_member(simdjson::dom::element obj, std::string_view key) {
    const auto e = member(obj, key);
    uint64_t v = 0;
    if (!e.get(v)) return v;
    std::string_view s;
    if (!e.get(s)) return to_u64(s, std::string("\"" + std::string(key) + "\"").c_str());
    throw LineError{"\"" + std::string(key) + "\" is not a number"};
}

uint64_t time_member(simdjson::dom::element obj, std::string_view key) {
    const auto s = str_member(obj, key);
    const auto t = parse_time(s);
    if (!t) throw LineError{"\"" + std::string(key) + "\": '" + std::string(s) + "' is not a time"};
    return *t;
}

}  // namespace fk::imp
