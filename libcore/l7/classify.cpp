#include "l7/classify.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "l7/dns.h"
#include "l7/quic_crypto.h"
#include "l7/tls.h"

namespace fk::l7 {

namespace {

using Bytes = std::span<const uint8_t>;

uint16_t be16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint16_t le16(const uint8_t* p) {
    return static_cast<uint16_t>(p[1] << 8 | p[0]);
}
uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
uint32_t le32(const uint8_t* p) {
    return uint32_t{p[3]} << 24 | uint32_t{p[2]} << 16 | uint32_t{p[1]} << 8 | p[0];
}

bool starts(Bytes d, std::string_view s) {
    return d.size() >= s.size() && std::memcmp(d.data(), s.data(), s.size()) == 0;
}

char lower(uint8_t c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

// `needle` (lower case) within the first `limit` bytes, ignoring case.
bool contains(Bytes d, std::string_view needle, size_t limit = kMaxSignatureScan,
              bool ignore_case = false) {
    size_t n = std::min(d.size(), limit);
    if (needle.size() > n) return false;
    for (size_t i = 0; i + needle.size() <= n; ++i) {
        size_t j = 0;
        while (j < needle.size() &&
               (ignore_case ? lower(d[i + j]) : static_cast<char>(d[i + j])) == needle[j]) {
            ++j;
        }
        if (j == needle.size()) return true;
    }
    return false;
}

bool has_port(uint16_t sport, uint16_t dport, uint16_t p) {
    return sport == p || dport == p;
}

// The first line (without CR LF), at most `limit` bytes; empty when no line end is there.
Bytes first_line(Bytes d, size_t limit = 256) {
    size_t n = std::min(d.size(), limit);
    const void* lf = std::memchr(d.data(), '\n', n);
    if (!lf) return {};
    size_t end = static_cast<size_t>(static_cast<const uint8_t*>(lf) - d.data());
    if (end > 0 && d[end - 1] == '\r') --end;
    return d.first(end);
}

bool ends_with(Bytes d, std::string_view s) {
    return d.size() >= s.size() &&
           std::memcmp(d.data() + d.size() - s.size(), s.data(), s.size()) == 0;
}

// A BER/DER length at d[at]: the value's length and where it starts, or false.
bool ber_length(Bytes d, size_t at, size_t& len, size_t& value_at) {
    if (at >= d.size()) return false;
    uint8_t b = d[at];
    if (b < 0x80) {
        len = b;
        value_at = at + 1;
        return true;
    }
    size_t n = b & 0x7f;
    if (n == 0 || n > 4 || at + 1 + n > d.size()) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = len << 8 | d[at + 1 + i];
    value_at = at + 1 + n;
    return true;
}

// A BER element that starts the payload with tag `tag` and fills it exactly.
bool ber_fills(Bytes d, uint8_t tag, size_t& value_at) {
    size_t len = 0;
    return d.size() >= 2 && d[0] == tag && ber_length(d, 1, len, value_at) &&
           value_at + len == d.size();
}

// --- text protocols ----------------------------------------------------------------------

constexpr std::string_view kHttpMethods[] = {
    "GET ",   "POST ",   "HEAD ",     "PUT ",       "DELETE ",    "OPTIONS ",     "CONNECT ",
    "TRACE ", "PATCH ",  "PROPFIND ", "PROPPATCH ", "MKCOL ",     "COPY ",        "MOVE ",
    "LOCK ",  "UNLOCK ", "REPORT ",   "SEARCH ",    "SUBSCRIBE ", "UNSUBSCRIBE ",
};

// HTTP and its relatives, which share the request and status line syntax.
App http_family(Bytes d, uint16_t sport, uint16_t dport) {
    if (d.empty() || d[0] < 'A' || d[0] > 'Z') return App::none;
    if (starts(d, "HTTP/1.")) return has_port(sport, dport, 1900) ? App::ssdp : App::http;
    if (starts(d, "RTSP/1.0 ")) return App::rtsp;
    if (starts(d, "SIP/2.0 ")) return App::sip;
    if (starts(d, "M-SEARCH * ") || starts(d, "NOTIFY * HTTP/")) return App::ssdp;
    Bytes line = first_line(d);
    if (ends_with(line, " SIP/2.0")) return App::sip;
    if (ends_with(line, " RTSP/1.0")) return App::rtsp;
    for (auto m : kHttpMethods) {
        if (starts(d, m)) return m == "CONNECT " ? App::http_proxy : App::http;
    }
    return App::none;
}

// Server greetings and client commands of the mail and file transfer protocols.
App text_service(Bytes d, uint16_t sport, uint16_t dport) {
    if (d.size() < 4) return App::none;
    Bytes line = first_line(d);
    if (starts(d, "220 ") || starts(d, "220-")) {
        if (contains(line, "ftp", 256, true)) return App::ftp;
        if (contains(line, "smtp", 256, true) || contains(line, "mail", 256, true)) {
            return App::smtp;
        }
        if (has_port(sport, dport, 21)) return App::ftp;
        if (has_port(sport, dport, 25) || has_port(sport, dport, 587)) return App::smtp;
        return App::none;
    }
    if (starts(d, "EHLO ") || starts(d, "HELO ")) return App::smtp;
    if (starts(d, "+OK")) return has_port(sport, dport, 6379) ? App::redis : App::pop3;
    if (starts(d, "* OK") || starts(d, "* PREAUTH")) return App::imap;
    if (starts(d, "USER ")) {
        if (has_port(sport, dport, 110)) return App::pop3;
        if (has_port(sport, dport, 6667)) return App::irc;
        return App::ftp;
    }
    if (starts(d, "AUTH TLS") || starts(d, "AUTH SSL")) return App::ftp;
    if (starts(d, "CAPA\r\n")) return App::pop3;
    if (starts(d, "NICK ") || starts(d, "CAP LS")) return App::irc;
    // IMAP commands carry a tag first: "a001 LOGIN ...".
    if (!line.empty()) {
        size_t sp = 0;
        auto alnum = [](uint8_t c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        };
        while (sp < line.size() && sp < 12 && alnum(line[sp])) ++sp;
        if (sp > 0 && sp < line.size() && line[sp] == ' ') {
            Bytes cmd = line.subspan(sp + 1);
            for (std::string_view c : {"CAPABILITY", "LOGIN ", "STARTTLS", "AUTHENTICATE "}) {
                if (starts(cmd, c)) return App::imap;
            }
        }
    }
    return App::none;
}

// --- ISO transport (TPKT + COTP, RFC 1006): RDP, S7, MMS share it -----------------------

App iso_transport(Bytes d, uint16_t sport, uint16_t dport) {
    if (d.size() < 7 || d[0] != 3 || d[1] != 0 || be16(&d[2]) < 7 || be16(&d[2]) > d.size()) {
        return App::none;
    }
    size_t li = d[4];
    uint8_t pdu = d[5] & 0xf0;
    if (li < 2 || 5 + li > d.size()) return App::none;
    if ((pdu == 0xe0 || pdu == 0xd0) && li >= 6) {  // connection request / confirm
        // Fixed part: length, type, two references, class; then the parameters.
        Bytes variable = d.subspan(11, 5 + li - 11);
        bool tsap = false, s7_tsap = false;
        for (size_t i = 0; i + 2 <= variable.size();) {
            uint8_t code = variable[i], len = variable[i + 1];
            if (i + 2 + len > variable.size()) break;
            if (code == 0xc1 || code == 0xc2) {
                tsap = true;
                // S7 TSAPs are two bytes with the connection type (PG, OP, S7 basic) first,
                // or the S7comm-plus "SIMATIC-..." text; MMS ones start with zero.
                Bytes v = variable.subspan(i + 2, len);
                if ((len == 2 && v[0] >= 1 && v[0] <= 3) || starts(v, "SIMATIC")) s7_tsap = true;
            }
            i += 2 + len;
        }
        if (tsap) return s7_tsap ? App::s7 : App::mms;
        if (contains(d, "Cookie: mstshash=") || has_port(sport, dport, 3389)) return App::rdp;
        // rdpNegReq / rdpNegRsp (MS-RDPBCGR 2.2.1.1.1) end the X.224 packet: type, flags,
        // length 8 (little-endian), protocols.
        if (d.size() >= 19 && d.size() == be16(&d[2]) &&
            (d[d.size() - 8] == 1 || d[d.size() - 8] == 2) && d[d.size() - 6] == 8 &&
            d[d.size() - 5] == 0) {
            return App::rdp;
        }
        return App::none;
    }
    if (pdu == 0xf0 && li == 2 && d.size() >= 9) {  // data
        uint8_t proto = d[7];
        if (proto == 0x32 && d[8] >= 1 && d[8] <= 7) return App::s7;  // S7comm, ROSCTR
        if (proto == 0x72 && d[8] >= 1 && d[8] <= 3) return App::s7;  // S7comm-plus, version
        // ISO session SPDUs: CONNECT, ACCEPT, or GIVE-TOKENS + DATA TRANSFER.
        if (proto == 0x0d || proto == 0x0e || (proto == 0x01 && d[8] == 0x00)) return App::mms;
        if (proto == 0x7f && d[8] == 0x65) return App::rdp;  // T.125 MCS Connect-Initial
        if (has_port(sport, dport, 3389)) return App::rdp;
    }
    return App::none;
}

// --- industrial protocols ----------------------------------------------------------------

bool iec104(Bytes d) {
    if (d.size() < 6 || d[0] != 0x68 || d[1] < 4 || size_t{d[1]} + 2 > d.size()) return false;
    size_t next = size_t{d[1]} + 2;
    if (next < d.size() && d[next] != 0x68) return false;
    uint8_t c0 = d[2];
    if ((c0 & 1) == 0) return d[1] >= 10;                            // I format: an ASDU follows
    if ((c0 & 3) == 1) return d[1] == 4 && c0 == 0x01 && d[3] == 0;  // S format
    // U format: exactly one of STARTDT/STOPDT/TESTFR act or con.
    bool one_function =
        c0 == 0x07 || c0 == 0x0b || c0 == 0x13 || c0 == 0x23 || c0 == 0x43 || c0 == 0x83;
    return d[1] == 4 && one_function && d[3] == 0 && d[4] == 0 && d[5] == 0;
}

bool modbus_function(uint8_t fc) {
    switch (fc & 0x7f) {
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
        case 7:
        case 8:
        case 11:
        case 12:
        case 15:
        case 16:
        case 17:
        case 20:
        case 21:
        case 22:
        case 23:
        case 24:
        case 43:
            return true;
        default:
            return false;
    }
}

bool modbus(Bytes d, bool on_port) {
    if (d.size() < 8 || d[2] != 0 || d[3] != 0) return false;
    size_t len = be16(&d[4]);
    if (len < 2 || len > 254 || !modbus_function(d[7])) return false;
    if ((d[7] & 0x80) && (len != 3 || d.size() < 9 || d[8] == 0 || d[8] > 11)) return false;
    // Several requests may share a segment on port 502; elsewhere insist on an exact fit.
    return 6 + len == d.size() || (on_port && 6 + len < d.size());
}

// CRC-16/DNP over the link header (IEEE 1815 section 9.2.4), stored little-endian.
bool dnp3(Bytes d) {
    if (d.size() < 10 || d[0] != 0x05 || d[1] != 0x64 || d[2] < 5) return false;
    uint16_t crc = 0;
    for (size_t i = 0; i < 8; ++i) {
        crc ^= d[i];
        for (int b = 0; b < 8; ++b)
            crc = (crc & 1) ? static_cast<uint16_t>((crc >> 1) ^ 0xa6bc) : crc >> 1;
    }
    return static_cast<uint16_t>(~crc) == le16(&d[8]);
}

bool enip(Bytes d) {
    if (d.size() < 24 || le32(&d[20]) != 0) return false;
    switch (le16(&d[0])) {
        case 0x0004:
        case 0x0063:
        case 0x0064:
        case 0x0065:
        case 0x0066:
        case 0x006f:
        case 0x0070:
        case 0x0072:
        case 0x0073:
            return le16(&d[2]) + 24u == d.size();
        default:
            return false;
    }
}

bool opcua(Bytes d, bool on_port) {
    if (d.size() < 8) return false;
    bool type = starts(d, "HEL") || starts(d, "ACK") || starts(d, "OPN") || starts(d, "CLO") ||
                starts(d, "MSG") || starts(d, "ERR") || starts(d, "RHE");
    if (!type || (d[3] != 'F' && d[3] != 'C' && d[3] != 'A')) return false;
    uint32_t size = le32(&d[4]);
    return size == d.size() || (on_port && size >= 8 && size > d.size());
}

bool mqtt_connect(Bytes d) {
    if (d.size() < 10 || d[0] != 0x10) return false;
    size_t i = 1;
    while (i < 5 && i < d.size() && (d[i] & 0x80)) ++i;
    ++i;  // last byte of the remaining length
    Bytes rest = d.subspan(std::min(i, d.size()));
    return starts(rest, std::string_view("\x00\x04MQTT", 6)) ||
           starts(rest, std::string_view("\x00\x06MQIsdp", 8));
}

bool c37118(Bytes d) {
    return d.size() >= 16 && d[0] == 0xaa && (d[1] >> 4) <= 5 && (d[1] & 0x0f) >= 1 &&
           (d[1] & 0x0f) <= 3 && be16(&d[2]) >= 16 && be16(&d[2]) <= d.size();
}

bool hart_ip(Bytes d) {
    return d.size() >= 8 && (d[0] == 1 || d[0] == 2) && d[1] <= 3 && d[2] <= 4 &&
           be16(&d[6]) == d.size();
}

bool dlms(Bytes d) {
    // IEC 62056-47 wrapper: version 1, two wPorts, length of the APDU.
    if (d.size() >= 9 && be16(&d[0]) == 1 && be16(&d[6]) + 8u == d.size()) return true;
    // HDLC frame (IEC 62056-46): flag, frame format type 0xA with the length, flag.
    return d.size() >= 9 && d[0] == 0x7e && (d[1] & 0xf0) == 0xa0 &&
           (size_t{d[1] & 0x07u} << 8 | d[2]) + 2 == d.size() && d[d.size() - 1] == 0x7e;
}

bool bacnet(Bytes d) {
    return d.size() >= 4 && d[0] == 0x81 && d[1] <= 0x0c && be16(&d[2]) == d.size();
}

// --- crypto-currencies -------------------------------------------------------------------

bool bitcoin(Bytes d) {
    // Magic, command, length; then a checksum, which the first clients left out.
    if (d.size() < 20) return false;
    uint32_t magic = be32(&d[0]);
    if (magic != 0xf9beb4d9 && magic != 0x0b110907 && magic != 0xfabfb5da && magic != 0x0a03cf40) {
        return false;
    }
    // The command: lower-case ASCII, padded with NULs to 12 bytes.
    size_t i = 4;
    while (i < 16 && d[i] >= 'a' && d[i] <= 'z') ++i;
    if (i == 4) return false;
    while (i < 16 && d[i] == 0) ++i;
    return i == 16;
}

bool stratum(Bytes d) {
    size_t i = 0;
    while (i < d.size() && i < 4 && (d[i] == ' ' || d[i] == '\n')) ++i;
    if (i == d.size() || d[i] != '{') return false;
    return contains(d, "\"mining.") ||
           contains(d, "\"eth_submitlogin\"", kMaxSignatureScan, true) ||
           contains(d, "\"eth_getwork\"", kMaxSignatureScan, true) ||
           contains(d, "\"eth_submithashrate\"", kMaxSignatureScan, true) ||
           contains(d, "\"eth_submitwork\"", kMaxSignatureScan, true) ||
           (contains(d, "\"login\"") && contains(d, "\"pass\"")) ||
           contains(d, "\"method\":\"job\"") || contains(d, "\"method\": \"job\"");
}

// --- databases ---------------------------------------------------------------------------

bool mysql_greeting(Bytes d) {
    if (d.size() < 12 ||
        size_t{d[0]} + (size_t{d[1]} << 8) + (size_t{d[2]} << 16) + 4 != d.size() || d[3] != 0 ||
        d[4] != 0x0a || d[5] < '1' || d[5] > '9') {
        return false;
    }
    return std::memchr(d.data() + 5, 0, std::min<size_t>(d.size() - 5, 64)) != nullptr;
}

bool postgres(Bytes d) {
    if (d.size() < 8 || be32(&d[0]) != d.size()) return false;
    uint32_t code = be32(&d[4]);
    return code == 0x00030000 || code == 0x04d2162f || code == 0x04d21630 ||
           (code == 0x04d2162e && d.size() == 16);
}

bool tds(Bytes d) {
    return d.size() >= 8 && (d[0] == 0x12 || d[0] == 0x10) && (d[1] == 0x01 || d[1] == 0x00) &&
           be16(&d[2]) == d.size() && d[7] == 0;
}

bool redis(Bytes d) {
    size_t i = 1;
    if (d.size() < 5 || d[0] != '*') return false;
    while (i < d.size() && i < 8 && d[i] >= '0' && d[i] <= '9') ++i;
    return i > 1 && i + 2 < d.size() && d[i] == '\r' && d[i + 1] == '\n' && d[i + 2] == '$';
}

// --- other ---------------------------------------------------------------------------------

bool ldap(Bytes d) {
    size_t at = 0, len = 0, v = 0;
    if (!ber_fills(d, 0x30, at) || at + 3 > d.size() || d[at] != 0x02) return false;
    if (!ber_length(d, at + 1, len, v) || len < 1 || len > 4 || v + len >= d.size()) return false;
    uint8_t op = d[v + len];
    return (op >= 0x60 && op <= 0x79) || op == 0x42 || op == 0x4a;  // [APPLICATION n]
}

bool kerberos_message(Bytes d) {
    if (d.size() < 4) return false;
    uint8_t t = d[0];
    bool known =
        t == 0x6a || t == 0x6b || t == 0x6c || t == 0x6d || t == 0x6e || t == 0x6f || t == 0x7e;
    size_t at = 0;
    return known && ber_fills(d, t, at) && at < d.size() && d[at] == 0x30;
}

bool snmp(Bytes d) {
    size_t at = 0;
    if (!ber_fills(d, 0x30, at) || at + 3 > d.size()) return false;
    if (d[at] != 0x02 || d[at + 1] != 0x01 ||
        (d[at + 2] != 0 && d[at + 2] != 1 && d[at + 2] != 3)) {
        return false;
    }
    size_t next = at + 3;
    return next < d.size() && (d[next] == 0x04 || (d[at + 2] == 3 && d[next] == 0x30));
}

bool wireguard(Bytes d) {
    if (d.size() < 32 || d[1] != 0 || d[2] != 0 || d[3] != 0) return false;
    switch (d[0]) {
        case 1:
            return d.size() == 148;
        case 2:
            return d.size() == 92;
        case 3:
            return d.size() == 64;
        case 4:
            return (d.size() - 16) % 16 == 0;
        default:
            return false;
    }
}

bool stun(Bytes d) {
    return d.size() >= 20 && (d[0] & 0xc0) == 0 && be16(&d[2]) + 20u == d.size() &&
           be32(&d[4]) == 0x2112a442;
}

bool ike(Bytes d) {
    return d.size() >= 28 && (d[17] == 0x10 || d[17] == 0x20) &&
           ((d[18] >= 1 && d[18] <= 5) || (d[18] >= 34 && d[18] <= 37)) && be32(&d[24]) == d.size();
}

bool tftp(Bytes d) {
    if (d.size() < 9 || d[0] != 0 || (d[1] != 1 && d[1] != 2)) return false;
    size_t i = 2;
    while (i < d.size() && d[i] >= 0x20 && d[i] < 0x7f) ++i;
    if (i == 2 || i >= d.size() || d[i] != 0) return false;
    Bytes mode = d.subspan(i + 1);
    for (std::string_view m : {"octet", "netascii", "mail"}) {
        if (mode.size() > m.size() && contains(mode.first(m.size()), m, m.size(), true) &&
            mode[m.size()] == 0) {
            return true;
        }
    }
    return false;
}

bool syslog(Bytes d) {
    if (d.size() < 4 || d[0] != '<') return false;
    size_t i = 1;
    unsigned pri = 0;
    while (i < d.size() && i < 4 && d[i] >= '0' && d[i] <= '9') pri = pri * 10 + (d[i++] - '0');
    return i > 1 && i < d.size() && d[i] == '>' && pri <= 191;
}

bool dhcp(Bytes d) {
    return d.size() >= 240 && (d[0] == 1 || d[0] == 2) && d[1] == 1 && d[2] == 6 &&
           be32(&d[236]) == 0x63825363;
}

bool nbns_name(Bytes d) {
    // NetBIOS names are encoded as 32 letters 'A'..'P' in one label.
    if (d.size() < 12 + 34 || d[12] != 0x20) return false;
    for (size_t i = 13; i < 45; ++i) {
        if (d[i] < 'A' || d[i] > 'P') return false;
    }
    return true;
}

// A DNS message that parses with one question, as a port-independent signature: strict on
// the header so that random datagrams do not pass.
bool dns_signature(Bytes d, const DnsMessage* parsed) {
    if (d.size() < 17) return false;
    DnsMessage local;
    if (!parsed && parse_dns(d, local) == Status::done) parsed = &local;
    if (!parsed) return false;
    const DnsMessage& m = *parsed;
    if (!m.has_question || m.qdcount != 1) return false;
    bool query_shape = !m.response && m.ancount == 0 && m.nscount == 0 && m.arcount <= 1;
    return (query_shape || m.response) && m.opcode == 0 && (m.qclass & 0x7fff) <= 4 && m.qtype != 0;
}

bool quic_long_header(Bytes d) {
    if (d.size() < 7 || (d[0] & 0xc0) != 0xc0) return false;
    uint32_t version = be32(&d[1]);
    // IETF versions with known Initial keys, and Google's Q0xx/T0xx tags in long headers.
    bool google = (d[1] == 'Q' || d[1] == 'T') && d[2] >= '0' && d[2] <= '9' && d[3] >= '0' &&
                  d[3] <= '9' && d[4] >= '0' && d[4] <= '9';
    return quic::is_supported_version(version) || google || version == 0;
}

bool gquic_public_header(Bytes d) {
    // Google QUIC up to Q043: public flags with the version bit and an 8-byte connection ID,
    // then the version tag.
    return d.size() >= 14 && (d[0] & 0x80) == 0 && (d[0] & 0x09) == 0x09 && d[9] == 'Q' &&
           d[10] >= '0' && d[10] <= '9' && d[11] >= '0' && d[11] <= '9' && d[12] >= '0' &&
           d[12] <= '9';
}

bool openvpn_opcode(uint8_t b) {
    return (b >> 3) >= 1 && (b >> 3) <= 10;
}

bool openvpn_udp(Bytes d) {
    // P_CONTROL_HARD_RESET_CLIENT_V2 without tls-auth: session id, no acks, packet id 0.
    return d.size() == 14 && d[0] == 0x38 && d[9] == 0 && be32(&d[10]) == 0;
}

App tcp_signature(Bytes d, uint16_t sport, uint16_t dport) {
    uint8_t b0 = d[0];
    if (b0 >= 20 && b0 <= 23 && d.size() >= 5 && d[1] == 3 && d[2] <= 4 &&
        be16(&d[3]) <= kMaxTlsRecord + 2048) {
        return App::tls;
    }
    if (looks_like_client_hello(d)) return App::tls;
    if (App a = http_family(d, sport, dport); a != App::none) return a;
    if (starts(d, "SSH-")) return App::ssh;
    if (App a = iso_transport(d, sport, dport); a != App::none) return a;
    if (d.size() >= 8 && b0 == 0x00 &&
        (starts(d.subspan(4), "\xffSMB") || starts(d.subspan(4), "\xfeSMB") ||
         starts(d.subspan(4), "\xfdSMB"))) {
        return App::smb;
    }
    if (d.size() >= 5 && b0 == 0x81 && d[4] == 0x20) return App::netbios;  // session request
    if (dnp3(d)) return App::dnp3;
    if (iec104(d)) return App::iec104;
    if (modbus(d, has_port(sport, dport, 502))) return App::modbus;
    if (enip(d)) return App::enip;
    if (opcua(d, has_port(sport, dport, 4840))) return App::opcua;
    if (mqtt_connect(d)) return App::mqtt;
    if (c37118(d)) return App::c37118;
    if (starts(d, "FINS")) return App::fins;
    if (hart_ip(d) && (has_port(sport, dport, 5094) || d[2] == 0)) return App::hart_ip;
    if (dlms(d)) return App::dlms;
    if (bitcoin(d)) return App::bitcoin;
    if (starts(d, "\x01\x21\x01\x01\x01\x01\x01\x01")) return App::monero;  // Levin signature
    if (stratum(d)) return App::stratum;
    if (postgres(d)) return App::postgres;
    if (mysql_greeting(d)) return App::mysql;
    if (tds(d)) return App::mssql;
    if (redis(d)) return App::redis;
    if (App a = text_service(d, sport, dport); a != App::none) return a;
    if (d.size() >= 3 && b0 == 0xff && d[1] >= 0xfb && d[1] <= 0xfe) return App::telnet;
    if (starts(d, "RFB 00")) return App::vnc;
    if (starts(d,
               "\x13"
               "BitTorrent protocol"))
        return App::bittorrent;
    if (starts(d, "<stream:stream") || (starts(d, "<?xml") && contains(d, "jabber")))
        return App::xmpp;
    if (ldap(d)) return App::ldap;
    if (d.size() >= 8 && be32(&d[0]) + 4 == d.size() && kerberos_message(d.subspan(4))) {
        return App::kerberos;
    }
    if (d.size() >= 16 && be16(&d[0]) + 2u == d.size() && openvpn_udp(d.subspan(2))) {
        return App::openvpn;
    }
    if (has_port(sport, dport, 1194) && d.size() >= 3 && be16(&d[0]) + 2u == d.size() &&
        openvpn_opcode(d[2])) {
        return App::openvpn;
    }
    if (has_port(sport, dport, 1080) && d.size() >= 2 &&
        ((b0 == 5 && d.size() == 2u + d[1]) ||
         (b0 == 4 && d.size() >= 9 && (d[1] == 1 || d[1] == 2)))) {
        return App::socks;
    }
    return App::none;
}

App udp_signature(Bytes d, uint16_t sport, uint16_t dport, const DnsMessage* dns) {
    if (quic_long_header(d) || gquic_public_header(d)) return App::quic;
    if (d.size() >= 13 && d[0] >= 20 && d[0] <= 23 && d[1] == 0xfe && d[2] >= 0xfc) return App::tls;
    // DNS on its ports takes the port's name (mDNS, LLMNR); elsewhere a strict check.
    bool dns_port =
        has_port(sport, dport, 53) || has_port(sport, dport, 5353) || has_port(sport, dport, 5355);
    DnsMessage local;
    if (!dns && (dns_port || has_port(sport, dport, 137)) && parse_dns(d, local) == Status::done)
        dns = &local;
    if (dns && (dns_port || has_port(sport, dport, 137))) {
        const DnsMessage& m = *dns;
        if (m.has_question || m.ancount) {
            if (has_port(sport, dport, 137) && (nbns_name(d) || !dns_port)) return App::netbios;
            if (has_port(sport, dport, 5353)) return App::mdns;
            if (has_port(sport, dport, 5355)) return App::llmnr;
            return App::dns;
        }
    }
    if (dhcp(d)) return App::dhcp;
    if (App a = http_family(d, sport, dport); a != App::none) return a;
    if (stun(d)) return App::stun;
    if (wireguard(d)) return App::wireguard;
    if (bacnet(d)) return App::bacnet;
    if (c37118(d)) return App::c37118;
    if (enip(d)) return App::enip;
    if (hart_ip(d) && (has_port(sport, dport, 5094) || d[2] == 0)) return App::hart_ip;
    if (dlms(d)) return App::dlms;
    if (snmp(d)) return App::snmp;
    if (ldap(d)) return App::ldap;
    if (kerberos_message(d)) return App::kerberos;
    if (tftp(d)) return App::tftp;
    if (syslog(d)) return App::syslog;
    if (openvpn_udp(d)) return App::openvpn;
    if (starts(d, "d1:") && contains(d, "d2:id20:", 32)) return App::bittorrent;
    if ((has_port(sport, dport, 500) && ike(d)) ||
        (has_port(sport, dport, 4500) && d.size() > 4 && be32(&d[0]) == 0 && ike(d.subspan(4)))) {
        return App::ipsec;
    }
    if (dns_signature(d, dns)) return App::dns;
    // Protocols without distinctive bytes: their shape on their own port.
    uint8_t b0 = d[0];
    if (has_port(sport, dport, 123) && d.size() >= 48 && ((b0 >> 3) & 7) >= 1 &&
        ((b0 >> 3) & 7) <= 4 && (b0 & 7) != 0) {
        return App::ntp;
    }
    if ((has_port(sport, dport, 546) || has_port(sport, dport, 547)) && b0 >= 1 && b0 <= 13) {
        return App::dhcpv6;
    }
    if ((has_port(sport, dport, 5683) || has_port(sport, dport, 5684)) && d.size() >= 4 &&
        (b0 >> 6) == 1 && (b0 & 0x0f) <= 8 &&
        ((d[1] >> 5) == 0 || (d[1] >> 5) == 2 || (d[1] >> 5) == 4 || (d[1] >> 5) == 5)) {
        return App::coap;
    }
    if (has_port(sport, dport, 9600) && d.size() >= 10 &&
        (b0 == 0x80 || b0 == 0x81 || b0 == 0xc0 || b0 == 0xc1) && d[1] == 0 && d[2] == 2) {
        return App::fins;
    }
    if (has_port(sport, dport, 138) && b0 >= 0x10 && b0 <= 0x16) return App::netbios;
    if ((has_port(sport, dport, 1812) || has_port(sport, dport, 1813)) && d.size() >= 20 &&
        be16(&d[2]) == d.size() && ((b0 >= 1 && b0 <= 5) || (b0 >= 11 && b0 <= 13))) {
        return App::radius;
    }
    if (has_port(sport, dport, 1194) && openvpn_opcode(b0)) return App::openvpn;
    if (has_port(sport, dport, 34964) && b0 == 4) return App::profinet;  // DCE/RPC v4
    if (has_port(sport, dport, 3478) && d.size() >= 20 && be16(&d[2]) + 20u == d.size() &&
        (be16(&d[0]) == 0x0001 || be16(&d[0]) == 0x0101)) {
        return App::stun;
    }
    return App::none;
}

App port_app(uint8_t proto, uint16_t port) {
    if (proto == kIpProtoTcp) {
        switch (port) {
            case 20:
            case 21:
                return App::ftp;
            case 22:
                return App::ssh;
            case 23:
                return App::telnet;
            case 25:
            case 587:
                return App::smtp;
            case 53:
                return App::dns;
            case 80:
            case 8080:
                return App::http;
            case 88:
                return App::kerberos;
            case 102:
                return App::s7;
            case 110:
                return App::pop3;
            case 139:
                return App::netbios;
            case 143:
                return App::imap;
            case 389:
            case 3268:
                return App::ldap;
            case 443:
                return App::tls;
            case 445:
                return App::smb;
            case 465:
                return App::smtps;
            case 502:
                return App::modbus;
            case 554:
                return App::rtsp;
            case 636:
                return App::ldaps;
            case 853:
                return App::dot;
            case 993:
                return App::imaps;
            case 995:
                return App::pop3s;
            case 1080:
                return App::socks;
            case 1194:
                return App::openvpn;
            case 1433:
                return App::mssql;
            case 1883:
            case 8883:
                return App::mqtt;
            case 2404:
                return App::iec104;
            case 3128:
                return App::http_proxy;
            case 3306:
                return App::mysql;
            case 3333:
                return App::stratum;
            case 3389:
                return App::rdp;
            case 4059:
                return App::dlms;
            case 4712:
            case 4713:
                return App::c37118;
            case 4840:
                return App::opcua;
            case 5060:
            case 5061:
                return App::sip;
            case 5094:
                return App::hart_ip;
            case 5222:
            case 5269:
                return App::xmpp;
            case 5432:
                return App::postgres;
            case 5900:
            case 5901:
            case 5902:
            case 5903:
                return App::vnc;
            case 6379:
                return App::redis;
            case 6667:
                return App::irc;
            case 6881:
                return App::bittorrent;
            case 8333:
                return App::bitcoin;
            case 9600:
                return App::fins;
            case 18080:
                return App::monero;
            case 20000:
                return App::dnp3;
            case 30303:
                return App::ethereum;
            case 44818:
                return App::enip;
            default:
                return App::none;
        }
    }
    if (proto == kIpProtoUdp) {
        switch (port) {
            case 53:
                return App::dns;
            case 67:
            case 68:
                return App::dhcp;
            case 69:
                return App::tftp;
            case 88:
                return App::kerberos;
            case 123:
                return App::ntp;
            case 137:
            case 138:
                return App::netbios;
            case 161:
            case 162:
                return App::snmp;
            case 389:
                return App::ldap;
            case 443:
                return App::quic;
            case 500:
            case 4500:
                return App::ipsec;
            case 514:
                return App::syslog;
            case 546:
            case 547:
                return App::dhcpv6;
            case 1194:
                return App::openvpn;
            case 1812:
            case 1813:
                return App::radius;
            case 1900:
                return App::ssdp;
            case 2222:
            case 44818:
                return App::enip;
            case 3389:
                return App::rdp;
            case 3478:
                return App::stun;
            case 4059:
                return App::dlms;
            case 4712:
            case 4713:
                return App::c37118;
            case 5060:
                return App::sip;
            case 5094:
                return App::hart_ip;
            case 5353:
                return App::mdns;
            case 5355:
                return App::llmnr;
            case 5683:
            case 5684:
                return App::coap;
            case 6881:
                return App::bittorrent;
            case 9600:
                return App::fins;
            case 20000:
                return App::dnp3;
            case 30303:
                return App::ethereum;
            case 34964:
                return App::profinet;
            case 47808:
                return App::bacnet;
            case 51820:
                return App::wireguard;
            default:
                return App::none;
        }
    }
    return App::none;
}

// Services that run TLS from the first byte on their own port.
App tls_service(uint16_t sport, uint16_t dport) {
    for (uint16_t p : {sport, dport}) {
        switch (p) {
            case 853:
                return App::dot;
            case 993:
                return App::imaps;
            case 995:
                return App::pop3s;
            case 465:
                return App::smtps;
            case 636:
                return App::ldaps;
            default:
                break;
        }
    }
    return App::tls;
}

}  // namespace

App app_from_payload(uint8_t ip_proto, uint16_t sport, uint16_t dport, Bytes payload,
                     const DnsMessage* dns) {
    if (payload.empty()) return App::none;
    if (ip_proto == kIpProtoTcp) {
        App a = tcp_signature(payload, sport, dport);
        return a == App::tls ? tls_service(sport, dport) : a;
    }
    if (ip_proto == kIpProtoUdp) return udp_signature(payload, sport, dport, dns);
    return App::none;
}

App app_from_ports(uint8_t ip_proto, uint16_t sport, uint16_t dport) {
    if (ip_proto == kIpProtoIcmp || ip_proto == kIpProtoIcmpV6) return App::icmp;
    if (ip_proto == kIpProtoEsp || ip_proto == kIpProtoAh) return App::ipsec;
    App s = port_app(ip_proto, sport), d = port_app(ip_proto, dport);
    if (s == App::none) return d;
    if (d == App::none) return s;
    return sport < dport ? s : d;
}

Classification classify(uint8_t ip_proto, uint16_t sport, uint16_t dport, Bytes payload,
                        const DnsMessage* dns) {
    if (App a = app_from_payload(ip_proto, sport, dport, payload, dns); a != App::none) {
        return {a, Evidence::payload};
    }
    if (App a = app_from_ports(ip_proto, sport, dport); a != App::none) {
        return {a, Evidence::port};
    }
    return {};
}

}  // namespace fk::l7
