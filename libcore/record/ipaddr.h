// An IPv4 or IPv6 address as one 128-bit number (IPv4 mapped into ::ffff:0:0/96), so that
// comparison, hashing and prefix masks are integer operations for both families.
#pragma once
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fk {

struct IpAddr {
    uint64_t hi = 0;  // bits 127..64
    uint64_t lo = 0;  // bits 63..0

    static constexpr uint64_t kV4Prefix = 0x0000ffff00000000ull;

    static constexpr IpAddr v4(uint32_t host_order) { return {0, kV4Prefix | host_order}; }
    // From 16 network-order bytes.
    static IpAddr v6(const uint8_t* bytes);
    // From 4 network-order bytes.
    static IpAddr v4_bytes(const uint8_t* bytes);

    constexpr bool is_v4() const { return hi == 0 && (lo >> 32) == 0xffff; }
    constexpr bool is_zero() const { return hi == 0 && lo == 0; }
    constexpr uint32_t v4_value() const { return static_cast<uint32_t>(lo); }
    void to_bytes(uint8_t out[16]) const;

    // The address with all but the first `bits` bits (of 128) cleared.
    constexpr IpAddr masked(unsigned bits) const {
        if (bits >= 128) return *this;
        if (bits == 0) return {};
        if (bits <= 64) return {hi & (~0ull << (64 - bits)), 0};
        return {hi, lo & (~0ull << (128 - bits))};
    }

    constexpr auto operator<=>(const IpAddr&) const = default;
};

// The prefix length in 128-bit terms of an IPv4 (0..32) or IPv6 (0..128) prefix.
constexpr unsigned prefix_bits(bool v4, unsigned len) {
    return v4 ? 96 + len : len;
}

// Writes the text form (dotted quad, or RFC 5952 IPv6) into out (at least 46 bytes).
size_t format_ip(char* out, const IpAddr& a);
std::string ip_string(const IpAddr& a);
std::optional<IpAddr> parse_ip(std::string_view text);

struct IpAddrHash {
    size_t operator()(const IpAddr& a) const noexcept {
        uint64_t h = a.hi * 0x9E3779B97F4A7C15ull ^ a.lo;
        h ^= h >> 32;
        h *= 0xD6E8FEB86659FD93ull;
        return static_cast<size_t>(h ^ (h >> 32));
    }
};

}  // namespace fk
