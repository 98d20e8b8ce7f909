// The probe: packets in, flow records out. Sampling, decoding, fragment tracking, the flow
// cache and per-connection metadata, fed by capture files (merged in time order), a pcap
// stream or a live interface. Records go out in blocks to a FlowSink.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/writer.h"
#include "packet/capture_file.h"
#include "packet/decode.h"
#include "packet/flow_cache.h"
#include "packet/metadata.h"

namespace fk {

// Receives the records the probe ends, a block at a time (one call per block, not per flow).
class FlowSink {
  public:
    virtual ~FlowSink() = default;
    virtual void write(FlowBlock& block) = 0;
};

enum class SampleMode { kSystematic, kRandom };

struct ProbeOptions {
    CacheOptions cache;
    DecodeOptions decode;
    uint32_t sample = 1;  // 1:N packet sampling
    SampleMode sample_mode = SampleMode::kSystematic;
    uint64_t seed = 1;     // random sampling: the same seed gives the same packets
    std::string filter;    // BPF expression applied to every packet ("" = none)
    bool metadata = true;  // read TLS/QUIC hellos (TCP handshake delays are always kept)
    // Rows per block handed to the sink: as many as FlowWriter puts in a block, so that it
    // writes the block as it is instead of copying it into one of its own.
    size_t block_rows = WriterOptions{}.block_rows;
};

struct ProbeStats {
    uint64_t packets = 0;         // read from the input
    uint64_t sampled_out = 0;     // skipped by sampling
    uint64_t filtered_out = 0;    // rejected by the BPF filter
    uint64_t flow_packets = 0;    // accounted to flows
    uint64_t layer2 = 0;          // of those, layer-2 frames (GOOSE, SV, PROFINET)
    uint64_t not_ip = 0;          // frames with no IP (ARP, LLDP, STP ...): no flow
    uint64_t malformed = 0;       // cut or broken before the IP header was complete: no flow
    uint64_t fragments_held = 0;  // later fragments still waiting for their first fragment
};

class Probe {
  public:
    Probe(const ProbeOptions& opts, FlowSink& sink);
    ~Probe();
    Probe(const Probe&) = delete;
    Probe& operator=(const Probe&) = delete;

    void packet(const RawPacket& p);
    // Up to kBatch packets whose bytes all stay valid during the call (CaptureFile::next_batch).
    static constexpr size_t kBatch = 64;
    void packets(const RawPacket* ps, size_t n);
    // Expiry by the clock when no packet comes (live capture); also hands ended records on.
    void tick(uint64_t now_us);
    // End of input: every flow ends and goes to the sink.
    void finish();

    const ProbeStats& stats() const { return stats_; }
    const CacheStats& cache_stats() const { return cache_.stats(); }
    size_t active_flows() const { return cache_.size(); }

  private:
    struct Frags;
    struct Filter;
    bool admit(const RawPacket& p, PacketView& v, bool& layer2);
    void account(PacketView& v, bool layer2, uint64_t ts, const FlowKey* key, uint32_t h);
    void drain();
    bool keep_sample();

    ProbeOptions opts_;
    FlowSink& sink_;
    FlowCache cache_;
    Metadata meta_;
    // The decoded packets of a batch: a member, so that the arrays are not set to zero at
    // every call (decode_packet() fills each view).
    struct Batch {
        PacketView views[kBatch];
        FlowKey keys[kBatch];
        uint32_t hashes[kBatch];
        bool layer2[kBatch];
        bool keep[kBatch];
    } batch_;
    std::unique_ptr<Frags> frags_;
    std::unique_ptr<Filter> filter_;
    ProbeStats stats_;
    uint32_t sample_count_ = 0;
    uint64_t rng_;
};

// What reading the inputs found: truncated files are listed (the records up to the cut are
// kept), so that the program can warn and end with status 1.
struct ReadResult {
    std::vector<std::string> warnings;
    // A stop signal (catch_stop_signals) ended the reading early; the packets read before it
    // are in the flows, which were finished as at the end of input.
    bool interrupted = false;
};

using ProgressFn = void (*)(void* ctx, uint64_t done, uint64_t total, const Probe& probe);
struct ReadOptions {
    // Called now and then with bytes read and the total, when not null.
    ProgressFn progress = nullptr;
    void* ctx = nullptr;
    // A single file is read on a thread of its own (CaptureFile's read_ahead); several
    // files, merged a packet at a time, are not.
    bool read_ahead = false;
};

// Reads capture files ("-" = standard input), merged in time order, into the probe, and
// finishes it, also when a stop signal ends the reading.
ReadResult read_captures(const std::vector<std::string>& paths, Probe& probe,
                         const ReadOptions& options = {});

// Captures from a live interface with libpcap until `stop` becomes true, then finishes the
// probe. The BPF filter of the options is set in the kernel.
void capture_live(const std::string& iface, const std::string& filter, Probe& probe,
                  const std::atomic<bool>& stop);

}  // namespace fk
