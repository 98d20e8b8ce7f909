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

namespace fk {
namespace {

// Text keys are summed per dictionary entry of a block: the same groups and sums as row by
// row, across blocks (each with its own dictionary), masks and merges.
TEST(TextAgg, SumsPerNameAcrossBlocks) {
    auto block = [](std::initializer_list<std::pair<const char*, uint64_t>> rows) {
        FlowBlock b;
        uint64_t t = 1000;
        for (const auto& [name, bytes] : rows) {
            FlowRecord r;
            r.sni = name;
            r.packets = 1;
            r.bytes = bytes;
            r.start = t;
            r.end = t + 5;
            t += 10;
            b.append(r);
        }
        return b;
    };
    FlowBlock b1 = block({{"a.example", 100}, {"", 7}, {"b.example", 30}, {"a.example", 5}});
    FlowBlock b2 = block({{"b.example", 1000}, {"a.example", 1}, {"c.example", 2}});
    const uint8_t skip_c[] = {1, 1, 0};
    AggTable t(KeySpec::parse("sni", true)), u(KeySpec::parse("sni", true));
    t.add(b1, nullptr);
    u.add(b2, skip_c);
    t.merge(u);
    EXPECT_EQ(t.size(), 3u);  // "", a.example, b.example
    EXPECT_EQ(t.total_flows, 6u);
    EXPECT_EQ(t.total_bytes, 1143u);
    const auto g = t.sorted(StatOrder::kBytes, 0);
    ASSERT_EQ(g.size(), 3u);
    EXPECT_EQ(t.key_text(g[0], 0), "b.example");
    EXPECT_EQ(t.value(g[0]).bytes, 1030u);
    EXPECT_EQ(t.value(g[0]).flows, 2u);
    EXPECT_EQ(t.value(g[0]).first, 1000u);  // b2's first row
    EXPECT_EQ(t.value(g[0]).last, 1025u);   // b1's third row ends at 1020 + 5
    EXPECT_EQ(t.key_text(g[1], 0), "a.example");
    EXPECT_EQ(t.value(g[1]).bytes, 106u);
    EXPECT_EQ(t.value(g[1]).flows, 3u);
    EXPECT_EQ(t.key_text(g[2], 0), "");
    EXPECT_EQ(t.value(g[2]).bytes, 7u);
}

}  // namespace
}  // namespace fk
