#include "detect/event.h"

#include <cstdio>

#include "common/time.h"

namespace fk::detect {

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::kLow:
            return "low";
        case Severity::kMedium:
            return "medium";
        case Severity::kHigh:
            return "high";
        case Severity::kCritical:
            return "critical";
    }
    return "low";
}

Severity raise(Severity s) {
    return s == Severity::kCritical ? s : static_cast<Severity>(static_cast<uint8_t>(s) + 1);
}

uint64_t Event::get_count(std::string_view key) const {
    for (const auto& [k, v] : counts)
        if (k == key) return v;
    return 0;
}

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

std::string time_clause(uint64_t first, uint64_t last) {
    return "start >= " + time_string(first, TimeDigits::kMicros) +
           " and start <= " + time_string(last, TimeDigits::kMicros);
}

std::string to_json(const Event& e) {
    std::string j = "{\"time\":\"" + time_string(e.time) + "\",\"method\":" + json_quote(e.method) +
                    ",\"severity\":\"" + std::string(severity_name(e.severity)) + "\"";
    if (e.has_src) j += ",\"src\":\"" + ip_string(e.src) + "\"";
    if (e.has_dst) j += ",\"dst\":\"" + ip_string(e.dst) + "\"";
    if (e.port) j += ",\"port\":" + std::to_string(e.port);
    j += ",\"evidence\":{";
    bool first = true;
    for (const auto& [k, v] : e.counts) {
        j += (first ? "" : ",") + json_quote(k) + ":" + std::to_string(v);
        first = false;
    }
    for (const auto& [k, v] : e.notes) {
        j += (first ? "" : ",") + json_quote(k) + ":" + json_quote(v);
        first = false;
    }
    j += "}";
    if (!e.filter.empty()) j += ",\"filter\":" + json_quote(e.filter);
    if (!e.attack.empty()) j += ",\"attack\":" + json_quote(e.attack);
    j += "}";
    return j;
}

std::string to_text(const Event& e) {
    std::string t = time_string(e.time) + " " + std::string(severity_name(e.severity)) + " " +
                    e.method + " " + (e.has_src ? ip_string(e.src) : "-") + " -> " +
                    (e.has_dst ? ip_string(e.dst) : "-");
    if (e.port) t += ":" + std::to_string(e.port);
    for (const auto& [k, v] : e.counts) t += " " + k + "=" + std::to_string(v);
    for (const auto& [k, v] : e.notes) t += " " + k + "=" + v;
    if (!e.attack.empty()) t += " [" + e.attack + "]";
    return t;
}

}  // namespace fk::detect
