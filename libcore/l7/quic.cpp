#include "l7/quic.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>

#include "l7/byte_reader.h"

namespace fk::l7 {

namespace {

using quic::InitialHeader;
using quic::PacketStatus;

// Size of a long-header packet that is not an Initial (0-RTT, Handshake), so that the
// packets coalesced after it can be reached. 0 when it cannot be skipped (Retry, other).
size_t other_long_packet_size(std::span<const uint8_t> packet) {
    ByteReader r(packet);
    uint8_t first = 0, cid_len = 0;
    uint32_t version = 0;
    uint64_t length = 0;
    if (!r.u8(first) || !r.u32(version) || !quic::is_supported_version(version)) return 0;
    uint8_t type = (first >> 4) & 3;
    // Retry has no Length field: type 3 in v1 and the drafts, type 0 in v2.
    if (type == (version == quic::kVersion2 ? 0 : 3)) return 0;
    if (!r.u8(cid_len) || !r.skip(cid_len) || !r.u8(cid_len) || !r.skip(cid_len) ||
        !r.varint(length) || length > r.left()) {
        return 0;
    }
    return r.offset() + length;
}

// Length of the run of zero bytes that starts d, eight bytes a step.
size_t zero_prefix(std::span<const uint8_t> d) {
    size_t n = 0;
    for (uint64_t word = 0; n + 8 <= d.size(); n += 8) {
        std::memcpy(&word, d.data() + n, 8);
        if (word != 0) break;
    }
    while (n < d.size() && d[n] == 0) ++n;
    return n;
}

}  // namespace

bool looks_like_quic_initial(std::span<const uint8_t> d) {
    InitialHeader h;
    return quic::parse_initial_header(d, h) == PacketStatus::ok;
}

void QuicInitialReader::reset() {
    keys_ = {};
    have_keys_ = false;
    done_ = false;
    packets_ = 0;
    std::fill(std::begin(received_), std::end(received_), 0);
    hello_ = {};
}

Status QuicInitialReader::feed(std::span<const uint8_t> datagram, std::span<uint8_t> scratch) {
    if (done_) return Status::done;
    bool opened = false;
    size_t pos = 0;
    while (pos < datagram.size() && (datagram[pos] & 0x80)) {
        std::span<const uint8_t> packet = datagram.subspan(pos);
        InitialHeader h;
        PacketStatus ps = quic::parse_initial_header(packet, h);
        if (ps == PacketStatus::not_initial) {
            size_t skip = other_long_packet_size(packet);
            if (skip == 0) break;
            pos += skip;
            continue;
        }
        if (ps != PacketStatus::ok) break;
        Status s = open_packet(packet, h, scratch);
        if (s != Status::done) return s;
        opened = true;
        pos += h.packet_size;
    }
    if (!opened) return packets_ ? Status::need_more : Status::not_this;
    return try_hello();
}

Status QuicInitialReader::open_packet(std::span<const uint8_t> packet, const InitialHeader& h,
                                      std::span<uint8_t> scratch) {
    // Too short to hold the header protection sample (and the AEAD tag): nothing to open, and
    // no keys worth deriving (a fake Initial header on a flood of datagrams cost 3 µs each).
    if (h.pn_offset + 4 + quic::kHeaderSampleLength > h.packet_size) return Status::invalid;
    quic::UnprotectedInitial u;
    PacketStatus ps = PacketStatus::auth_failed;
    if (have_keys_ && keys_.version == h.version) {
        ps = quic::unprotect_initial(packet, h, keys_, scratch, u);
    }
    // New keys for the first packet, and after a Retry, whose reply Initial takes its keys
    // from the Destination Connection ID the Retry chose.
    if (ps == PacketStatus::auth_failed) {
        quic::InitialKeys keys;
        if (!quic::derive_initial_keys(h.version, h.dcid, quic::Sender::client, keys)) {
            return Status::invalid;
        }
        ps = quic::unprotect_initial(packet, h, keys, scratch, u);
        if (ps == PacketStatus::ok) {
            keys_ = keys;
            have_keys_ = true;
        }
    }
    if (ps != PacketStatus::ok) return Status::invalid;
    ++packets_;
    return read_frames(u.payload) ? Status::done : Status::invalid;
}

// Walks the frames an Initial packet may carry (RFC 9000 section 12.4): PADDING, PING, ACK,
// CRYPTO, CONNECTION_CLOSE. Anything else is a protocol violation and ends the walk.
bool QuicInitialReader::read_frames(std::span<const uint8_t> payload) {
    ByteReader r(payload);
    uint64_t type = 0;
    while (r.varint(type)) {
        uint64_t a = 0, b = 0, count = 0;
        std::span<const uint8_t> data;
        switch (type) {
            case 0x00:  // PADDING: a client pads its Initial to 1200 bytes, so skip the run
                r.skip(zero_prefix(r.rest()));
                break;
            case 0x01:  // PING
                break;
            case 0x02:  // ACK
            case 0x03:  // ACK with ECN counts
                if (!r.varint(a) || !r.varint(a) || !r.varint(count) || !r.varint(a)) {
                    return false;
                }
                if (count > r.left()) return false;
                for (uint64_t i = 0; i < count; ++i) {
                    if (!r.varint(a) || !r.varint(b)) return false;
                }
                if (type == 0x03 && !(r.varint(a) && r.varint(a) && r.varint(a))) return false;
                break;
            case 0x06:  // CRYPTO
                if (!r.varint(a) || !r.varint(b) || b > r.left() || !r.bytes(b, data)) {
                    return false;
                }
                add_crypto(a, data);
                break;
            case 0x1c:  // CONNECTION_CLOSE
                if (!r.varint(a) || !r.varint(a) || !r.varint(b) || b > r.left() || !r.skip(b)) {
                    return false;
                }
                break;
            default:
                return false;
        }
    }
    return r.empty();
}

void QuicInitialReader::add_crypto(uint64_t offset, std::span<const uint8_t> data) {
    if (offset >= kMaxQuicClientHello || data.empty()) return;
    const size_t begin = offset;
    const size_t end = std::min<size_t>(kMaxQuicClientHello, offset + data.size());
    std::memcpy(crypto_ + begin, data.data(), end - begin);
    for (size_t at = begin; at < end;) {
        const size_t bit = at % 64, take = std::min<size_t>(64 - bit, end - at);
        received_[at / 64] |= (take == 64 ? ~uint64_t{0} : ((uint64_t{1} << take) - 1)) << bit;
        at += take;
    }
}

size_t QuicInitialReader::contiguous() const {
    size_t word = 0;
    while (word < std::size(received_) && received_[word] == ~uint64_t{0}) ++word;
    if (word == std::size(received_)) return kMaxQuicClientHello;
    return word * 64 + static_cast<size_t>(std::countr_one(received_[word]));
}

Status QuicInitialReader::try_hello() {
    size_t have = contiguous();
    // The client's Initial CRYPTO stream starts with its ClientHello and nothing else.
    if (have >= 1 && crypto_[0] != 1) return Status::invalid;
    if (have < 4) return Status::need_more;
    size_t message = 4 + (size_t{crypto_[1]} << 16 | size_t{crypto_[2]} << 8 | crypto_[3]);
    if (have < message && have < kMaxQuicClientHello) return Status::need_more;
    Status s = parse_client_hello_message({crypto_, std::min(have, message)}, hello_, true);
    if (s == Status::done) {
        done_ = true;
        return s;
    }
    return Status::invalid;
}

namespace {

bool gquic_version_tag(std::span<const uint8_t> v) {
    return v.size() == 4 && v[0] == 'Q' && v[1] >= '0' && v[1] <= '9' && v[2] >= '0' &&
           v[2] <= '9' && v[3] >= '0' && v[3] <= '9';
}

// The tag/value message (QUIC crypto handshake, "CHLO"): entry count, padding, then
// (tag, end offset) pairs and the values one after the other.
Status read_chlo(std::span<const uint8_t> message, GquicHello& hello) {
    ByteReader r(message.subspan(4));
    uint8_t lo = 0, hi = 0;
    if (!r.u8(lo) || !r.u8(hi) || !r.skip(2)) return Status::invalid;
    size_t entries = size_t{hi} << 8 | lo;
    // Real hellos carry about twenty tags; the limit keeps junk from walking far.
    if (entries > 128 || r.left() < 8 * entries) return Status::invalid;
    std::span<const uint8_t> index = r.rest().first(8 * entries);
    std::span<const uint8_t> values = r.rest().subspan(8 * entries);
    size_t begin = 0;
    for (size_t i = 0; i < entries; ++i) {
        const uint8_t* e = index.data() + 8 * i;
        size_t end = size_t{e[4]} | size_t{e[5]} << 8 | size_t{e[6]} << 16 | size_t{e[7]} << 24;
        if (end < begin) return Status::invalid;
        if (e[0] == 'S' && e[1] == 'N' && e[2] == 'I' && e[3] == 0) {
            if (end > values.size()) return Status::invalid;
            hello.sni = {reinterpret_cast<const char*>(values.data()) + begin, end - begin};
        }
        begin = end;
    }
    return Status::done;
}

}  // namespace

Status parse_gquic_client_hello(std::span<const uint8_t> d, GquicHello& hello) {
    hello = GquicHello{};
    ByteReader r(d);
    uint8_t flags = 0;
    std::span<const uint8_t> version;
    if (!r.u8(flags)) return Status::not_this;
    if ((flags & 0xc0) == 0xc0) {
        // Q046 long header: version, connection ID lengths, IDs, 4-byte packet number.
        uint8_t cids = 0;
        if (!r.bytes(4, version) || !gquic_version_tag(version) || !r.u8(cids)) {
            return Status::not_this;
        }
        size_t dcid = (cids >> 4) ? (cids >> 4) + 3u : 0, scid = (cids & 15) ? (cids & 15) + 3u : 0;
        if (!r.skip(dcid + scid + 4)) return Status::not_this;
    } else {
        // Public header up to Q043: flags, 8-byte connection ID, version (client), packet
        // number of 1, 2, 4 or 6 bytes.
        if ((flags & 0x80) || (flags & 0x02) || !(flags & 0x08) || !r.skip(8)) {
            return Status::not_this;
        }
        if ((flags & 0x01) && (!r.bytes(4, version) || !gquic_version_tag(version))) {
            return Status::not_this;
        }
        static constexpr size_t kPnLength[4] = {1, 2, 4, 6};
        if (!r.skip(kPnLength[(flags >> 4) & 3])) return Status::not_this;
    }
    if (!version.empty()) {
        hello.version = uint32_t{version[0]} << 24 | uint32_t{version[1]} << 16 |
                        uint32_t{version[2]} << 8 | version[3];
    }
    // Between the header and the message: the 12-byte hash of the null encryption, a
    // private flags byte in old versions, and the stream frame header: "CHLO" comes within
    // 40 bytes.
    std::span<const uint8_t> rest = r.rest();
    for (size_t i = 0; i + 4 <= rest.size() && i < 40; ++i) {
        if (rest[i] == 'C' && rest[i + 1] == 'H' && rest[i + 2] == 'L' && rest[i + 3] == 'O') {
            return read_chlo(rest.subspan(i), hello);
        }
    }
    return Status::not_this;
}

}  // namespace fk::l7
