// A sharded AggTable filled by several threads at once holds the same groups, sums and
// totals as one table filled by one thread: hand-checked sums for a few hosts, and every
// group of 200k flows compared.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "record/ipaddr.h"
#include "stats/aggregate.h"

namespace fk {
namespace {

// Flows from 5000 sources to 300 destinations, 20000 rows per block; flow i of block k has
// i % 7 + 1 packets and 100 * (i % 7 + 1) bytes.
FlowBlock block(uint32_t k) {
    FlowBlock b;
    for (uint32_t i = 0; i < 20000; ++i) {
        FlowRecord r;
        const uint32_t f = k * 20000 + i;
        r.src = IpAddr::v4(0x0a000000 + f * 2654435761u % 5000);
        r.dst = IpAddr::v4(0xc0a80000 + f % 300);
        r.dport = 443;
        r.proto = 6;
        r.packets = i % 7 + 1;
        r.bytes = 100 * r.packets;
        r.start = 1000 + f;
        r.end = r.start + 5;
        b.append(r);
    }
    return b;
}

TEST(ShardedAgg, ThreadsAddToOneTable) {
    std::vector<FlowBlock> blocks;
    for (uint32_t k = 0; k < 10; ++k) blocks.push_back(block(k));
    for (const char* key : {"srcip", "srcip,dstip", "ip"}) {
        const KeySpec spec = KeySpec::parse(key, true);
        ASSERT_TRUE(AggTable::shardable(spec));
        AggTable one(spec), shared(spec, 8);
        for (auto& b : blocks) one.add(b, nullptr);
        std::vector<std::thread> threads;
        for (unsigned w = 0; w < 3; ++w) {
            threads.emplace_back([&, w] {
                for (size_t k = w; k < blocks.size(); k += 3) {
                    FlowBlock copy = blocks[k];
                    shared.add(copy, nullptr);
                }
            });
        }
        for (auto& t : threads) t.join();
        EXPECT_EQ(shared.size(), one.size()) << key;
        EXPECT_EQ(shared.total_flows, 200000u);
        EXPECT_EQ(shared.total_bytes, one.total_bytes);
        const auto a = one.sorted(StatOrder::kBytes, 0), b = shared.sorted(StatOrder::kBytes, 0);
        ASSERT_EQ(a.size(), b.size());
        for (size_t g = 0; g < a.size(); ++g) {
            for (size_t p = 0; p < spec.parts.size(); ++p)
                ASSERT_EQ(shared.key_text(b[g], p), one.key_text(a[g], p)) << key << " " << g;
            ASSERT_EQ(shared.value(b[g]).bytes, one.value(a[g]).bytes);
            ASSERT_EQ(shared.value(b[g]).flows, one.value(a[g]).flows);
            ASSERT_EQ(shared.value(b[g]).first, one.value(a[g]).first);
            ASSERT_EQ(shared.value(b[g]).last, one.value(a[g]).last);
        }
    }
}

// The sums by hand for one destination: 200000 flows over 300 destinations, the flows of
// 192.168.0.0 are f = 0, 300, 600, ...
TEST(ShardedAgg, SumsByHand) {
    std::vector<FlowBlock> blocks;
    for (uint32_t k = 0; k < 10; ++k) blocks.push_back(block(k));
    AggTable t(KeySpec::parse("dstip", false), 4);
    std::thread other([&] {
        for (size_t k = 0; k < 5; ++k) t.add(blocks[k], nullptr);
    });
    for (size_t k = 5; k < 10; ++k) t.add(blocks[k], nullptr);
    other.join();
    EXPECT_EQ(t.size(), 300u);
    uint64_t flows = 0, bytes = 0;
    for (uint32_t f = 0; f < 200000; f += 300) {
        ++flows;
        bytes += 100 * (f % 20000 % 7 + 1);
    }
    for (uint32_t g : t.groups()) {
        if (t.key_text(g, 0) != "192.168.0.0") continue;
        EXPECT_EQ(t.value(g).flows, flows);
        EXPECT_EQ(t.value(g).bytes, bytes);
        EXPECT_EQ(t.value(g).first, 1000u);
        EXPECT_EQ(t.value(g).last, 1000u + 199800 + 5);
    }
}

// Many growths of one table (doubling in place, entries rehashed in the same pages): every
// one of 300k keys keeps its own sums, checked against a std::map.
TEST(ShardedAgg, GrowthKeepsEveryGroup) {
    AggTable t(KeySpec::parse("srcip,dport", false));
    std::map<std::pair<uint32_t, uint16_t>, std::pair<uint64_t, uint64_t>> want;  // flows, bytes
    for (uint32_t k = 0; k < 6; ++k) {
        FlowBlock b;
        for (uint32_t i = 0; i < 100000; ++i) {
            FlowRecord r;
            const uint32_t f = k * 100000 + i;
            const uint32_t host = f * 2654435761u % 150000;
            r.src = IpAddr::v4(0x0a000000 + host);
            r.dport = static_cast<uint16_t>(f % 2);
            r.bytes = f % 1000 + 1;
            r.packets = 1;
            r.start = f;
            r.end = f + 1;
            b.append(r);
            auto& w = want[{host, r.dport}];
            ++w.first;
            w.second += r.bytes;
        }
        t.add(b, nullptr);
    }
    ASSERT_EQ(t.size(), want.size());
    for (uint32_t g : t.groups()) {
        const uint32_t host = static_cast<uint32_t>(t.key(g)[1]) - 0x0a000000;
        const auto it = want.find({host, static_cast<uint16_t>(t.key(g)[2])});
        ASSERT_NE(it, want.end());
        ASSERT_EQ(t.value(g).flows, it->second.first);
        ASSERT_EQ(t.value(g).bytes, it->second.second);
    }
}

TEST(ShardedAgg, OnlyHashedKeys) {
    EXPECT_FALSE(AggTable::shardable(KeySpec::parse("dstport", false)));
    EXPECT_FALSE(AggTable::shardable(KeySpec::parse("sni", false)));
    EXPECT_TRUE(AggTable::shardable(KeySpec::parse("srcip4/24,dstport", false)));
    EXPECT_THROW(AggTable(KeySpec::parse("proto", false), 4), std::logic_error);
}

// find() gives every group back from its key, in one table and across shards, and nothing
// for a key no flow had (conversations look up the reverse direction this way).
TEST(ShardedAgg, FindGivesTheGroupOfAKey) {
    FlowBlock b = block(0);
    for (const unsigned shards : {1u, 8u}) {
        AggTable t(KeySpec::parse("srcip,dstip", false), shards);
        t.add(b, nullptr);
        for (const uint32_t g : t.groups()) {
            const auto found = t.find(t.key(g));
            ASSERT_TRUE(found) << shards;
            EXPECT_EQ(*found, g);
        }
        const uint64_t missing[4] = {0, IpAddr::kV4Prefix | 0x01020304, 0, IpAddr::kV4Prefix | 1};
        EXPECT_FALSE(t.find(missing)) << shards;
    }
    AggTable dense(KeySpec::parse("proto", false));
    dense.add(b, nullptr);
    const uint64_t tcp = 6, udp = 17;
    ASSERT_TRUE(dense.find(&tcp));
    EXPECT_EQ(dense.key(*dense.find(&tcp))[0], 6u);
    EXPECT_FALSE(dense.find(&udp));
}

}  // namespace
}  // namespace fk
