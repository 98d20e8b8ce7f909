// The slot-per-value path of AggTable (one 8/16-bit key): counts, either-direction keys,
// merging and order, against hand-summed flows.
#include <gtest/gtest.h>

#include "stats/aggregate.h"

namespace fk {
namespace {

FlowBlock flows() {
    FlowBlock b;
    auto add = [&](uint16_t sport, uint16_t dport, uint8_t proto, uint64_t packets, uint64_t bytes,
                   uint64_t start) {
        FlowRecord r;
        r.sport = sport;
        r.dport = dport;
        r.proto = proto;
        r.packets = packets;
        r.bytes = bytes;
        r.start = start;
        r.end = start + 10;
        b.append(r);
    };
    add(40000, 443, 6, 10, 1000, 100);
    add(443, 40000, 6, 8, 5000, 105);
    add(5353, 53, 17, 1, 80, 50);
    add(65535, 443, 6, 2, 120, 200);
    return b;
}

TEST(DenseAgg, PortsCountEachDirection) {
    FlowBlock b = flows();
    AggTable t(KeySpec::parse("port", true));
    t.add(b, nullptr);
    EXPECT_EQ(t.size(), 5u);  // 40000, 443, 5353, 53, 65535
    EXPECT_EQ(t.total_flows, 4u);
    const auto top = t.sorted(StatOrder::kBytes, 2);
    ASSERT_EQ(top.size(), 2u);
    EXPECT_EQ(t.key_text(top[0], 0), "443");  // 1000 + 5000 + 120
    EXPECT_EQ(t.value(top[0]).bytes, 6120u);
    EXPECT_EQ(t.value(top[0]).flows, 3u);
    EXPECT_EQ(t.value(top[0]).first, 100u);
    EXPECT_EQ(t.value(top[0]).last, 210u);
    EXPECT_EQ(t.key_text(top[1], 0), "40000");
    EXPECT_EQ(t.value(top[1]).packets, 18u);
}

TEST(DenseAgg, MaskAndMerge) {
    FlowBlock b = flows();
    const uint8_t first_two[] = {1, 1, 0, 0};
    const uint8_t last_two[] = {0, 0, 1, 1};
    AggTable a(KeySpec::parse("proto", false)), c(KeySpec::parse("proto", false));
    a.add(b, first_two);
    c.add(b, last_two);
    EXPECT_EQ(a.size(), 1u);
    a.merge(c);
    EXPECT_EQ(a.size(), 2u);
    EXPECT_EQ(a.total_bytes, 6200u);
    const auto all = a.sorted(StatOrder::kFlows, 0);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(a.key_text(all[0], 0), "tcp");
    EXPECT_EQ(a.value(all[0]).flows, 3u);
    EXPECT_EQ(a.value(all[0]).bytes, 6120u);
    EXPECT_EQ(a.key_text(all[1], 0), "udp");
    EXPECT_EQ(a.value(all[1]).first, 50u);
}

}  // namespace
}  // namespace fk
