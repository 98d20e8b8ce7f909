// sFlow version 5 (sflow.org sflow_version_5.txt): datagram header and samples. Each flow
// sample becomes one flow record — one packet, its counters multiplied by the sampling rate —
// built from the sampled packet header or from the decoded IPv4/IPv6 and extended records.
#pragma once
#include <cstddef>
#include <cstdint>

#include "record/flow_block.h"

namespace fk::wire::sflow {

struct Datagram {
    IpAddr agent;
    uint32_t sub_agent = 0;
    uint32_t sequence = 0;
    uint32_t uptime_ms = 0;
    uint32_t samples = 0;
    size_t samples_offset = 0;
};

struct Counts {
    uint64_t flow_samples = 0;
    uint64_t counter_samples = 0;
    uint64_t undecodable = 0;  // flow samples without a header or record we could read
    uint32_t last_rate = 0;
};

// False when the header is cut short or is not sFlow v5.
bool parse_header(const uint8_t* d, size_t len, Datagram& out);

// Appends one record per flow sample to `out` (times = `now`). False when a sample is
// malformed; the samples before it are kept.
bool decode_samples(const uint8_t* d, size_t len, const Datagram& dg, uint64_t now, FlowBlock& out,
                    Counts& counts);

}  // namespace fk::wire::sflow
