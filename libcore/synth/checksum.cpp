#include "synth/checksum.h"

#include <bit>
#include <cstring>

namespace fk::synth {

uint64_t ones_sum(const uint8_t* p, size_t n) {
    // Sum native 64-bit words with the carries kept in a 128-bit accumulator (add/adc), then
    // fold with end-around carries and swap to big-endian order: the ones' complement sum is
    // byte-order neutral and works on any multiple of 16 bits.
    unsigned __int128 acc = 0;
    while (n >= 32) {
        uint64_t w[4];
        std::memcpy(w, p, 32);
        acc += w[0];
        acc += w[1];
        acc += w[2];
        acc += w[3];
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        acc += w;
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, p, n);  // the last 0..7 bytes, zero padded
    acc += tail;
    uint64_t sum = static_cast<uint64_t>(acc) + static_cast<uint64_t>(acc >> 64);
    if (sum < static_cast<uint64_t>(acc)) ++sum;
    sum = (sum & 0xffffffffu) + (sum >> 32);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    if constexpr (std::endian::native == std::endian::little) {
        sum = ((sum & 0xff) << 8) | (sum >> 8);
    }
    return sum;
}

}  // namespace fk::synth
