#include "record/names.h"

#include <array>
#include <cstdio>
#include <cstring>

namespace fk {

namespace {

size_t put(char* out, std::string_view s) {
    std::memcpy(out, s.data(), s.size());
    return s.size();
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::optional<uint64_t> parse_uint(std::string_view s, uint64_t max) {
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
        if (v > max) return std::nullopt;
    }
    return v;
}

struct AppName {
    uint8_t num;
    std::string_view name;
};
constexpr AppName kApps[] = {
#define FK_APP_NAME(num, name) {num, #name},
    FK_APPS(FK_APP_NAME)
#undef FK_APP_NAME
};

struct ProtoName {
    uint8_t num;
    std::string_view name;
};
constexpr ProtoName kProtos[] = {
    {1, "icmp"},   {2, "igmp"},    {4, "ipip"},      {6, "tcp"},   {17, "udp"},  {41, "ipv6"},
    {43, "rh6"},   {44, "frag6"},  {46, "rsvp"},     {47, "gre"},  {50, "esp"},  {51, "ah"},
    {58, "icmp6"}, {59, "nonxt6"}, {88, "eigrp"},    {89, "ospf"}, {103, "pim"}, {112, "vrrp"},
    {115, "l2tp"}, {132, "sctp"},  {136, "udplite"},
};

}  // namespace

size_t format_app(char* out, uint8_t app) {
    if (app == 0) return 0;
    for (const auto& a : kApps) {
        if (a.num == app) {
            // Enum names cannot hold '-'; print http_proxy as http-proxy.
            size_t n = put(out, a.name);
            for (size_t i = 0; i < n; ++i) {
                if (out[i] == '_') out[i] = '-';
            }
            return n;
        }
    }
    return static_cast<size_t>(std::snprintf(out, 16, "app-%u", app));
}

std::optional<uint8_t> parse_app(std::string_view name) {
    for (const auto& a : kApps) {
        if (a.num == 0) continue;
        bool eq = a.name.size() == name.size();
        for (size_t i = 0; eq && i < name.size(); ++i) {
            char c = name[i] == '-' ? '_' : name[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            eq = c == a.name[i];
        }
        if (eq) return a.num;
    }
    if (name.starts_with("app-")) {
        if (auto v = parse_uint(name.substr(4), 255)) return static_cast<uint8_t>(*v);
    }
    return std::nullopt;
}

size_t format_proto(char* out, uint8_t proto) {
    for (const auto& p : kProtos) {
        if (p.num == proto) return put(out, p.name);
    }
    return static_cast<size_t>(std::snprintf(out, 8, "%u", proto));
}

std::optional<uint8_t> parse_proto(std::string_view name) {
    for (const auto& p : kProtos) {
        if (iequals(p.name, name)) return p.num;
    }
    if (iequals(name, "icmpv6") || iequals(name, "ipv6-icmp")) return 58;
    if (auto v = parse_uint(name, 255)) return static_cast<uint8_t>(*v);
    return std::nullopt;
}

size_t format_tcp_flags(char* out, uint8_t flags) {
    static constexpr char kLetters[] = "CEUAPRSF";
    for (int i = 0; i < 8; ++i) out[i] = (flags & (0x80 >> i)) ? kLetters[i] : '.';
    return 8;
}

std::optional<uint8_t> parse_tcp_flags(std::string_view letters) {
    if (letters.empty()) return std::nullopt;
    uint8_t v = 0;
    for (char c : letters) {
        switch (c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) {
            case 'F':
                v |= 0x01;
                break;
            case 'S':
                v |= 0x02;
                break;
            case 'R':
                v |= 0x04;
                break;
            case 'P':
                v |= 0x08;
                break;
            case 'A':
                v |= 0x10;
                break;
            case 'U':
                v |= 0x20;
                break;
            case 'E':
                v |= 0x40;
                break;
            case 'C':
                v |= 0x80;
                break;
            case 'X':
                v |= 0x3f;
                break;
            case '.':
                break;
            default:
                return std::nullopt;
        }
    }
    return v;
}

size_t format_tls_version(char* out, uint16_t v) {
    switch (v) {
        case 0:
            return 0;
        case 0x0300:
            return put(out, "ssl3");
        case 0x0301:
            return put(out, "1.0");
        case 0x0302:
            return put(out, "1.1");
        case 0x0303:
            return put(out, "1.2");
        case 0x0304:
            return put(out, "1.3");
        default:
            return static_cast<size_t>(std::snprintf(out, 8, "0x%04x", v));
    }
}

std::optional<uint16_t> parse_tls_version(std::string_view t) {
    if (t == "ssl3") return 0x0300;
    if (t == "1.0" || t == "tls1.0") return 0x0301;
    if (t == "1.1" || t == "tls1.1") return 0x0302;
    if (t == "1.2" || t == "tls1.2") return 0x0303;
    if (t == "1.3" || t == "tls1.3") return 0x0304;
    if (t.starts_with("0x") && t.size() > 2 && t.size() <= 6) {
        uint16_t v = 0;
        for (char c : t.substr(2)) {
            int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (d < 0) return std::nullopt;
            v = static_cast<uint16_t>(v * 16 + d);
        }
        return v;
    }
    return std::nullopt;
}

size_t format_action(char* out, uint8_t a) {
    switch (a) {
        case 1:
            return put(out, "accept");
        case 2:
            return put(out, "reject");
        default:
            return a == 0 ? 0 : static_cast<size_t>(std::snprintf(out, 8, "%u", a));
    }
}

std::optional<uint8_t> parse_action(std::string_view t) {
    if (iequals(t, "accept")) return 1;
    if (iequals(t, "reject")) return 2;
    return std::nullopt;
}

size_t format_tunnel(char* out, uint8_t t) {
    switch (t) {
        case 0:
            return 0;
        case 1:
            return put(out, "gre");
        case 2:
            return put(out, "vxlan");
        case 3:
            return put(out, "ipip");
        case 4:
            return put(out, "6in4");
        case 5:
            return put(out, "geneve");
        default:
            return static_cast<size_t>(std::snprintf(out, 8, "%u", t));
    }
}

std::optional<uint8_t> parse_tunnel(std::string_view t) {
    if (iequals(t, "gre")) return 1;
    if (iequals(t, "vxlan")) return 2;
    if (iequals(t, "ipip")) return 3;
    if (iequals(t, "6in4")) return 4;
    if (iequals(t, "geneve")) return 5;
    return std::nullopt;
}

size_t format_dns_rcode(char* out, uint8_t stored) {
    if (stored == 0) return 0;
    return static_cast<size_t>(std::snprintf(out, 4, "%u", stored - 1u));
}

std::optional<uint8_t> parse_dns_rcode(std::string_view text) {
    static constexpr std::string_view kNames[] = {"noerror", "formerr", "servfail", "nxdomain",
                                                  "notimp",  "refused", "yxdomain", "yxrrset",
                                                  "nxrrset", "notauth", "notzone"};
    for (size_t i = 0; i < std::size(kNames); ++i) {
        if (iequals(kNames[i], text)) return stored_dns_rcode(static_cast<uint8_t>(i));
    }
    if (auto v = parse_uint(text, kMaxDnsRcode)) return stored_dns_rcode(static_cast<uint8_t>(*v));
    return std::nullopt;
}

size_t format_mac(char* out, uint64_t mac) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 6; ++i) {
        const unsigned b = (mac >> (40 - 8 * i)) & 0xff;
        out[3 * i] = kHex[b >> 4];
        out[3 * i + 1] = kHex[b & 15];
        if (i < 5) out[3 * i + 2] = ':';
    }
    return 17;
}

std::optional<uint64_t> parse_mac(std::string_view t) {
    if (t.size() != 17) return std::nullopt;
    uint64_t v = 0;
    for (int i = 0; i < 6; ++i) {
        if (i < 5 && t[3 * i + 2] != ':' && t[3 * i + 2] != '-') return std::nullopt;
        for (int k = 0; k < 2; ++k) {
            const char c = t[3 * i + k];
            int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (d < 0) return std::nullopt;
            v = v * 16 + static_cast<uint64_t>(d);
        }
    }
    return v;
}

}  // namespace fk
