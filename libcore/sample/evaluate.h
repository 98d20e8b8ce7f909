// flowsample --evaluate: on unsampled flows, what each sampling mode and rate costs. The input
// is read once into compact arrays; every (mode, rate) is then sampled `runs` times with
// different seeds and compared with the truth (the input itself).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "query/input.h"
#include "sample/sampler.h"

namespace fk {

struct EvalOptions {
    InputSpec input;
    std::string filter;  // the traffic evaluated
    std::vector<SampleMode> modes{SampleMode::kFlow, SampleMode::kPacket, SampleMode::kSmart,
                                  SampleMode::kHash};
    std::vector<uint64_t> rates{1, 10, 100, 1000, 4000, 8000};
    uint64_t seed = 1;
    unsigned runs = 1;
    uint64_t threshold = 0;  // smart: fixed z; 0 = fitted per rate (as flowsample does)
    std::string event;       // filter of the flows of a small event; "" = none
    uint64_t bin_seconds = 300;
    size_t top_n = 10;
    // Called before each mode and rate is evaluated (done of total so far); may be empty.
    std::function<void(size_t done, size_t total, SampleMode, uint64_t rate)> progress;
};

// One number of the result table: tidy, one row per mode × rate × metric.
struct EvalMetric {
    SampleMode mode;
    uint64_t rate;
    std::string metric;
    double value;
};

// Metric names, in table order (relative errors are |estimate - truth| / truth, averaged over
// the runs; fractions are of the truth):
//   bytes_err packets_err flows_err   totals
//   bin_bytes_err                     mean over time bins (with bytes) of the bins' error
//   bin_bytes_max                     the worst bin
//   top_overlap                       share of the true Top-N hosts (bytes, src or dst) found
//   top_rank_err                      mean |rank difference| over the true Top-N (missing: N+1)
//   event_flows event_srcs event_dsts share of event flows / distinct sources / destinations
//                                     with at least one kept event flow (only with an event)
struct EvalReport {
    uint64_t flows = 0, packets = 0, bytes = 0, bins = 0, event_flows = 0;
    std::vector<EvalMetric> metrics;
};

EvalReport evaluate(const EvalOptions& o);

enum class EvalFormat { kText, kCsv, kJson };
EvalFormat parse_eval_format(const std::string& text);
std::string format_eval(const EvalReport& r, EvalFormat f);
// The metrics back from format_eval's CSV or JSON (what flowreport charts); the totals are not
// in those formats and stay 0. DataError "source:line: ..." for anything else.
EvalReport parse_eval(std::string_view text, const std::string& source);

}  // namespace fk
