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
    uint64_t datagrams = 0;  // handed to the kernel
    uint64_t template_sets = 0;
    uint64_t send_errors = 0;  // datagrams the kernel did not send (full buffer, no route)
    int send_errno = 0;        // why the last of those was not sent
    // ICMP port unreachable answers: nothing listens at the destination. Each is about one
    // datagram or more sent before it (the socket keeps one pending error, and hosts limit
    // their ICMP rate), so it says datagrams were lost, not how many.
    uint64_t refused = 0;
    int late_errno = 0;  // another error reported after the last datagram (host unreachable)
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
    // Sends what is pending, then waits briefly for an ICMP error about the last datagrams
    // (a UDP socket learns of one only on its next send). Call it once at the end, before
    // counters() and problem().
    void finish();
    // Sends every datagram sent so far `times` times more (needs keep_sent), each as a new
    // export message: next sequence number and current export time (and v9 uptime), records
    // unchanged. For load tests: the records are encoded once, so sending costs little more
    // than the system calls.
    void resend(uint64_t times);
    const ExportCounters& counters() const;
    // What went wrong in one line ("127.0.0.1:4739 refused datagrams (ICMP port unreachable,
    // 2 times): is a collector listening there?"), or "" when nothing did.
    std::string problem() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fk
