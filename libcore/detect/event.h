// A security event of flowdetect: what was seen, by whom against whom, the counts that make
// the evidence and a flowquery filter that selects exactly the evidence flows.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record/ipaddr.h"

namespace fk::detect {

enum class Severity : uint8_t { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };

std::string_view severity_name(Severity s);
Severity raise(Severity s);

struct Event {
    uint64_t time = 0;  // start of the first evidence flow, us
    uint64_t last = 0;  // start of the last evidence flow, us
    std::string method;
    Severity severity = Severity::kMedium;
    IpAddr src, dst;
    bool has_src = false, has_dst = false;
    uint16_t port = 0;
    std::vector<std::pair<std::string, uint64_t>> counts;
    std::vector<std::pair<std::string, std::string>> notes;
    std::string filter;  // flowquery filter over the evidence flows (includes the time range)
    std::string attack;  // MITRE ATT&CK technique id

    void count(std::string key, uint64_t v) { counts.emplace_back(std::move(key), v); }
    void note(std::string key, std::string v) { notes.emplace_back(std::move(key), std::move(v)); }
    uint64_t get_count(std::string_view key) const;
};

// One JSON object (no newline).
std::string to_json(const Event& e);
// One line of text.
std::string to_text(const Event& e);
// JSON string literal of s.
std::string json_quote(std::string_view s);
// "start >= A and start <= B" in microseconds, the time part of every evidence filter.
std::string time_clause(uint64_t first, uint64_t last);

}  // namespace fk::detect
