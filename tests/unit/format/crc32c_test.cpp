#include "format/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace fk {
namespace {

// CRC-32C a bit at a time, straight from the definition (RFC 3720, B.4): no table, no
// instruction, nothing shared with the code under test.
uint32_t crc32c_bitwise(const uint8_t* p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}

TEST(Crc32c, CheckValue) {
    const std::string s = "123456789";
    EXPECT_EQ(crc32c(0, s.data(), s.size()), 0xE3069283u);
}

// Lengths around the sizes where the three-stripe rounds start and end, in one call and in
// pieces chained through the crc, against the definition.
TEST(Crc32c, LongBuffersInOneCallAndInPieces) {
    std::mt19937 rng(7);
    std::vector<uint8_t> buf(70000);
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    for (size_t n : {0ul, 1ul, 7ul, 8ul, 3071ul, 3072ul, 3073ul, 3080ul, 6143ul, 6144ul, 6151ul,
                     52000ul, 70000ul}) {
        const uint32_t want = crc32c_bitwise(buf.data(), n);
        EXPECT_EQ(crc32c(0, buf.data(), n), want) << n << " bytes";
        const size_t cut = n / 3 + 5 < n ? n / 3 + 5 : n;
        const uint32_t head = crc32c(0, buf.data(), cut);
        EXPECT_EQ(crc32c(head, buf.data() + cut, n - cut), want) << n << " bytes cut at " << cut;
    }
}

}  // namespace
}  // namespace fk
