// DNS messages (RFC 1035), also mDNS (RFC 6762) and LLMNR (RFC 4795), which share the format:
// the first question's name and type, and the response code.
//
// How a probe calls it:
//   - UDP: every datagram is one message: parse_dns(udp_payload, msg). Call it on the first
//     packets of each direction of a flow on port 53, 5353 (mDNS) or 5355 (LLMNR), or of any
//     flow the classifier calls dns. A query gives qname and qtype, a response the rcode too.
//   - TCP (port 53, DNS over TCP): the stream of one direction from its first byte:
//     parse_dns_tcp(stream, msg). Each message has a 2-byte length prefix; the question lies
//     in the first kMaxDnsTcpPrefix bytes of the stream, so on need_more buffer up to
//     msg.needed bytes (never more than kMaxDnsTcpPrefix) and call again.
// Names are decoded with compression pointers, which must point backwards (so they cannot
// loop), with at most kMaxDnsPointers jumps and the 255-byte wire limit of RFC 1035.
//
// qname() is text in master-file form, without the final dot ("www.example.com", "." for
// the root): bytes that are not printable ASCII, spaces, and '.' or '\' inside a label are
// escaped as \DDD (decimal) or \. and \\, so the text is unambiguous and safe to print.
// It lives in the result itself; copy it before the result goes away.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "l7/status.h"

namespace fk::l7 {

constexpr size_t kMaxDnsNameWire = 255;  // RFC 1035 section 2.3.4
// Longest qname() text: every byte of a 255-byte name escaped as \DDD.
constexpr size_t kMaxDnsNameText = 4 * kMaxDnsNameWire;
constexpr unsigned kMaxDnsPointers = 32;
// Bytes of a TCP stream that always hold the first question: length prefix, header, name,
// type and class.
constexpr size_t kMaxDnsTcpPrefix = 2 + 12 + kMaxDnsNameWire + 4;

// A domain name decoded from a message.
struct DnsName {
    std::string_view text() const { return {text_, len_}; }
    size_t wire_end = 0;  // offset after the name's bytes at the place it was read (after the
                          // first compression pointer, if any)
    // Not zeroed: the parsers are on the per-packet path and only len_ bytes are ever read.
    char text_[kMaxDnsNameText];
    uint16_t len_ = 0;
};

// Decodes the name at `offset`. done, or invalid for a malformed name (bad label type,
// pointer that does not point backwards, more than kMaxDnsPointers jumps, longer than
// kMaxDnsNameWire); need_more when the message ends inside the name (a TCP prefix).
Status decode_dns_name(std::span<const uint8_t> message, size_t offset, DnsName& name);

struct DnsMessage {
    uint16_t id = 0;
    bool response = false;   // QR
    uint8_t opcode = 0;      // 0 query, 4 notify, 5 update, ...
    uint8_t rcode = 0;       // header RCODE (extended RCODEs of EDNS are not read)
    bool truncated = false;  // TC: the answer did not fit the datagram
    uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
    bool has_question = false;  // qdcount > 0 and the first question was read
    uint16_t qtype = 0;
    uint16_t qclass = 0;  // as sent; mDNS uses the top bit for unicast-response
    size_t needed = 0;    // with need_more (TCP): bytes to call again with
    std::string_view qname() const { return name_.text(); }

    DnsName name_;
};

// One DNS message, as a UDP datagram carries it.
Status parse_dns(std::span<const uint8_t> message, DnsMessage& msg);
// The first message of a DNS-over-TCP stream (2-byte length prefix).
Status parse_dns_tcp(std::span<const uint8_t> stream, DnsMessage& msg);

}  // namespace fk::l7
