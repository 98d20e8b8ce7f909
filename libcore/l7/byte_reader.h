// A bounds-checked cursor over network-order bytes, shared by the L7 parsers. Every read
// either succeeds and advances, or fails and leaves the cursor where it was; nothing reads
// past the end of the span it was given.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace fk::l7 {

class ByteReader {
  public:
    explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

    size_t offset() const { return pos_; }
    size_t left() const { return data_.size() - pos_; }
    bool empty() const { return pos_ == data_.size(); }
    std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

    bool u8(uint8_t& v) {
        if (left() < 1) return false;
        v = data_[pos_++];
        return true;
    }
    bool u16(uint16_t& v) {
        if (left() < 2) return false;
        v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
        pos_ += 2;
        return true;
    }
    bool u24(uint32_t& v) {
        if (left() < 3) return false;
        v = static_cast<uint32_t>(data_[pos_]) << 16 | static_cast<uint32_t>(data_[pos_ + 1]) << 8 |
            data_[pos_ + 2];
        pos_ += 3;
        return true;
    }
    bool u32(uint32_t& v) {
        if (left() < 4) return false;
        v = static_cast<uint32_t>(data_[pos_]) << 24 |
            static_cast<uint32_t>(data_[pos_ + 1]) << 16 |
            static_cast<uint32_t>(data_[pos_ + 2]) << 8 | data_[pos_ + 3];
        pos_ += 4;
        return true;
    }
    bool bytes(size_t n, std::span<const uint8_t>& v) {
        if (left() < n) return false;
        v = data_.subspan(pos_, n);
        pos_ += n;
        return true;
    }
    bool skip(size_t n) {
        if (left() < n) return false;
        pos_ += n;
        return true;
    }
    // QUIC variable-length integer (RFC 9000 section 16): the top two bits give its size.
    bool varint(uint64_t& v) {
        if (left() < 1) return false;
        size_t n = size_t{1} << (data_[pos_] >> 6);
        if (left() < n) return false;
        uint64_t x = data_[pos_] & 0x3f;
        for (size_t i = 1; i < n; ++i) x = x << 8 | data_[pos_ + i];
        v = x;
        pos_ += n;
        return true;
    }

  private:
    std::span<const uint8_t> data_;
    size_t pos_ = 0;
};

}  // namespace fk::l7
