// TLS ClientHello: server name (SNI), offered ALPN protocols, highest offered version, and
// whether the hello carries encrypted_client_hello (RFC 8446, RFC 6066, RFC 7301, ECH draft).
//
// How a probe calls it, for TLS over TCP:
//   - Feed the client→server byte stream of the flow, from its first payload byte, in sequence
//     order (retransmissions removed): parse_tls_client_hello(stream, hello).
//   - need_more: the hello continues in later segments. Buffer the client's payload until the
//     stream holds hello.needed bytes (at most kMaxTlsRecord + 5 = 16389), then call again.
//     A probe that buffers less may call with accept_prefix = true once its buffer is full:
//     the fields found in the prefix are returned with hello.truncated set.
//   - not_this: the stream does not start with a handshake record. Protocols that switch to
//     TLS in the middle (SMTP/IMAP/POP3/FTP STARTTLS, HTTP CONNECT) start a record at the
//     start of a later client segment: check such segments with looks_like_client_hello()
//     for the first packets of the flow and parse from there.
//   - The server direction needs no parsing for these fields.
// For QUIC the hello arrives in CRYPTO frames without the record layer; l7/quic.h reassembles
// them and calls parse_client_hello_message().
//
// Strings point into the input (sni) or into the result itself (alpn), so copy them before
// the input buffer or the result goes away.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "l7/status.h"

namespace fk::l7 {

// The largest TLS plaintext record (RFC 8446 section 5.1).
constexpr size_t kMaxTlsRecord = 16384;
// Room for the ALPN list as text; longer lists keep the protocols that fit whole.
constexpr size_t kMaxAlpnText = 128;

constexpr uint16_t kTlsExtServerName = 0;
constexpr uint16_t kTlsExtAlpn = 16;
constexpr uint16_t kTlsExtSupportedVersions = 43;
constexpr uint16_t kTlsExtEncryptedClientHello = 0xfe0d;

struct ClientHello {
    std::string_view sni;  // first host_name of server_name; empty when absent
    uint16_t version = 0;  // highest of supported_versions (GREASE skipped; TLS 1.3 drafts
                           // and experimental versions rank below the final 1.3), else
                           // legacy_version: 0x0303 = TLS 1.2, 0x0304 = TLS 1.3
    uint16_t legacy_version = 0;
    bool ech = false;        // encrypted_client_hello (0xfe0d) present
    bool truncated = false;  // parsed from a prefix (accept_prefix); later extensions unseen
    size_t needed = 0;       // with Status::need_more: input bytes to call again with
    std::string_view alpn() const { return {alpn_text_, alpn_len_}; }  // "h2,http/1.1"

    // Filled by the parser; the ALPN text lives here so no caller buffer is needed. Not
    // zeroed, as only alpn_len_ bytes are ever read.
    char alpn_text_[kMaxAlpnText];
    uint8_t alpn_len_ = 0;
};

// True when the bytes start a TLS handshake record holding a ClientHello (6 bytes suffice):
// content type 22, version 3.x, handshake type 1; or an SSL 2.0 compatible CLIENT-HELLO.
bool looks_like_client_hello(std::span<const uint8_t> data);

// A ClientHello behind the TLS record layer, as sent over TCP (see above). When the hello is
// fragmented over several records, the first record's part is parsed as a prefix (truncated).
// An SSL 2.0 compatible hello yields only its version (it has no extensions).
Status parse_tls_client_hello(std::span<const uint8_t> stream, ClientHello& hello,
                              bool accept_prefix = false);

// A ClientHello handshake message (type, 24-bit length, body) without the record layer, as
// QUIC carries it in CRYPTO frames.
Status parse_client_hello_message(std::span<const uint8_t> message, ClientHello& hello,
                                  bool accept_prefix = false);

}  // namespace fk::l7
