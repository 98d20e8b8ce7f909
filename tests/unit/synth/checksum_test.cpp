#include "synth/checksum.h"

#include <gtest/gtest.h>

#include <vector>

#include "synth/rng.h"

namespace fk::synth {
namespace {

// The textbook definition: big-endian 16-bit words, end-around carry, complement.
uint16_t reference_checksum(const uint8_t* p, size_t n) {
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i += 2) {
        sum += (uint32_t{p[i]} << 8) | (i + 1 < n ? p[i + 1] : 0);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<uint16_t>(~sum & 0xffff);
}

TEST(synth_checksum, Rfc1071Example) {
    // RFC 1071 section 3: the sum of these bytes is ddf2.
    const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(ones_sum(bytes, sizeof bytes), 0xddf2u);
    EXPECT_EQ(internet_checksum(bytes, sizeof bytes), 0x220d);
    EXPECT_EQ(fold_checksum(header_sum(bytes, sizeof bytes)), 0x220d);
}

TEST(synth_checksum, MatchesTheDefinitionForEveryLengthAndAlignment) {
    Rng rng(42);
    std::vector<uint8_t> buf(2100);
    rng.fill(buf.data(), buf.size());
    for (size_t start = 0; start < 9; ++start) {
        for (size_t n = 0; n < 2000; n += (n < 80 ? 1 : 37)) {
            ASSERT_EQ(internet_checksum(buf.data() + start, n),
                      reference_checksum(buf.data() + start, n))
                << "start " << start << " length " << n;
        }
    }
}

TEST(synth_checksum, AllOnesDataFoldsCorrectly) {
    std::vector<uint8_t> buf(65535, 0xff);
    EXPECT_EQ(internet_checksum(buf.data(), buf.size()),
              reference_checksum(buf.data(), buf.size()));
}

TEST(synth_checksum, AVerifiedBlockSumsToZero) {
    // An IPv4 header with its checksum in place sums to 0xffff (checksum 0).
    uint8_t header[20] = {0x45, 0, 0,  40, 0x12, 0x34, 0x40, 0, 64, 6,
                          0,    0, 10, 0,  0,    1,    10,   0, 0,  2};
    const uint16_t c = internet_checksum(header, 20);
    header[10] = static_cast<uint8_t>(c >> 8);
    header[11] = static_cast<uint8_t>(c);
    EXPECT_EQ(internet_checksum(header, 20), 0);
}

}  // namespace
}  // namespace fk::synth
