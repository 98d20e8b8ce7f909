#include "l7/tls.h"

#include <algorithm>

#include "l7/byte_reader.h"

namespace fk::l7 {

namespace {

constexpr uint8_t kContentHandshake = 22;
constexpr uint8_t kHandshakeClientHello = 1;

// GREASE values (RFC 8701) are 0x?a?a with equal bytes; they are never real versions.
void reset(ClientHello& h) {
    h.sni = {};
    h.version = h.legacy_version = 0;
    h.ech = h.truncated = false;
    h.needed = 0;
    h.alpn_len_ = 0;
}

bool is_grease(uint16_t v) {
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

// Order of versions: 3.x by number; anything else (TLS 1.3 drafts 0x7fxx, experimental
// versions such as Facebook's 0xfbxx) just below TLS 1.3, so a final 1.3 wins over them.
uint32_t version_rank(uint16_t v) {
    return (v >> 8) == 3 ? uint32_t{v} << 8 : (uint32_t{0x0303} << 8 | (v & 0xff));
}

void append_alpn(ClientHello& h, std::span<const uint8_t> proto) {
    size_t sep = h.alpn_len_ ? 1 : 0;
    if (h.alpn_len_ + sep + proto.size() > kMaxAlpnText) return;
    if (sep) h.alpn_text_[h.alpn_len_++] = ',';
    // Protocol ids are opaque bytes; registered ones are printable ASCII, others are masked
    // so that the text stays printable.
    for (uint8_t c : proto) h.alpn_text_[h.alpn_len_++] = c > 0x20 && c < 0x7f ? char(c) : '?';
}

void read_server_name(std::span<const uint8_t> ext, ClientHello& h) {
    ByteReader r(ext);
    uint16_t list_len = 0;
    std::span<const uint8_t> list;
    if (!r.u16(list_len) || !r.bytes(std::min<size_t>(list_len, r.left()), list)) return;
    ByteReader names(list);
    uint8_t type = 0;
    uint16_t len = 0;
    std::span<const uint8_t> name;
    while (names.u8(type) && names.u16(len) && names.bytes(len, name)) {
        if (type == 0 && !name.empty()) {
            h.sni = {reinterpret_cast<const char*>(name.data()), name.size()};
            return;
        }
    }
}

void read_alpn(std::span<const uint8_t> ext, ClientHello& h) {
    ByteReader r(ext);
    uint16_t list_len = 0;
    std::span<const uint8_t> list;
    if (!r.u16(list_len) || !r.bytes(std::min<size_t>(list_len, r.left()), list)) return;
    ByteReader protos(list);
    uint8_t len = 0;
    std::span<const uint8_t> proto;
    while (protos.u8(len) && protos.bytes(len, proto)) {
        if (!proto.empty()) append_alpn(h, proto);
    }
}

void read_supported_versions(std::span<const uint8_t> ext, ClientHello& h) {
    ByteReader r(ext);
    uint8_t len = 0;
    std::span<const uint8_t> list;
    if (!r.u8(len) || !r.bytes(std::min<size_t>(len, r.left()), list)) return;
    ByteReader versions(list);
    uint16_t v = 0, best = 0;
    while (versions.u16(v)) {
        if (!is_grease(v) && (best == 0 || version_rank(v) > version_rank(best))) best = v;
    }
    if (best) h.version = best;
}

// The ClientHello body after the 4-byte handshake header. `complete` says whether the body
// is all there; a prefix is parsed as far as it goes.
Status parse_body(std::span<const uint8_t> body, bool complete, ClientHello& h) {
    ByteReader r(body);
    uint16_t legacy = 0;
    uint8_t sid_len = 0, comp_len = 0;
    uint16_t suites_len = 0, ext_len = 0;
    if (!r.u16(legacy)) return complete ? Status::invalid : Status::need_more;
    if ((legacy >> 8) != 3) return Status::not_this;
    h.legacy_version = legacy;
    h.version = legacy;
    auto stop = [&]() {
        if (complete) return Status::invalid;
        h.truncated = true;
        return Status::done;
    };
    if (!r.skip(32) || !r.u8(sid_len)) return stop();
    if (sid_len > 32) return Status::invalid;
    if (!r.skip(sid_len) || !r.u16(suites_len)) return stop();
    if (suites_len % 2 != 0 || suites_len == 0) return Status::invalid;
    if (!r.skip(suites_len) || !r.u8(comp_len)) return stop();
    if (comp_len == 0) return Status::invalid;
    if (!r.skip(comp_len)) return stop();
    // SSL 3.0 and early TLS hellos may end here, without extensions.
    if (r.empty() && complete) return Status::done;
    if (!r.u16(ext_len)) return stop();
    if (complete && ext_len != r.left()) return Status::invalid;
    uint16_t type = 0, len = 0;
    std::span<const uint8_t> data;
    while (!r.empty()) {
        if (!r.u16(type) || !r.u16(len) || !r.bytes(len, data)) return stop();
        switch (type) {
            case kTlsExtServerName:
                if (h.sni.empty()) read_server_name(data, h);
                break;
            case kTlsExtAlpn:
                if (h.alpn_len_ == 0) read_alpn(data, h);
                break;
            case kTlsExtSupportedVersions:
                read_supported_versions(data, h);
                break;
            case kTlsExtEncryptedClientHello:
                h.ech = true;
                break;
            default:
                break;
        }
    }
    if (!complete) h.truncated = true;
    return Status::done;
}

// The SSL 2.0 record header with a CLIENT-HELLO of version 2.0 or 3.x, which old clients
// sent to stay compatible with SSL 2.0 servers.
bool looks_like_sslv2_hello(std::span<const uint8_t> d) {
    return d.size() >= 5 && (d[0] & 0x80) && d[2] == kHandshakeClientHello &&
           ((d[3] == 0 && d[4] == 2) || (d[3] == 3 && d[4] <= 4));
}

// An SSL 2.0 compatible CLIENT-HELLO (RFC 5246 appendix E.2): it has no extensions, so
// only the version is there to read.
Status parse_sslv2_hello(std::span<const uint8_t> stream, ClientHello& hello) {
    size_t record = (size_t{stream[0]} & 0x7f) << 8 | stream[1];
    if (stream.size() < 2 + record) {
        hello.needed = 2 + record;
        return Status::need_more;
    }
    ByteReader r(stream.subspan(2, record));
    uint8_t type = 0;
    uint16_t version = 0, suites = 0, session = 0, challenge = 0;
    if (!r.u8(type) || !r.u16(version) || !r.u16(suites) || !r.u16(session) || !r.u16(challenge) ||
        suites % 3 != 0 || (session != 0 && session != 16) || challenge < 16 || challenge > 32 ||
        size_t{suites} + session + challenge != r.left()) {
        return Status::invalid;
    }
    hello.version = version;
    hello.legacy_version = version;
    return Status::done;
}

}  // namespace

bool looks_like_client_hello(std::span<const uint8_t> d) {
    return (d.size() >= 6 && d[0] == kContentHandshake && d[1] == 3 && d[2] <= 4 &&
            d[5] == kHandshakeClientHello) ||
           looks_like_sslv2_hello(d);
}

Status parse_client_hello_message(std::span<const uint8_t> message, ClientHello& hello,
                                  bool accept_prefix) {
    reset(hello);
    ByteReader r(message);
    uint8_t type = 0;
    uint32_t len = 0;
    if (!r.u8(type)) {
        hello.needed = 4;
        return Status::need_more;
    }
    if (type != kHandshakeClientHello) return Status::not_this;
    if (!r.u24(len)) {
        hello.needed = 4;
        return Status::need_more;
    }
    bool complete = r.left() >= len;
    if (!complete && !accept_prefix) {
        // Check what is there first, so that garbage is not buffered for nothing.
        ClientHello probe;
        Status s = parse_body(r.rest(), false, probe);
        if (s != Status::done && s != Status::need_more) return s;
        hello.needed = 4 + size_t{len};
        return Status::need_more;
    }
    std::span<const uint8_t> body = r.rest().first(std::min<size_t>(len, r.left()));
    Status s = parse_body(body, complete, hello);
    if (s == Status::need_more) hello.needed = 4 + size_t{len};
    return s;
}

Status parse_tls_client_hello(std::span<const uint8_t> stream, ClientHello& hello,
                              bool accept_prefix) {
    reset(hello);
    if (looks_like_sslv2_hello(stream)) return parse_sslv2_hello(stream, hello);
    ByteReader r(stream);
    uint8_t content = 0, major = 0, minor = 0;
    uint16_t record_len = 0;
    if (r.u8(content) && content != kContentHandshake) return Status::not_this;
    if (r.u8(major) && major != 3) return Status::not_this;
    if (r.u8(minor) && minor > 4) return Status::not_this;
    if (!r.u16(record_len)) {
        hello.needed = 5;
        return Status::need_more;
    }
    if (record_len == 0 || record_len > kMaxTlsRecord) return Status::invalid;
    std::span<const uint8_t> fragment = r.rest().first(std::min<size_t>(record_len, r.left()));
    if (!fragment.empty() && fragment[0] != kHandshakeClientHello) return Status::not_this;
    // The hello usually fills its record. When it is longer, it continues in the next record
    // and only this record's part can be parsed, as a prefix.
    size_t target = record_len;
    if (fragment.size() >= 4) {
        size_t message = 4 + (size_t{fragment[1]} << 16 | size_t{fragment[2]} << 8 | fragment[3]);
        target = std::min(message, target);
    }
    if (fragment.size() >= target || accept_prefix) {
        Status s = parse_client_hello_message(fragment.first(std::min(target, fragment.size())),
                                              hello, true);
        if (s == Status::need_more) {
            // A whole record too short for a hello's fixed start cannot become one.
            if (fragment.size() >= target) return Status::invalid;
            hello.needed = 5 + target;
        }
        return s;
    }
    Status s = parse_client_hello_message(fragment, hello, true);
    if (s != Status::done && s != Status::need_more) return s;
    reset(hello);
    hello.needed = 5 + target;
    return Status::need_more;
}

}  // namespace fk::l7
