// Hand-built frames and capture files for the packet tests: every byte is written here, so
// the expected decoding is known independently of the decoder.
#pragma once
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace fk::test {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v) {
    put16(b, static_cast<uint16_t>(v >> 16));
    put16(b, static_cast<uint16_t>(v));
}
inline void append(Bytes& b, const Bytes& x) {
    b.insert(b.end(), x.begin(), x.end());
}

inline Bytes ether(uint16_t type, uint64_t src = 0x020000000001, uint64_t dst = 0x020000000002) {
    Bytes b;
    for (int i = 5; i >= 0; --i) b.push_back(static_cast<uint8_t>(dst >> (8 * i)));
    for (int i = 5; i >= 0; --i) b.push_back(static_cast<uint8_t>(src >> (8 * i)));
    put16(b, type);
    return b;
}

inline Bytes vlan_tag(uint16_t id, uint16_t next) {
    Bytes b;
    put16(b, id);
    put16(b, next);
    return b;
}

// IPv4 header for `payload` bytes after it; frag = flags/offset field.
inline Bytes ipv4(uint32_t src, uint32_t dst, uint8_t proto, size_t payload, uint16_t id = 1,
                  uint16_t frag = 0) {
    Bytes b;
    b.push_back(0x45);
    b.push_back(0);
    put16(b, static_cast<uint16_t>(20 + payload));
    put16(b, id);
    put16(b, frag);
    b.push_back(64);
    b.push_back(proto);
    put16(b, 0);
    put32(b, src);
    put32(b, dst);
    return b;
}

inline Bytes ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t next, size_t payload) {
    Bytes b{0x60, 0, 0, 0};
    put16(b, static_cast<uint16_t>(payload));
    b.push_back(next);
    b.push_back(64);
    b.insert(b.end(), src, src + 16);
    b.insert(b.end(), dst, dst + 16);
    return b;
}

inline Bytes udp(uint16_t sport, uint16_t dport, const Bytes& data = {}) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put16(b, static_cast<uint16_t>(8 + data.size()));
    put16(b, 0);
    append(b, data);
    return b;
}

inline Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq = 0, uint32_t ack = 0,
                 const Bytes& data = {}) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put32(b, seq);
    put32(b, ack);
    b.push_back(0x50);
    b.push_back(flags);
    put16(b, 65535);
    put16(b, 0);
    put16(b, 0);
    append(b, data);
    return b;
}

// A frame: Ethernet + IPv4 + the transport bytes.
inline Bytes eth_ipv4(uint32_t src, uint32_t dst, uint8_t proto, const Bytes& l4) {
    Bytes f = ether(0x0800);
    append(f, ipv4(src, dst, proto, l4.size()));
    append(f, l4);
    return f;
}

struct Frame {
    uint64_t ts_us;
    Bytes data;
};

// A classic pcap file (microseconds, little endian) of the frames.
inline Bytes pcap_file(const std::vector<Frame>& frames, uint32_t link = 1) {
    Bytes b;
    const auto le32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    const auto le16 = [&](uint16_t v) {
        b.push_back(static_cast<uint8_t>(v));
        b.push_back(static_cast<uint8_t>(v >> 8));
    };
    le32(0xa1b2c3d4);
    le16(2);
    le16(4);
    le32(0);
    le32(0);
    le32(65535);
    le32(link);
    for (const auto& f : frames) {
        le32(static_cast<uint32_t>(f.ts_us / 1000000));
        le32(static_cast<uint32_t>(f.ts_us % 1000000));
        le32(static_cast<uint32_t>(f.data.size()));
        le32(static_cast<uint32_t>(f.data.size()));
        b.insert(b.end(), f.data.begin(), f.data.end());
    }
    return b;
}

// A pcapng file (little endian): a section header, one Ethernet interface, and an enhanced
// packet block per frame. Timestamps are written as they are, in the interface's unit:
// microseconds, or 10^-tsresol seconds when tsresol (the if_tsresol option) is given.
inline Bytes pcapng_file(const std::vector<Frame>& frames, uint8_t tsresol = 0) {
    Bytes b;
    const auto le32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    le32(0x0a0d0d0a);
    le32(28);
    le32(0x1a2b3c4d);
    le32(0x00000001);  // version 1.0
    le32(0xffffffff);  // section length unknown (two words)
    le32(0xffffffff);
    le32(28);
    const uint32_t idb_len = tsresol ? 32 : 20;
    le32(1);  // interface description
    le32(idb_len);
    le32(1);  // Ethernet, reserved
    le32(65535);
    if (tsresol) {
        le32(0x00010009);  // if_tsresol, length 1
        le32(tsresol);
        le32(0);  // end of options
    }
    le32(idb_len);
    for (const auto& f : frames) {
        const uint32_t padded = (static_cast<uint32_t>(f.data.size()) + 3u) & ~3u;
        le32(6);
        le32(32 + padded);
        le32(0);
        le32(static_cast<uint32_t>(f.ts_us >> 32));
        le32(static_cast<uint32_t>(f.ts_us));
        le32(static_cast<uint32_t>(f.data.size()));
        le32(static_cast<uint32_t>(f.data.size()));
        append(b, f.data);
        b.resize(b.size() + padded - f.data.size(), 0);
        le32(32 + padded);
    }
    return b;
}

inline void write_file(const std::string& path, const Bytes& b) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

}  // namespace fk::test
