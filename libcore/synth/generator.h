// flowsynth's engine: merges background and scenario conversations by time into one pcap,
// and writes the truth sidecar of every unidirectional flow it crafted.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/io.h"
#include "synth/traffic.h"

namespace fk::synth {

struct SynthOptions {
    TrafficOptions traffic;
    uint64_t packets = 100000;  // stop after this many packets (0: no limit)
    uint64_t duration = 0;      // ... or after this many microseconds (0: no limit)
    uint32_t snaplen = 65535;
    std::vector<std::string> scenarios;  // NAME[:k=v,...]
    // Called with the packets written so far, every kProgressStep packets.
    std::function<void(uint64_t)> progress;
};
constexpr uint64_t kProgressStep = 1 << 20;

struct SynthSummary {
    uint64_t packets = 0;
    uint64_t conversations = 0;
    uint64_t flows = 0;  // truth rows: unidirectional flows with at least one packet
    uint64_t first = 0;
    uint64_t last = 0;
    std::vector<std::string> warnings;
};

// Writes the pcap to `pcap` and, when `truth` is given, the sidecar to it. Throws UsageError
// for bad scenario specs and DataError when output fails.
SynthSummary synthesize(const SynthOptions& options, Output& pcap, Output* truth);

}  // namespace fk::synth
