// Application classification of a flow: payload signatures first, well-known ports second.
//
// How a probe calls it:
//   - For each flow (both directions, as the reply often carries the telling bytes: server
//     banners, greetings), call classify(proto, sport, dport, payload) on the first packets
//     that carry payload, the transport payload of one packet each time. Keep the first
//     result whose evidence is Evidence::payload and stop calling for that flow; until then
//     keep the best port guess. Four packets per direction are plenty; most flows are decided
//     by their first payload packet.
//   - A flow without payload (scans, SYN floods, ICMP) gets classify(proto, sport, dport, {})
//     once: a guess from the ports or the IP protocol (icmp, ipsec).
//   - A probe that pairs the two directions of a connection may copy a payload verdict to the
//     reverse flow.
//   - TLS on ports of TLS-wrapped services (853, 993, 995, 465, 636) is reported as that
//     service (dot, imaps, pop3s, smtps, ldaps); RDP, SMTP and others that switch to TLS keep
//     their first verdict.
// Signatures read at most the first kMaxSignatureScan bytes and never allocate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "record/names.h"

namespace fk::l7 {

struct DnsMessage;

// The JSON-RPC signatures (stratum) look this far into a payload.
constexpr size_t kMaxSignatureScan = 512;

enum class Evidence : uint8_t {
    none,     // nothing known
    port,     // a well-known port (or the IP protocol) only
    payload,  // the payload matched the protocol's signature
};

struct Classification {
    App app = App::none;
    Evidence evidence = Evidence::none;
};

constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;
constexpr uint8_t kIpProtoEsp = 50;
constexpr uint8_t kIpProtoAh = 51;
constexpr uint8_t kIpProtoIcmpV6 = 58;

// The application the payload's signature names (App::none when none matches). The ports
// only help where a protocol has no distinctive bytes of its own (NTP, CoAP, FINS over UDP).
// `dns`, when not null, is the payload already parsed as DNS with Status::done (a caller
// that reads DNS anyway saves the signature check a second parse).
App app_from_payload(uint8_t ip_proto, uint16_t sport, uint16_t dport,
                     std::span<const uint8_t> payload, const DnsMessage* dns = nullptr);

// The application of a well-known port (either port; the lower one wins when both are
// known), or of the IP protocol itself (ICMP, ESP/AH). App::none when nothing is known.
App app_from_ports(uint8_t ip_proto, uint16_t sport, uint16_t dport);

// Payload first, ports second.
Classification classify(uint8_t ip_proto, uint16_t sport, uint16_t dport,
                        std::span<const uint8_t> payload, const DnsMessage* dns = nullptr);

}  // namespace fk::l7
