// Decodes export datagrams — NetFlow v5, NetFlow v9, IPFIX, sFlow v5 — into flow records.
// Templates are kept per (exporter address, observation domain / source id). Nothing in a
// datagram is trusted: every length is checked against what is left, and a malformed datagram
// is counted and the rest of it skipped. Data whose template is not known yet is held for a
// while and decoded when the template arrives; what is never decoded is counted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "record/flow_block.h"

namespace fk {

struct DecoderOptions {
    uint64_t template_lifetime = 1800 * 1'000'000ull;  // a template not refreshed for this long
                                                       // is forgotten (RFC 7011 8.4, UDP)
    uint64_t hold_time = 10 * 1'000'000ull;            // how long data waits for its template
    size_t hold_bytes_per_source = 1 << 20;
    size_t hold_bytes_total = 16 << 20;
    size_t templates_per_source = 4096;
    size_t template_bytes_total = 32 << 20;  // memory of all templates together
    // With the table full, exporters silent for longer than template_lifetime, and those
    // that never sent a template, a flow or a sample silent for longer than hold_time, are
    // evicted to make room.
    size_t max_sources = 16384;
    // Sources (domain and protocol) of one address: one address cycling through domain ids
    // must not take the whole table from every other exporter.
    size_t max_sources_per_address = 256;
};

// Counters of one exporter (address, domain / source id, protocol version).
struct ExporterStats {
    IpAddr exporter;
    uint32_t domain = 0;
    uint8_t version = 0;                     // 5, 9, 10; 50 for sFlow v5
    uint64_t first_seen = 0, last_seen = 0;  // receive times, microseconds
    uint64_t datagrams = 0;
    uint64_t bytes = 0;
    uint64_t flows = 0;
    uint64_t records = 0;  // flow records and samples decoded (an IPFIX biflow record: 2 flows)
    uint64_t lost_datagrams = 0;     // gaps in NetFlow v9 / sFlow sequence numbers
    uint64_t lost_records = 0;       // gaps in NetFlow v5 / IPFIX sequence numbers
    uint64_t sequence_errors = 0;    // out of order or reset
    uint64_t malformed = 0;          // datagrams (partly) skipped as malformed
    uint64_t templates = 0;          // template records received
    uint64_t templates_refused = 0;  // over the memory bound
    uint64_t templates_expired = 0;
    uint64_t templates_withdrawn = 0;
    uint64_t options_records = 0;
    uint64_t sets_held = 0;        // data sets that arrived before their template
    uint64_t sets_late = 0;        // ... of which were decoded once it came
    uint64_t sets_dropped = 0;     // ... of which were dropped: no template in time, or no room
    uint64_t suspect_times = 0;    // records dated before 1990 or more than a day ahead
    uint64_t counter_samples = 0;  // sFlow
    uint64_t undecodable = 0;      // sFlow flow samples with no packet or frame we could read
    uint32_t sampling = 0;         // last sampling rate applied
};

struct DecoderTotals {
    uint64_t unknown_version = 0;  // datagrams that are none of the formats
    uint64_t sources_refused = 0;  // datagrams from exporters over max_sources
    // Exporters that never sent a template, a flow or a sample, evicted to make room, and
    // the datagrams they had sent (evicted exporters that did keep their counters).
    uint64_t sources_evicted = 0;
    uint64_t evicted_datagrams = 0;
};

// One received datagram, for decoding a batch.
struct Datagram {
    const uint8_t* data;
    size_t len;
    IpAddr exporter;
};

class WireDecoder {
  public:
    explicit WireDecoder(DecoderOptions opts = {});
    ~WireDecoder();
    WireDecoder(const WireDecoder&) = delete;
    WireDecoder& operator=(const WireDecoder&) = delete;

    // Decodes one datagram received at `now` (microseconds, UTC) from `exporter` and appends
    // its flows to `out`. Returns the number of flows appended.
    size_t decode(const uint8_t* data, size_t len, const IpAddr& exporter, uint64_t now,
                  FlowBlock& out);
    // Decodes datagrams in order, all received at `now`, until `out` holds at least
    // `enough_rows` rows; returns how many were decoded. Cheaper per flow than one call per
    // datagram: rows are written in place and the columns grown ahead of them, once for many
    // datagrams, so that they are longer than the block until finish(out). Call finish(out)
    // before anything else reads or changes `out`, and before decoding into another block.
    size_t decode(const Datagram* dgs, size_t n, uint64_t now, FlowBlock& out,
                  size_t enough_rows = SIZE_MAX);
    // Cuts the columns of a block decode() filled back to its rows.
    void finish(FlowBlock& out);
    // Drops held data that waited longer than hold_time (counted in sets_dropped).
    void expire(uint64_t now);
    // Drops everything still held (at shutdown), counting it.
    void drop_held();
    std::vector<ExporterStats> stats() const;
    const DecoderTotals& totals() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fk
