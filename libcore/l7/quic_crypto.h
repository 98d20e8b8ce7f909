// QUIC Initial packet protection for QUIC v1 (RFC 9001 section 5) and v2 (RFC 9369 section 3.3):
// the keys every observer can derive from the client's first Destination Connection ID, the
// AES-128-GCM payload protection and the AES-ECB header protection, in both directions.
//
// A probe opens a client's Initial like this (one UDP datagram from the client, port 443 or any
// port once the datagram looks like a long header):
//
//     InitialHeader h;
//     if (parse_initial_header(datagram, h) != PacketStatus::ok) return;
//     InitialKeys keys;
//     derive_initial_keys(h.version, h.dcid, Sender::client, keys);
//     uint8_t plain[kMaxInitialPlaintext];   // or any span of the packet's Length
//     UnprotectedInitial pkt;
//     if (unprotect_initial(datagram, h, keys, plain, pkt) == PacketStatus::ok) ... pkt.payload
//
// The keys of a connection never change during the Initial phase, so a probe may keep them per
// flow instead of deriving them again (five HMAC-SHA256s, about 1.2 us).
// Server Initials use keys derived from the client's DCID too (Sender::server), which is not in
// the server's packet: the probe has to take it from the client's first Initial.
//
// A crafting tool does the reverse with protect_initial().
//
// Nothing here allocates per call: the one OpenSSL context is created once per thread and reused.
// Bad input never throws; every function reports through its return value.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace fk::l7::quic {

constexpr uint32_t kVersion1 = 0x00000001;
constexpr uint32_t kVersion2 = 0x6b3343cf;
constexpr size_t kMaxCidLength = 20;  // RFC 9000 section 17.2
constexpr size_t kAeadTagLength = 16;
// Bytes of ciphertext the header protection samples (RFC 9001 section 5.4.2).
constexpr size_t kHeaderSampleLength = 16;
// The largest UDP payload; a plaintext buffer of this size fits any Initial packet.
constexpr size_t kMaxInitialPlaintext = 65527;

// Which endpoint sends the packet: each direction has its own Initial keys.
enum class Sender : uint8_t { client, server };

// True for the versions whose Initial protection is implemented here: v1, v2, and the IETF
// drafts 23 to 34 (0xff000017..0xff000022) that older stacks still send.
bool is_supported_version(uint32_t version);

struct InitialKeys {
    uint32_t version = 0;
    std::array<uint8_t, 16> key{};  // AEAD_AES_128_GCM key
    std::array<uint8_t, 12> iv{};   // AEAD nonce base, XORed with the packet number
    std::array<uint8_t, 16> hp{};   // AES-128 header protection key
};

// Initial keys of one direction from the Destination Connection ID the client chose for its
// first Initial. False for an unsupported version or a CID longer than 20 bytes.
bool derive_initial_keys(uint32_t version, std::span<const uint8_t> client_dcid, Sender sender,
                         InitialKeys& keys);

// The TLS 1.3 key schedule pieces QUIC uses (RFC 5869, RFC 8446 section 7.1), with SHA-256.
// Exposed so the tests can check the RFCs' intermediate secrets. hkdf_expand_label() is false
// for an output longer than 255 bytes.
bool hkdf_extract(std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                  std::span<uint8_t, 32> prk);
bool hkdf_expand_label(std::span<const uint8_t> secret, std::string_view label,
                       std::span<uint8_t> out);

enum class PacketStatus : uint8_t {
    ok,
    not_initial,          // not a long header, or a long header of another packet type
    unsupported_version,  // a long header of a version without known Initial keys
    truncated,            // the header or its Length runs past the end of the input
    buffer_too_small,     // the output span cannot hold the result
    auth_failed,          // the AEAD tag did not verify: wrong keys or damaged packet
};

// The unprotected parts of an Initial packet's long header.
struct InitialHeader {
    uint32_t version = 0;
    std::span<const uint8_t> dcid;
    std::span<const uint8_t> scid;
    std::span<const uint8_t> token;
    size_t pn_offset = 0;    // where the (protected) packet number starts
    size_t packet_size = 0;  // pn_offset + Length: the next coalesced packet starts here
};

// Reads the long header of the Initial packet that starts `packet` (a UDP payload, or what
// follows an earlier coalesced packet). Checks the fixed bit, the version, the packet type,
// CID lengths and that Length stays inside the input.
PacketStatus parse_initial_header(std::span<const uint8_t> packet, InitialHeader& header);

struct UnprotectedInitial {
    uint8_t first_byte = 0;            // with header protection removed
    uint8_t pn_length = 0;             // 1..4
    uint32_t packet_number = 0;        // the truncated packet number as sent
    std::span<const uint8_t> payload;  // plaintext frames, inside the caller's buffer
};

// Removes header and payload protection. `plaintext` receives the frames and must hold at
// least header.packet_size - header.pn_offset bytes (the packet's Length). The input is not
// modified.
PacketStatus unprotect_initial(std::span<const uint8_t> packet, const InitialHeader& header,
                               const InitialKeys& keys, std::span<uint8_t> plaintext,
                               UnprotectedInitial& out);

// What a crafted Initial packet carries besides its frames.
struct InitialPacketFields {
    std::span<const uint8_t> dcid;
    std::span<const uint8_t> scid;
    std::span<const uint8_t> token;
    uint32_t packet_number = 0;
    uint8_t pn_length = 4;  // 1..4 bytes on the wire
};

// Bytes protect_initial() writes for these fields and a payload of payload_size bytes.
size_t protected_initial_size(const InitialPacketFields& fields, size_t payload_size);

// Writes a protected Initial packet of keys.version into `out`: long header (Length as a
// 2-byte varint when it fits, as in the RFC samples), packet number, the payload sealed with
// AES-128-GCM, then header protection. `payload` is the plaintext frames; it needs at least
// 4 - pn_length bytes so that the header protection sample exists (pad with PADDING frames,
// 0x00; a client must pad its datagrams to 1200 bytes itself). Returns the bytes written, or
// 0 when out is too small or a field is out of range.
size_t protect_initial(const InitialKeys& keys, const InitialPacketFields& fields,
                       std::span<const uint8_t> payload, std::span<uint8_t> out);

}  // namespace fk::l7::quic
