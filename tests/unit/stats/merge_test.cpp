// Merging per-thread tables: the groups and sums of both, and a merge that costs about what
// inserting its groups does, also when the merged groups would overfill the destination
// before it grows (each table 58% full: walked in slot order, the second table's groups used
// to pile up in one ever longer run of slots).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "record/ipaddr.h"
#include "stats/aggregate.h"

namespace fk {
namespace {

// One flow of 3 packets and 300 bytes from each of n sources, starting at 10.0.0.0 + first.
FlowBlock sources(uint32_t first, uint32_t n) {
    FlowBlock b;
    for (uint32_t i = 0; i < n; ++i) {
        FlowRecord r;
        r.src = IpAddr::v4(0x0a000000 + first + i);
        r.dst = IpAddr::v4(0xc0a80001);
        r.packets = 3;
        r.bytes = 300;
        r.start = 1000 + i;
        r.end = r.start + 5;
        b.append(r);
    }
    return b;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(MergeAgg, DisjointTablesCostLikeInserting) {
    // 152000 groups fill 58% of a 2^18-slot table; together they need 2^19 slots.
    constexpr uint32_t kHalf = 152000;
    const KeySpec spec = KeySpec::parse("srcip", false);
    double merge_time = 1e9, insert_time = 1e9;
    for (int run = 0; run < 3; ++run) {
        FlowBlock a = sources(0, kHalf), b = sources(kHalf, kHalf);
        AggTable left(spec), right(spec), direct(spec);
        left.add(a, nullptr);
        right.add(b, nullptr);
        auto t0 = std::chrono::steady_clock::now();
        left.merge(right);
        merge_time = std::min(merge_time, seconds_since(t0));
        t0 = std::chrono::steady_clock::now();
        direct.add(a, nullptr);
        direct.add(b, nullptr);
        insert_time = std::min(insert_time, seconds_since(t0));

        ASSERT_EQ(left.size(), 2 * kHalf);
        EXPECT_EQ(left.total_flows, 2 * kHalf);
        EXPECT_EQ(left.total_bytes, 2 * kHalf * 300);
        for (uint32_t g : left.groups()) {
            ASSERT_EQ(left.value(g).flows, 1u);
            ASSERT_EQ(left.value(g).packets, 3u);
        }
    }
    // Without room made first: about 20 times the insert time.
    EXPECT_LT(merge_time, 3 * insert_time) << merge_time << " s vs " << insert_time << " s";
}

TEST(MergeAgg, SharedGroupsAddUp) {
    const KeySpec spec = KeySpec::parse("srcip", false);
    FlowBlock a = sources(0, 3000), b = sources(1000, 3000);
    AggTable left(spec), right(spec);
    left.add(a, nullptr);
    right.add(b, nullptr);
    left.merge(right);
    EXPECT_EQ(left.size(), 4000u);
    EXPECT_EQ(left.total_flows, 6000u);
    for (uint32_t g : left.groups()) {
        const uint32_t host = static_cast<uint32_t>(left.key(g)[1]) - 0x0a000000;
        const uint64_t flows = host >= 1000 && host < 3000 ? 2 : 1;
        ASSERT_EQ(left.value(g).flows, flows) << host;
        ASSERT_EQ(left.value(g).bytes, flows * 300) << host;
    }
}

}  // namespace
}  // namespace fk
