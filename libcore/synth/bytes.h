// Big-endian stores and a bounds-free cursor for building headers and messages in place.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

namespace fk::synth {

inline void put16(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}
inline void put24(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 16);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v);
}
inline void put32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
}
inline void put64(uint8_t* p, uint64_t v) {
    put32(p, static_cast<uint32_t>(v >> 32));
    put32(p + 4, static_cast<uint32_t>(v));
}
inline uint16_t get16(const uint8_t* p) {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t get32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Appends to a caller-provided buffer that is known to be large enough (message builders
// work in fixed scratch buffers sized for their largest message). Length fields that are
// only known later are reserved with a mark and filled with patch16/patch24.
class Cursor {
  public:
    explicit Cursor(uint8_t* p) : begin_(p), p_(p) {}
    uint8_t* begin() const { return begin_; }
    uint8_t* pos() const { return p_; }
    size_t size() const { return static_cast<size_t>(p_ - begin_); }

    Cursor& u8(unsigned v) {
        *p_++ = static_cast<uint8_t>(v);
        return *this;
    }
    Cursor& u16(unsigned v) {
        put16(p_, static_cast<uint16_t>(v));
        p_ += 2;
        return *this;
    }
    Cursor& u24(uint32_t v) {
        put24(p_, v);
        p_ += 3;
        return *this;
    }
    Cursor& u32(uint32_t v) {
        put32(p_, v);
        p_ += 4;
        return *this;
    }
    Cursor& u16le(unsigned v) {
        *p_++ = static_cast<uint8_t>(v);
        *p_++ = static_cast<uint8_t>(v >> 8);
        return *this;
    }
    Cursor& u32le(uint32_t v) {
        for (int i = 0; i < 4; ++i) *p_++ = static_cast<uint8_t>(v >> (8 * i));
        return *this;
    }
    Cursor& bytes(const void* data, size_t n) {
        std::memcpy(p_, data, n);
        p_ += n;
        return *this;
    }
    Cursor& str(std::string_view s) { return bytes(s.data(), s.size()); }
    Cursor& zeros(size_t n) {
        std::memset(p_, 0, n);
        p_ += n;
        return *this;
    }
    // Reserves n bytes for a length to patch later; returns the offset of the field.
    size_t mark(size_t n) {
        const size_t at = size();
        zeros(n);
        return at;
    }
    // Writes the number of bytes after the n-byte field at `at` into it.
    void patch16(size_t at) { put16(begin_ + at, static_cast<uint16_t>(size() - at - 2)); }
    void patch24(size_t at) { put24(begin_ + at, static_cast<uint32_t>(size() - at - 3)); }
    void patch8(size_t at) { begin_[at] = static_cast<uint8_t>(size() - at - 1); }

  private:
    uint8_t* begin_;
    uint8_t* p_;
};

}  // namespace fk::synth
