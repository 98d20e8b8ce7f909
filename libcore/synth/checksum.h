// The Internet checksum (RFC 1071) over pieces of a packet.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fk::synth {

// The ones' complement sum of n bytes read as big-endian 16-bit words (an odd last byte is
// padded with zero), not yet folded to 16 bits.
uint64_t ones_sum(const uint8_t* p, size_t n);

// The same for short headers (n even): big-endian words added without folding, inlined.
inline uint64_t header_sum(const uint8_t* p, size_t n) {
    uint64_t acc = 0;
    for (size_t i = 0; i + 1 < n; i += 2) acc += (uint32_t{p[i]} << 8) | p[i + 1];
    return acc;
}

// Folds a sum to 16 bits and complements it: the value to store in a checksum field.
inline uint16_t fold_checksum(uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum & 0xffff);
}

inline uint16_t internet_checksum(const uint8_t* p, size_t n) {
    return fold_checksum(ones_sum(p, n));
}

}  // namespace fk::synth
