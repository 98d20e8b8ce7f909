// Sums of packets and bytes stop at UINT64_MAX instead of wrapping round to a small number:
// in the totals of -I (Summary) and in the groups and totals of -s and -A (AggTable), within a
// block, across blocks and across merged tables.
#include <gtest/gtest.h>

#include "format/summary.h"
#include "record/ipaddr.h"
#include "stats/aggregate.h"

namespace fk {
namespace {

constexpr uint64_t kMax = UINT64_MAX;

// Flows from 10.0.0.1 to 10.0.0.2 (or to itself), port 443, SNI example.org, with the given
// packets and bytes.
FlowBlock flows(std::initializer_list<uint64_t> counts, bool to_self = false) {
    FlowBlock b;
    uint64_t t = 1000;
    for (uint64_t c : counts) {
        FlowRecord r;
        r.src = IpAddr::v4(0x0a000001);
        r.dst = IpAddr::v4(to_self ? 0x0a000001 : 0x0a000002);
        r.dport = 443;
        r.proto = 6;
        r.sni = "example.org";
        r.packets = c;
        r.bytes = c;
        r.start = t++;
        r.end = t;
        b.append(r);
    }
    return b;
}

TEST(Saturate, SummaryOfOneBlock) {
    FlowBlock b = flows({kMax, 5});
    Summary all_rows, masked, footer;
    all_rows.add(b);
    const uint8_t both[] = {1, 1};
    masked.add(b, both);
    footer.add_all(b, both);
    for (const Summary* s : {&all_rows, &masked, &footer}) {
        EXPECT_EQ(s->all.flows, 2u);
        EXPECT_EQ(s->all.packets, kMax);
        EXPECT_EQ(s->all.bytes, kMax);
    }
    EXPECT_EQ(all_rows.tcp.packets, kMax);
    EXPECT_EQ(all_rows.other.packets, 0u);
    EXPECT_EQ(all_rows.other.flows, 0u);
}

TEST(Saturate, SummaryAcrossBlocksAndRows) {
    FlowBlock big = flows({kMax - 1}), small = flows({3});
    Summary s;
    s.add(big);
    s.add(small);
    EXPECT_EQ(s.all.packets, kMax);
    EXPECT_EQ(s.tcp.bytes, kMax);
    Summary m;
    m.merge(s);
    m.merge(s);
    EXPECT_EQ(m.all.packets, kMax);
    EXPECT_EQ(m.all.flows, 4u);
    FlowRecord r;
    r.proto = 17;
    r.packets = r.bytes = kMax - 2;
    Summary rows;
    rows.add_row(r);
    rows.add_row(r);
    EXPECT_EQ(rows.udp.packets, kMax);
    EXPECT_EQ(rows.all.bytes, kMax);
}

// Every kind of table: one 16-bit key (a slot per value), an address (hashed), and both
// sides of a flow (a flow to itself counts twice in one group).
TEST(Saturate, GroupsAndTotals) {
    for (const char* key : {"dstport", "srcip", "ip"}) {
        AggTable in_block(KeySpec::parse(key, true)), across(KeySpec::parse(key, true));
        FlowBlock b = flows({kMax, 5});
        in_block.add(b, nullptr);
        FlowBlock half1 = flows({uint64_t{1} << 63}), half2 = flows({uint64_t{1} << 63});
        across.add(half1, nullptr);
        across.add(half2, nullptr);
        for (const AggTable* t : {&in_block, &across}) {
            EXPECT_EQ(t->total_packets, kMax) << key;
            EXPECT_EQ(t->total_bytes, kMax) << key;
            for (uint32_t g : t->groups()) {
                EXPECT_EQ(t->value(g).packets, kMax) << key << " " << t->key_text(g, 0);
                EXPECT_EQ(t->value(g).bytes, kMax) << key << " " << t->key_text(g, 0);
                EXPECT_EQ(t->value(g).flows, 2u) << key;
            }
        }
    }
    // Half of UINT64_MAX from a flow to itself: twice in its group, which is then just full.
    AggTable self(KeySpec::parse("ip", true));
    FlowBlock b = flows({kMax / 2 + 1}, true);
    self.add(b, nullptr);
    ASSERT_EQ(self.size(), 1u);
    EXPECT_EQ(self.value(self.groups()[0]).packets, kMax);
    AggTable exact(KeySpec::parse("ip", true));
    FlowBlock c = flows({kMax / 2}, true);
    exact.add(c, nullptr);
    EXPECT_EQ(exact.value(exact.groups()[0]).packets, kMax - 1);
}

TEST(Saturate, MergedTables) {
    for (const char* key : {"dstport", "srcip", "sni"}) {
        AggTable a(KeySpec::parse(key, false)), b(KeySpec::parse(key, false));
        FlowBlock x = flows({kMax - 1}), y = flows({2});
        a.add(x, nullptr);
        b.add(y, nullptr);
        a.merge(b);
        EXPECT_EQ(a.total_packets, kMax) << key;
        ASSERT_EQ(a.size(), 1u) << key;
        EXPECT_EQ(a.value(a.groups()[0]).packets, kMax) << key;
        EXPECT_EQ(a.value(a.groups()[0]).flows, 2u) << key;
    }
}

TEST(Saturate, SharedTableOfSeveralShards) {
    AggTable t(KeySpec::parse("srcip", false), 4);
    FlowBlock x = flows({kMax - 1}), y = flows({7, 8});
    t.add(x, nullptr);
    t.add(y, nullptr);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t.value(t.groups()[0]).bytes, kMax);
    EXPECT_EQ(t.total_bytes, kMax);
}

}  // namespace
}  // namespace fk
