// CRC-32C (Castagnoli), the per-block checksum of the flowkit format.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fk {

// Continues crc over data; start with crc = 0.
uint32_t crc32c(uint32_t crc, const void* data, size_t n);

}  // namespace fk
