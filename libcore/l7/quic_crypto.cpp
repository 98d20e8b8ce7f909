#include "l7/quic_crypto.h"

// The one-block AES and SHA-256 functions are deprecated in OpenSSL 3 in favour of EVP, whose
// per-call setup costs ten times the work here (see HmacSha256).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/aes.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "l7/byte_reader.h"

namespace fk::l7::quic {

namespace {

struct VersionParams {
    uint32_t version;
    uint8_t initial_type;  // the long packet type bits of an Initial packet
    std::array<uint8_t, 20> salt;
    std::string_view key_label, iv_label, hp_label;
};

constexpr std::array<uint8_t, 20> kSaltV1 = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34,
                                             0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
                                             0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr std::array<uint8_t, 20> kSaltV2 = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6,
                                             0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
                                             0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
// IETF drafts still seen in captures: 23-28 and 29-32 had their own salts, 33-34 used v1's.
constexpr std::array<uint8_t, 20> kSaltDraft23 = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb,
                                                  0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4,
                                                  0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
constexpr std::array<uint8_t, 20> kSaltDraft29 = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2,
                                                  0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
                                                  0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

constexpr VersionParams kV1Labels{0, 0, {}, "quic key", "quic iv", "quic hp"};

VersionParams params(uint32_t version, uint8_t type, const std::array<uint8_t, 20>& salt,
                     const VersionParams& labels = kV1Labels) {
    return {version, type, salt, labels.key_label, labels.iv_label, labels.hp_label};
}

const VersionParams* find_version(uint32_t version) {
    static const VersionParams kVersions[] = {
        params(kVersion1, 0, kSaltV1),
        {kVersion2, 1, kSaltV2, "quicv2 key", "quicv2 iv", "quicv2 hp"},
        params(0xff000017, 0, kSaltDraft23),
        params(0xff000018, 0, kSaltDraft23),
        params(0xff000019, 0, kSaltDraft23),
        params(0xff00001a, 0, kSaltDraft23),
        params(0xff00001b, 0, kSaltDraft23),
        params(0xff00001c, 0, kSaltDraft23),
        params(0xff00001d, 0, kSaltDraft29),
        params(0xff00001e, 0, kSaltDraft29),
        params(0xff00001f, 0, kSaltDraft29),
        params(0xff000020, 0, kSaltDraft29),
        params(0xff000021, 0, kSaltV1),
        params(0xff000022, 0, kSaltV1),
    };
    for (const auto& v : kVersions) {
        if (v.version == version) return &v;
    }
    return nullptr;
}

// Algorithms are fetched from the provider once per process; fetching is the expensive part
// of OpenSSL 3's EVP setup.
struct Algorithms {
    EVP_CIPHER* gcm = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
    ~Algorithms() { EVP_CIPHER_free(gcm); }
};

const Algorithms& algorithms() {
    static const Algorithms a;
    return a;
}

// HMAC-SHA256 (RFC 2104) with the states after the key's inner and outer pads computed once
// per key. OpenSSL 3's EVP_MAC took 0.5 us a MAC in parameter lookups, allocations and
// cleansing, most of the 3 us that deriving a connection's keys cost; the SHA-256 functions
// below run the same assembly (SHA-NI where the CPU has it) without that.
class HmacSha256 {
  public:
    explicit HmacSha256(std::span<const uint8_t> key) {
        std::array<uint8_t, 64> block{};
        if (key.size() > block.size()) {
            SHA256(key.data(), key.size(), block.data());
        } else if (!key.empty()) {
            std::memcpy(block.data(), key.data(), key.size());
        }
        for (auto& b : block) b ^= 0x36;
        SHA256_Init(&inner_);
        SHA256_Update(&inner_, block.data(), block.size());
        for (auto& b : block) b ^= 0x36 ^ 0x5c;
        SHA256_Init(&outer_);
        SHA256_Update(&outer_, block.data(), block.size());
    }
    // HMAC(key, a | b | c).
    void mac(std::span<const uint8_t> a, std::span<const uint8_t> b, std::span<const uint8_t> c,
             std::span<uint8_t, 32> out) const {
        SHA256_CTX ctx = inner_;
        for (auto piece : {a, b, c}) SHA256_Update(&ctx, piece.data(), piece.size());
        std::array<uint8_t, 32> inner_hash;
        SHA256_Final(inner_hash.data(), &ctx);
        ctx = outer_;
        SHA256_Update(&ctx, inner_hash.data(), inner_hash.size());
        SHA256_Final(out.data(), &ctx);
    }

