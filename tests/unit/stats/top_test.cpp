// The top groups of a text key leave out the flows without a value: in flowquery -s sni as in
// flowreport, the flows without an SNI are not the "top SNI", whatever their bytes. And key
// errors name what is wrong.
#include <gtest/gtest.h>

#include "common/error.h"
#include "record/ipaddr.h"
#include "stats/aggregate.h"

namespace fk {
namespace {

TEST(TopGroups, LeaveOutTheBlankTextKey) {
    FlowBlock b;
    const auto add = [&](const char* sni, uint64_t bytes) {
        FlowRecord r;
        r.src = IpAddr::v4(0x0a000001);
        r.packets = 1;
        r.bytes = bytes;
        r.start = 1000;
        r.end = 2000;
        r.sni = sni;
        b.append(r);
    };
    for (int i = 0; i < 5; ++i) add("", 1000);
    add("a.example", 100);
    add("a.example", 100);
    add("b.example", 50);
    AggTable t(KeySpec::parse("sni", false));
    t.add(b, nullptr);
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t.key_text(t.sorted(StatOrder::kBytes, 1)[0], 0), "");  // the blank group leads
    for (const size_t n : {size_t{0}, size_t{2}, size_t{5}}) {
        const auto top = t.top(StatOrder::kBytes, n);
        ASSERT_EQ(top.size(), 2u) << n;
        EXPECT_EQ(t.key_text(top[0], 0), "a.example");
        EXPECT_EQ(t.value(top[0]).bytes, 200u);
        EXPECT_EQ(t.key_text(top[1], 0), "b.example");
    }
    EXPECT_EQ(t.top(StatOrder::kBytes, 1).size(), 1u);
    EXPECT_EQ(t.total_flows, 8u);  // percentages are of every flow
    // A key without text parts is sorted() itself.
    AggTable src(KeySpec::parse("srcip", false));
    src.add(b, nullptr);
    EXPECT_EQ(src.top(StatOrder::kBytes, 0), src.sorted(StatOrder::kBytes, 0));
}

std::string key_error(const char* text) {
    try {
        KeySpec::parse(text, false);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

TEST(KeySpecErrors, SayWhatIsWrongWithAPrefix) {
    EXPECT_EQ(key_error("srcip4"), "'srcip4' needs a prefix length, as srcip4/24");
    EXPECT_EQ(key_error("srcip4/33"), "'srcip4/33': the prefix length is 0 to 32");
    EXPECT_EQ(key_error("dstip6/x"), "'dstip6/x': the prefix length is 0 to 128");
    EXPECT_EQ(key_error("srcip4/24,dstport"), "");
}

}  // namespace
}  // namespace fk
