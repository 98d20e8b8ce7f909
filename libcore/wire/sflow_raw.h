// Turns the sampled packet header of an sFlow raw-packet-header record into the fields of a
// flow record, with the packet decoder of libcore/packet.
#pragma once
#include <cstddef>
#include <cstdint>

#include "record/field.h"

namespace fk::wire::sflow {

// protocol: sFlow header_protocol (1 = Ethernet, 11 = IPv4, 12 = IPv6). frame_length: the
// original frame's length. False when the header holds no IP packet we can read.
bool raw_header(uint32_t protocol, const uint8_t* h, size_t len, uint32_t frame_length,
                FlowRecord& r);

}  // namespace fk::wire::sflow
