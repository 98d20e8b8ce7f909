// Byte planes: n little-endian W-byte integers, back to back, split into W planes of n bytes,
// plane k holding byte k of every value, so that zstd finds the runs of each byte position.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fk {

// W is 2, 4 or 8. The fastest version this CPU runs, chosen once.
template <unsigned W>
void split_planes(const uint8_t* src, size_t n, uint8_t* dst);

// The versions split_planes() chooses from, for tests: the baseline (SSE2 on x86-64) and,
// where the CPU has it (cpu_has_avx2()), AVX2.
template <unsigned W>
void split_planes_baseline(const uint8_t* src, size_t n, uint8_t* dst);
#if defined(__x86_64__) && defined(__GNUC__)
template <unsigned W>
void split_planes_avx2(const uint8_t* src, size_t n, uint8_t* dst);
bool cpu_has_avx2();
#endif

}  // namespace fk
