// Conversations (flowquery -b, -B) on hand-made flows: the two directions of a TCP or UDP
// 5-tuple in one row, the sender of the first flow (-b) or the client (-B) as source, other
// protocols one direction each, as nfdump 1.7 does.
#include <gtest/gtest.h>

#include "record/ipaddr.h"
#include "stats/conversation.h"

namespace fk {
namespace {

constexpr IpAddr kClient = IpAddr::v4(0x0a000001);  // 10.0.0.1
constexpr IpAddr kServer = IpAddr::v4(0xc0a8010a);  // 192.168.1.10

struct Flows {
    FlowBlock block;
    void add(uint8_t proto, IpAddr src, uint16_t sport, IpAddr dst, uint16_t dport,
             uint64_t packets, uint64_t bytes, uint64_t start) {
        FlowRecord r;
        r.proto = proto;
        r.src = src;
        r.sport = sport;
        r.dst = dst;
        r.dport = dport;
        r.packets = packets;
        r.bytes = bytes;
        r.start = start;
        r.end = start + 1'000'000;
        block.append(r);
    }
    std::vector<Conversation> conversations(ConversationSide side) {
        AggTable t(conversation_key());
        t.add(block, nullptr);
        auto c = fk::conversations(t, side);
        sort_conversations(c, StatOrder::kTstart, 0);
        return c;
    }
};

TEST(Conversations, PairBothDirectionsOfTcpAndUdp) {
    Flows f;
    f.add(6, kServer, 443, kClient, 40000, 8, 12000, 2000);  // the answer, listed first
    f.add(6, kClient, 40000, kServer, 443, 10, 5000, 1000);
    f.add(6, kClient, 40000, kServer, 443, 1, 40, 5000);  // a second flow of the same 5-tuple
    f.add(17, kClient, 5353, kServer, 53, 1, 80, 3000);
    f.add(17, kServer, 53, kClient, 5353, 1, 200, 3000);
    const auto c = f.conversations(ConversationSide::kFirstSeen);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].proto, 6);
    EXPECT_EQ(c[0].src, kClient);  // its flow started first
    EXPECT_EQ(c[0].sport, 40000);
    EXPECT_EQ(c[0].dst, kServer);
    EXPECT_EQ(c[0].dport, 443);
    EXPECT_EQ(c[0].from_src.flows, 2u);
    EXPECT_EQ(c[0].from_src.packets, 11u);
    EXPECT_EQ(c[0].from_src.bytes, 5040u);
    EXPECT_EQ(c[0].from_dst.flows, 1u);
    EXPECT_EQ(c[0].from_dst.packets, 8u);
    EXPECT_EQ(c[0].from_dst.bytes, 12000u);
    const AggValue total = c[0].total();
    EXPECT_EQ(total.flows, 3u);
    EXPECT_EQ(total.bytes, 17040u);
    EXPECT_EQ(total.first, 1000u);
    EXPECT_EQ(total.last, 5000u + 1'000'000);
    // Both UDP flows started together: the lower address is the source.
    EXPECT_EQ(c[1].src, kClient);
    EXPECT_EQ(c[1].from_src.bytes, 80u);
    EXPECT_EQ(c[1].from_dst.bytes, 200u);
}

TEST(Conversations, GuessTheClientFromThePorts) {
    Flows f;
    f.add(6, kServer, 443, kClient, 40000, 8, 12000, 1000);  // the server's flow came first
    f.add(6, kClient, 40000, kServer, 443, 10, 5000, 2000);
    f.add(17, kServer, 53, kClient, 5353, 1, 200, 3000);    // an answer alone
    f.add(6, kServer, 40000, kClient, 50000, 1, 60, 4000);  // 40000 < 49152 <= 50000
    f.add(6, kServer, 2000, kClient, 3000, 1, 60, 5000);    // same range: as first seen
    const auto seen = f.conversations(ConversationSide::kFirstSeen);
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0].src, kServer);
    EXPECT_EQ(seen[1].src, kServer);
    const auto guessed = f.conversations(ConversationSide::kGuessClient);
    ASSERT_EQ(guessed.size(), 4u);
    EXPECT_EQ(guessed[0].src, kClient);
    EXPECT_EQ(guessed[0].sport, 40000);
    EXPECT_EQ(guessed[0].from_src.bytes, 5000u);
    EXPECT_EQ(guessed[0].from_dst.bytes, 12000u);
    EXPECT_EQ(guessed[1].src, kClient);
    EXPECT_EQ(guessed[1].dport, 53);
    EXPECT_EQ(guessed[1].from_src.packets, 0u);
    EXPECT_EQ(guessed[1].from_dst.bytes, 200u);
    EXPECT_EQ(guessed[2].src, kClient);
    EXPECT_EQ(guessed[2].sport, 50000);
    EXPECT_EQ(guessed[3].src, kServer);
    EXPECT_EQ(guessed[3].sport, 2000);
    EXPECT_TRUE(server_to_client(443, 40000));
    EXPECT_TRUE(server_to_client(30000, 40000));
    EXPECT_FALSE(server_to_client(40000, 443));
    EXPECT_FALSE(server_to_client(1024, 32767));
}

TEST(Conversations, OtherProtocolsKeepOneDirection) {
    Flows f;
    f.add(1, kClient, 0, kServer, 0x0800, 1, 84, 1000);  // echo request
    f.add(1, kServer, 0, kClient, 0x0000, 1, 84, 1000);  // echo reply
    f.add(47, kClient, 0, kServer, 0, 3, 300, 2000);     // GRE
    f.add(47, kServer, 0, kClient, 0, 2, 200, 2000);
    for (const auto side : {ConversationSide::kFirstSeen, ConversationSide::kGuessClient}) {
        const auto c = f.conversations(side);
        ASSERT_EQ(c.size(), 4u);
        for (const auto& x : c) {
            EXPECT_EQ(x.from_src.flows, 1u);
            EXPECT_EQ(x.from_dst.flows, 0u);
        }
    }
}

}  // namespace
}  // namespace fk
