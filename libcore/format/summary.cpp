#include "format/summary.h"

#include <algorithm>
#include <array>

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

}  // namespace

// The class of each protocol number: 0 TCP, 1 UDP, 2 ICMP (v4 and v6), 3 other.
constexpr auto kClassOf = [] {
    std::array<uint8_t, 256> c{};
    c.fill(3);
    c[6] = 0;
    c[17] = 1;
    c[1] = 2;
    c[58] = 2;
    return c;
}();

FK_VECTOR_CLONES void Summary::add(FlowBlock& b, const uint8_t* mask) {
    b.ensure(FieldId::proto);
    b.ensure(FieldId::packets);
    b.ensure(FieldId::bytes);
    b.ensure(FieldId::start);
    b.ensure(FieldId::end);
    const auto& proto = column<FieldId::proto>(b);
    const auto& packets = column<FieldId::packets>(b);
    const auto& bytes = column<FieldId::bytes>(b);
    const auto& start = column<FieldId::start>(b);
    const auto& end = column<FieldId::end>(b);
    // Per class by table lookup rather than a switch per row, which protocols mixed at
    // random would keep mispredicting. Neighbouring rows add into different copies of the
    // totals (row % 4): rows of one class in a row would otherwise each wait for the
    // previous row's sums to be stored and loaded again.
    Totals t[4][4];
    uint64_t lo = first, hi = last;
    for (size_t i = 0; i < b.size(); ++i) {
        if (mask && !mask[i]) continue;
        Totals& c = t[i % 4][kClassOf[proto[i]]];
        ++c.flows;
        c.packets += packets[i];
        c.bytes += bytes[i];
        lo = std::min(lo, start[i]);
        hi = std::max(hi, end[i]);
    }
    first = lo;
    last = hi;
    for (const auto& lane : t) {
        tcp.add(lane[0]);
        udp.add(lane[1]);
        icmp.add(lane[2]);
        other.add(lane[3]);
    }
    all = Totals{};
    for (const Totals* x : {&tcp, &udp, &icmp, &other}) all.add(*x);
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
    uint64_t flows = 0, pk = 0, by = 0, lo = first, hi = last;
    for (size_t i = 0; i < b.size(); ++i) {
        const uint64_t keep = !mask || mask[i];
        flows += keep;
        pk += keep * packets[i];
        by += keep * bytes[i];
        lo = std::min(lo, keep ? start[i] : UINT64_MAX);
        hi = std::max(hi, keep ? end[i] : 0);
    }
    all.flows += flows;
    all.packets += pk;
    all.bytes += by;
    first = lo;
    last = hi;
}

void Summary::add_row(const FlowRecord& r) {
    Totals& t = class_of(*this, r.proto);
    ++t.flows;
    t.packets += r.packets;
    t.bytes += r.bytes;
    ++all.flows;
    all.packets += r.packets;
    all.bytes += r.bytes;
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
