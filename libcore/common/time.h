// Flow times are microseconds since the Unix epoch, UTC. These helpers print and parse them
// without going through the C library's locale- and timezone-dependent functions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fk {

constexpr uint64_t kMicrosPerSecond = 1'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);

// Fractional digits printed after the seconds: 0, 3 (milliseconds) or 6 (microseconds).
// kLossless prints 3 digits when the value is a whole millisecond and 6 otherwise.
enum class TimeDigits { kSeconds = 0, kMillis = 3, kMicros = 6, kLossless = -1 };

// Writes "2025-03-03T10:00:00.123Z" into out (at least 32 bytes); returns the length.
size_t format_time(char* out, uint64_t micros, TimeDigits digits = TimeDigits::kMillis);
std::string time_string(uint64_t micros, TimeDigits digits = TimeDigits::kMillis);

// Parses an absolute time: ISO 8601 ("2025-03-03T10:00:00.123Z", "2025-03-03 10:00",
// "2025-03-03", optional fraction, 'Z' or +hh:mm offsets; no zone means UTC) or nfdump's
// "2025/03/03.10:00:00". Missing parts default to zero. nullopt when it is not a time, a day
// the month does not have (2020-02-31) or an offset beyond 23:59 included.
std::optional<uint64_t> parse_time(std::string_view text);

// Times as nfdump prints and reads them: without a zone, in the local one (TZ). A time that
// names its zone keeps it. The zone's offset is remembered for the last minute asked, since
// the times of one file are close together (mktime costs about a microsecond).
class LocalZone {
  public:
    // As parse_time, with a time without a zone taken as local time.
    std::optional<uint64_t> parse(std::string_view text);

  private:
    int64_t minute_ = INT64_MIN;  // the minute (wall-clock seconds / 60) offset_ is for
    int64_t offset_ = 0;          // seconds: local time minus UTC
};

// Parses a time relative to now: "-1h", "-30m", "-2d", "-1w", "-90s", or "now".
std::optional<uint64_t> parse_relative_time(std::string_view text, uint64_t now_micros);

// Parses a duration such as "300", "5m", "1h", "1d", "1w" into microseconds.
std::optional<uint64_t> parse_duration(std::string_view text);

uint64_t now_micros();

// A half-open time range [from, to) in microseconds, UTC.
struct TimeRange {
    uint64_t from = 0;
    uint64_t to = UINT64_MAX;
    bool operator==(const TimeRange&) const = default;
};

// t moved by `months` calendar months (negative: back), the day clamped to the length of the
// target month: 2025-03-31 minus one month is 2025-02-28. The time of day is kept.
uint64_t add_months(uint64_t t, int months);

// Calendar-aligned periods in UTC before `now` (for cron): "today" (midnight to now),
// "yesterday", "last-week" (the last whole Monday-to-Monday week), "last-month" (the last whole
// calendar month). nullopt for other names.
std::optional<TimeRange> calendar_period(std::string_view name, uint64_t now);

// The span `text` before now: a duration ("12h", "1d", "1w", as parse_duration) or "NM" for N
// calendar months ("1M": the same day and time one month earlier). nullopt when not a span.
std::optional<TimeRange> last_period(std::string_view text, uint64_t now);

// The period just before r: whole calendar months give the same number of calendar months
// before (last-month of March is February, 28 days), anything else the same length earlier.
TimeRange previous_period(const TimeRange& r);

}  // namespace fk