  private:
    SHA256_CTX inner_, outer_;
};

// HKDF-Expand-Label with an empty context (RFC 8446 section 7.1): T(i) = HMAC(secret,
// T(i-1) | HkdfLabel | i). False for an output or label longer than 255 bytes.
bool expand_label(const HmacSha256& secret, std::string_view label, std::span<uint8_t> out) {
    static constexpr std::string_view kPrefix = "tls13 ";
    if (out.size() > 255 || kPrefix.size() + label.size() > 255) return false;
    // HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255>.
    uint8_t info[2 + 1 + 255 + 1];
    size_t n = 0;
    info[n++] = static_cast<uint8_t>(out.size() >> 8);
    info[n++] = static_cast<uint8_t>(out.size());
    info[n++] = static_cast<uint8_t>(kPrefix.size() + label.size());
    std::memcpy(info + n, kPrefix.data(), kPrefix.size());
    n += kPrefix.size();
    std::memcpy(info + n, label.data(), label.size());
    n += label.size();
    info[n++] = 0;
    std::array<uint8_t, 32> block{};
    size_t done = 0;
    for (uint8_t i = 1; done < out.size(); ++i) {
        std::span<const uint8_t> previous(block.data(), i == 1 ? 0 : block.size());
        secret.mac(previous, {info, n}, {&i, 1}, block);
        size_t take = std::min(block.size(), out.size() - done);
        std::memcpy(out.data() + done, block.data(), take);
        done += take;
    }
    return true;
}

// The GCM context is reused for every packet a thread handles, so the per-packet path does
// not allocate.
struct Contexts {
    EVP_CIPHER_CTX* gcm = EVP_CIPHER_CTX_new();
    ~Contexts() { EVP_CIPHER_CTX_free(gcm); }
    bool usable() const { return gcm && algorithms().gcm; }
};

Contexts& contexts() {
    thread_local Contexts c;
    return c;
}

// One AES-128 block with the header protection key: the mask of RFC 9001 section 5.4.3. A
// cipher context set up for a single block cost more than the block.
void header_mask(const std::array<uint8_t, 16>& hp, const uint8_t* sample,
                 std::array<uint8_t, 16>& mask) {
    AES_KEY key;
    AES_set_encrypt_key(hp.data(), 128, &key);
    AES_encrypt(sample, mask.data(), &key);
}

// The AEAD nonce: the IV with the packet number XORed into its low bytes.
std::array<uint8_t, 12> packet_nonce(const InitialKeys& keys, uint32_t packet_number) {
    std::array<uint8_t, 12> nonce = keys.iv;
    for (int i = 0; i < 4; ++i) {
        nonce[11 - i] ^= static_cast<uint8_t>(packet_number >> (8 * i));
    }
    return nonce;
}

size_t varint_size(uint64_t v) {
    if (v < (1u << 6)) return 1;
    if (v < (1u << 14)) return 2;
    if (v < (1u << 30)) return 4;
    return 8;
}

uint8_t* put_varint(uint8_t* p, uint64_t v, size_t size) {
    static constexpr uint8_t kPrefix[9] = {0, 0x00, 0x40, 0, 0x80, 0, 0, 0, 0xc0};
    for (size_t i = 0; i < size; ++i) p[i] = static_cast<uint8_t>(v >> (8 * (size - 1 - i)));
    p[0] |= kPrefix[size];
    return p + size;
}

// The packet's Length field is written on two bytes when it fits, like common stacks and the
// RFC samples do, so that crafted packets look like real ones.
size_t length_field_size(uint64_t length) {
    return length < (1u << 14) ? 2 : varint_size(length);
}

}  // namespace

bool is_supported_version(uint32_t version) {
    return find_version(version) != nullptr;
}

bool hkdf_extract(std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                  std::span<uint8_t, 32> prk) {
    HmacSha256(salt).mac(ikm, {}, {}, prk);
    return true;
}

bool hkdf_expand_label(std::span<const uint8_t> secret, std::string_view label,
                       std::span<uint8_t> out) {
    return expand_label(HmacSha256(secret), label, out);
}

bool derive_initial_keys(uint32_t version, std::span<const uint8_t> client_dcid, Sender sender,
                         InitialKeys& keys) {
    const VersionParams* v = find_version(version);
    if (!v || client_dcid.size() > kMaxCidLength) return false;
    std::array<uint8_t, 32> initial_secret{};
    std::array<uint8_t, 32> secret{};
    hkdf_extract(v->salt, client_dcid, initial_secret);
    expand_label(HmacSha256(initial_secret), sender == Sender::client ? "client in" : "server in",
                 secret);
    const HmacSha256 direction(secret);
    expand_label(direction, v->key_label, keys.key);
    expand_label(direction, v->iv_label, keys.iv);
    expand_label(direction, v->hp_label, keys.hp);
    keys.version = version;
    return true;
}

PacketStatus parse_initial_header(std::span<const uint8_t> packet, InitialHeader& header) {
    ByteReader r(packet);
    uint8_t first = 0;
    uint32_t version = 0;
    if (!r.u8(first)) return PacketStatus::truncated;
    // Long header form and the fixed bit (RFC 9000 section 17.2).
    if ((first & 0xc0) != 0xc0) return PacketStatus::not_initial;
    if (!r.u32(version)) return PacketStatus::truncated;
    const VersionParams* v = find_version(version);
    if (!v) return PacketStatus::unsupported_version;
    if (((first >> 4) & 3) != v->initial_type) return PacketStatus::not_initial;
    uint8_t dcid_len = 0, scid_len = 0;
    uint64_t token_len = 0, length = 0;
    InitialHeader h;
    h.version = version;
    if (!r.u8(dcid_len)) return PacketStatus::truncated;
    if (dcid_len > kMaxCidLength) return PacketStatus::not_initial;
    if (!r.bytes(dcid_len, h.dcid) || !r.u8(scid_len)) return PacketStatus::truncated;
    if (scid_len > kMaxCidLength) return PacketStatus::not_initial;
    if (!r.bytes(scid_len, h.scid) || !r.varint(token_len)) return PacketStatus::truncated;
    if (token_len > r.left() || !r.bytes(token_len, h.token) || !r.varint(length)) {
        return PacketStatus::truncated;
    }
    if (length > r.left()) return PacketStatus::truncated;
    h.pn_offset = r.offset();
    h.packet_size = h.pn_offset + length;
    header = h;
    return PacketStatus::ok;
}

PacketStatus unprotect_initial(std::span<const uint8_t> packet, const InitialHeader& header,
                               const InitialKeys& keys, std::span<uint8_t> plaintext,
                               UnprotectedInitial& out) {
    if (header.packet_size > packet.size() || header.pn_offset >= header.packet_size) {
        return PacketStatus::truncated;
    }
    // The sample starts 4 bytes after the packet number offset, whatever its real length.
    size_t sample_at = header.pn_offset + 4;
    if (sample_at + kHeaderSampleLength > header.packet_size) return PacketStatus::truncated;
    std::array<uint8_t, 16> mask{};
    header_mask(keys.hp, packet.data() + sample_at, mask);

    uint8_t first = packet[0] ^ (mask[0] & 0x0f);
    uint8_t pn_length = static_cast<uint8_t>((first & 3) + 1);
    uint8_t pn_bytes[4];
    uint32_t pn = 0;
    for (uint8_t i = 0; i < pn_length; ++i) {
        pn_bytes[i] = packet[header.pn_offset + i] ^ mask[1 + i];
        pn = pn << 8 | pn_bytes[i];
    }
    size_t payload_at = header.pn_offset + pn_length;
    if (payload_at + kAeadTagLength > header.packet_size) return PacketStatus::truncated;
    size_t cipher_len = header.packet_size - payload_at - kAeadTagLength;
    if (plaintext.size() < cipher_len) return PacketStatus::buffer_too_small;

    Contexts& ctx = contexts();
    if (!ctx.usable()) return PacketStatus::auth_failed;
    std::array<uint8_t, 12> nonce = packet_nonce(keys, pn);
    int len = 0;
    // The associated data is the unprotected header: the unmasked first byte, the bytes up to
    // the packet number as received, and the unmasked packet number.
    bool ok =
        EVP_DecryptInit_ex2(ctx.gcm, algorithms().gcm, keys.key.data(), nonce.data(), nullptr) ==
            1 &&
        EVP_DecryptUpdate(ctx.gcm, nullptr, &len, &first, 1) == 1 &&
        EVP_DecryptUpdate(ctx.gcm, nullptr, &len, packet.data() + 1,
                          static_cast<int>(header.pn_offset - 1)) == 1 &&
        EVP_DecryptUpdate(ctx.gcm, nullptr, &len, pn_bytes, pn_length) == 1 &&
        EVP_DecryptUpdate(ctx.gcm, plaintext.data(), &len, packet.data() + payload_at,
                          static_cast<int>(cipher_len)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.gcm, EVP_CTRL_GCM_SET_TAG, kAeadTagLength,
                            const_cast<uint8_t*>(packet.data() + payload_at + cipher_len)) == 1;
    int final_len = 0;
    if (!ok || EVP_DecryptFinal_ex(ctx.gcm, plaintext.data() + len, &final_len) != 1) {
        return PacketStatus::auth_failed;
    }
    out.first_byte = first;
    out.pn_length = pn_length;
    out.packet_number = pn;
    out.payload = plaintext.first(cipher_len);
    return PacketStatus::ok;
}

size_t protected_initial_size(const InitialPacketFields& fields, size_t payload_size) {
    size_t length = fields.pn_length + payload_size + kAeadTagLength;
    return 1 + 4 + 1 + fields.dcid.size() + 1 + fields.scid.size() +
           varint_size(fields.token.size()) + fields.token.size() + length_field_size(length) +
           length;
}

size_t protect_initial(const InitialKeys& keys, const InitialPacketFields& fields,
                       std::span<const uint8_t> payload, std::span<uint8_t> out) {
    const VersionParams* v = find_version(keys.version);
    if (!v || fields.dcid.size() > kMaxCidLength || fields.scid.size() > kMaxCidLength ||
        fields.pn_length < 1 || fields.pn_length > 4 || payload.size() + fields.pn_length < 4 ||
        payload.size() > kMaxInitialPlaintext) {
        return 0;
    }
    size_t total = protected_initial_size(fields, payload.size());
    if (out.size() < total) return 0;

    uint64_t length = fields.pn_length + payload.size() + kAeadTagLength;
    uint8_t* p = out.data();
    *p++ = static_cast<uint8_t>(0xc0 | v->initial_type << 4 | (fields.pn_length - 1));
    for (int i = 3; i >= 0; --i) *p++ = static_cast<uint8_t>(keys.version >> (8 * i));
    *p++ = static_cast<uint8_t>(fields.dcid.size());
    if (!fields.dcid.empty()) p = std::copy(fields.dcid.begin(), fields.dcid.end(), p);
    *p++ = static_cast<uint8_t>(fields.scid.size());
    if (!fields.scid.empty()) p = std::copy(fields.scid.begin(), fields.scid.end(), p);
    p = put_varint(p, fields.token.size(), varint_size(fields.token.size()));
    if (!fields.token.empty()) p = std::copy(fields.token.begin(), fields.token.end(), p);
    p = put_varint(p, length, length_field_size(length));
    size_t pn_offset = static_cast<size_t>(p - out.data());
    for (int i = fields.pn_length - 1; i >= 0; --i) {
        *p++ = static_cast<uint8_t>(fields.packet_number >> (8 * i));
    }
    size_t payload_at = static_cast<size_t>(p - out.data());

    Contexts& ctx = contexts();
    if (!ctx.usable()) return 0;
    std::array<uint8_t, 12> nonce = packet_nonce(keys, fields.packet_number);
    int len = 0, final_len = 0;
    bool ok =
        EVP_EncryptInit_ex2(ctx.gcm, algorithms().gcm, keys.key.data(), nonce.data(), nullptr) ==
            1 &&
        EVP_EncryptUpdate(ctx.gcm, nullptr, &len, out.data(), static_cast<int>(payload_at)) == 1 &&
        EVP_EncryptUpdate(ctx.gcm, out.data() + payload_at, &len, payload.data(),
                          static_cast<int>(payload.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.gcm, out.data() + payload_at + len, &final_len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.gcm, EVP_CTRL_GCM_GET_TAG, kAeadTagLength,
                            out.data() + payload_at + payload.size()) == 1;
    if (!ok) return 0;

    std::array<uint8_t, 16> mask{};
    header_mask(keys.hp, out.data() + pn_offset + 4, mask);
    out[0] ^= mask[0] & 0x0f;
    for (size_t i = 0; i < fields.pn_length; ++i) out[pn_offset + i] ^= mask[1 + i];
    return total;
}

}  // namespace fk::l7::quic
