#include "format/summary.h"

#include <algorithm>

#include "common/target_clones.h"
#include "format/layout.h"

namespace fk {

namespace {

Totals& class_of(Summary& s, uint8_t proto) {
    switch (proto) {
        case 6:
            return s.tcp;
        case 17:
            return s.udp;
        case 1:
        case 58:
            return s.icmp;
        default:
            return s.other;
    }
}

// One row's counts into its class and `all`, saturating.
void add_counts(Summary& s, uint8_t proto, uint64_t packets, uint64_t bytes) {
    const Totals row{1, packets, bytes};
    class_of(s, proto).add(row);
    s.all.add(row);
}

// The bits of two columns' values OR-ed together, for plain_sum_may_wrap. A loop of its own:
// in add()'s, one more accumulator spills registers (a quarter slower).
FK_VECTOR_CLONES uint64_t ored_values(const uint64_t* a, const uint64_t* b, size_t n) {
    uint64_t ored = 0;
    for (size_t i = 0; i < n; ++i) ored |= a[i] | b[i];
    return ored;
}

}  // namespace

FK_VECTOR_CLONES void Summary::add(FlowBlock& b, const uint8_t* mask) {
    b.ensure(FieldId::proto);
    b.ensure(FieldId::packets);
    b.ensure(FieldId::bytes);
    const uint8_t* proto = column<FieldId::proto>(b).data();
    const uint64_t* packets = column<FieldId::packets>(b).data();
    const uint64_t* bytes = column<FieldId::bytes>(b).data();
    // The span of all rows is the block's own; that of some is read from their times.
    const uint64_t* start = nullptr;
    const uint64_t* end = nullptr;
    if (mask) {
        b.ensure(FieldId::start);
        b.ensure(FieldId::end);
        start = column<FieldId::start>(b).data();
        end = column<FieldId::end>(b).data();
    }
    // Branch-free, so that it vectorises: every kept row adds to `all`, and to TCP, UDP or
    // ICMP through an all-ones or all-zeros mask; `other` is what the three leave of `all`.
    // (A table lookup per row, adding into the row's class, does not vectorise.)
    Totals kept, in_tcp, in_udp, in_icmp;
    uint64_t lo = first, hi = last;
    const size_t n = b.size();
    auto rows = [&](auto masked) {
        for (size_t i = 0; i < n; ++i) {
            uint64_t keep = 1;
            if constexpr (masked) keep = mask[i] != 0;
            const uint64_t p = proto[i];
            const uint64_t tcp_row = keep & (p == 6), udp_row = keep & (p == 17);
            const uint64_t icmp_row = keep & ((p == 1) | (p == 58));
            const uint64_t pk = packets[i], by = bytes[i];
            kept.add_if(keep, pk, by);
            in_tcp.add_if(tcp_row, pk, by);
            in_udp.add_if(udp_row, pk, by);
            in_icmp.add_if(icmp_row, pk, by);
            if constexpr (masked) {
                lo = std::min(lo, start[i] | (keep - 1));
                hi = std::max(hi, end[i] & -keep);
            }
        }
    };
    if (mask) {
        rows(std::true_type{});
    } else {
        rows(std::false_type{});
        lo = std::min(lo, b.t_first());
        hi = std::max(hi, b.t_last());
    }
    Summary block;
    block.first = lo;
    block.last = hi;
    if (plain_sum_may_wrap(ored_values(packets, bytes, n), n)) {  // summed again, saturating
        for (size_t i = 0; i < n; ++i) {
            if (!mask || mask[i]) add_counts(block, proto[i], packets[i], bytes[i]);
        }
    } else {
        block.all = block.other = kept;
        block.tcp = in_tcp;
        block.udp = in_udp;
        block.icmp = in_icmp;
        for (const Totals* c : {&in_tcp, &in_udp, &in_icmp}) block.other.subtract(*c);
    }
    merge(block);
}

void Summary::add_all(FlowBlock& b, const uint8_t* mask) {
    b.ensure(FieldId::packets);
    b.ensure(FieldId::bytes);
    b.ensure(FieldId::start);
    b.ensure(FieldId::end);
    const auto& packets = column<FieldId::packets>(b);
    const auto& bytes = column<FieldId::bytes>(b);
    const auto& start = column<FieldId::start>(b);
    const auto& end = column<FieldId::end>(b);
    Totals kept;
    uint64_t lo = first, hi = last, ored = 0;
    const size_t n = b.size();
    for (size_t i = 0; i < n; ++i) {
        const uint64_t keep = !mask || mask[i];
        kept.add_if(keep, packets[i], bytes[i]);
        ored |= packets[i] | bytes[i];
        lo = std::min(lo, keep ? start[i] : UINT64_MAX);
        hi = std::max(hi, keep ? end[i] : 0);
    }
    if (plain_sum_may_wrap(ored, n)) {  // summed again, saturating
        kept = Totals{};
        for (size_t i = 0; i < n; ++i) {
            if (!mask || mask[i]) kept.add({1, packets[i], bytes[i]});
        }
    }
    all.add(kept);
    first = lo;
    last = hi;
}

void Summary::add_row(const FlowRecord& r) {
    add_counts(*this, r.proto, r.packets, r.bytes);
    first = std::min(first, r.start);
    last = std::max(last, r.end);
}

void Summary::merge(const Summary& o) {
    all.add(o.all);
    tcp.add(o.tcp);
    udp.add(o.udp);
    icmp.add(o.icmp);
    other.add(o.other);
    first = std::min(first, o.first);
    last = std::max(last, o.last);
}

void Summary::serialize(uint8_t* out) const {
    for (const Totals* t : {&all, &tcp, &udp, &icmp, &other}) {
        layout::put64(out, t->flows);
        layout::put64(out + 8, t->packets);
        layout::put64(out + 16, t->bytes);
        out += 24;
    }
    layout::put64(out, first);
    layout::put64(out + 8, last);
}

Summary Summary::deserialize(const uint8_t* in) {
    Summary s;
    for (Totals* t : {&s.all, &s.tcp, &s.udp, &s.icmp, &s.other}) {
        t->flows = layout::get64(in);
        t->packets = layout::get64(in + 8);
        t->bytes = layout::get64(in + 16);
        in += 24;
    }
    s.first = layout::get64(in);
    s.last = layout::get64(in + 8);
    return s;
}

}  // namespace fk
