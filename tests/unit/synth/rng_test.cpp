#include "synth/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace fk::synth {
namespace {

TEST(synth_rng, SameSeedSameStream) {
    Rng a(7), b(7), c(8);
    for (int i = 0; i < 100; ++i) {
        const uint64_t x = a.next();
        EXPECT_EQ(x, b.next());
        EXPECT_NE(x, c.next());
    }
}

TEST(synth_rng, BelowAndBetweenStayInRange) {
    Rng r(1);
    for (int i = 0; i < 100000; ++i) {
        ASSERT_LT(r.below(7), 7u);
        const uint64_t v = r.between(10, 12);
        ASSERT_GE(v, 10u);
        ASSERT_LE(v, 12u);
    }
}

TEST(synth_rng, ParetoIsHeavyTailedAndCapped) {
    Rng r(3);
    std::vector<double> x(200000);
    for (auto& v : x) v = r.pareto(100, 1.1, 1e6);
    std::sort(x.begin(), x.end());
    EXPECT_GE(x.front(), 100);
    EXPECT_LE(x.back(), 1e6);
    // Median of a Pareto: xm * 2^(1/alpha) = 188; the top 1% hold a large share of the mass.
    EXPECT_NEAR(x[x.size() / 2], 188, 10);
    double total = 0, top = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        total += x[i];
        if (i >= x.size() * 99 / 100) top += x[i];
    }
    EXPECT_GT(top / total, 0.3);
}

TEST(synth_weighted_pick, FollowsTheWeightsAndSkipsZeros) {
    const double w[] = {1, 0, 3};
    WeightedPick pick(w);
    Rng r(5);
    int counts[3] = {};
    for (int i = 0; i < 40000; ++i) ++counts[pick.pick(r)];
    EXPECT_EQ(counts[1], 0);
    EXPECT_NEAR(counts[2] / static_cast<double>(counts[0]), 3.0, 0.2);
    EXPECT_TRUE(WeightedPick(std::vector<double>{0, 0}).empty());
}

}  // namespace
}  // namespace fk::synth
