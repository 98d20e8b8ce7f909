// Names of enumerated field values: IP protocols, applications, TLS versions, firewall
// actions, tunnels, TCP flags, DNS response codes. Each table is the one definition the printers,
// parsers and the filter language use.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fk {

// Application protocols; the numbers are stored in files (append only, never renumber).
// clang-format off
#define FK_APPS(X)                                                                           \
    X(0, none) X(1, tls) X(2, quic) X(3, http) X(4, dns) X(5, ssh)                           \
    X(6, rdp) X(7, smb) X(8, iec104) X(9, modbus) X(10, dnp3) X(11, s7)                      \
    X(12, mms) X(13, coap) X(14, dlms) X(15, stratum) X(16, goose) X(17, ntp)                \
    X(18, dhcp) X(19, smtp) X(20, imap) X(21, pop3) X(22, ftp) X(23, telnet)                 \
    X(24, vnc) X(25, mssql) X(26, mysql) X(27, postgres) X(28, redis) X(29, snmp)            \
    X(30, sip) X(31, mqtt) X(32, bacnet) X(33, enip) X(34, opcua) X(35, c37118)              \
    X(36, ldap) X(37, kerberos) X(38, netbios) X(39, mdns) X(40, llmnr) X(41, ssdp)          \
    X(42, bittorrent) X(43, openvpn) X(44, wireguard) X(45, ipsec) X(46, syslog) X(47, tftp) \
    X(48, radius) X(49, rtsp) X(50, rtp) X(51, stun) X(52, dhcpv6) X(53, icmp)               \
    X(54, xmpp) X(55, irc) X(56, socks) X(57, http_proxy) X(58, ldaps) X(59, smtps)          \
    X(60, imaps) X(61, pop3s) X(62, dot) X(63, doh) X(64, profinet) X(65, iec61850_sv)       \
    X(66, fins) X(67, hart_ip) X(68, bitcoin) X(69, monero) X(70, ethereum)
// clang-format on

enum class App : uint8_t {
#define FK_APP_ENUM(num, name) name = num,
    FK_APPS(FK_APP_ENUM)
#undef FK_APP_ENUM
};

// "tls"; for numbers without a name "app-NN"; "" for none. out: at least 16 bytes.
size_t format_app(char* out, uint8_t app);
std::optional<uint8_t> parse_app(std::string_view name);

// "tcp", "udp", "icmp" ... or the decimal number. out: at least 8 bytes.
size_t format_proto(char* out, uint8_t proto);
std::optional<uint8_t> parse_proto(std::string_view name);

// TCP flags nfdump-style, 8 characters CWR ECE URG ACK PSH RST SYN FIN: "...AP.SF".
size_t format_tcp_flags(char* out, uint8_t flags);
// Letters F S R P A U E C (any order, any case), X = all six classic ones; nullopt on others.
std::optional<uint8_t> parse_tcp_flags(std::string_view letters);

// 0x0303 → "1.2"; 0x0300 → "ssl3"; others as hex. out: at least 8 bytes.
size_t format_tls_version(char* out, uint16_t v);
std::optional<uint16_t> parse_tls_version(std::string_view text);

enum class Action : uint8_t { none = 0, accept = 1, reject = 2 };
size_t format_action(char* out, uint8_t a);
std::optional<uint8_t> parse_action(std::string_view text);

enum class Tunnel : uint8_t { none = 0, gre = 1, vxlan = 2, ipip = 3, ip6in4 = 4, geneve = 5 };
size_t format_tunnel(char* out, uint8_t t);
std::optional<uint8_t> parse_tunnel(std::string_view text);

// A DNS response code is stored plus one, so that 0 means "no answer seen" and NOERROR (0)
// stays visible: flows without DNS must not group, filter or print as NOERROR answers.
constexpr uint8_t stored_dns_rcode(uint8_t rcode) {
    return static_cast<uint8_t>(rcode + 1);
}
constexpr uint8_t kMaxDnsRcode = 254;
// The code of a stored value as a number; "" when there was no answer. out: at least 4 bytes.
size_t format_dns_rcode(char* out, uint8_t stored);
// "3", "nxdomain" (RFC 1035 and RFC 2136 names, any case) → the stored value.
std::optional<uint8_t> parse_dns_rcode(std::string_view text);

size_t format_mac(char* out, uint64_t mac);
std::optional<uint64_t> parse_mac(std::string_view text);

}  // namespace fk
