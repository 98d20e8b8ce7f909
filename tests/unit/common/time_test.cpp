// parse_time against hand-computed epochs, and the dates and offsets it refuses; times in
// the local zone as nfdump prints them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

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

// Sets TZ for one test (a POSIX rule: no tzdata needed) and puts the old value back.
class ZoneScope {
  public:
    explicit ZoneScope(const char* tz) {
        if (const char* old = std::getenv("TZ")) old_ = old;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~ZoneScope() {
        if (old_)
            setenv("TZ", old_->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

  private:
    std::optional<std::string> old_;
};

TEST(LocalZone, ReadsTimesWithoutAZoneInTheLocalOne) {
    const ZoneScope prague("CET-1CEST,M3.5.0,M10.5.0/3");
    LocalZone zone;
    // Winter (+1), then summer (+2) in the same minute of the day: the remembered offset is
    // for one minute, not one time of day.
    EXPECT_EQ(zone.parse("2020-02-29 01:00:00.25"), 1582934400u * kMicrosPerSecond + 250000);
    EXPECT_EQ(zone.parse("2020-07-01 02:00:00"), 1593561600u * kMicrosPerSecond);
    // Across the spring change (2020-03-29 02:00 CET became 03:00 CEST).
    EXPECT_EQ(zone.parse("2020-03-29 01:59:59"), 1585443599u * kMicrosPerSecond);
    EXPECT_EQ(zone.parse("2020-03-29 03:00:00"), 1585443600u * kMicrosPerSecond);
    // A time that names its zone keeps it.
    EXPECT_EQ(zone.parse("2020-02-29T00:00:00Z"), 1582934400u * kMicrosPerSecond);
    EXPECT_EQ(zone.parse("2020-02-29 01:00:00+01:00"), 1582934400u * kMicrosPerSecond);
    EXPECT_EQ(zone.parse("2020-02-30 01:00:00"), std::nullopt);
}

}  // namespace
}  // namespace fk
