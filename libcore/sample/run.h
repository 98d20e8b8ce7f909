// flowsample's two jobs over an input: sample it into a flow stream, or evaluate what each
// mode and rate costs (sample/evaluate.h).
#pragma once
#include <cstdint>
#include <string>

#include "query/input.h"
#include "sample/sampler.h"

namespace fk {

// Smart mode without --threshold: z is fitted to the first this many flows.
constexpr size_t kSmartFitFlows = 65536;

struct SampleRunOptions {
    InputSpec input;
    std::string filter;      // only matching flows are read (and sampled)
    std::string write_path;  // "" or "-": out_fd
    SampleConfig config;
    int zstd_level = 3;
    unsigned threads = 1;  // decode and filter; sampling itself runs in input order
};

struct SampleRunStats {
    uint64_t flows_in = 0, flows_out = 0;
    uint64_t threshold = 0;  // smart: the z used
};

// Reads, filters, samples and writes; throws UsageError when the output is a terminal.
SampleRunStats run_sample(const SampleRunOptions& o, int out_fd);

}  // namespace fk
