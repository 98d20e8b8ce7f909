// The information elements flowkit reads and writes: how each (enterprise, element id) of a
// template maps onto the flow record, for the decoders and the encoder.
#pragma once
#include <cstdint>

#include "record/field.h"

namespace fk::wire {

// flowkit's own enterprise number: 32473, the one RFC 5612 sets aside for documentation, so
// that nobody else's elements are taken (man/flowexport.1 lists the elements).
constexpr uint32_t kFlowkitPen = 32473;
// flowkit's element for a record's sampling rate when its counters are already renormalised
// (samplingPacketInterval would make a collector multiply them again).
constexpr uint16_t kFlowkitSamplingApplied = 13;
// The microseconds within the millisecond of flowStartMilliseconds / flowEndMilliseconds:
// flowkit keeps microseconds, and collectors that do not know dateTimeMicroseconds (nfcapd)
// still read the milliseconds.
constexpr uint16_t kFlowkitStartMicros = 14;
constexpr uint16_t kFlowkitEndMicros = 15;

constexpr uint32_t kPenFlowmon = 39499;
constexpr uint32_t kPenCesnet = 8057;
// RFC 5103 biflows: the reverse direction's value of IANA element N is element N of this
// enterprise.
constexpr uint32_t kPenReverse = 29305;
// CERT (YAF): reverseFlowDeltaMilliseconds, the reverse direction's start after the forward's,
// and the TCP flags of the first packet and of the others.
constexpr uint32_t kPenCert = 6871;

// flowkit's exporter puts dns_rcode in a template once a flow had an answer; later flows of
// the template without one carry this (unassigned) code.
constexpr uint8_t kDnsRcodeNone = 255;
// A dnsRcode element's value as dns_rcode stores it (record/names.h).
constexpr uint8_t dns_rcode_from_wire(uint64_t v) {
    return v >= kDnsRcodeNone ? 0 : static_cast<uint8_t>(v + 1);
}

// What a decoder does with one field of a data record.
enum class Op : uint8_t {
    Skip,
    Uint,      // unsigned integer into `field`
    Addr,      // 4 or 16 bytes into `field`
    Mac,       // 6 bytes into `field`
    Str,       // text into `field`
    Flags,     // tcpControlBits (1 or 2 bytes): the low 8 bits
    DnsRcode,  // a DNS response code into dns_rcode, stored plus one; kDnsRcodeNone: no answer
    IcmpTypeCode,
    IcmpType,
    IcmpCode,
    UptimeFirst,  // ms since the exporter's boot (flowStartSysUpTime, NetFlow FIRST_SWITCHED)
    UptimeLast,
    SecFirst,  // absolute seconds
    SecLast,
    MsFirst,  // absolute milliseconds
    MsLast,
    MsFracFirst,  // flowkit's microseconds within those milliseconds
    MsFracLast,
    UsFirst,  // NTP timestamps, microsecond resolution
    UsLast,
    NsFirst,  // NTP timestamps, nanosecond resolution
    NsLast,
    DeltaUsFirst,  // microseconds before the export time
    DeltaUsLast,
    DurationMs,
    DurationUs,
    SysInitMs,  // systemInitTimeMilliseconds
    // observationTime*: when the record was observed, for records (NAT events) without a start
    // and an end; seconds, milliseconds, NTP microseconds and nanoseconds.
    ObservedSec,
    ObservedMs,
    ObservedUs,
    ObservedNs,
    SamplingInterval,  // 1:N, counters get renormalised
    SamplingSpace,     // samplingPacketSpace: N = (interval + space) / interval
    SamplingSize,      // samplingSize / samplingPopulation
    SamplingPopulation,
    SamplingApplied,  // flowkit's: counters are already renormalised
    SamplerId,
    Bytes,    // octetDeltaCount / octetTotalCount
    Packets,  // packetDeltaCount / packetTotalCount
    // RFC 5103: the reverse direction of a biflow record.
    RevBytes,
    RevPackets,
    RevFlags,
    RevSecFirst,
    RevSecLast,
    RevMsFirst,
    RevMsLast,
    RevDeltaMs,  // YAF: milliseconds from the forward start to the reverse start
};

// Whether an operation reads the reverse direction of a biflow record.
constexpr bool is_reverse(Op op) {
    return op >= Op::RevBytes;
}

struct ElementOp {
    Op op = Op::Skip;
    FieldId field{};
};

// The operation for an element of the given length (Skip for unknown elements and for lengths
// the operation cannot take).
ElementOp element_op(uint32_t pen, uint16_t id, uint16_t length);

}  // namespace fk::wire
