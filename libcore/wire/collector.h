// The collector daemon's engine: UDP listeners read in batches (recvmmsg) and decoded on a
// receive thread; full blocks of flows go through a bounded queue to a writer thread, so that
// file writing, fsync and rotation never stall the sockets (on one CPU the receive thread
// writes the blocks itself; see write_inline). Rotation follows wall-clock interval
// boundaries.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "record/flow_block.h"
#include "store/capture_stats.h"
#include "wire/decoder.h"

namespace fk {

struct CollectorOptions {
    std::vector<std::string> listen;                 // "ADDR:PORT", "[ADDR]:PORT"; may be
                                                     // empty when flows come by submit()
    std::vector<std::pair<IpAddr, unsigned>> allow;  // exporter prefixes (128-bit lengths)
    int receive_buffer = 64 << 20;
    DecoderOptions decoder;
    uint64_t interval = 300 * 1'000'000ull;  // rotation interval, microseconds
    // Rows per block: about 0.8 MB of columns for IPv4 flows, so that a block decoded is
    // still in the core's cache when it is encoded.
    size_t block_rows = 8192;
    uint64_t flush_interval = 0;  // also hand over partial blocks this often (streams); 0: no
    uint64_t log_interval = 0;    // per-exporter log line on stderr this often; 0: none
    // Encode and write each block on the receiving thread, with no writer thread: for a
    // collector that may run on one CPU only, where a second thread cannot run alongside but
    // costs a context switch per block, and the block leaves the cache before it is encoded.
    // submit() must then not be called.
    bool write_inline = false;
};

// How long the receiver sleeps after a read turn that found only a trickle, for sockets whose
// smallest receive buffer is `smallest_buffer` bytes (as getsockopt reports it). Sleeping
// instead of waking for every burst saves timer programming and context switches (VM exits
// on a virtual machine, and caches gone cold meanwhile): about 10% of the CPU at 1M flows/s.
// 30 ms with the default 64 MB buffers; 0 (wait in poll() for each burst) for buffers under
// 2 MB.
unsigned receive_pause_micros(size_t smallest_buffer);

// Where the flows go; called by one thread: the writer thread, or with write_inline the
// receiving one.
class BlockSink {
  public:
    virtual ~BlockSink() = default;
    // A new interval starts (also the first one); stats: the counts so far.
    virtual void rotate(uint64_t slot_start, const CaptureStats& stats) = 0;
    virtual void write(FlowBlock& b) = 0;
    // The collector stops: close what is open.
    virtual void finish(const CaptureStats& stats) = 0;
};

class Collector {
  public:
    // Opens (binds) every listener; throws DataError / UsageError when one cannot be opened.
    explicit Collector(CollectorOptions opts);
    ~Collector();
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    // The receive buffers granted, one line per listener, for the start-up message.
    std::vector<std::string> describe() const;
    // Starts the receive and writer threads.
    void start(BlockSink& sink);
    // Makes the writer start a new file now (SIGHUP).
    void rotate_now();
    // Hands flows made elsewhere (the live probe of -i) to the writer, from any thread; b is
    // left empty. Waits when the writer is behind.
    void submit(FlowBlock& b);
    // True when a thread ended with an error; stop() then rethrows it.
    bool failed() const;
    // Reads what is already queued on the sockets, hands everything to the sink, finishes it
    // and joins the threads. Rethrows an error of either thread.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fk
