// The one source of randomness of flowsynth: a small, fast, seedable generator and the
// distributions the traffic model draws from. Same seed, same numbers, on every machine.
#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

namespace fk::synth {

// SplitMix64: 8 bytes of state, so every conversation can carry its own stream and be
// generated independently of how the others interleave.
class Rng {
  public:
    Rng() = default;
    explicit Rng(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // A new independent generator, for a conversation or a scenario.
    Rng fork() { return Rng(next() ^ 0xD1B54A32D192ED03ull); }

    // Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, n); n > 0.
    uint64_t below(uint64_t n) {
        return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }
    // Uniform in [lo, hi].
    uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
    bool chance(double p) { return uniform() < p; }
    double exponential(double mean) { return -mean * std::log1p(-uniform()); }
    // Standard normal (Box-Muller, both values of a pair used).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double r = std::sqrt(-2.0 * std::log(1.0 - uniform()));
        const double a = 2.0 * std::numbers::pi * uniform();
        spare_ = r * std::sin(a);
        has_spare_ = true;
        return r * std::cos(a);
    }
    // Log-normal with the given median and spread (sigma of the underlying normal).
    double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
    // Pareto with minimum xm and tail index alpha, cut at cap.
    double pareto(double xm, double alpha, double cap) {
        const double x = xm / std::pow(1.0 - uniform(), 1.0 / alpha);
        return x < cap ? x : cap;
    }
    void fill(uint8_t* out, size_t n) {
        while (n >= 8) {
            const uint64_t v = next();
            for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
            out += 8;
            n -= 8;
        }
        if (n > 0) {
            const uint64_t v = next();
            for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
        }
    }

  private:
    uint64_t state_ = 0;
    double spare_ = 0;
    bool has_spare_ = false;
};

// Picks an index with probability proportional to its weight in constant time (Vose's alias
// method); built once, used per conversation.
class WeightedPick {
  public:
    WeightedPick() = default;
    explicit WeightedPick(std::span<const double> weights);
    bool empty() const { return slots_.empty(); }
    size_t pick(Rng& rng) const {
        const Slot& s = slots_[rng.below(slots_.size())];
        return rng.uniform() < s.keep ? &s - slots_.data() : s.alias;
    }

  private:
    struct Slot {
        double keep;  // probability of the slot's own index
        size_t alias;
    };
    std::vector<Slot> slots_;
};

// Weights 1/(i+1)^s for i in [0, n): the popularity of hosts and servers.
std::vector<double> zipf_weights(size_t n, double s);

}  // namespace fk::synth
