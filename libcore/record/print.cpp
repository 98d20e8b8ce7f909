#include "record/print.h"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "record/names.h"

namespace fk {

size_t format_count(char* out, uint64_t v, bool scale) {
    if (scale && v >= 1'000'000'000ull) {
        return static_cast<size_t>(std::snprintf(out, 32, "%.1f G", static_cast<double>(v) / 1e9));
    }
    if (scale && v >= 1'000'000ull) {
        return static_cast<size_t>(std::snprintf(out, 32, "%.1f M", static_cast<double>(v) / 1e6));
    }
    return static_cast<size_t>(std::to_chars(out, out + 24, v).ptr - out);
}

size_t format_double(char* out, double v, int decimals) {
    return static_cast<size_t>(std::snprintf(out, 48, "%.*f", decimals, v));
}

size_t format_seconds(char* out, uint64_t micros, int decimals) {
    uint64_t frac_unit = 1'000'000;
    if (decimals == 3) {
        micros = (micros + 500) / 1000;
        frac_unit = 1000;
    }
    size_t n = static_cast<size_t>(std::to_chars(out, out + 24, micros / frac_unit).ptr - out);
    out[n++] = '.';
    uint64_t frac = micros % frac_unit;
    for (int i = decimals - 1; i >= 0; --i) {
        out[n + static_cast<size_t>(i)] = static_cast<char>('0' + frac % 10);
        frac /= 10;
    }
    return n + static_cast<size_t>(decimals);
}

namespace {

size_t format_int(char* out, Format fmt, uint64_t v, const PrintStyle& style) {
    switch (fmt) {
        case Format::Time:
            return format_time(out, v, style.time_digits);
        case Format::Proto:
            return format_proto(out, static_cast<uint8_t>(v));
        case Format::TcpFlags:
            return format_tcp_flags(out, static_cast<uint8_t>(v));
        case Format::App:
            return format_app(out, static_cast<uint8_t>(v));
        case Format::TlsVer:
            return format_tls_version(out, static_cast<uint16_t>(v));
        case Format::Action:
            return format_action(out, static_cast<uint8_t>(v));
        case Format::Tunnel:
            return format_tunnel(out, static_cast<uint8_t>(v));
        case Format::DnsRcode:
            return format_dns_rcode(out, static_cast<uint8_t>(v));
        case Format::Mac:
            return v ? format_mac(out, v) : 0;
        case Format::Hex:
            if (v == 0) return 0;
            return static_cast<size_t>(
                std::snprintf(out, 24, "0x%04llx", static_cast<unsigned long long>(v)));
        case Format::Bool:
            out[0] = v ? '1' : '0';
            return 1;
        default:
            return format_count(out, v, false);
    }
}

}  // namespace

size_t format_int_field(char* out, FieldId f, uint64_t v, const PrintStyle& style) {
    return format_int(out, field_info(f).format, v, style);
}

size_t format_field(char* out, const FlowBlock& b, FieldId f, size_t i, const PrintStyle& style) {
    size_t n = 0;
    visit_field(f, [&](auto t) {
        using T = decltype(t);
        const auto& col = column<T::id>(b);
        if constexpr (T::storage == Storage::Str) {
            const std::string_view s = col[i];
            n = std::min(s.size(), kMaxValueText);
            std::memcpy(out, s.data(), n);
        } else if constexpr (T::storage == Storage::Addr) {
            // Unset optional addresses print empty; src and dst always print (:: is real).
            const bool endpoint = T::id == FieldId::src || T::id == FieldId::dst;
            n = col[i].is_zero() && !endpoint ? 0 : format_ip(out, col[i]);
        } else {
            n = format_int(out, T::format, col[i], style);
        }
    });
    return n;
}

}  // namespace fk
