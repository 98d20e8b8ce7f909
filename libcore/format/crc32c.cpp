#include "format/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace fk {

namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

constexpr std::array<std::array<uint32_t, 256>, 8> make_tables() {
    std::array<std::array<uint32_t, 256>, 8> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
        t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
        for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
    return t;
}
constexpr auto kTables = make_tables();

uint32_t crc32c_portable(uint32_t crc, const uint8_t* p, size_t n) {
    while (n >= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        v ^= crc;
        crc = kTables[7][v & 0xff] ^ kTables[6][(v >> 8) & 0xff] ^ kTables[5][(v >> 16) & 0xff] ^
              kTables[4][(v >> 24) & 0xff] ^ kTables[3][(v >> 32) & 0xff] ^
              kTables[2][(v >> 40) & 0xff] ^ kTables[1][(v >> 48) & 0xff] ^ kTables[0][v >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xff];
    return crc;
}

#if defined(__x86_64__)
// The crc32 instruction takes three cycles and can start one every cycle: one chain of them
// runs at a third of the speed. Rounds of three stripes are therefore summed as three chains
// and joined: a crc followed by kStripe more bytes is the crc shifted over them (a table
// lookup per byte of the crc, as the shift is linear) xor the crc of those bytes from zero.
constexpr size_t kStripe = 1024;

// kShiftStripe[k][b]: byte b in position k of a crc, shifted over kStripe zero bytes.
constexpr auto kShiftStripe = [] {
    std::array<uint32_t, 32> bit{};
    for (unsigned j = 0; j < 32; ++j) {
        uint32_t c = 1u << j;
        for (size_t i = 0; i < kStripe; ++i) c = (c >> 8) ^ kTables[0][c & 0xff];
        bit[j] = c;
    }
    std::array<std::array<uint32_t, 256>, 4> t{};
    for (unsigned k = 0; k < 4; ++k) {
        for (unsigned b = 0; b < 256; ++b) {
            for (unsigned j = 0; j < 8; ++j) {
                if (b >> j & 1) t[k][b] ^= bit[8 * k + j];
            }
        }
    }
    return t;
}();

uint32_t shift_stripe(uint32_t c) {
    return kShiftStripe[0][c & 0xff] ^ kShiftStripe[1][(c >> 8) & 0xff] ^
           kShiftStripe[2][(c >> 16) & 0xff] ^ kShiftStripe[3][c >> 24];
}

__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(uint32_t crc, const uint8_t* p, size_t n) {
    uint64_t c = crc;
    while (n >= 3 * kStripe) {
        uint64_t c1 = 0, c2 = 0;
        for (size_t i = 0; i < kStripe; i += 8) {
            uint64_t v0, v1, v2;
            std::memcpy(&v0, p + i, 8);
            std::memcpy(&v1, p + kStripe + i, 8);
            std::memcpy(&v2, p + 2 * kStripe + i, 8);
            c = _mm_crc32_u64(c, v0);
            c1 = _mm_crc32_u64(c1, v1);
            c2 = _mm_crc32_u64(c2, v2);
        }
        c = shift_stripe(static_cast<uint32_t>(c)) ^ c1;
        c = shift_stripe(static_cast<uint32_t>(c)) ^ c2;
        p += 3 * kStripe;
        n -= 3 * kStripe;
    }
    while (n >= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = static_cast<uint32_t>(c);
    while (n--) c32 = _mm_crc32_u8(c32, *p++);
    return c32;
}
#endif

}  // namespace

uint32_t crc32c(uint32_t crc, const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    crc = ~crc;
#if defined(__x86_64__)
    static const bool has_sse42 = __builtin_cpu_supports("sse4.2");
    crc = has_sse42 ? crc32c_sse42(crc, p, n) : crc32c_portable(crc, p, n);
#else
    crc = crc32c_portable(crc, p, n);
#endif
    return ~crc;
}

}  // namespace fk
