#include "l7/quic_crypto.h"
#include "synth/bytes.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

namespace quic = fk::l7::quic;

// A CRYPTO frame (type 0x06) with a 1- or 2-byte offset and a 2-byte length.
void crypto_frame(Cursor& c, size_t offset, const uint8_t* data, size_t n) {
    c.u8(0x06);
    if (offset < 64) {
        c.u8(static_cast<unsigned>(offset));
    } else {
        c.u16(0x4000 | static_cast<unsigned>(offset));
    }
    c.u16(0x4000 | static_cast<unsigned>(n)).bytes(data, n);
}

// Seals `payload` into an Initial packet of exactly `size` bytes (padding the payload with
// PADDING frames, zero bytes) and returns the size, or 0 if it does not fit.
size_t seal(uint8_t* out, size_t size, uint32_t version, const uint8_t* key_dcid,
            quic::Sender sender, const quic::InitialPacketFields& fields, uint8_t* payload,
            size_t payload_len) {
    quic::InitialKeys keys;
    if (!quic::derive_initial_keys(version, {key_dcid, kQuicCidLength}, sender, keys)) return 0;
    // Pad to the size; a longer Length field could take a byte or two of it back.
    const size_t bare = quic::protected_initial_size(fields, payload_len);
    if (bare > size) return 0;
    size_t padded = payload_len + (size - bare);
    while (quic::protected_initial_size(fields, padded) > size) --padded;
    std::fill(payload + payload_len, payload + padded, uint8_t{0});
    return quic::protect_initial(keys, fields, {payload, padded}, {out, size});
}

uint8_t long_header_type(uint32_t version, unsigned v1_type) {
    // RFC 9369 section 3.2: v2 rotates the packet types (Initial 1, 0-RTT 2, Handshake 3).
    const unsigned type = version == kQuicV2 ? (v1_type + 1) % 4 : v1_type;
    return static_cast<uint8_t>(0xc0 | (type << 4));
}

}  // namespace

size_t quic_client_initial(uint8_t* out, uint32_t version, const QuicIds& ids,
                           const ClientHello& hello, size_t datagram_size, unsigned parts,
                           Rng& rng) {
    uint8_t message[kMaxMessage];
    const size_t n = tls_client_hello_message(message, hello, rng);
    quic::InitialPacketFields f;
    f.dcid = {ids.initial_dcid, kQuicCidLength};
    f.scid = {ids.client_scid, kQuicCidLength};
    f.pn_length = 1;
    size_t total = 0;
    for (unsigned part = 0; part < parts; ++part) {
        // Part i of the hello, in packet number i, each in a datagram of its own.
        const size_t from = n * part / parts, to = n * (part + 1) / parts;
        uint8_t payload[kMaxMessage];
        Cursor c(payload);
        crypto_frame(c, from, message + from, to - from);
        f.packet_number = part;
        const size_t written = seal(out + total, datagram_size, version, ids.initial_dcid,
                                    quic::Sender::client, f, payload, c.size());
        if (written == 0) return 0;
        total += written;
    }
    return total;
}

size_t quic_server_initial(uint8_t* out, uint32_t version, const QuicIds& ids, size_t datagram_size,
                           Rng& rng) {
    uint8_t payload[kMaxMessage];
    Cursor c(payload);
    c.u8(0x02).u8(0).u8(0).u8(0).u8(0);  // ACK of packet 0, no delay, no more ranges
    uint8_t message[512];
    crypto_frame(c, 0, message, tls_server_hello_message(message, 0x0304, true, rng));
    quic::InitialPacketFields f;
    f.dcid = {ids.client_scid, kQuicCidLength};
    f.scid = {ids.server_scid, kQuicCidLength};
    f.pn_length = 1;
    // The Initial holds just its frames; the Handshake packet fills the datagram.
    const size_t initial = seal(out, quic::protected_initial_size(f, c.size()), version,
                                ids.initial_dcid, quic::Sender::server, f, payload, c.size());
    if (initial == 0) return 0;
    Cursor h(out + initial);
    h.u8(long_header_type(version, 2) | static_cast<unsigned>(rng.below(16)));
    h.u32(version).u8(kQuicCidLength).bytes(ids.client_scid, kQuicCidLength);
    h.u8(kQuicCidLength).bytes(ids.server_scid, kQuicCidLength);
    const size_t rest = datagram_size - initial - h.size() - 2;
    h.u16(0x4000 | static_cast<unsigned>(rest));
    rng.fill(h.pos(), rest);
    return initial + h.size() + rest;
}

void quic_short_header(uint8_t* out, const uint8_t* dcid, Rng& rng) {
    out[0] = static_cast<uint8_t>(0x40 | rng.below(64));  // fixed bit; the rest is protected
    for (size_t i = 0; i < kQuicCidLength; ++i) out[1 + i] = dcid[i];
}

}  // namespace fk::synth
