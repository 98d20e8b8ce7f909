// Sampling of flow records with renormalisation (flowsample): flow sampling, simulated packet
// sampling (binomial thinning), size-dependent "smart" sampling (Duffield, Lund, Thorup) and
// deterministic hash sampling by flow key. Each mode keeps the totals unbiased: a kept record's
// counters are divided by the probability it had of being kept.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "record/flow_block.h"
#include "sample/random.h"

namespace fk {

enum class SampleMode : uint8_t { kFlow, kPacket, kSmart, kHash };
// "flow", "packet", "smart", "hash"; UsageError naming the option otherwise.
SampleMode parse_sample_mode(std::string_view text, std::string_view option = "--mode");
std::string_view sample_mode_name(SampleMode m);

struct SampleConfig {
    SampleMode mode = SampleMode::kFlow;
    uint64_t rate = 1;       // 1:N
    uint64_t seed = 1;       // random modes: the stream; hash mode: the hash key
    uint64_t threshold = 0;  // smart: z in bytes (0: not known yet, see smart_threshold)
};

// The columns a sampler reads, as plain arrays (a block's, or an evaluation's copy).
struct SampleInput {
    size_t n = 0;
    const uint64_t* packets = nullptr;
    const uint64_t* bytes = nullptr;
    const uint32_t* sampling = nullptr;  // input rate per row (0 or 1: unsampled); may be null
    const uint64_t* key_hash = nullptr;  // hash mode: flow_key_hash() per row
    const uint8_t* mask = nullptr;       // rows to consider; null: all
};

// What sampling decided for one batch of rows: the kept rows (ascending) and, per kept row,
// its renormalised counters, its new sampling rate and the number of input flows it stands
// for (1 / probability of being kept). Vectors keep their capacity between batches.
struct SampleResult {
    std::vector<uint32_t> rows;
    std::vector<uint64_t> packets;
    std::vector<uint64_t> bytes;
    std::vector<uint32_t> sampling;
    std::vector<double> weight;
    void clear();
    size_t size() const { return rows.size(); }
};

class Sampler {
  public:
    explicit Sampler(const SampleConfig& c);
    const SampleConfig& config() const { return c_; }
    void set_threshold(uint64_t z);
    // Decides for every row of in (with its mask byte set) and appends the kept ones to out
    // (cleared first). Random modes draw from one stream in row order, so the outcome depends
    // only on the seed and the sequence of rows.
    void sample(const SampleInput& in, SampleResult& out);
    // The same over the rows of a block; hash mode computes the key hashes here.
    void sample(FlowBlock& b, const uint8_t* mask, SampleResult& out);

  private:
    SampleConfig c_;
    Xoshiro256 rng_;
    BinomialSampler binom_;
    uint64_t hash_limit_;  // hash mode: keep when hash < limit
    std::vector<uint64_t> hashes_;
};

// The hash of a flow key (src, dst, sport, dport, proto) under a seed: the same flow gets the
// same hash wherever it was observed and whatever its counters.
uint64_t flow_key_hash(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
                       uint8_t proto, uint64_t seed);
// flow_key_hash of every row of b into out.
void flow_key_hashes(FlowBlock& b, uint64_t seed, std::vector<uint64_t>& out);

// Smart sampling's threshold z for a target of keeping 1/rate of the flows: the z with
// Σ min(1, x/z) = count/rate over the byte counts x (rounded up to a whole byte, at least 1).
// rate 1 (or too few flows): the smallest positive byte count, so nothing is dropped.
uint64_t smart_threshold(std::span<const uint64_t> bytes, uint64_t rate);

// Copies the kept rows of b into out (cleared first), with their new counters and rates.
void apply_sample(FlowBlock& b, const SampleResult& r, FlowBlock& out);

}  // namespace fk
