#include "common/zeroed_array.h"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace fk {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}

ZeroedArray::ZeroedArray(size_t words) : words_(words) {
    if (words == 0) return;
    const size_t bytes = words * sizeof(uint64_t);
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (bytes >= kHugePage) ::madvise(p, bytes, MADV_HUGEPAGE);  // advice: failure is harmless
    data_ = static_cast<uint64_t*>(p);
}

ZeroedArray::~ZeroedArray() {
    if (data_) ::munmap(data_, words_ * sizeof(uint64_t));
}

ZeroedArray::ZeroedArray(ZeroedArray&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), words_(std::exchange(o.words_, 0)) {}

ZeroedArray& ZeroedArray::operator=(ZeroedArray&& o) noexcept {
    if (this != &o) {
        this->~ZeroedArray();
        data_ = std::exchange(o.data_, nullptr);
        words_ = std::exchange(o.words_, 0);
    }
    return *this;
}

}  // namespace fk
