// Sampling modes: unbiasedness and variance against each mode's analytic formula over many
// fixed seeds, hand-computed thresholds, hash consistency across vantage points, and the
// records a sampled block holds.
#include "sample/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/error.h"
#include "record/ipaddr.h"

namespace fk {
namespace {

// 600 flows: mostly small (1..40 packets of 40..1500 bytes), every 40th a large transfer.
struct Population {
    std::vector<uint64_t> packets, bytes, hashes;
    double P = 0, B = 0;
    Population() {
        Xoshiro256 rng(2024);
        for (int i = 0; i < 600; ++i) {
            const uint64_t n = i % 40 == 0 ? 2000 + rng.below(20000) : 1 + rng.below(40);
            const uint64_t x = n * (40 + rng.below(1461));
            packets.push_back(n);
            bytes.push_back(x);
            P += static_cast<double>(n);
            B += static_cast<double>(x);
            hashes.push_back(flow_key_hash(IpAddr::v4(0x0a000000u + static_cast<uint32_t>(i)),
                                           IpAddr::v4(0xc0a80001u), static_cast<uint16_t>(i), 443,
                                           6, 0));
        }
    }
};

struct Estimates {
    std::vector<double> bytes, packets, flows;
};

// Estimates of the totals from `seeds` independent samples.
Estimates run(const Population& pop, SampleMode mode, uint64_t rate, int seeds, uint64_t z = 0) {
    Estimates e;
    SampleResult r;
    std::vector<uint64_t> hashes(pop.hashes.size());
    for (int s = 0; s < seeds; ++s) {
        Sampler smp({mode, rate, static_cast<uint64_t>(1000 + s), z});
        SampleInput in;
        in.n = pop.bytes.size();
        in.packets = pop.packets.data();
        in.bytes = pop.bytes.data();
        if (mode == SampleMode::kHash) {
            // The seed is the hash key: re-key the flows as flowsample does.
            for (size_t i = 0; i < hashes.size(); ++i)
                hashes[i] = flow_key_hash(IpAddr::v4(0x0a000000u + static_cast<uint32_t>(i)),
                                          IpAddr::v4(0xc0a80001u), static_cast<uint16_t>(i), 443, 6,
                                          1000 + s);
            in.key_hash = hashes.data();
        }
        smp.sample(in, r);
        double b = 0, p = 0, f = 0;
        for (size_t j = 0; j < r.size(); ++j) {
            b += static_cast<double>(r.bytes[j]);
            p += static_cast<double>(r.packets[j]);
            f += r.weight[j];
        }
        e.bytes.push_back(b);
        e.packets.push_back(p);
        e.flows.push_back(f);
    }
    return e;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return s / static_cast<double>(v.size() - 1);
}

// Mean within 4 standard errors (of the analytic variance) of the truth; sample variance
// within `tol` (relative) of the analytic variance.
void check(const std::vector<double>& est, double truth, double var, double tol, const char* what) {
    const double se = std::sqrt(var / static_cast<double>(est.size()));
    EXPECT_NEAR(mean(est), truth, 4 * se) << what;
    EXPECT_NEAR(variance(est) / var, 1.0, tol) << what;
}

constexpr int kSeeds = 1000;
// The relative standard error of a sample variance from 1000 near-normal draws is 4.5 %.
constexpr double kVarTol = 0.2;

TEST(Sampler, FlowModeUnbiasedWithFlowVariance) {
    const Population pop;
    for (uint64_t N : {10ull, 100ull}) {
        const Estimates e = run(pop, SampleMode::kFlow, N, kSeeds);
        double sx2 = 0, sn2 = 0;
        for (size_t i = 0; i < pop.bytes.size(); ++i) {
            sx2 += std::pow(static_cast<double>(pop.bytes[i]), 2);
            sn2 += std::pow(static_cast<double>(pop.packets[i]), 2);
        }
        const double F = static_cast<double>(pop.bytes.size());
        const double tol = N == 10 ? kVarTol : 0.35;  // 1:100 of 600 flows: skewed totals
        check(e.bytes, pop.B, (N - 1) * sx2, tol, "flow bytes");
        check(e.packets, pop.P, (N - 1) * sn2, tol, "flow packets");
        check(e.flows, F, (N - 1) * F, tol, "flow flows");
    }
}

TEST(Sampler, HashModeUnbiasedOverKeys) {
    const Population pop;
    const uint64_t N = 10;
    const Estimates e = run(pop, SampleMode::kHash, N, kSeeds);
    double sx2 = 0;
    for (uint64_t x : pop.bytes) sx2 += std::pow(static_cast<double>(x), 2);
    const double F = static_cast<double>(pop.bytes.size());
    check(e.bytes, pop.B, (N - 1) * sx2, kVarTol, "hash bytes");
    check(e.flows, F, (N - 1) * F, kVarTol, "hash flows");
}

TEST(Sampler, PacketModeUnbiasedWithBinomialVariance) {
    const Population pop;
    for (uint64_t N : {10ull, 1000ull}) {
        const Estimates e = run(pop, SampleMode::kPacket, N, kSeeds);
        // Per flow: N·k·x/n with k ~ Bin(n, 1/N): Var = (N-1)·x²/n; packets: (N-1)·n.
        double vb = 0;
        for (size_t i = 0; i < pop.bytes.size(); ++i)
            vb += (N - 1) * std::pow(static_cast<double>(pop.bytes[i]), 2) /
                  static_cast<double>(pop.packets[i]);
        check(e.bytes, pop.B, vb, kVarTol, "packet bytes");
        check(e.packets, pop.P, (N - 1) * pop.P, kVarTol, "packet packets");
    }
}

TEST(Sampler, SmartModeUnbiasedWithThresholdVariance) {
    const Population pop;
    for (uint64_t N : {10ull, 100ull}) {
        const uint64_t z = smart_threshold(pop.bytes, N);
        const Estimates e = run(pop, SampleMode::kSmart, N, kSeeds, z);
        const double zd = static_cast<double>(z);
        double vb = 0, vp = 0, vf = 0;
        for (size_t i = 0; i < pop.bytes.size(); ++i) {
            const double x = static_cast<double>(pop.bytes[i]);
            const double n = static_cast<double>(pop.packets[i]);
            if (x >= zd) continue;
            vb += x * (zd - x);
            vp += n * n * (zd - x) / x;
            vf += zd / x - 1;
        }
        check(e.bytes, pop.B, vb, kVarTol, "smart bytes");
        // Packets get an extra random rounding (variance < 1/4 per kept flow): mean only.
        EXPECT_NEAR(mean(e.packets), pop.P, 4 * std::sqrt((vp + 150) / kSeeds)) << "smart packets";
        // Flows count 1/p = z/x: tiny flows weigh thousands, so the sample variance of 1000
        // runs is too unstable to compare; the mean is checked.
        EXPECT_NEAR(mean(e.flows), 600.0, 4 * std::sqrt(vf / kSeeds)) << "smart flows";
    }
}

TEST(Sampler, SmartThresholdHandComputed) {
    // Σ min(1, x/100) = 1 + .5 + .3 + .2 = 2 = 4 flows / 2.
    const std::vector<uint64_t> a{20, 100, 30, 50};
    EXPECT_EQ(smart_threshold(a, 2), 100u);
    // The big flow is kept for sure; nine flows of 10 give 9·10/z = 1 → z = 90.
    std::vector<uint64_t> b(9, 10);
    b.push_back(1000);
    EXPECT_EQ(smart_threshold(b, 5), 90u);
    // Rate 1 keeps everything: z is the smallest flow.
    EXPECT_EQ(smart_threshold(b, 1), 10u);
}

TEST(Sampler, SmartThresholdKeepsAboutOneInN) {
    const Population pop;
    for (uint64_t N : {10ull, 100ull}) {
        const uint64_t z = smart_threshold(pop.bytes, N);
        double kept = 0;
        for (uint64_t x : pop.bytes) kept += std::min(1.0, static_cast<double>(x) / z);
        EXPECT_NEAR(kept, 600.0 / N, 0.01) << N;
    }
}

TEST(Sampler, SmartKeepsLargeFlowsAsTheyAre) {
    const std::vector<uint64_t> packets{1, 3, 50}, bytes{100, 300, 60000};
    Sampler s({SampleMode::kSmart, 10, 5, 1000});
    SampleResult r;
    SampleInput in{3, packets.data(), bytes.data(), nullptr, nullptr, nullptr};
    for (int round = 0; round < 50; ++round) {
        s.sample(in, r);
        ASSERT_GE(r.size(), 1u);
        ASSERT_EQ(r.rows.back(), 2u);
        EXPECT_EQ(r.bytes.back(), 60000u);
        EXPECT_EQ(r.packets.back(), 50u);
        EXPECT_EQ(r.sampling.back(), 1u);
        for (size_t j = 0; j + 1 < r.size(); ++j) {
            EXPECT_EQ(r.bytes[j], 1000u);  // small flows are raised to z
            const uint32_t row = r.rows[j];
            EXPECT_EQ(r.sampling[j], row == 0 ? 10u : 3u);  // round(z/x)
        }
    }
}

TEST(Sampler, PacketModeOnSampledInputCompoundsRates) {
    // Input sampled 1:10 (counters already ×10): 40 packets = 4 seen; 1:10 more gives 1:100.
    const std::vector<uint64_t> packets(200, 40), bytes(200, 40000);
    const std::vector<uint32_t> rate(200, 10);
    Sampler s({SampleMode::kPacket, 10, 3, 0});
    SampleResult r;
    s.sample(SampleInput{200, packets.data(), bytes.data(), rate.data(), nullptr, nullptr}, r);
    ASSERT_GT(r.size(), 0u);
    for (size_t j = 0; j < r.size(); ++j) {
        EXPECT_EQ(r.sampling[j], 100u);
        EXPECT_EQ(r.packets[j] % 100, 0u);
        EXPECT_LE(r.packets[j], 400u);
        EXPECT_EQ(r.bytes[j], r.packets[j] * 1000);  // the mean packet size stays 1000
    }
    // P(a flow of 4 seen packets survives 1:10) = 1 - 0.9^4 = 0.3439.
    EXPECT_NEAR(static_cast<double>(r.size()) / 200, 0.3439, 4 * std::sqrt(0.3439 * 0.6561 / 200));
}

TEST(Sampler, RateOneIsIdentity) {
    const Population pop;
    for (SampleMode m :
         {SampleMode::kFlow, SampleMode::kPacket, SampleMode::kSmart, SampleMode::kHash}) {
        Sampler s({m, 1, 9, 0});
        SampleResult r;
        SampleInput in{pop.bytes.size(), pop.packets.data(), pop.bytes.data(),
                       nullptr,          pop.hashes.data(),  nullptr};
        s.sample(in, r);
        ASSERT_EQ(r.size(), pop.bytes.size());
        for (size_t j = 0; j < r.size(); ++j) {
            EXPECT_EQ(r.bytes[j], pop.bytes[j]);
            EXPECT_EQ(r.packets[j], pop.packets[j]);
            EXPECT_EQ(r.sampling[j], 1u);
        }
    }
}

TEST(Sampler, SameSeedSameSample) {
    const Population pop;
    SampleInput in{pop.bytes.size(), pop.packets.data(), pop.bytes.data(), nullptr, nullptr,
                   nullptr};
    SampleResult a, b, c;
    Sampler({SampleMode::kPacket, 10, 77, 0}).sample(in, a);
    Sampler({SampleMode::kPacket, 10, 77, 0}).sample(in, b);
    Sampler({SampleMode::kPacket, 10, 78, 0}).sample(in, c);
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.bytes, b.bytes);
    EXPECT_NE(a.bytes, c.bytes);
}

FlowRecord flow(uint32_t src, uint16_t sport, uint64_t packets, uint64_t bytes) {
    FlowRecord r;
    r.src = IpAddr::v4(src);
    r.dst = IpAddr::v4(0x08080808);
    r.sport = sport;
    r.dport = 53;
    r.proto = 17;
    r.packets = packets;
    r.bytes = bytes;
    r.start = 1'700'000'000'000'000ull + sport;
    r.end = r.start + 1000;
    return r;
}

// Two vantage points see the same 2000 flows in another order with other counters: hash
// sampling keeps the same keys at both.
TEST(Sampler, HashKeepsTheSameKeysAtTwoVantagePoints) {
    FlowBlock a, b;
    for (uint32_t i = 0; i < 2000; ++i)
        a.append(flow(0x0a000000 + i, 1000 + i % 7, 1 + i % 5, 100 + i));
    for (uint32_t k = 0; k < 2000; ++k) {
        const uint32_t i = (k * 7919) % 2000;  // a permutation (7919 is prime to 2000)
        b.append(flow(0x0a000000 + i, 1000 + i % 7, 3 + i % 11, 5000 + 3 * i));
    }
    auto kept_keys = [](FlowBlock& blk, uint64_t seed) {
        Sampler s({SampleMode::kHash, 20, seed, 0});
        SampleResult r;
        s.sample(blk, nullptr, r);
        std::set<std::pair<uint32_t, uint16_t>> keys;
        for (uint32_t row : r.rows) keys.insert({blk.src[row].v4_value(), blk.sport[row]});
        return keys;
    };
    const auto ka = kept_keys(a, 5), kb = kept_keys(b, 5), kc = kept_keys(a, 6);
    EXPECT_EQ(ka, kb);
    EXPECT_NEAR(static_cast<double>(ka.size()), 100.0, 4 * std::sqrt(2000 * 0.05 * 0.95));
    EXPECT_NE(ka, kc);  // another key, another sample
}

TEST(Sampler, AppliedBlockCarriesRenormalisedRecords) {
    FlowBlock in;
    for (uint32_t i = 0; i < 1000; ++i) in.append(flow(0x0a000000 + i, 2000, 2, 150));
    Sampler s({SampleMode::kFlow, 8, 1, 0});
    SampleResult r;
    s.sample(in, nullptr, r);
    FlowBlock out;
    apply_sample(in, r, out);
    ASSERT_EQ(out.size(), r.size());
    ASSERT_GT(out.size(), 80u);
    ASSERT_LT(out.size(), 170u);
    EXPECT_TRUE(out.may_hold_values(FieldId::sampling));
    for (size_t j = 0; j < out.size(); ++j) {
        EXPECT_EQ(out.packets[j], 16u);
        EXPECT_EQ(out.bytes[j], 1200u);
        EXPECT_EQ(out.sampling[j], 8u);
        EXPECT_EQ(out.src[j], in.src[r.rows[j]]);
        EXPECT_EQ(out.dport[j], 53u);
        EXPECT_EQ(out.start[j], in.start[r.rows[j]]);
    }
}

TEST(Sampler, ModeNames) {
    EXPECT_EQ(parse_sample_mode("smart"), SampleMode::kSmart);
    EXPECT_EQ(sample_mode_name(SampleMode::kHash), "hash");
    EXPECT_THROW(parse_sample_mode("bernoulli"), UsageError);
    EXPECT_THROW(Sampler({SampleMode::kFlow, 0, 1, 0}), UsageError);
}

}  // namespace
}  // namespace fk
