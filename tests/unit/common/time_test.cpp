// parse_time against hand-computed epochs, and the dates and offsets it refuses.
#include <gtest/gtest.h>

#include "common/time.h"

namespace fk {
namespace {

TEST(ParseTime, FormsAndOffsets) {
    EXPECT_EQ(parse_time("2020-02-29T00:00:00Z"), 1582934400u * kMicrosPerSecond);
    EXPECT_EQ(parse_time("2020-02-29 01:00:00+01:00"), 1582934400u * kMicrosPerSecond);
    EXPECT_EQ(parse_time("2020-02-29T00:00:00.5-2359"),
              (1582934400u + 23 * 3600 + 59 * 60) * kMicrosPerSecond + 500000);
    EXPECT_EQ(parse_time("2020/03/31.00:00:00"), 1585612800u * kMicrosPerSecond);
    EXPECT_EQ(parse_time("2000-02-29"), 951782400u * kMicrosPerSecond);
}

TEST(ParseTime, RefusesDaysTheMonthDoesNotHave) {
    EXPECT_EQ(parse_time("2020-02-30"), std::nullopt);
    EXPECT_EQ(parse_time("2020-02-31 10:00:00"), std::nullopt);
    EXPECT_EQ(parse_time("2021-02-29"), std::nullopt);
    EXPECT_EQ(parse_time("1900-02-29"), std::nullopt);
    EXPECT_EQ(parse_time("2020-04-31"), std::nullopt);
    EXPECT_EQ(parse_time("2020-11-31T00:00:00Z"), std::nullopt);
}

TEST(ParseTime, RefusesOffsetsBeyond2359) {
    EXPECT_EQ(parse_time("2021-05-13T10:41:49+9999"), std::nullopt);
    EXPECT_EQ(parse_time("2021-05-13T10:41:49+2400"), std::nullopt);
    EXPECT_EQ(parse_time("2021-05-13T10:41:49-00:60"), std::nullopt);
}

}  // namespace
}  // namespace fk
