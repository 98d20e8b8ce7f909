#include "wire/sflow_raw.h"

#include "packet/capture_file.h"
#include "packet/decode.h"

namespace fk::wire::sflow {

bool raw_header(uint32_t protocol, const uint8_t* h, size_t len, uint32_t frame_length,
                FlowRecord& r) {
    uint32_t link;
    switch (protocol) {
        case 1:
            link = kLinkEthernet;
            break;  // ISO 8802-3 Ethernet
        case 11:
            link = kLinkIpv4;
            break;
        case 12:
            link = kLinkIpv6;
            break;
        default:
            return false;
    }
    PacketView v;
    const DecodeOptions opts;
    const Decoded d = decode_packet(h, static_cast<uint32_t>(len), frame_length, link, opts, v);
    if (d != Decoded::kIp && d != Decoded::kLayer2) return false;
    r.src = v.src;
    r.dst = v.dst;
    r.sport = v.sport;
    r.dport = v.dport;
    r.proto = v.proto;
    r.tos = v.tos;
    r.flags = v.tcp_flags;
    r.vlan = v.vlan;
    r.ether_type = v.ether_type;
    r.src_mac = v.src_mac;
    r.dst_mac = v.dst_mac;
    r.tunnel = v.tunnel;
    r.tun_src = v.tun_src;
    r.tun_dst = v.tun_dst;
    // IP bytes as the IP header says; a layer-2 flow counts the frame.
    r.bytes = v.bytes ? v.bytes : frame_length;
    return true;
}

}  // namespace fk::wire::sflow
