// ClientHello messages built field by field for the TLS and QUIC tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "l7/tls.h"

namespace fk::test {

struct Ext {
    uint16_t type;
    std::vector<uint8_t> data;
};

inline void put16(std::vector<uint8_t>& v, size_t x) {
    v.push_back(static_cast<uint8_t>(x >> 8));
    v.push_back(static_cast<uint8_t>(x));
}

// A ClientHello handshake message with the given extensions (TLS 1.3 style body).
inline std::vector<uint8_t> hello_message(const std::vector<Ext>& exts) {
    std::vector<uint8_t> body = {0x03, 0x03};
    body.insert(body.end(), 32, 0x11);  // random
    body.push_back(32);                 // legacy_session_id
    body.insert(body.end(), 32, 0x22);
    put16(body, 4);
    body.insert(body.end(), {0x13, 0x01, 0x13, 0x02});
    body.insert(body.end(), {0x01, 0x00});
    std::vector<uint8_t> ext;
    for (const auto& e : exts) {
        put16(ext, e.type);
        put16(ext, e.data.size());
        ext.insert(ext.end(), e.data.begin(), e.data.end());
    }
    put16(body, ext.size());
    body.insert(body.end(), ext.begin(), ext.end());
    std::vector<uint8_t> msg = {0x01, 0, 0, 0};
    msg[1] = static_cast<uint8_t>(body.size() >> 16);
    msg[2] = static_cast<uint8_t>(body.size() >> 8);
    msg[3] = static_cast<uint8_t>(body.size());
    msg.insert(msg.end(), body.begin(), body.end());
    return msg;
}

inline std::vector<uint8_t> record(const std::vector<uint8_t>& fragment) {
    std::vector<uint8_t> r = {0x16, 0x03, 0x01};
    put16(r, fragment.size());
    r.insert(r.end(), fragment.begin(), fragment.end());
    return r;
}

inline Ext sni_ext(const std::string& name) {
    std::vector<uint8_t> d;
    put16(d, name.size() + 3);
    d.push_back(0);
    put16(d, name.size());
    d.insert(d.end(), name.begin(), name.end());
    return {l7::kTlsExtServerName, d};
}

inline Ext alpn_ext(const std::vector<std::string>& protos) {
    std::vector<uint8_t> list;
    for (const auto& p : protos) {
        list.push_back(static_cast<uint8_t>(p.size()));
        list.insert(list.end(), p.begin(), p.end());
    }
    std::vector<uint8_t> d;
    put16(d, list.size());
    d.insert(d.end(), list.begin(), list.end());
    return {l7::kTlsExtAlpn, d};
}

inline Ext versions_ext(const std::vector<uint16_t>& versions) {
    std::vector<uint8_t> d = {static_cast<uint8_t>(versions.size() * 2)};
    for (uint16_t v : versions) put16(d, v);
    return {l7::kTlsExtSupportedVersions, d};
}

}  // namespace fk::test
