// Big-endian reads and writes for wire formats. Callers check bounds before reading.
#pragma once
#include <cstdint>
#include <cstring>

namespace fk::wire {

inline uint16_t rd16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t rd32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline uint64_t rd64(const uint8_t* p) {
    return uint64_t{rd32(p)} << 32 | rd32(p + 4);
}
// An unsigned integer of 1..8 bytes (IPFIX reduced-size encoding); longer values keep their
// last 8 bytes.
inline uint64_t rdn(const uint8_t* p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v = v << 8 | p[i];
    return v;
}

inline void wr16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}
inline void wr32(uint8_t* p, uint32_t v) {
    wr16(p, static_cast<uint16_t>(v >> 16));
    wr16(p + 2, static_cast<uint16_t>(v));
}
inline void wr64(uint8_t* p, uint64_t v) {
    wr32(p, static_cast<uint32_t>(v >> 32));
    wr32(p + 4, static_cast<uint32_t>(v));
}
inline void wrn(uint8_t* p, uint64_t v, unsigned n) {
    for (unsigned i = n; i-- > 0;) {
        p[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
}

// Seconds between the NTP era 0 epoch (1900) and the Unix epoch.
constexpr uint64_t kNtpEpochOffset = 2208988800ull;

}  // namespace fk::wire
