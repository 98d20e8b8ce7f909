// flowquery's engine: read, filter, then print, write, summarise or aggregate.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/input.h"
#include "stats/conversation.h"

namespace fk {

struct QueryOptions {
    InputSpec input;
    std::string filter;  // filter text (profile already combined in)
    // -o; "" = line. Text even into a pipe (nfdump habits: | grep, | head); flows go to a
    // pipe with -w -.
    std::string format;
    std::string write_path;          // -w ("-" = stdout)
    bool summary = false;            // -I
    std::vector<std::string> stats;  // -s KEY[/ORDER...]
    std::string aggregate;           // -A KEYS
    // -b, -B
    std::optional<ConversationSide> conversations;
    std::string order;         // -O
    size_t top_n = 10;         // -n for -s
    size_t limit_n = 0;        // -n for records and -A (0 = all)
    uint64_t count = 0;        // -c: stop after this many matching flows (0 = no limit)
    bool quiet = false;        // -q
    bool raw_numbers = false;  // -N
    unsigned threads = 1;
    int zstd_level = 3;
    // Row time windows: flows starting in [from, to) (--from/--to), and nfdump's -t: flows
    // strictly inside (first > t_after, last < t_before).
    uint64_t start_from = 0, start_to = UINT64_MAX;
    uint64_t t_after = 0, t_before = UINT64_MAX;
    bool nfdump_window = false;
};

// Lists every block of the inputs (offset, records, bytes, time range), decoding every column
// to verify it, then the totals (flowquery -v, like nfdump -v). Returns the exit status.
int verify_inputs(const InputSpec& input, int out_fd);

// Runs the query writing text or flows to out_fd. Returns the exit status; throws UsageError
// and DataError like the tools expect.
int run_query(const QueryOptions& opts, int out_fd);

}  // namespace fk
