#include <cstring>

#include "synth/bytes.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

constexpr uint16_t kExtServerName = 0x0000, kExtStatusRequest = 0x0005,
                   kExtSupportedGroups = 0x000a, kExtEcPointFormats = 0x000b,
                   kExtSignatureAlgorithms = 0x000d, kExtAlpn = 0x0010,
                   kExtExtendedMasterSecret = 0x0017, kExtSessionTicket = 0x0023,
                   kExtSupportedVersions = 0x002b, kExtPskModes = 0x002d, kExtKeyShare = 0x0033,
                   kExtQuicTransportParameters = 0x0039, kExtEch = 0xfe0d,
                   kExtRenegotiationInfo = 0xff01;

// QUIC variable-length integer (RFC 9000 section 16) of at most 4 bytes.
void quic_varint(Cursor& c, uint32_t v) {
    if (v < 64) {
        c.u8(v);
    } else if (v < 16384) {
        c.u16(0x4000 | v);
    } else {
        c.u32(0x80000000u | v);
    }
}

void quic_param(Cursor& c, uint32_t id, uint32_t value) {
    quic_varint(c, id);
    const size_t len_at = c.mark(1);
    quic_varint(c, value);
    c.patch8(len_at);
}

}  // namespace

size_t tls_client_hello_message(uint8_t* out, const ClientHello& h, Rng& rng) {
    Cursor c(out);
    const bool tls13 = h.version >= 0x0304;
    c.u8(1);
    const size_t body = c.mark(3);
    c.u16(0x0303);
    uint8_t random[32];
    rng.fill(random, 32);
    c.bytes(random, 32);
    if (h.quic) {
        c.u8(0);
    } else {
        c.u8(32);
        uint8_t session[32];
        rng.fill(session, 32);
        c.bytes(session, 32);
    }
    static constexpr uint16_t kSuites13[] = {0x1301, 0x1302, 0x1303};
    static constexpr uint16_t kSuites12[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
                                             0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    const size_t suites = c.mark(2);
    if (tls13) {
        for (uint16_t s : kSuites13) c.u16(s);
    }
    if (!h.quic) {
        for (uint16_t s : kSuites12) c.u16(s);
    }
    c.patch16(suites);
    c.u8(1).u8(0);  // compression: null
    const size_t exts = c.mark(2);
    if (!h.sni.empty()) {
        c.u16(kExtServerName);
        const size_t e = c.mark(2);
        const size_t list = c.mark(2);
        c.u8(0).u16(static_cast<unsigned>(h.sni.size())).str(h.sni);
        c.patch16(list);
        c.patch16(e);
    }
    if (!h.quic) {
        c.u16(kExtExtendedMasterSecret).u16(0);
        c.u16(kExtRenegotiationInfo).u16(1).u8(0);
    }
    c.u16(kExtSupportedGroups).u16(8).u16(6).u16(0x001d).u16(0x0017).u16(0x0018);
    if (!h.quic) {
        c.u16(kExtEcPointFormats).u16(2).u8(1).u8(0);
        c.u16(kExtSessionTicket).u16(0);
    }
    if (!h.alpn.empty()) {
        c.u16(kExtAlpn);
        const size_t e = c.mark(2);
        const size_t list = c.mark(2);
        std::string_view rest = h.alpn;
        while (!rest.empty()) {
            const size_t comma = rest.find(',');
            const std::string_view name = rest.substr(0, comma);
            c.u8(static_cast<unsigned>(name.size())).str(name);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        c.patch16(list);
        c.patch16(e);
    }
    c.u16(kExtStatusRequest).u16(5).u8(1).u16(0).u16(0);
    static constexpr uint16_t kSigAlgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                            0x0805, 0x0501, 0x0806, 0x0601};
    c.u16(kExtSignatureAlgorithms).u16(2 + 2 * 8).u16(2 * 8);
    for (uint16_t s : kSigAlgs) c.u16(s);
    if (tls13) {
        c.u16(kExtKeyShare).u16(2 + 4 + 32).u16(4 + 32).u16(0x001d).u16(32);
        uint8_t key[32];
        rng.fill(key, 32);
        c.bytes(key, 32);
        c.u16(kExtPskModes).u16(2).u8(1).u8(1);
        if (h.quic) {
            c.u16(kExtSupportedVersions).u16(3).u8(2).u16(0x0304);
        } else {
            c.u16(kExtSupportedVersions).u16(5).u8(4).u16(0x0304).u16(0x0303);
        }
    }
    if (h.quic) {
        c.u16(kExtQuicTransportParameters);
        const size_t e = c.mark(2);
        quic_param(c, 0x01, 30000);     // max_idle_timeout
        quic_param(c, 0x04, 15728640);  // initial_max_data
        quic_param(c, 0x05, 6291456);   // initial_max_stream_data_bidi_local
        quic_param(c, 0x08, 100);       // initial_max_streams_bidi
        quic_varint(c, 0x0f);           // initial_source_connection_id
        c.u8(8);
        uint8_t cid[8];
        rng.fill(cid, 8);
        c.bytes(cid, 8);
        c.patch16(e);
    }
    if (h.ech) {
        // An outer ClientHello: HPKE suite, config id, encapsulated key, sealed inner hello.
        c.u16(kExtEch);
        const size_t e = c.mark(2);
        c.u8(0).u16(0x0001).u16(0x0001).u8(static_cast<unsigned>(rng.below(256)));
        uint8_t blob[208];
        rng.fill(blob, sizeof blob);
        c.u16(32).bytes(blob, 32);
        const unsigned sealed = 144 + 32 * static_cast<unsigned>(rng.below(2));
        c.u16(sealed).bytes(blob + 32, sealed);
        c.patch16(e);
    }
    c.patch16(exts);
    c.patch24(body);
    return c.size();
}

size_t tls_client_hello_record(uint8_t* out, const ClientHello& hello, Rng& rng) {
    out[0] = 0x16;
    put16(out + 1, 0x0301);
    const size_t n = tls_client_hello_message(out + 5, hello, rng);
    put16(out + 3, static_cast<uint16_t>(n));
    return 5 + n;
}

size_t tls_server_hello_message(uint8_t* out, uint16_t version, bool quic, Rng& rng) {
    Cursor c(out);
    const bool tls13 = version >= 0x0304;
    c.u8(2);
    const size_t body = c.mark(3);
    c.u16(0x0303);
    uint8_t random[64];
    rng.fill(random, sizeof random);
    c.bytes(random, 32);
    if (quic) {
        c.u8(0);  // QUIC clients send no legacy session id, so none is echoed
    } else {
        c.u8(32).bytes(random + 32, 32);
    }
    c.u16(tls13 ? 0x1301 : 0xc02f).u8(0);
    const size_t exts = c.mark(2);
    if (tls13) {
        c.u16(kExtSupportedVersions).u16(2).u16(0x0304);
        uint8_t key[32];
        rng.fill(key, 32);
        c.u16(kExtKeyShare).u16(36).u16(0x001d).u16(32).bytes(key, 32);
    } else {
        c.u16(kExtRenegotiationInfo).u16(1).u8(0);
        c.u16(kExtExtendedMasterSecret).u16(0);
    }
    c.patch16(exts);
    c.patch24(body);
    return c.size();
}

size_t tls_server_hello_records(uint8_t* out, uint16_t version, Rng& rng) {
    const size_t n = tls_server_hello_message(out + 5, version, false, rng);
    out[0] = 0x16;
    put16(out + 1, 0x0303);
    put16(out + 3, static_cast<uint16_t>(n));
    const uint8_t ccs[6] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};  // ChangeCipherSpec
    std::memcpy(out + 5 + n, ccs, sizeof ccs);
    return 5 + n + sizeof ccs;
}

void tls_app_data_header(uint8_t* out, uint16_t length) {
    out[0] = 0x17;
    put16(out + 1, 0x0303);
    put16(out + 3, length);
}

}  // namespace fk::synth
