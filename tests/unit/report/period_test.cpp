// Calendar-aligned periods (common/time.h) with a fixed "now": month and year boundaries,
// leap years, weeks starting on Monday.
#include <gtest/gtest.h>

#include "common/time.h"

namespace fk {
namespace {

uint64_t t(const char* iso) {
    return *parse_time(iso);
}

TimeRange range(const char* from, const char* to) {
    return {t(from), t(to)};
}

TEST(Period, Yesterday) {
    EXPECT_EQ(calendar_period("yesterday", t("2026-03-01T00:30:00Z")),
              range("2026-02-28", "2026-03-01"));
    EXPECT_EQ(calendar_period("yesterday", t("2026-01-01T00:00:00Z")),
              range("2025-12-31", "2026-01-01"));
    EXPECT_EQ(calendar_period("today", t("2026-01-01T06:00:00Z")),
              range("2026-01-01", "2026-01-01T06:00:00Z"));
}

TEST(Period, LastWeekIsMondayToMonday) {
    // 2026-11-26 is a Thursday.
    EXPECT_EQ(calendar_period("last-week", t("2026-11-26T03:00:00Z")),
              range("2026-11-16", "2026-11-23"));
    // On a Monday the week that just ended.
    EXPECT_EQ(calendar_period("last-week", t("2026-11-23T00:00:01Z")),
              range("2026-11-16", "2026-11-23"));
    // On a Sunday the week before the current one, across a year boundary.
    EXPECT_EQ(calendar_period("last-week", t("2026-01-04T23:59:59Z")),
              range("2025-12-22", "2025-12-29"));
}

TEST(Period, LastMonth) {
    EXPECT_EQ(calendar_period("last-month", t("2026-03-15T12:00:00Z")),
              range("2026-02-01", "2026-03-01"));
    EXPECT_EQ(calendar_period("last-month", t("2026-01-01T00:00:00Z")),
              range("2025-12-01", "2026-01-01"));
    EXPECT_EQ(calendar_period("last-month", t("2024-03-31T23:00:00Z")),
              range("2024-02-01", "2024-03-01"));
    EXPECT_FALSE(calendar_period("last-year", t("2024-03-31T23:00:00Z")));
}

TEST(Period, AddMonthsClampsTheDay) {
    EXPECT_EQ(add_months(t("2025-03-31T10:00:00Z"), -1), t("2025-02-28T10:00:00Z"));
    EXPECT_EQ(add_months(t("2024-03-31T10:00:00Z"), -1), t("2024-02-29T10:00:00Z"));
    EXPECT_EQ(add_months(t("2025-01-15"), -1), t("2024-12-15"));
    EXPECT_EQ(add_months(t("2025-12-15"), 1), t("2026-01-15"));
    EXPECT_EQ(add_months(t("2025-05-31"), -13), t("2024-04-30"));
}

TEST(Period, LastSpan) {
    const uint64_t now = t("2026-03-31T08:00:00Z");
    EXPECT_EQ(last_period("1d", now), range("2026-03-30T08:00:00Z", "2026-03-31T08:00:00Z"));
    EXPECT_EQ(last_period("1w", now), range("2026-03-24T08:00:00Z", "2026-03-31T08:00:00Z"));
    EXPECT_EQ(last_period("1M", now), range("2026-02-28T08:00:00Z", "2026-03-31T08:00:00Z"));
    EXPECT_EQ(last_period("12h", now), range("2026-03-30T20:00:00Z", "2026-03-31T08:00:00Z"));
    EXPECT_FALSE(last_period("0M", now));
    EXPECT_FALSE(last_period("soon", now));
}

TEST(Period, Previous) {
    // Whole calendar months: the month before, whatever its length.
    EXPECT_EQ(previous_period(range("2026-03-01", "2026-04-01")),
              range("2026-02-01", "2026-03-01"));
    EXPECT_EQ(previous_period(range("2026-01-01", "2026-03-01")),
              range("2025-11-01", "2026-01-01"));
    // Days and weeks: the same length before.
    EXPECT_EQ(previous_period(range("2026-03-01", "2026-03-02")),
              range("2026-02-28", "2026-03-01"));
    EXPECT_EQ(previous_period(range("2026-11-16", "2026-11-23")),
              range("2026-11-09", "2026-11-16"));
    EXPECT_EQ(previous_period(range("2026-03-30T08:00:00Z", "2026-03-31T08:00:00Z")),
              range("2026-03-29T08:00:00Z", "2026-03-30T08:00:00Z"));
}

}  // namespace
}  // namespace fk
