// Collector statistics kept in the flow store (DIR/flowcapture.stats): per exporter counters
// of datagrams, flows, sequence gaps, malformed data and template trouble, plus socket-level
// drops. Each flowcapture run adds its counts to those already in the file, so the file tells
// the store's whole history; `flowcapture --stats DIR` prints it (like nfdump -E).
#pragma once
#include <string>
#include <vector>

#include "wire/decoder.h"

namespace fk {

struct CaptureStats {
    std::vector<ExporterStats> exporters;
    uint64_t socket_drops = 0;       // datagrams the kernel dropped (receive queue full)
    uint64_t refused = 0;            // datagrams from addresses outside --allow
    uint64_t unknown_version = 0;    // datagrams of no known format
    uint64_t sources_refused = 0;    // datagrams from exporters over the exporter limit
    uint64_t sources_evicted = 0;    // exporters that never spoke, evicted to make room
    uint64_t evicted_datagrams = 0;  // ... and their datagrams
    uint64_t truncated = 0;          // datagrams larger than the receive buffer

    // Adds the counters of o (exporters matched by address, domain and version).
    void add(const CaptureStats& o);
};

constexpr const char* kStatsFileName = "flowcapture.stats";

// Writes the statistics atomically to `path`.
void save_capture_stats(const std::string& path, const CaptureStats& s);
// Reads a statistics file; empty statistics when it does not exist. Throws DataError naming
// the file and line when it is not one.
CaptureStats load_capture_stats(const std::string& path);
// A table, one exporter per line, for people.
std::string format_capture_stats(const CaptureStats& s);
// The one-line summary of one exporter used in the periodic log.
std::string exporter_log_line(const ExporterStats& e);
std::string version_name(uint8_t version);

}  // namespace fk
