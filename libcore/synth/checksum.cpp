#include "synth/checksum.h"

#include <bit>
#include <cstring>

namespace fk::synth {

uint64_t ones_sum(const uint8_t* p, size_t n) {
    // Sum native 32-bit words into 64 bits (no carry is lost for any packet size), fold, and
    // swap to big-endian order at the end: the ones' complement sum is byte-order neutral.
    uint64_t acc = 0;
    while (n >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        acc += (w & 0xffffffffu) + (w >> 32);
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        uint32_t w;
        std::memcpy(&w, p, 4);
        acc += w;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        uint16_t w;
        std::memcpy(&w, p, 2);
        acc += w;
        p += 2;
        n -= 2;
    }
    if (n == 1) {
        uint16_t w = 0;
        std::memcpy(&w, p, 1);
        acc += w;
    }
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    if constexpr (std::endian::native == std::endian::little) {
        acc = ((acc & 0xff) << 8) | (acc >> 8);
    }
    return acc;
}

}  // namespace fk::synth
