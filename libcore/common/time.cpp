#include "common/time.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

namespace fk {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

namespace {

void put2(char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

void put_digits(char* p, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
}

}  // namespace

size_t format_time(char* out, uint64_t micros, TimeDigits digits) {
    const uint64_t secs = micros / kMicrosPerSecond;
    const uint64_t frac = micros % kMicrosPerSecond;
    int64_t y;
    unsigned mo, d;
    civil_from_days(static_cast<int64_t>(secs / 86400), y, mo, d);
    const unsigned sod = static_cast<unsigned>(secs % 86400);
    // Years beyond 9999 do not occur in flow data; clamp the width to four digits.
    put_digits(out, static_cast<uint64_t>(y) % 10000, 4);
    out[4] = '-';
    put2(out + 5, mo);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = 'T';
    put2(out + 11, sod / 3600);
    out[13] = ':';
    put2(out + 14, sod / 60 % 60);
    out[16] = ':';
    put2(out + 17, sod % 60);
    size_t n = 19;
    int nd = static_cast<int>(digits);
    if (digits == TimeDigits::kLossless) nd = frac % 1000 == 0 ? 3 : 6;
    if (nd == 3) {
        out[n++] = '.';
        put_digits(out + n, frac / 1000, 3);
        n += 3;
    } else if (nd == 6) {
        out[n++] = '.';
        put_digits(out + n, frac, 6);
        n += 6;
    }
    out[n++] = 'Z';
    return n;
}

std::string time_string(uint64_t micros, TimeDigits digits) {
    char buf[40];
    return std::string(buf, format_time(buf, micros, digits));
}

namespace {

unsigned days_in_month(unsigned y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return m == 2 && leap ? 29 : kDays[m - 1];
}

struct Cursor {
    std::string_view s;
    size_t i = 0;
    bool done() const { return i >= s.size(); }
    char peek() const { return done() ? '\0' : s[i]; }
    bool digits(int n, unsigned& v) {
        v = 0;
        for (int k = 0; k < n; ++k) {
            if (done() || s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + static_cast<unsigned>(s[i++] - '0');
        }
        return true;
    }
};

// parse_time's work; `zoned` tells whether the text named its zone ('Z' or an offset).
std::optional<uint64_t> parse_time_zoned(std::string_view text, bool& zoned) {
    Cursor c{text};
    unsigned y, mo = 1, d = 1, h = 0, mi = 0, s = 0;
    uint64_t frac_us = 0;
    if (!c.digits(4, y)) return std::nullopt;
    const char datesep = c.peek();
    if (datesep != '-' && datesep != '/') return std::nullopt;
    ++c.i;
    if (!c.digits(2, mo)) return std::nullopt;
    if (c.peek() == datesep) {
        ++c.i;
        if (!c.digits(2, d)) return std::nullopt;
    }
    if (!c.done() && (c.peek() == 'T' || c.peek() == ' ' || c.peek() == '.')) {
        ++c.i;
        if (!c.digits(2, h)) return std::nullopt;
        if (c.peek() == ':') {
            ++c.i;
            if (!c.digits(2, mi)) return std::nullopt;
            if (c.peek() == ':') {
                ++c.i;
                if (!c.digits(2, s)) return std::nullopt;
                if (c.peek() == '.' || c.peek() == ',') {
                    ++c.i;
                    int n = 0;
                    while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
                        if (n < 6) frac_us = frac_us * 10 + static_cast<uint64_t>(c.peek() - '0');
                        ++n;
                        ++c.i;
                    }
                    if (n == 0) return std::nullopt;
                    for (; n < 6; ++n) frac_us *= 10;
                }
            }
        }
    }
    int64_t offset_s = 0;
    zoned = c.peek() == 'Z' || c.peek() == 'z' || c.peek() == '+' || c.peek() == '-';
    if (c.peek() == 'Z' || c.peek() == 'z') {
        ++c.i;
    } else if (c.peek() == '+' || c.peek() == '-') {
        const int sign = c.peek() == '+' ? 1 : -1;
        ++c.i;
        unsigned oh, om = 0;
        if (!c.digits(2, oh)) return std::nullopt;
        if (c.peek() == ':') ++c.i;
        if (!c.done() && !c.digits(2, om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_s = sign * static_cast<int64_t>(oh * 3600 + om * 60);
    }
    if (!c.done()) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    const int64_t days = days_from_civil(y, mo, d);
    const int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_s;
    if (secs < 0) return std::nullopt;
    return static_cast<uint64_t>(secs) * kMicrosPerSecond + frac_us;
}

}  // namespace

std::optional<uint64_t> parse_time(std::string_view text) {
    bool zoned;
    return parse_time_zoned(text, zoned);
}

std::optional<uint64_t> LocalZone::parse(std::string_view text) {
    bool zoned = false;
    const auto naive = parse_time_zoned(text, zoned);
    if (!naive || zoned) return naive;
    const int64_t secs = static_cast<int64_t>(*naive / kMicrosPerSecond);
    if (secs / 60 != minute_) {
        const time_t wall = static_cast<time_t>(secs);
        struct tm tm;
        gmtime_r(&wall, &tm);
        tm.tm_isdst = -1;  // the zone's rule for that day decides
        const time_t utc = mktime(&tm);
        if (utc == static_cast<time_t>(-1)) return std::nullopt;
        minute_ = secs / 60;
        offset_ = secs - static_cast<int64_t>(utc);
    }
    const int64_t utc = secs - offset_;
    if (utc < 0) return std::nullopt;
    return static_cast<uint64_t>(utc) * kMicrosPerSecond + *naive % kMicrosPerSecond;
}

std::optional<uint64_t> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    uint64_t v = 0;
    size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        v = v * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    if (i == 0) return std::nullopt;
    const std::string_view unit = text.substr(i);
    uint64_t mult;
    if (unit.empty() || unit == "s")
        mult = 1;
    else if (unit == "m" || unit == "min")
        mult = 60;
    else if (unit == "h")
        mult = 3600;
    else if (unit == "d")
        mult = 86400;
    else if (unit == "w")
        mult = 7 * 86400;
    else if (unit == "M")
        mult = 30 * 86400;
    else
        return std::nullopt;
    return v * mult * kMicrosPerSecond;
}

std::optional<uint64_t> parse_relative_time(std::string_view text, uint64_t now) {
    if (text == "now") return now;
    if (text.size() < 2 || text[0] != '-') return std::nullopt;
    const auto d = parse_duration(text.substr(1));
    if (!d || *d > now) return std::nullopt;
    return now - *d;
}

uint64_t now_micros() {
    using namespace std::chrono;
    return static_cast<uint64_t>(
        duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

namespace {

constexpr uint64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

uint64_t day_start(int64_t y, unsigned m, unsigned d) {
    return static_cast<uint64_t>(days_from_civil(y, m, d)) * kMicrosPerDay;
}

bool is_month_start(uint64_t t) {
    if (t % kMicrosPerDay != 0) return false;
    int64_t y;
    unsigned m, d;
    civil_from_days(static_cast<int64_t>(t / kMicrosPerDay), y, m, d);
    return d == 1;
}

int months_between(uint64_t from, uint64_t to) {
    int64_t y1, y2;
    unsigned m1, m2, d;
    civil_from_days(static_cast<int64_t>(from / kMicrosPerDay), y1, m1, d);
    civil_from_days(static_cast<int64_t>(to / kMicrosPerDay), y2, m2, d);
    return static_cast<int>((y2 - y1) * 12 + (static_cast<int64_t>(m2) - m1));
}

}  // namespace

uint64_t add_months(uint64_t t, int months) {
    const uint64_t days = t / kMicrosPerDay;
    const uint64_t time_of_day = t % kMicrosPerDay;
    int64_t y;
    unsigned m, d;
    civil_from_days(static_cast<int64_t>(days), y, m, d);
    int64_t index = y * 12 + (m - 1) + months;
    y = index >= 0 ? index / 12 : (index - 11) / 12;
    m = static_cast<unsigned>(index - y * 12) + 1;
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const unsigned len = m == 2 && leap ? 29 : kDays[m - 1];
    const int64_t nd = days_from_civil(y, m, std::min(d, len));
    if (nd < 0) return 0;
    return static_cast<uint64_t>(nd) * kMicrosPerDay + time_of_day;
}

std::optional<TimeRange> calendar_period(std::string_view name, uint64_t now) {
    const uint64_t today = now / kMicrosPerDay * kMicrosPerDay;
    if (name == "today") return TimeRange{today, now};
    if (name == "yesterday") return TimeRange{today - kMicrosPerDay, today};
    if (name == "last-week") {
        // 1970-01-01 was a Thursday: days since the epoch + 3, mod 7, is days since Monday.
        const uint64_t monday = today - (today / kMicrosPerDay + 3) % 7 * kMicrosPerDay;
        return TimeRange{monday - 7 * kMicrosPerDay, monday};
    }
    if (name == "last-month") {
        int64_t y;
        unsigned m, d;
        civil_from_days(static_cast<int64_t>(today / kMicrosPerDay), y, m, d);
        const uint64_t first = day_start(y, m, 1);
        return TimeRange{add_months(first, -1), first};
    }
    return std::nullopt;
}

std::optional<TimeRange> last_period(std::string_view text, uint64_t now) {
    if (text.size() >= 2 && text.back() == 'M') {
        int months = 0;
        for (char c : text.substr(0, text.size() - 1)) {
            if (c < '0' || c > '9' || months > 1200) return std::nullopt;
            months = months * 10 + (c - '0');
        }
        if (months == 0) return std::nullopt;
        return TimeRange{add_months(now, -months), now};
    }
    const auto d = parse_duration(text);
    if (!d || *d == 0 || *d > now) return std::nullopt;
    return TimeRange{now - *d, now};
}

TimeRange previous_period(const TimeRange& r) {
    if (is_month_start(r.from) && is_month_start(r.to) && r.to > r.from) {
        const int n = months_between(r.from, r.to);
        return TimeRange{add_months(r.from, -n), r.from};
    }
    const uint64_t len = r.to - r.from;
    return TimeRange{r.from > len ? r.from - len : 0, r.from};
}

}  // namespace fk
