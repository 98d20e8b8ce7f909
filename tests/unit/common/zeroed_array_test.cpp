// ZeroedArray: zero from the start, and growing in place keeps the contents and gives zeros.
#include "common/zeroed_array.h"

#include <gtest/gtest.h>

namespace fk {
namespace {

TEST(ZeroedArray, GrowsInPlaceWithinItsRoom) {
    ZeroedArray a(1024, 1 << 20);
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], 0u);
    for (size_t i = 0; i < 1024; ++i) a[i] = i + 1;
    const uint64_t* before = a.data();
    ASSERT_TRUE(a.grow_in_place(1 << 19));
    EXPECT_EQ(a.data(), before);
    EXPECT_EQ(a.size(), size_t{1} << 19);
    for (size_t i = 0; i < 1024; ++i) ASSERT_EQ(a[i], i + 1);
    for (size_t i = 1024; i < a.size(); ++i) ASSERT_EQ(a[i], 0u);
    EXPECT_FALSE(a.grow_in_place((1 << 20) + 1));  // beyond the room: unchanged
    EXPECT_EQ(a.size(), size_t{1} << 19);
    ZeroedArray moved = std::move(a);
    EXPECT_EQ(moved[5], 6u);
    EXPECT_EQ(a.data(), nullptr);
}

TEST(ZeroedArray, WithoutRoomDoesNotGrow) {
    ZeroedArray a(100);
    a[99] = 7;
    EXPECT_FALSE(a.grow_in_place(200));
    EXPECT_TRUE(a.grow_in_place(100));
    EXPECT_EQ(a[99], 7u);
}

}  // namespace
}  // namespace fk
