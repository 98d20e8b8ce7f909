// Sums of counters that stop at UINT64_MAX instead of wrapping round: a wrapped sum prints as
// a small, plausible and wrong number; UINT64_MAX reads as "at least this much".
#pragma once
#include <cstddef>
#include <cstdint>

namespace fk {

// A non-negative double as a whole number, truncated; UINT64_MAX from 2^64 up (a cast would be
// undefined there).
constexpr uint64_t sat_whole(double v) {
    return v >= 18446744073709551616.0 ? UINT64_MAX : static_cast<uint64_t>(v);
}

constexpr uint64_t sat_add(uint64_t a, uint64_t b) {
    const uint64_t s = a + b;
    return s | (0 - static_cast<uint64_t>(s < a));
}

// A loop that adds with sat_add does not vectorise (it is no plain reduction). Loops that must
// sum plainly, and OR together the values they add: n values none above `ored` cannot wrap
// unless this says so, which takes values near 2^64 / n (not seen in real traffic), and then
// the loop sums again with sat_add.
constexpr bool plain_sum_may_wrap(uint64_t ored, size_t n) {
    return n > 1 && ored > UINT64_MAX / n;
}

}  // namespace fk
