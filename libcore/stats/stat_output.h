// Text, CSV and JSON Lines forms of statistics (-s) and aggregated flows (-A), shared by
// flowquery and flowreport so that both print the same numbers.
#pragma once
#include <string>

#include <vector>

#include "stats/aggregate.h"
#include "stats/conversation.h"

namespace fk {

enum class TableFormat { kText, kCsv, kJson };

struct StatPrintOptions {
    TableFormat format = TableFormat::kText;
    bool raw_numbers = false;  // -N
    bool quiet = false;        // -q: no title, no header
};

// "Top N KEY ordered by ORDER:" and one row per group: first seen, duration, key, flows,
// packets and bytes with their share of the totals, pps, bps, bpp.
std::string format_top(const AggTable& t, StatOrder order, size_t n, const StatPrintOptions& o);

// Aggregated flows (-A): first seen, duration, key parts, packets, bytes, bps, bpp, flows.
std::string format_aggregated(const AggTable& t, StatOrder order, size_t n,
                              const StatPrintOptions& o);

// Conversations (-b, -B): first seen, duration, protocol, the two endpoints, packets and bytes
// each side sent, flows. CSV and JSON add the totals and rates.
std::string format_conversations(const std::vector<Conversation>& conversations,
                                 const StatPrintOptions& o);

}  // namespace fk
