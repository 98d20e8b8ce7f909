#include "common/zeroed_array.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <utility>

namespace fk {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}

ZeroedArray::ZeroedArray(size_t words, size_t room) : words_(words) {
    if (words == 0) return;
    void* p = MAP_FAILED;
    if (room > words) {
        // Untouched reserved pages cost nothing; a system that does not overcommit refuses
        // the reservation, and the array is then mapped at its size only.
        p = ::mmap(nullptr, room * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) mapped_ = room;
    }
    if (p == MAP_FAILED) {
        p = ::mmap(nullptr, words * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        mapped_ = words;
    }
    const size_t bytes = mapped_ * sizeof(uint64_t);
    if (bytes >= kHugePage) ::madvise(p, bytes, MADV_HUGEPAGE);  // advice: failure is harmless
    data_ = static_cast<uint64_t*>(p);
}

ZeroedArray::~ZeroedArray() {
    if (data_) ::munmap(data_, mapped_ * sizeof(uint64_t));
}

bool ZeroedArray::grow_in_place(size_t words) {
    if (words > mapped_) return false;
    words_ = std::max(words_, words);
    return true;
}

ZeroedArray::ZeroedArray(ZeroedArray&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)),
      words_(std::exchange(o.words_, 0)),
      mapped_(std::exchange(o.mapped_, 0)) {}

ZeroedArray& ZeroedArray::operator=(ZeroedArray&& o) noexcept {
    if (this != &o) {
        this->~ZeroedArray();
        data_ = std::exchange(o.data_, nullptr);
        words_ = std::exchange(o.words_, 0);
        mapped_ = std::exchange(o.mapped_, 0);
    }
    return *this;
}

}  // namespace fk
