// QUIC Initial packets of a client: long header, Initial decryption (l7/quic_crypto.h),
// CRYPTO frames reassembled by offset, and the ClientHello inside handed to the TLS parser
// for SNI, ALPN, version and ECH.
//
// How a probe calls it:
//   - For a UDP flow whose first client datagram passes looks_like_quic_initial() (any port;
//     QUIC runs on 443 mostly), create one QuicInitialReader for the flow and feed it the
//     client→server datagrams (UDP payloads) in arrival order:
//         Status s = reader.feed(udp_payload, scratch);
//     `scratch` is a decryption buffer at least as large as the datagram; one buffer of
//     kMaxInitialPlaintext bytes can serve every flow of a thread.
//   - done: hello() holds the fields; drop the reader after copying them.
//   - need_more: the ClientHello continues in later Initial packets (large hellos, e.g. with
//     post-quantum key shares, take two or three); feed the next client datagram. Give up
//     after a few datagrams (the hello comes first; 4 is plenty).
//   - not_this: the datagram holds no Initial of a supported version (short header, Google
//     QUIC, version negotiation); invalid: decryption failed or the frames or hello are bad.
//   - Server datagrams are not needed.
// CRYPTO frames may come in any order, overlap, and spread over several packets and
// datagrams (Chrome scatters them on purpose); the reader keeps the first
// kMaxQuicClientHello bytes of the stream and parses a longer hello as a prefix.
//
// A reader is about 4.5 KB. It keeps the keys of the first Initial it opens, derived from
// that packet's Destination Connection ID: later Initials keep using them even when the
// client has switched to the server's connection ID. After a Retry the client's Initials
// use keys from the Retry's connection ID; the reader takes those when the old keys fail.
// hello().sni points into the reader: copy it before the reader goes away.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "l7/quic_crypto.h"
#include "l7/status.h"
#include "l7/tls.h"

namespace fk::l7 {

// CRYPTO stream bytes kept per connection; RFC 9000 section 7.5 requires peers to buffer at
// least 4096 bytes of out-of-order CRYPTO data, so real hellos fit.
constexpr size_t kMaxQuicClientHello = 4096;

// True when the datagram starts with a long header of a version whose Initials can be
// opened, with the Initial packet type: cheap enough to test on any UDP payload.
bool looks_like_quic_initial(std::span<const uint8_t> datagram);

class QuicInitialReader {
  public:
    QuicInitialReader() = default;
    // hello().sni points into the reader's own buffer: a copy would point into the original.
    QuicInitialReader(const QuicInitialReader&) = delete;
    QuicInitialReader& operator=(const QuicInitialReader&) = delete;

    Status feed(std::span<const uint8_t> datagram, std::span<uint8_t> scratch);
    // Ready for another connection. The CRYPTO buffer is not cleared: only the bytes marked
    // received are ever read.
    void reset();

    const ClientHello& hello() const { return hello_; }
    uint32_t version() const { return keys_.version; }
    // Initial packets decrypted so far.
    unsigned packets() const { return packets_; }

  private:
    Status open_packet(std::span<const uint8_t> packet, const quic::InitialHeader& header,
                       std::span<uint8_t> scratch);
    bool read_frames(std::span<const uint8_t> payload);
    void add_crypto(uint64_t offset, std::span<const uint8_t> data);
    size_t contiguous() const;
    Status try_hello();

    quic::InitialKeys keys_;
    bool have_keys_ = false;
    bool done_ = false;
    unsigned packets_ = 0;
    // A bit per CRYPTO byte received, however scattered: a list of 32 ranges lost the bytes
    // of a hello sent as more than 32 pieces (an easy way to hide an SNI).
    uint64_t received_[kMaxQuicClientHello / 64] = {};
    uint8_t crypto_[kMaxQuicClientHello];
    ClientHello hello_;
};

// Google QUIC (versions Q024 to Q046, 2015-2020) sends its client hello, a "CHLO" handshake
// message of tag/value pairs, without encryption; its SNI tag is the server name. A probe
// calls parse_gquic_client_hello() on the first client datagrams of a UDP flow that
// classify() calls quic and that are not IETF Initials (looks_like_quic_initial() false):
// done with sni filled (empty when the CHLO has none), or not_this. Newer Google versions
// (Q050, T051) encrypt it like IETF QUIC with their own salts; they are not read.
struct GquicHello {
    std::string_view sni;  // points into the datagram
    uint32_t version = 0;  // the version tag, "Q035" = 0x51303335; 0 when the packet has none
};

Status parse_gquic_client_hello(std::span<const uint8_t> datagram, GquicHello& hello);

}  // namespace fk::l7
