// Randomness of flowsample: xoshiro256** seeded through SplitMix64, and the binomial draws of
// packet sampling. Same seed, same numbers on every machine (integer arithmetic and IEEE
// doubles only; no std:: distributions, whose algorithms differ between libraries).
#pragma once
#include <cmath>
#include <cstdint>

namespace fk {

// SplitMix64's output function: a bijective 64-bit mixer.
constexpr uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

class Xoshiro256 {
  public:
    explicit Xoshiro256(uint64_t seed = 1) { reseed(seed); }
    void reseed(uint64_t seed) {
        for (auto& w : s_) {
            seed += 0x9E3779B97F4A7C15ull;
            w = mix64(seed);
        }
    }
    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1), 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in (0, 1]: safe under log().
    double uniform_pos() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }
    // Uniform in [0, n), n > 0 (Lemire's multiply; bias below 2^-64 * n).
    uint64_t below(uint64_t n) {
        return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }
    // Standard normal (Box-Muller; the second value of a pair is kept for the next call).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double r = std::sqrt(-2.0 * std::log(uniform_pos()));
        const double a = 6.283185307179586476925 * uniform();
        spare_ = r * std::sin(a);
        has_spare_ = true;
        return r * std::cos(a);
    }

  private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
    double spare_ = 0;
    bool has_spare_ = false;
};

// Binomial(n, p) draws for a fixed p (one sampling rate): exact by geometric skipping while
// the mean n·p is below kExactMean (expected cost n·p + 1 logarithms), a rounded normal
// N(np, np(1-p)) above it. The approximation's mean is exact to far below one part in 10^9 and
// its variance is np(1-p) + 1/12 (the rounding), i.e. within 0.3 % from np = 64 on (p <= 1/2);
// tests/unit/sample/random_test.cpp checks both regimes against the exact moments and CDF.
class BinomialSampler {
  public:
    static constexpr double kExactMean = 64;
    explicit BinomialSampler(double p) : p_(p), log_q_(p < 1 ? std::log1p(-p) : 0) {}
    double p() const { return p_; }
    uint64_t operator()(Xoshiro256& rng, uint64_t n) const {
        if (n == 0 || p_ <= 0) return 0;
        if (p_ >= 1) return n;
        const double mean = static_cast<double>(n) * p_;
        if (mean < kExactMean) {
            // Gaps between successes are geometric: skip straight from one to the next.
            uint64_t k = 0;
            double pos = 0;
            const double limit = static_cast<double>(n);
            for (;;) {
                pos += std::floor(std::log(rng.uniform_pos()) / log_q_) + 1;
                if (pos > limit) return k;
                ++k;
            }
        }
        const double x = std::nearbyint(mean + std::sqrt(mean * (1 - p_)) * rng.normal());
        if (x <= 0) return 0;
        if (x >= static_cast<double>(n)) return n;
        return static_cast<uint64_t>(x);
    }

  private:
    double p_;
    double log_q_;
};

}  // namespace fk
