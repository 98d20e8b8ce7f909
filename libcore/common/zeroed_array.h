// A large zero-filled array taken straight from the kernel: fresh anonymous pages are already
// zero (no memset), and big arrays are advised to use huge pages, so that filling a hash table
// of hundreds of megabytes costs a few thousand page faults instead of a few hundred thousand.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fk {

class ZeroedArray {
  public:
    ZeroedArray() = default;
    // room > words: address space for room words is reserved (not memory: pages are taken
    // only when touched), so that the array can grow in place.
    explicit ZeroedArray(size_t words, size_t room = 0);
    ~ZeroedArray();
    ZeroedArray(ZeroedArray&& o) noexcept;
    ZeroedArray& operator=(ZeroedArray&& o) noexcept;
    ZeroedArray(const ZeroedArray&) = delete;
    ZeroedArray& operator=(const ZeroedArray&) = delete;

    uint64_t* data() { return data_; }
    const uint64_t* data() const { return data_; }
    uint64_t& operator[](size_t i) { return data_[i]; }
    const uint64_t& operator[](size_t i) const { return data_[i]; }
    size_t size() const { return words_; }
    // Grows to `words` within the reserved room, keeping the contents; the new words are zero.
    // False (nothing changed) beyond the room.
    bool grow_in_place(size_t words);

  private:
    uint64_t* data_ = nullptr;
    size_t words_ = 0;
    size_t mapped_ = 0;  // words of address space mapped (>= words_)
};

}  // namespace fk
