// Crafts whole frames from a description of one IP packet and of how it travels (VLAN tags,
// MPLS, GRE or VXLAN tunnels, IPv6 extension headers, fragmentation), with every length and
// checksum right. No allocation: frames are built in the pcap writer's buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "synth/pcap_writer.h"

namespace fk::synth {

constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

enum class WrapKind : uint8_t { none, vlan, qinq, mpls, gre, vxlan };

// How the packets of one conversation are carried, beyond plain Ethernet + IP.
struct Wrap {
    WrapKind kind = WrapKind::none;
    uint16_t vlan = 0;           // 802.1Q id; with QinQ the outer (service) tag
    uint16_t inner_vlan = 0;     // QinQ: the customer tag
    uint32_t label = 0;          // MPLS label, or VXLAN network identifier
    uint8_t tunnel_src[4] = {};  // outer addresses of the client-to-server direction
    uint8_t tunnel_dst[4] = {};
    bool ext6 = false;      // IPv6: hop-by-hop and destination options headers
    bool fragment = false;  // datagrams larger than the MTU are fragmented
};

// One IP packet: addresses are 16 network-order bytes (IPv4 in the last four).
struct Packet {
    bool v6 = false;
    const uint8_t* src = nullptr;
    const uint8_t* dst = nullptr;
    uint64_t src_mac = 0;
    uint64_t dst_mac = 0;
    uint8_t ttl = 64;
    bool answer = false;  // server to client: a tunnel's outer addresses are reversed
    uint8_t tos = 0;
    uint16_t ip_id = 0;
    bool dont_fragment = true;
    uint32_t flow_label = 0;
    uint8_t proto = kTcp;
    uint16_t sport = 0;
    uint16_t dport = 0;
    // TCP
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0;
    uint16_t window = 0;
    const uint8_t* tcp_options = nullptr;
    uint8_t tcp_options_len = 0;  // a multiple of 4
    // ICMP / ICMPv6: type and code; the 4 bytes after the checksum (echo id and sequence)
    uint8_t icmp_type = 0;
    uint8_t icmp_code = 0;
    uint32_t icmp_rest = 0;
    const uint8_t* payload = nullptr;
    size_t payload_len = 0;
    // The payload's ones' complement sum when the caller already knows it (ones_sum order),
    // which spares summing the bytes again.
    bool payload_sum_known = false;
    uint64_t payload_sum = 0;
};

// What one packet became on the wire.
struct Written {
    unsigned frames = 0;  // more than one when fragmented
    // IP-layer bytes of the (inner) packet(s), as a flow counts them (layer 2: the bytes after
    // the Ethernet header)
    uint64_t ip_bytes = 0;
    uint64_t last_time = 0;
    bool complete = false;  // false when the frame budget cut a fragment train
    bool fragmented = false;
};

class FrameWriter {
  public:
    explicit FrameWriter(PcapWriter& pcap, unsigned mtu = 1500);

    // Writes pkt at time_us; fragments follow 1 us apart. At most `frame_budget` frames are
    // written (the --packets limit may cut a fragment train).
    Written write(uint64_t time_us, const Wrap& wrap, const Packet& pkt,
                  uint64_t frame_budget = ~0ull);

    // Writes a non-IP frame (GOOSE): the payload follows the EtherType. Returns the bytes
    // after the Ethernet header and tag (padding included), as a layer-2 flow counts them.
    size_t write_l2(uint64_t time_us, uint64_t src_mac, uint64_t dst_mac, uint16_t vlan,
                    uint8_t priority, uint16_t ether_type, const uint8_t* payload, size_t len);

    // Builds the IP packet alone (no link layer) into out; returns its length. ICMP errors
    // quote the packet that caused them with this.
    static size_t build_ip(uint8_t* out, const Packet& pkt);

  private:
    size_t link_header(uint8_t* out, const Wrap& wrap, const Packet& pkt, size_t ip_len);

    PcapWriter& pcap_;
    unsigned mtu_;
    std::vector<uint8_t> scratch_;  // a whole datagram before fragmentation
};

}  // namespace fk::synth
