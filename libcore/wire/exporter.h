// Sends flows to a collector as IPFIX (RFC 7011) or NetFlow v9 (RFC 3954) over UDP.
// Templates are derived from the fields the flows carry (a field once seen stays in the
// template), sent before first use and again every `template_refresh` seconds.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "record/flow_block.h"

namespace fk {

enum class ExportProtocol : uint8_t { Ipfix, NetflowV9 };

struct ExportOptions {
    ExportProtocol protocol = ExportProtocol::Ipfix;
    uint32_t domain = 0;             // observation domain (IPFIX) / source id (v9)
    unsigned template_refresh = 60;  // seconds between template re-sends
    size_t max_datagram = 1400;      // bytes of one export message (UDP payload)
    double rate = 0;                 // flows per second; 0 sends as fast as possible
    bool keep_sent = false;          // keep a copy of every datagram sent, for resend()
    // When not empty: the only fields sent besides times, addresses, ports, protocol and
    // counters, which every record carries (a router's template, or a collector's limits).
    FieldSet only;
    // IPFIX times in milliseconds only, without flowkit's microseconds within them (what a
    // router sends; v9 never carries them).
    bool millis_only = false;
};

struct ExportCounters {
    uint64_t flows = 0;
    uint64_t datagrams = 0;
    uint64_t template_sets = 0;
    uint64_t send_errors = 0;  // datagrams the kernel refused (no listener, buffer full)
};

class FlowExporter {
  public:
    // dest: "HOST:PORT" or "[IPv6]:PORT". Throws UsageError for an address it cannot use.
    FlowExporter(const std::string& dest, ExportOptions opts = {});
    // Sends what is pending.
    ~FlowExporter();
    FlowExporter(const FlowExporter&) = delete;
    FlowExporter& operator=(const FlowExporter&) = delete;

    void add(const FlowRecord& r);
    void add(FlowBlock& b);
    // Sends the partly filled export message now.
    void flush();
    // Sends every datagram sent so far `times` times more (needs keep_sent), each as a new
    // export message: next sequence number and current export time (and v9 uptime), records
    // unchanged. For load tests: the records are encoded once, so sending costs little more
    // than the system calls.
    void resend(uint64_t times);
    const ExportCounters& counters() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fk
