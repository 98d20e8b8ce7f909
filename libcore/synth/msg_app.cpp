#include <cstdio>

#include "synth/bytes.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

std::string_view pick(Rng& rng, std::initializer_list<std::string_view> options) {
    return options.begin()[rng.below(options.size())];
}

void hex(Cursor& c, Rng& rng, size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < digits; ++i) c.u8(static_cast<uint8_t>(kHex[rng.below(16)]));
}

void number(Cursor& c, uint64_t v) {
    char buf[24];
    const int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
    c.bytes(buf, static_cast<size_t>(n));
}

std::string_view reason(unsigned status) {
    switch (status) {
        case 200:
            return "OK";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 304:
            return "Not Modified";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

// An SSH binary packet (RFC 4253 section 6) around payload bytes written by fill.
template <class Fill>
void ssh_packet(Cursor& c, Rng& rng, Fill fill) {
    const size_t start = c.mark(4);
    const size_t pad_at = c.mark(1);
    const size_t payload_start = c.size();
    fill(c);
    const size_t payload = c.size() - payload_start;
    size_t pad = 8 - (5 + payload) % 8;
    if (pad < 4) pad += 8;
    uint8_t padding[16];
    rng.fill(padding, pad);
    c.bytes(padding, pad);
    c.begin()[pad_at] = static_cast<uint8_t>(pad);
    put32(c.begin() + start, static_cast<uint32_t>(c.size() - start - 4));
}

void ssh_string(Cursor& c, std::string_view s) {
    c.u32(static_cast<uint32_t>(s.size())).str(s);
}

}  // namespace

// ---- HTTP

size_t http_request(uint8_t* out, std::string_view method, std::string_view host,
                    std::string_view path, size_t body_len, Rng& rng) {
    Cursor c(out);
    c.str(method).u8(' ').str(path).str(" HTTP/1.1\r\nHost: ").str(host).str("\r\n");
    c.str("User-Agent: ")
        .str(pick(rng, {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
                        "like Gecko) Chrome/122.0.0.0 Safari/537.36",
                        "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
                        "curl/7.88.1", "Microsoft-CryptoAPI/10.0", "Wget/1.21.3"}))
        .str("\r\n");
    c.str("Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n");
    if (body_len > 0 || method == "POST" || method == "PUT") {
        c.str("Content-Type: application/octet-stream\r\nContent-Length: ");
        number(c, body_len);
        c.str("\r\n");
    }
    c.str("\r\n");
    return c.size();
}

size_t http_response_head(uint8_t* out, unsigned status, size_t body_len, Rng& rng) {
    Cursor c(out);
    c.str("HTTP/1.1 ");
    number(c, status);
    c.u8(' ').str(reason(status)).str("\r\n");
    c.str("Server: ")
        .str(pick(rng, {"nginx/1.24.0", "Apache/2.4.57 (Debian)", "cloudflare",
                        "Microsoft-IIS/10.0", "envoy"}));
    c.str("\r\nCache-Control: max-age=3600\r\n");
    if (status != 304 && status != 204) {
        c.str("Content-Type: application/octet-stream\r\nContent-Length: ");
        number(c, body_len);
        c.str("\r\n");
    }
    c.str("\r\n");
    return c.size();
}

// ---- SSH

size_t ssh_banner(uint8_t* out, bool server, Rng& rng) {
    Cursor c(out);
    if (server) {
        c.str(pick(rng, {"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
                         "SSH-2.0-OpenSSH_9.2p1 Debian-2", "SSH-2.0-OpenSSH_7.4"}));
    } else {
        c.str(pick(rng, {"SSH-2.0-OpenSSH_9.6", "SSH-2.0-PuTTY_Release_0.80",
                         "SSH-2.0-OpenSSH_for_Windows_8.1", "SSH-2.0-libssh2_1.10.0"}));
    }
    c.str("\r\n");
    return c.size();
}

size_t ssh_kexinit(uint8_t* out, bool server, Rng& rng) {
    Cursor c(out);
    ssh_packet(c, rng, [&](Cursor& p) {
        p.u8(20);
        uint8_t cookie[16];
        rng.fill(cookie, 16);
        p.bytes(cookie, 16);
        ssh_string(p, server ? "curve25519-sha256,curve25519-sha256@libssh.org,"
                               "ecdh-sha2-nistp256,diffie-hellman-group14-sha256"
                             : "curve25519-sha256,curve25519-sha256@libssh.org,"
                               "ecdh-sha2-nistp256,ext-info-c");
        ssh_string(p, "ssh-rsa,rsa-sha2-512,rsa-sha2-256,ssh-ed25519");
        for (int i = 0; i < 2; ++i) {
            ssh_string(p,
                       "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,"
                       "aes128-gcm@openssh.com,aes256-gcm@openssh.com");
        }
        for (int i = 0; i < 2; ++i) {
            ssh_string(p, "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256");
        }
        for (int i = 0; i < 2; ++i) ssh_string(p, "none,zlib@openssh.com");
        ssh_string(p, "");
        ssh_string(p, "");
        p.u8(0).u32(0);
    });
    return c.size();
}

size_t ssh_ecdh_init(uint8_t* out, Rng& rng) {
    Cursor c(out);
    ssh_packet(c, rng, [&](Cursor& p) {
        p.u8(30);
        uint8_t key[32];
        rng.fill(key, 32);
        p.u32(32).bytes(key, 32);
    });
    return c.size();
}

size_t ssh_ecdh_reply_newkeys(uint8_t* out, Rng& rng) {
    // A 2048-bit RSA host key and an ssh-rsa signature (RFC 4253 section 6.6).
    Cursor c(out);
    uint8_t blob[32 + 256 + 256];
    rng.fill(blob, sizeof blob);
    blob[32] |= 0x80;  // the modulus has its top bit set
    ssh_packet(c, rng, [&](Cursor& p) {
        p.u8(31);
        p.u32(4 + 7 + 4 + 3 + 4 + 257);
        ssh_string(p, "ssh-rsa");
        p.u32(3).u8(0x01).u8(0x00).u8(0x01);
        p.u32(257).u8(0).bytes(blob + 32, 256);
        p.u32(32).bytes(blob, 32);
        p.u32(4 + 7 + 4 + 256);
        ssh_string(p, "ssh-rsa");
        p.u32(256).bytes(blob + 32 + 256, 256);
    });
    ssh_packet(c, rng, [](Cursor& p) { p.u8(21); });
    return c.size();
}

size_t ssh_newkeys(uint8_t* out) {
    // Fixed padding: this message carries no secret and is the same in every session.
    const uint8_t packet[16] = {0, 0, 0, 12, 10, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    Cursor c(out);
    c.bytes(packet, sizeof packet);
    return c.size();
}

// ---- RDP

size_t rdp_connection_request(uint8_t* out, std::string_view user) {
    Cursor c(out);
    c.u8(3).u8(0);
    const size_t tpkt = c.mark(2);
    const size_t li = c.mark(1);
    c.u8(0xe0).u16(0).u16(0).u8(0);  // CR, dst-ref, src-ref, class 0
    c.str("Cookie: mstshash=").str(user).str("\r\n");
    c.u8(1).u8(0).u16le(8).u32le(0x3);  // RDP_NEG_REQ: TLS | CredSSP
    c.patch8(li);
    put16(out + tpkt, static_cast<uint16_t>(c.size()));
    return c.size();
}

size_t rdp_connection_confirm(uint8_t* out) {
    Cursor c(out);
    c.u8(3).u8(0).u16(19).u8(14).u8(0xd0).u16(0).u16(0x1234).u8(0);
    c.u8(2).u8(0x1f).u16le(8).u32le(0x2);  // RDP_NEG_RSP: CredSSP selected
    return c.size();
}

// ---- SMB2

namespace {
void smb2_header(Cursor& c, uint16_t command, bool response, uint64_t message_id) {
    c.u8(0xfe).str("SMB").u16le(64).u16le(0).u32le(0).u16le(command).u16le(1);
    c.u32le(response ? 1 : 0).u32le(0);
    c.u32le(static_cast<uint32_t>(message_id)).u32le(static_cast<uint32_t>(message_id >> 32));
    c.u32le(0xfeff).u32le(0).u32le(0).u32le(0).zeros(16);
}
}  // namespace

size_t smb2_negotiate_request(uint8_t* out, Rng& rng) {
    Cursor c(out);
    const size_t nb = c.mark(4);
    smb2_header(c, 0, false, 0);
    static constexpr uint16_t kDialects[] = {0x0202, 0x0210, 0x0300, 0x0302};
    c.u16le(36).u16le(4).u16le(1).u16le(0).u32le(0x7f);
    uint8_t guid[16];
    rng.fill(guid, 16);
    c.bytes(guid, 16).zeros(8);
    for (uint16_t d : kDialects) c.u16le(d);
    put32(out + nb, static_cast<uint32_t>(c.size() - 4));
    return c.size();
}

size_t smb2_negotiate_response(uint8_t* out, Rng& rng) {
    Cursor c(out);
    const size_t nb = c.mark(4);
    smb2_header(c, 0, true, 0);
    c.u16le(65).u16le(1).u16le(0x0302).u16le(0);
    uint8_t guid[16];
    rng.fill(guid, 16);
    c.bytes(guid, 16).u32le(0x2f).u32le(8388608).u32le(8388608).u32le(8388608);
    const uint64_t filetime = 133'850'000'000'000'000ull + rng.below(10'000'000'000ull);
    c.u32le(static_cast<uint32_t>(filetime)).u32le(static_cast<uint32_t>(filetime >> 32));
    c.zeros(8).u16le(0x80).u16le(0).u32le(0);
    put32(out + nb, static_cast<uint32_t>(c.size() - 4));
    return c.size();
}

size_t smb3_transform_header(uint8_t* out, size_t body_len, uint64_t session, Rng& rng) {
    Cursor c(out);
    c.u32(static_cast<uint32_t>(52 + body_len));  // NetBIOS session message, 24-bit length
    c.u8(0xfd).str("SMB");
    uint8_t sig_nonce[32];
    rng.fill(sig_nonce, 32);
    c.bytes(sig_nonce, 16).bytes(sig_nonce + 16, 11).zeros(5);
    c.u32le(static_cast<uint32_t>(body_len)).u16le(0).u16le(1);
    c.u32le(static_cast<uint32_t>(session)).u32le(static_cast<uint32_t>(session >> 32));
    return c.size();
}

// ---- Stratum

size_t stratum_subscribe(uint8_t* out, unsigned id) {
    Cursor c(out);
    c.str("{\"id\": ");
    number(c, id);
    c.str(", \"method\": \"mining.subscribe\", \"params\": [\"cpuminer-multi/1.3.7\"]}\n");
    return c.size();
}

size_t stratum_subscribe_result(uint8_t* out, unsigned id, Rng& rng) {
    Cursor c(out);
    c.str("{\"id\":");
    number(c, id);
    c.str(",\"result\":[[[\"mining.set_difficulty\",\"");
    hex(c, rng, 16);
    c.str("\"],[\"mining.notify\",\"");
    hex(c, rng, 16);
    c.str("\"]],\"");
    hex(c, rng, 8);
    c.str("\",4],\"error\":null}\n");
    return c.size();
}

size_t stratum_authorize(uint8_t* out, unsigned id, std::string_view worker) {
    Cursor c(out);
    c.str("{\"id\": ");
    number(c, id);
    c.str(", \"method\": \"mining.authorize\", \"params\": [\"").str(worker).str("\", \"x\"]}\n");
    return c.size();
}

namespace {
void stratum_notify(Cursor& c, unsigned job, Rng& rng) {
    c.str("{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"");
    number(c, job);
    c.str("\",\"");
    hex(c, rng, 64);
    c.str("\",\"");
    hex(c, rng, 116);
    c.str("\",\"");
    hex(c, rng, 70);
    c.str("\",[\"");
    hex(c, rng, 64);
    c.str("\"],\"20000000\",\"1703a30c\",\"");
    hex(c, rng, 8);
    c.str("\",true]}\n");
}
}  // namespace

size_t stratum_authorize_result(uint8_t* out, unsigned id, unsigned job, Rng& rng) {
    Cursor c(out);
    c.str("{\"id\":");
    number(c, id);
    c.str(",\"result\":true,\"error\":null}\n");
    c.str("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[65536]}\n");
    stratum_notify(c, job, rng);
    return c.size();
}

size_t stratum_submit(uint8_t* out, unsigned id, std::string_view worker, unsigned job, Rng& rng) {
    Cursor c(out);
    c.str("{\"id\": ");
    number(c, id);
    c.str(", \"method\": \"mining.submit\", \"params\": [\"").str(worker).str("\", \"");
    number(c, job);
    c.str("\", \"");
    hex(c, rng, 8);
    c.str("\", \"");
    hex(c, rng, 8);
    c.str("\", \"");
    hex(c, rng, 8);
    c.str("\"]}\n");
    return c.size();
}

size_t stratum_submit_result(uint8_t* out, unsigned id, unsigned job, Rng& rng) {
    Cursor c(out);
    c.str("{\"id\":");
    number(c, id);
    c.str(",\"result\":true,\"error\":null}\n");
    if (rng.chance(0.3)) stratum_notify(c, job + 1, rng);
    return c.size();
}

// ---- NTP

size_t ntp_packet(uint8_t* out, bool server, uint64_t time_us, Rng& rng) {
    Cursor c(out);
    const uint64_t ntp_seconds = time_us / 1'000'000 + 2'208'988'800ull;
    const uint32_t fraction =
        static_cast<uint32_t>((time_us % 1'000'000) * 4294967296ull / 1'000'000);
    if (!server) {
        c.u8(0x23).u8(0).u8(3).u8(0xe9).u32(0).u32(0).u32(0).zeros(24);
        c.u32(static_cast<uint32_t>(ntp_seconds)).u32(fraction);
        return c.size();
    }
    c.u8(0x24).u8(2).u8(3).u8(0xe9);
    c.u32(static_cast<uint32_t>(rng.between(0x100, 0x800)))
        .u32(static_cast<uint32_t>(rng.between(0x100, 0x900)));
    c.u8(198).u8(18).u8(0).u8(static_cast<unsigned>(1 + rng.below(250)));
    c.u32(static_cast<uint32_t>(ntp_seconds - 30)).u32(0);
    c.u32(static_cast<uint32_t>(ntp_seconds)).u32(static_cast<uint32_t>(rng.next()));
    c.u32(static_cast<uint32_t>(ntp_seconds)).u32(fraction);
    c.u32(static_cast<uint32_t>(ntp_seconds)).u32(fraction + 4000);
    return c.size();
}

}  // namespace fk::synth
