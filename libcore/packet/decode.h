// Decodes a captured frame in place, from the link layer to the transport header: VLAN tags,
// MPLS, PPPoE, IPv4 (fragments), IPv6 (extension headers), GRE/ERSPAN, VXLAN, Geneve, IP-in-IP
// and 6in4 tunnels (the inner packet is the flow; the outer one is noted), and layer-2
// industrial protocols (GOOSE, sampled values, PROFINET) as flows of MAC addresses.
// No allocation, no virtual call: one function over the bytes.
#pragma once
#include <cstdint>

#include "record/ipaddr.h"

namespace fk {

enum class Decoded : uint8_t {
    kIp,         // an IP packet: a flow
    kLayer2,     // a layer-2 industrial frame (GOOSE, SV, PROFINET): a flow of MAC addresses
    kNotIp,      // ARP, LLDP, STP and other frames that carry no IP: not a flow
    kMalformed,  // cut or inconsistent before the IP header was complete: not a flow
};

// A datagram's fragments: the first (with the transport header), the ones after it, and the
// one that ends the datagram (no "more fragments" flag).
enum Fragment : uint8_t {
    kNotFragment = 0,
    kFirstFragment = 1,
    kLaterFragment = 2,
    kLastFragment = 3
};

struct DecodeOptions {
    bool decap = true;  // false: a tunnel is a flow of its outer header
    // false: the MAC addresses are set for layer-2 flows only (a probe keys IP flows without
    // them, and skips reading them).
    bool ip_macs = true;
};

// What one packet contributes to a flow. Fields that do not apply stay zero.
struct PacketView {
    IpAddr src, dst;
    uint16_t sport = 0, dport = 0;  // ICMP: dport = type*256 + code
    uint8_t proto = 0;
    uint8_t tos = 0;
    uint8_t tcp_flags = 0;
    uint8_t frag = kNotFragment;
    uint16_t vlan = 0;
    uint16_t ether_type = 0;  // layer-2 flows
    uint32_t frag_id = 0;     // IPv4 identification or IPv6 fragment id
    uint32_t bytes = 0;       // IP bytes (header and payload as the IP header says)
    uint32_t seq = 0, ack = 0;
    uint32_t payload_len = 0;  // transport payload length as the headers say
    uint32_t payload_cap = 0;  // transport payload bytes present in the capture
    const uint8_t* payload = nullptr;
    uint64_t src_mac = 0, dst_mac = 0;  // IP packets: only with DecodeOptions::ip_macs
    uint8_t tunnel = 0;                 // Tunnel (record/names.h) of the outermost encapsulation
    // Fragments: the protocol every fragment of the datagram names, the IPv4 protocol or the
    // IPv6 fragment header's next header (a first fragment's `proto` may be further on).
    uint8_t frag_next = 0;
    IpAddr tun_src, tun_dst;
};

// Decodes one frame of the given link type (capture_file.h LinkType). wirelen is used when
// an IP header gives no length (TSO captures).
Decoded decode_packet(const uint8_t* data, uint32_t caplen, uint32_t wirelen, uint32_t link,
                      const DecodeOptions& opts, PacketView& out);

}  // namespace fk
