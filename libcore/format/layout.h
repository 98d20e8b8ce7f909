// Byte layout of the flowkit format; man/flowkit-format.5 documents it byte by byte.
//
//   file    = header unit* [index trailer]            (a stream may end after any unit)
//   header  = "FLOWKIT\x1a" u16 major u16 minor u32 len u32 crc u16 nfields u16 flags
//             nfields × (u8 id, u8 storage, u8 format, u8 namelen, name)
//             u8 creatorlen, u8 0, creator
//   block   = "FKBK" u32 len u32 records u32 crc u64 t_first u64 t_last u16 ncolumns u16 flags
//             ncolumns × column entry (32 bytes) | column bytes
//   index   = "FKIX" u32 len u32 nblocks u32 crc | summary | nblocks × entry (32 bytes)
//   trailer = "FKND" u32 16 u64 index offset
// All integers little endian. Each unit's crc is CRC-32C over the unit without the crc field;
// the trailer has none. Offsets in the index and trailer count from the stream's header.
#pragma once
#include <cstdint>
#include <cstring>

namespace fk::layout {

constexpr char kFileMagic[8] = {'F', 'L', 'O', 'W', 'K', 'I', 'T', '\x1a'};
constexpr uint16_t kVersionMajor = 1;
// 1: address dictionaries (transform 6); 2: sparse columns; 3: dns_rcode stored plus one
constexpr uint16_t kVersionMinor = 3;
constexpr uint16_t kMinorDnsRcodePlusOne = 3;
constexpr size_t kHeaderFixed = 24;

constexpr uint32_t magic4(const char (&s)[5]) {
    return static_cast<uint32_t>(static_cast<uint8_t>(s[0])) |
           static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 8 |
           static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 16 |
           static_cast<uint32_t>(static_cast<uint8_t>(s[3])) << 24;
}
constexpr uint32_t kBlockMagic = magic4("FKBK");
constexpr uint32_t kIndexMagic = magic4("FKIX");
constexpr uint32_t kTrailerMagic = magic4("FKND");
constexpr uint32_t kFileMagic4 = magic4("FLOW");

constexpr size_t kBlockFixed = 36;
constexpr size_t kColumnEntry = 32;
constexpr size_t kIndexFixed = 16;
constexpr size_t kIndexEntry = 32;
constexpr size_t kTrailerSize = 16;
constexpr size_t kSummarySize = 5 * 3 * 8 + 2 * 8;
// Sanity limits a reader enforces before trusting a length.
constexpr uint32_t kMaxUnitLen = 1u << 30;
constexpr uint32_t kMaxBlockRecords = 1u << 20;

inline void put16(uint8_t* p, uint16_t v) {
    std::memcpy(p, &v, 2);
}
inline void put32(uint8_t* p, uint32_t v) {
    std::memcpy(p, &v, 4);
}
inline void put64(uint8_t* p, uint64_t v) {
    std::memcpy(p, &v, 8);
}
inline uint16_t get16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}
inline uint32_t get32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline uint64_t get64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

}  // namespace fk::layout
