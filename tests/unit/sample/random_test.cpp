// The binomial draws of packet sampling against the exact distribution: moments in both
// regimes (geometric skipping, rounded normal) and the CDF of the exact regime.
#include "sample/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace fk {
namespace {

struct Moments {
    double mean = 0, var = 0;
};

Moments draw(uint64_t n, double p, int count, uint64_t seed,
             std::vector<uint64_t>* hist = nullptr) {
    Xoshiro256 rng(seed);
    BinomialSampler b(p);
    double s = 0, s2 = 0;
    for (int i = 0; i < count; ++i) {
        const uint64_t k = b(rng, n);
        EXPECT_LE(k, n);
        if (hist) ++(*hist)[k];
        s += static_cast<double>(k);
        s2 += static_cast<double>(k) * static_cast<double>(k);
    }
    Moments m;
    m.mean = s / count;
    m.var = (s2 - s * s / count) / (count - 1);
    return m;
}

TEST(Random, SameSeedSameStream) {
    Xoshiro256 a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        const uint64_t x = a.next();
        EXPECT_EQ(x, b.next());
        EXPECT_NE(x, c.next());
    }
}

TEST(Random, UniformIsUniform) {
    Xoshiro256 rng(7);
    std::vector<int> buckets(10);
    constexpr int kDraws = 100000;
    for (int i = 0; i < kDraws; ++i) ++buckets[rng.below(10)];
    for (int c : buckets) EXPECT_NEAR(c, kDraws / 10, 4 * std::sqrt(kDraws * 0.1 * 0.9));
}

TEST(Binomial, EdgeCases) {
    Xoshiro256 rng(1);
    EXPECT_EQ(BinomialSampler(0.1)(rng, 0), 0u);
    EXPECT_EQ(BinomialSampler(1.0)(rng, 17), 17u);
    EXPECT_EQ(BinomialSampler(0.0)(rng, 17), 0u);
}

// Exact regime: mean, variance and the whole CDF of Binomial(50, 0.1).
TEST(Binomial, ExactRegimeMatchesCdf) {
    constexpr uint64_t n = 50;
    constexpr double p = 0.1;
    constexpr int kDraws = 200000;
    std::vector<uint64_t> hist(n + 1);
    const Moments m = draw(n, p, kDraws, 3, &hist);
    const double var = n * p * (1 - p);
    EXPECT_NEAR(m.mean, n * p, 4 * std::sqrt(var / kDraws));
    EXPECT_NEAR(m.var / var, 1.0, 0.03);
    // Kolmogorov distance to the exact CDF: 1.63/sqrt(N) is the 1 % critical value.
    double pmf = std::pow(1 - p, n), cdf = 0, emp = 0, dmax = 0;
    for (uint64_t k = 0; k <= n; ++k) {
        cdf += pmf;
        emp += static_cast<double>(hist[k]) / kDraws;
        dmax = std::max(dmax, std::fabs(cdf - emp));
        pmf *= static_cast<double>(n - k) / static_cast<double>(k + 1) * p / (1 - p);
    }
    EXPECT_LT(dmax, 1.63 / std::sqrt(kDraws));
}

// 1:8000 of a one-packet..few-packet flow: almost always zero, exactly 1/N on average.
TEST(Binomial, RareSuccesses) {
    constexpr int kDraws = 400000;
    const Moments m = draw(20, 1.0 / 8000, kDraws, 5);
    const double mean = 20.0 / 8000;
    EXPECT_NEAR(m.mean, mean, 4 * std::sqrt(mean / kDraws));
}

// Normal regime (n·p = 1000 and 64, the switch-over): moments within tolerance, documented in
// random.h as variance np(1-p) + 1/12.
TEST(Binomial, NormalRegimeMoments) {
    constexpr int kDraws = 100000;
    for (const auto& [n, p] : {std::pair<uint64_t, double>{1000000, 0.001}, {640, 0.1}}) {
        const Moments m = draw(n, p, kDraws, 11);
        const double var = static_cast<double>(n) * p * (1 - p);
        EXPECT_NEAR(m.mean, n * p, 4 * std::sqrt(var / kDraws)) << n;
        EXPECT_NEAR(m.var / var, 1.0, 0.03) << n;
    }
}

// Both sides of the switch-over give the same distribution: P(k <= mean) for n·p just below
// and above 64 agree with the exact binomial within sampling error.
TEST(Binomial, SwitchOverIsContinuous) {
    constexpr int kDraws = 100000;
    for (uint64_t n : {639ull, 641ull}) {
        const double p = 0.1;
        Xoshiro256 rng(13);
        BinomialSampler b(p);
        int below = 0;
        for (int i = 0; i < kDraws; ++i) below += b(rng, n) <= 64;
        // Exact P(K <= 64) by summing the pmf in log space.
        double cdf = 0;
        for (uint64_t k = 0; k <= 64; ++k) {
            const double lp = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) -
                              std::lgamma(n - k + 1.0) + k * std::log(p) + (n - k) * std::log1p(-p);
            cdf += std::exp(lp);
        }
        EXPECT_NEAR(static_cast<double>(below) / kDraws, cdf,
                    4 * std::sqrt(cdf * (1 - cdf) / kDraws))
            << n;
    }
}

}  // namespace
}  // namespace fk
