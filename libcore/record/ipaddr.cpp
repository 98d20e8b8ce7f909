#include "record/ipaddr.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

namespace fk {

IpAddr IpAddr::v6(const uint8_t* b) {
    IpAddr a;
    for (int i = 0; i < 8; ++i) a.hi = (a.hi << 8) | b[i];
    for (int i = 8; i < 16; ++i) a.lo = (a.lo << 8) | b[i];
    return a;
}

IpAddr IpAddr::v4_bytes(const uint8_t* b) {
    return v4((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]);
}

void IpAddr::to_bytes(uint8_t out[16]) const {
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) out[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
}

namespace {

size_t put_u8(char* out, unsigned v) {
    if (v >= 100) {
        out[0] = static_cast<char>('0' + v / 100);
        out[1] = static_cast<char>('0' + v / 10 % 10);
        out[2] = static_cast<char>('0' + v % 10);
        return 3;
    }
    if (v >= 10) {
        out[0] = static_cast<char>('0' + v / 10);
        out[1] = static_cast<char>('0' + v % 10);
        return 2;
    }
    out[0] = static_cast<char>('0' + v);
    return 1;
}

}  // namespace

size_t format_ip(char* out, const IpAddr& a) {
    if (a.is_v4()) {
        const uint32_t v = a.v4_value();
        size_t n = put_u8(out, v >> 24);
        out[n++] = '.';
        n += put_u8(out + n, (v >> 16) & 0xff);
        out[n++] = '.';
        n += put_u8(out + n, (v >> 8) & 0xff);
        out[n++] = '.';
        n += put_u8(out + n, v & 0xff);
        return n;
    }
    uint8_t b[16];
    a.to_bytes(b);
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, b, buf, sizeof buf);
    const size_t n = std::strlen(buf);
    std::memcpy(out, buf, n);
    return n;
}

std::string ip_string(const IpAddr& a) {
    char buf[64];
    return std::string(buf, format_ip(buf, a));
}

std::optional<IpAddr> parse_ip(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    uint8_t b[16];
    if (text.find(':') == std::string_view::npos) {
        if (inet_pton(AF_INET, buf, b) == 1) return IpAddr::v4_bytes(b);
        return std::nullopt;
    }
    if (inet_pton(AF_INET6, buf, b) == 1) return IpAddr::v6(b);
    return std::nullopt;
}

}  // namespace fk
