#include "format/planes.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace fk {
namespace {

// Byte k of value i to plane k, row i: the definition, one byte at a time.
std::vector<uint8_t> planes_by_definition(const std::vector<uint8_t>& src, unsigned width) {
    const size_t n = src.size() / width;
    std::vector<uint8_t> dst(src.size());
    for (size_t i = 0; i < n; ++i) {
        for (unsigned k = 0; k < width; ++k) dst[k * n + i] = src[i * width + k];
    }
    return dst;
}

using Split = void (*)(const uint8_t*, size_t, uint8_t*);

// Counts around the steps of the vector versions (16 and 32 values) and a block's 8192.
void expect_planes(Split split, unsigned width) {
    std::mt19937 rng(11);
    for (const size_t n : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 8192, 8195}) {
        std::vector<uint8_t> src(n * width);
        for (auto& b : src) b = static_cast<uint8_t>(rng());
        std::vector<uint8_t> got(src.size());
        split(src.data(), n, got.data());
        EXPECT_EQ(got, planes_by_definition(src, width))
            << "width " << width << ", " << n << " values";
    }
}

TEST(Planes, ChosenVersion) {
    expect_planes(split_planes<2>, 2);
    expect_planes(split_planes<4>, 4);
    expect_planes(split_planes<8>, 8);
}

TEST(Planes, BaselineVersion) {
    expect_planes(split_planes_baseline<2>, 2);
    expect_planes(split_planes_baseline<4>, 4);
    expect_planes(split_planes_baseline<8>, 8);
}

#if defined(__x86_64__) && defined(__GNUC__)
TEST(Planes, Avx2Version) {
    if (!cpu_has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
    expect_planes(split_planes_avx2<2>, 2);
    expect_planes(split_planes_avx2<4>, 4);
    expect_planes(split_planes_avx2<8>, 8);
}
#endif

}  // namespace
}  // namespace fk
