#include "wire/elements.h"

#include <unordered_map>

namespace fk::wire {

namespace {

constexpr uint64_t key(uint32_t pen, uint16_t id) {
    return uint64_t{pen} << 16 | id;
}

// Elements with a meaning beyond "store the value in a field": times, counters, sampling,
// ICMP, and other enterprises' names for fields of ours.
std::unordered_map<uint64_t, ElementOp> build_table() {
    std::unordered_map<uint64_t, ElementOp> t;
    // The fields.def mapping first, so the special entries below can override it.
    for (const auto& f : all_fields()) {
        if (f.ipfix_id == 0 || f.id == FieldId::exporter || f.id == FieldId::domain) continue;
        Op op = Op::Uint;
        if (f.storage == Storage::Addr) op = Op::Addr;
        if (f.storage == Storage::Str) op = Op::Str;
        if (f.format == Format::Mac) op = Op::Mac;
        if (f.format == Format::DnsRcode) op = Op::DnsRcode;
        t[key(f.ipfix_pen, f.ipfix_id)] = {op, f.id};
        t[key(f.ipfix_pen, f.ipfix_id_v6)] = {op, f.id};
    }
    auto set = [&](uint16_t id, Op op, FieldId f = FieldId::start) { t[key(0, id)] = {op, f}; };
    set(1, Op::Bytes);
    set(85, Op::Bytes);  // octetTotalCount
    set(2, Op::Packets);
    set(86, Op::Packets);  // packetTotalCount
    set(6, Op::Flags);
    set(32, Op::IcmpTypeCode);
    set(139, Op::IcmpTypeCode);
    set(176, Op::IcmpType);
    set(177, Op::IcmpCode);
    set(178, Op::IcmpType);
    set(179, Op::IcmpCode);
    set(243, Op::Uint, FieldId::vlan);  // dot1qVlanId
    set(22, Op::UptimeFirst);
    set(21, Op::UptimeLast);
    set(150, Op::SecFirst);
    set(151, Op::SecLast);
    set(152, Op::MsFirst);
    set(153, Op::MsLast);
    set(154, Op::UsFirst);
    set(155, Op::UsLast);
    set(156, Op::NsFirst);
    set(157, Op::NsLast);
    set(158, Op::DeltaUsFirst);
    set(159, Op::DeltaUsLast);
    set(160, Op::SysInitMs);
    set(322, Op::ObservedSec);
    set(323, Op::ObservedMs);
    set(324, Op::ObservedUs);
    set(325, Op::ObservedNs);
    set(161, Op::DurationMs);
    set(162, Op::DurationUs);
    set(34, Op::SamplingInterval);   // samplingInterval
    set(50, Op::SamplingInterval);   // samplerRandomInterval
    set(305, Op::SamplingInterval);  // samplingPacketInterval
    set(306, Op::SamplingSpace);
    set(309, Op::SamplingSize);
    set(310, Op::SamplingPopulation);
    set(48, Op::SamplerId);   // samplerId / FLOW_SAMPLER_ID
    set(302, Op::SamplerId);  // selectorId
    t[key(kFlowkitPen, kFlowkitSamplingApplied)] = {Op::SamplingApplied, FieldId::sampling};
    t[key(kFlowkitPen, kFlowkitStartMicros)] = {Op::MsFracFirst, FieldId::start};
    t[key(kFlowkitPen, kFlowkitEndMicros)] = {Op::MsFracLast, FieldId::end};
    auto reverse = [&](uint16_t id, Op op) { t[key(kPenReverse, id)] = {op, FieldId::start}; };
    reverse(1, Op::RevBytes);
    reverse(85, Op::RevBytes);
    reverse(2, Op::RevPackets);
    reverse(86, Op::RevPackets);
    reverse(6, Op::RevFlags);
    reverse(150, Op::RevSecFirst);
    reverse(151, Op::RevSecLast);
    reverse(152, Op::RevMsFirst);
    reverse(153, Op::RevMsLast);
    t[key(kPenCert, 21)] = {Op::RevDeltaMs, FieldId::start};
    // YAF's TCP flags: of the first packet and of the others, ORed; the reverse direction's
    // are its element ids with bit 14 set (YAF's own reverse convention).
    for (const uint16_t id : {14, 15}) {
        t[key(kPenCert, id)] = {Op::Flags, FieldId::flags};
        t[key(kPenCert, id | 0x4000)] = {Op::RevFlags, FieldId::start};
    }
    // ipfixprobe exports a QUIC server name apart from the TLS one.
    t[key(kPenCesnet, 890)] = {Op::Str, FieldId::sni};
    return t;
}

const std::unordered_map<uint64_t, ElementOp>& table() {
    static const auto t = build_table();
    return t;
}

}  // namespace

ElementOp element_op(uint32_t pen, uint16_t id, uint16_t length) {
    const auto it = table().find(key(pen, id));
    if (it == table().end()) return {};
    ElementOp e = it->second;
    // A value whose length the operation cannot take is skipped rather than misread.
    switch (e.op) {
        case Op::Addr:
            if (length != 4 && length != 16) return {};
            break;
        case Op::Mac:
            if (length != 6) return {};
            break;
        case Op::Str:
            break;
        case Op::UsFirst:
        case Op::UsLast:
        case Op::NsFirst:
        case Op::NsLast:
        case Op::ObservedUs:
        case Op::ObservedNs:
            if (length != 8) return {};
            break;
        default:
            if (length == 0 || length > 8) return {};
    }
    return e;
}

}  // namespace fk::wire
