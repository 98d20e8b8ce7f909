// Totals of a set of flows (what `flowquery -I` prints), kept in each file's index.
#pragma once
#include <cstdint>

#include "common/saturate.h"
#include "record/flow_block.h"

namespace fk {

// Packets and bytes saturate at UINT64_MAX (common/saturate.h) in add(); flows count rows,
// which cannot reach it.
struct Totals {
    uint64_t flows = 0;
    uint64_t packets = 0;
    uint64_t bytes = 0;
    void add(const Totals& o) {
        flows += o.flows;
        packets = sat_add(packets, o.packets);
        bytes = sat_add(bytes, o.bytes);
    }
    void subtract(const Totals& o) {
        flows -= o.flows;
        packets -= o.packets;
        bytes -= o.bytes;
    }
    // Adds one flow's counts when `taken` is 1 and nothing when it is 0, without a branch and
    // plainly (in loops that vectorise; see plain_sum_may_wrap).
    void add_if(uint64_t taken, uint64_t flow_packets, uint64_t flow_bytes) {
        flows += taken;
        packets += flow_packets & (0 - taken);
        bytes += flow_bytes & (0 - taken);
    }
};

struct Summary {
    Totals all, tcp, udp, icmp, other;
    uint64_t first = UINT64_MAX;  // earliest start
    uint64_t last = 0;            // latest end

    // Adds every row of b, or the rows whose mask byte is set (decodes proto, packets, bytes,
    // and with a mask start and end).
    void add(FlowBlock& b, const uint8_t* mask = nullptr);
    // Only `all` and the time span (what a footer prints), without the protocol classes: no
    // proto column to decode.
    void add_all(FlowBlock& b, const uint8_t* mask);
    void add_row(const FlowRecord& r);
    void merge(const Summary& o);
    bool empty() const { return all.flows == 0; }

    void serialize(uint8_t* out) const;  // layout::kSummarySize bytes
    static Summary deserialize(const uint8_t* in);
};

}  // namespace fk
