// FK_VECTOR_CLONES: a function over whole columns compiled three times, for x86-64-v4
// (AVX-512, used 256 bits wide: see CMakeLists.txt), for x86-64-v3 (AVX2, BMI2, LZCNT) and for
// the baseline, the version chosen once at load time by the CPU (GCC's function
// multiversioning, an ifunc). Against the baseline, v3's loops vectorise four 64-bit values
// wide instead of two and count leading zeros in one instruction: on the collector's blocks,
// decoding and writing together took 12% less time with the column encoder and the summary
// cloned, and 5% less again with the decoder's store_set cloned. v4 adds, among others, unsigned
// 64-bit minimum and maximum, which v3 builds from signed compares and blends: 6% less time
// again. A clone calls the baseline version of what it does not inline: where the loops
// are in callees, flatten them into the clone. Empty for compilers without multiversioned
// templates (clang 14) and for other architectures.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FK_VECTOR_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FK_VECTOR_CLONES
#endif
