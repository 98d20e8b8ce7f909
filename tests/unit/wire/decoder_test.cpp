// Hand-built datagrams with hand-computed expectations: times, sampling, templates and their
// limits, held data, sequence numbers, malformed input.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <ctime>
#include <initializer_list>
#include <tuple>
#include <utility>
#include <vector>

#include "format/reader.h"
#include "format/writer.h"
#include "test_util.h"
#include "wire/bytes.h"
#include "wire/decoder.h"

namespace fk {
namespace {

using Bytes = std::vector<uint8_t>;
const IpAddr kExporter = IpAddr::v4(0xc0000201);         // 192.0.2.1
constexpr uint64_t kNow = 1'700'000'000ull * 1'000'000;  // 2023-11-14T22:13:20Z

void put(Bytes& b, uint64_t v, unsigned n) {
    for (unsigned i = n; i-- > 0;) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// An IPFIX message around `sets`, with its length filled in.
Bytes ipfix(uint32_t seq, const Bytes& sets, uint32_t domain = 7, uint32_t secs = 1'700'000'000) {
    Bytes m;
    put(m, 10, 2);
    put(m, 16 + sets.size(), 2);
    put(m, secs, 4);
    put(m, seq, 4);
    put(m, domain, 4);
    m.insert(m.end(), sets.begin(), sets.end());
    return m;
}

Bytes set(uint16_t id, const Bytes& body) {
    Bytes s;
    put(s, id, 2);
    put(s, 4 + body.size(), 2);
    s.insert(s.end(), body.begin(), body.end());
    return s;
}

// A template record: its id, field count, then each field's (element id, length).
Bytes template_record(uint16_t id, std::initializer_list<std::pair<int, int>> fields) {
    Bytes t;
    put(t, id, 2);
    put(t, fields.size(), 2);
    for (auto [element, len] : fields) {
        put(t, static_cast<uint64_t>(element), 2);
        put(t, static_cast<uint64_t>(len), 2);
    }
    return t;
}

// Template 300: src, dst (IPv4), packets, bytes (4 bytes each), start/end in milliseconds,
// proto, and an enterprise element nobody knows (skipped).
Bytes template300() {
    // Eight fields: the last, enterprise-specific, is written by hand after the seven.
    Bytes t = template_record(300, {{8, 4}, {12, 4}, {2, 4}, {1, 4}, {152, 8}, {153, 8}, {4, 1}});
    t[3] = 8;
    put(t, 0x8000 | 99, 2);
    put(t, 2, 2);
    put(t, 12345, 4);
    return set(2, t);
}

Bytes record300(uint32_t src, uint32_t pkts, uint32_t bytes, uint64_t start_ms) {
    Bytes r;
    put(r, src, 4);
    put(r, 0x0a000001, 4);
    put(r, pkts, 4);
    put(r, bytes, 4);
    put(r, start_ms, 8);
    put(r, start_ms + 1500, 8);
    put(r, 6, 1);
    put(r, 0xbeef, 2);
    return r;
}

size_t decode(WireDecoder& d, const Bytes& m, FlowBlock& out, uint64_t now = kNow) {
    return d.decode(m.data(), m.size(), kExporter, now, out);
}

const ExporterStats& only(WireDecoder& d) {
    static ExporterStats s;
    auto v = d.stats();
    EXPECT_EQ(v.size(), 1u);
    s = v.empty() ? ExporterStats{} : v[0];
    return s;
}

TEST(Decoder, IpfixTemplateAndData) {
    WireDecoder d;
    FlowBlock out;
    Bytes sets = template300();
    const Bytes data = set(300, [] {
        Bytes b = record300(0xc0a80001, 3, 300, 1'699'999'999'000);
        Bytes c = record300(0xc0a80002, 1, 40, 1'699'999'998'250);
        b.insert(b.end(), c.begin(), c.end());
        return b;
    }());
    sets.insert(sets.end(), data.begin(), data.end());
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 2u);
    FlowRecord r;
    out.record(1, r);
    EXPECT_EQ(ip_string(r.src), "192.168.0.2");
    EXPECT_EQ(ip_string(r.dst), "10.0.0.1");
    EXPECT_EQ(r.packets, 1u);
    EXPECT_EQ(r.bytes, 40u);
    EXPECT_EQ(r.start, 1'699'999'998'250'000u);
    EXPECT_EQ(r.end, 1'699'999'999'750'000u);
    EXPECT_EQ(r.proto, 6);
    EXPECT_EQ(r.exporter, kExporter);
    EXPECT_EQ(r.domain, 7u);
    EXPECT_EQ(out.t_first(), 1'699'999'998'250'000u);
    EXPECT_EQ(out.t_last(), 1'700'000'000'500'000u);
    // Columns no template wrote are left unfilled, marked all default, and read as zero.
    EXPECT_TRUE(out.all_default(FieldId::tun_src));
    EXPECT_FALSE(out.may_hold_values(FieldId::tun_src));
    EXPECT_FALSE(out.all_default(FieldId::src));
    EXPECT_TRUE(r.tun_src.is_zero());
    EXPECT_EQ(r.sport, 0);
    EXPECT_EQ(only(d).templates, 1u);
    EXPECT_EQ(only(d).flows, 2u);
}

TEST(Decoder, DataBeforeTemplateIsHeldThenDecoded) {
    WireDecoder d;
    FlowBlock out;
    EXPECT_EQ(decode(d, ipfix(0, set(300, record300(1, 1, 1, 1'699'999'999'000))), out), 0u);
    EXPECT_EQ(only(d).sets_held, 1u);
    // The template arrives: the held set is decoded then.
    EXPECT_EQ(decode(d, ipfix(1, template300()), out), 1u);
    EXPECT_EQ(out.size(), 1u);
    EXPECT_EQ(only(d).sets_late, 1u);
    EXPECT_EQ(only(d).sets_dropped, 0u);
    EXPECT_EQ(only(d).flows, 1u);
}

TEST(Decoder, HeldDataExpiresCounted) {
    DecoderOptions o;
    o.hold_time = 5'000'000;
    WireDecoder d(o);
    FlowBlock out;
    decode(d, ipfix(0, set(300, record300(1, 1, 1, 1'699'999'999'000))), out);
    d.expire(kNow + 6'000'000);
    EXPECT_EQ(only(d).sets_dropped, 1u);
    decode(d, ipfix(1, template300()), out, kNow + 7'000'000);
    EXPECT_EQ(out.size(), 0u);
}

// Heap bytes in use: what held data really takes, whatever the decoder counts.
size_t heap_in_use() {
    return mallinfo2().uordblks;
}

// A datagram of `n` data sets of `body_len` bytes each, for templates first..first + 999.
Bytes unknown_sets(size_t n, size_t body_len, uint32_t domain = 7, size_t first = 300) {
    Bytes sets;
    for (size_t i = 0; i < n; ++i) {
        const Bytes s = set(static_cast<uint16_t>(first + i % 1000), Bytes(body_len, 1));
        sets.insert(sets.end(), s.begin(), s.end());
    }
    return ipfix(0, sets, domain);
}

TEST(Decoder, HeldSetsAreBoundedByWhatTheyTake) {
    DecoderOptions o;
    o.hold_bytes_per_source = 256 << 10;
    o.hold_bytes_total = 256 << 10;
    WireDecoder d(o);
    FlowBlock out;
    // 65,000 sets of one byte: 65 KB of bodies, megabytes as held entries.
    const Bytes tiny = unknown_sets(13000, 1);
    const size_t before = heap_in_use();
    for (int i = 0; i < 5; ++i) decode(d, tiny, out);
    EXPECT_LT(heap_in_use() - before, size_t{288} << 10);
    EXPECT_EQ(only(d).sets_held, 65000u);
    EXPECT_GT(only(d).sets_dropped, 60000u);
    // Empty sets have nothing to hold.
    const size_t held = only(d).sets_held;
    decode(d, unknown_sets(16000, 0, 7), out);
    EXPECT_EQ(only(d).sets_held, held);
    d.drop_held();
    EXPECT_EQ(only(d).sets_late + only(d).sets_dropped, only(d).sets_held);
}

TEST(Decoder, ATemplateReplaysOnlyItsOwnHeldSets) {
    DecoderOptions o;
    o.hold_bytes_per_source = o.hold_bytes_total = 64 << 20;
    o.templates_per_source = 10000;
    WireDecoder d(o);
    FlowBlock out;
    Bytes first = set(300, record300(1, 1, 1, 1'699'999'999'000));
    for (const Bytes& s : {set(301, record300(2, 1, 1, 1'699'999'999'000)),
                           set(300, record300(3, 1, 1, 1'699'999'999'000))})
        first.insert(first.end(), s.begin(), s.end());
    decode(d, ipfix(0, first), out);
    for (int i = 0; i < 10; ++i) decode(d, unknown_sets(13000, 1, 7, 2000), out);
    // 8,000 templates that match none of the 130,003 held sets: a walk over all of them for
    // each took seconds.
    Bytes ts;
    for (uint16_t tid = 10000; tid < 18000; ++tid) {
        put(ts, tid, 2);
        put(ts, 1, 2);
        put(ts, 4, 2);
        put(ts, 1, 2);
    }
    const Bytes templates = ipfix(1, set(2, ts));
    const std::clock_t t0 = std::clock();
    decode(d, templates, out);
    EXPECT_LT(static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC, 0.2);
    EXPECT_EQ(out.size(), 0u);
    // Template 300 decodes its two sets, in order; 301's stays held.
    ASSERT_EQ(decode(d, ipfix(2, template300()), out), 2u);
    EXPECT_EQ(out.src[0], IpAddr::v4(1));
    EXPECT_EQ(out.src[1], IpAddr::v4(3));
    EXPECT_EQ(only(d).sets_late, 2u);
    d.expire(kNow + o.hold_time + 1);
    EXPECT_EQ(only(d).sets_dropped, 130001u);
    EXPECT_EQ(only(d).sets_held, 130003u);
}

TEST(Decoder, TemplateWithdrawalAndLifetime) {
    DecoderOptions o;
    o.template_lifetime = 60'000'000;
    WireDecoder d(o);
    FlowBlock out;
    decode(d, ipfix(0, template300()), out);
    const Bytes data = set(300, record300(1, 1, 1, 1'699'999'999'000));
    EXPECT_EQ(decode(d, ipfix(0, data), out), 1u);
    // Not refreshed for longer than the lifetime: forgotten, the data is held.
    EXPECT_EQ(decode(d, ipfix(1, data), out, kNow + 61'000'000), 0u);
    EXPECT_EQ(only(d).templates_expired, 1u);
    decode(d, ipfix(2, template300()), out, kNow + 62'000'000);
    EXPECT_EQ(only(d).sets_late, 1u);
    // Withdrawal: template 300 with no fields.
    Bytes w;
    put(w, 300, 2);
    put(w, 0, 2);
    decode(d, ipfix(3, set(2, w)), out, kNow + 63'000'000);
    EXPECT_EQ(only(d).templates_withdrawn, 1u);
    // Data after the withdrawal is the withdrawn layout's, late: dropped, not held for the
    // next template of the id (which decoded it with the new layout).
    const uint64_t dropped = only(d).sets_dropped;
    EXPECT_EQ(decode(d, ipfix(3, data), out, kNow + 64'000'000), 0u);
    EXPECT_EQ(only(d).sets_dropped, dropped + 1);
    EXPECT_EQ(decode(d, ipfix(4, template300()), out, kNow + 64'500'000), 0u);
    EXPECT_EQ(only(d).sets_late, 1u);
    // Defined again, the id decodes as before.
    EXPECT_EQ(decode(d, ipfix(5, data), out, kNow + 65'000'000), 1u);
}

TEST(Decoder, TemplateFloodStaysWithinTheBound) {
    DecoderOptions o;
    o.template_bytes_total = 64 << 10;
    WireDecoder d(o);
    FlowBlock out;
    // 65,000 distinct templates of 50 fields each would take megabytes.
    for (uint32_t id = 256; id < 65256 - 256; id += 10) {
        Bytes sets;
        for (uint32_t k = id; k < id + 10; ++k) {
            Bytes t;
            put(t, k, 2);
            put(t, 50, 2);
            for (int f = 0; f < 50; ++f) {
                put(t, 1, 2);
                put(t, 8, 2);
            }
            Bytes s = set(2, t);
            sets.insert(sets.end(), s.begin(), s.end());
        }
        decode(d, ipfix(0, sets), out);
    }
    const ExporterStats& s = only(d);
    EXPECT_GT(s.templates_refused, 60000u);
    EXPECT_LT(s.templates - s.templates_refused, 200u);  // 64 KiB of templates at most
}

TEST(Decoder, OptionsSamplingRenormalises) {
    WireDecoder d;
    FlowBlock out;
    // Options template 400: scope selectorId, then samplingPacketInterval / Space.
    Bytes ot;
    put(ot, 400, 2);
    put(ot, 3, 2);
    put(ot, 1, 2);
    for (auto [id, len] : {std::pair{302, 2}, {305, 4}, {306, 4}}) {
        put(ot, id, 2);
        put(ot, len, 2);
    }
    Bytes od;
    put(od, 5, 2);
    put(od, 1, 4);
    put(od, 99, 4);  // 1 in 100
    // Data template 301: selectorId, packets, bytes.
    const Bytes dt = template_record(301, {{302, 2}, {2, 4}, {1, 4}});
    Bytes dd;
    put(dd, 5, 2);
    put(dd, 2, 4);
    put(dd, 120, 4);
    Bytes sets = set(3, ot);
    for (const Bytes& s : {set(400, od), set(2, dt), set(301, dd)})
        sets.insert(sets.end(), s.begin(), s.end());
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 1u);
    EXPECT_EQ(out.packets[0], 200u);
    EXPECT_EQ(out.bytes[0], 12000u);
    EXPECT_EQ(out.sampling[0], 100u);
    EXPECT_EQ(only(d).options_records, 1u);
}

TEST(Decoder, RenormalisedCountersSaturate) {
    // Options: 1 in 2^31 for the whole exporter. Data templates 256 (with millisecond times:
    // the column-wise path) and 257 (without: the record-wise path), 8-byte counters.
    Bytes ot;
    put(ot, 400, 2);
    put(ot, 2, 2);
    put(ot, 1, 2);
    put(ot, 149, 2);  // observationDomainId
    put(ot, 4, 2);
    put(ot, 34, 2);  // samplingInterval
    put(ot, 4, 2);
    Bytes od;
    put(od, 7, 4);
    put(od, uint64_t{1} << 31, 4);
    Bytes sets = set(3, ot);
    for (const Bytes& t : {template_record(256, {{2, 8}, {1, 8}, {152, 8}, {153, 8}}),
                           template_record(257, {{2, 8}, {1, 8}})}) {
        const Bytes s = set(2, t);
        sets.insert(sets.end(), s.begin(), s.end());
    }
    Bytes d256, d257;
    for (Bytes* b : {&d256, &d257}) {
        put(*b, uint64_t{1} << 40, 8);  // packets
        put(*b, 1000, 8);               // bytes: 2^31 * 1000 fits
    }
    put(d256, 1'699'999'999'000, 8);
    put(d256, 1'699'999'999'000, 8);
    for (const Bytes& s : {set(400, od), set(256, d256), set(257, d257)})
        sets.insert(sets.end(), s.begin(), s.end());
    WireDecoder d;
    FlowBlock out;
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 2u);
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(out.packets[i], UINT64_MAX);
        EXPECT_EQ(out.bytes[i], 2'147'483'648'000u);
        EXPECT_EQ(out.sampling[i], 1u << 31);
    }
}

TEST(Decoder, IpfixUptimesAfterAnExporterReboot) {
    // Uptime times (flowStart/EndSysUpTime) without systemInitTimeMilliseconds: the boot time
    // is estimated from the exports.
    const Bytes t = template_record(256, {{8, 4}, {22, 4}, {21, 4}});
    auto flow = [](uint32_t src, uint32_t first_up, uint32_t last_up) {
        Bytes r;
        put(r, src, 4);
        put(r, first_up, 4);
        put(r, last_up, 4);
        return set(256, r);
    };
    constexpr uint32_t kExport = 1'700'000'000;
    WireDecoder d;
    FlowBlock out;
    // Up 10,000 s at the export: a flow that ended 10 s before it. The estimate takes the
    // end of the first flow for the export time, as it must without more to go by.
    Bytes sets = set(2, t);
    const Bytes before = flow(1, 9'980'000, 9'990'000);
    sets.insert(sets.end(), before.begin(), before.end());
    decode(d, ipfix(1000, sets, 7, kExport), out);
    EXPECT_EQ(out.start[0], (kExport - 10) * 1'000'000ull);
    // A minute later the exporter has rebooted: uptime 4 s, sequence numbers from 0.
    decode(d, ipfix(0, flow(2, 1000, 4000), 7, kExport + 60), out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out.start[1], (kExport + 57) * 1'000'000ull);
    EXPECT_EQ(out.end[1], (kExport + 60) * 1'000'000ull);
    EXPECT_EQ(only(d).sequence_errors, 1u);
}

// A NetFlow v5 datagram of one TCP record, sampled 1:64 unless told, exported at
// 1700000000.5 s.
Bytes v5(uint32_t seq, uint32_t uptime, uint32_t first, uint16_t sampling = 0x4000 | 64) {
    Bytes m;
    put(m, 5, 2);
    put(m, 1, 2);
    put(m, uptime, 4);
    put(m, 1'700'000'000, 4);
    put(m, 500'000'000, 4);  // + 0.5 s
    put(m, seq, 4);
    put(m, 0x0102, 2);    // engine type 1, id 2
    put(m, sampling, 2);  // mode 1, interval 64 by default
    put(m, 0xc0a80001, 4);
    put(m, 0x0a000001, 4);
    put(m, 0, 4);  // no next hop
    put(m, 3, 2);
    put(m, 4, 2);
    put(m, 2, 4);    // packets
    put(m, 100, 4);  // bytes
    put(m, first, 4);
    put(m, first + 250, 4);
    put(m, 1234, 2);
    put(m, 80, 2);
    put(m, 0x0012, 2);  // pad, flags SA
    put(m, 0x0600, 2);  // tcp, tos 0
    put(m, 65000, 2);
    put(m, 65001, 2);
    put(m, 0x1810, 2);  // masks 24, 16
    put(m, 0, 2);
    return m;
}

TEST(Decoder, NetflowV5UptimeSamplingAndSequence) {
    WireDecoder d;
    FlowBlock out;
    // Uptime 10 s, flow started at uptime 4 s: 6 s before the export time.
    ASSERT_EQ(decode(d, v5(100, 10'000, 4'000), out), 1u);
    FlowRecord r;
    out.record(0, r);
    EXPECT_EQ(r.start, 1'699'999'994'500'000u);
    EXPECT_EQ(r.end, 1'699'999'994'750'000u);
    EXPECT_EQ(r.packets, 128u);
    EXPECT_EQ(r.bytes, 6400u);
    EXPECT_EQ(r.sampling, 64u);
    EXPECT_EQ(r.flags, 0x12);
    EXPECT_EQ(r.src_mask, 24);
    EXPECT_EQ(r.domain, 0x0102u);
    EXPECT_TRUE(r.next_hop.is_zero());
    // After a wrap of the uptime counter a "later" first switched is from before the wrap.
    out.clear();
    decode(d, v5(101, 1'000, 0xffffffffu - 999), out);
    out.record(0, r);
    EXPECT_EQ(r.start, 1'700'000'000'500'000u - 2'000'000);
    // Records 102..104 never came.
    decode(d, v5(105, 1'000, 0), out);
    EXPECT_EQ(only(d).lost_records, 3u);
}

// A compact sFlow v5 flow sample (format 1), sampled 1 in 100, with the given flow
// records.
Bytes sflow_sample(const std::vector<Bytes>& records) {
    Bytes b;
    for (uint32_t v : {1u, 3u, 100u, 1000u, 0u, 1u, 2u}) put(b, v, 4);
    put(b, records.size(), 4);
    for (const Bytes& r : records) b.insert(b.end(), r.begin(), r.end());
    Bytes s;
    put(s, 1, 4);
    put(s, b.size(), 4);
    s.insert(s.end(), b.begin(), b.end());
    return s;
}

Bytes sflow_record(uint32_t format, const Bytes& body) {
    Bytes r;
    put(r, format, 4);
    put(r, body.size(), 4);
    r.insert(r.end(), body.begin(), body.end());
    return r;
}

// A raw packet header record: header protocol, frame length 54, the header padded to 4.
Bytes sflow_raw(uint32_t protocol, Bytes header) {
    Bytes b;
    put(b, protocol, 4);
    put(b, 54, 4);
    put(b, 0, 4);
    put(b, header.size(), 4);
    header.resize((header.size() + 3) & ~size_t{3});
    b.insert(b.end(), header.begin(), header.end());
    return sflow_record(1, b);
}

TEST(Decoder, SflowSamplesWithoutAPacketAreCounted) {
    Bytes frame;  // Ethernet, IPv4, TCP 10.0.0.1:1234 -> 10.0.0.2:80 SYN
    put(frame, 0x001122334455, 6);
    put(frame, 0x66778899aabb, 6);
    put(frame, 0x0800, 2);
    for (uint64_t v : {0x45000028ull, 0x00010000ull, 0x40060000ull, 0x0a000001ull, 0x0a000002ull})
        put(frame, v, 4);
    put(frame, 1234, 2);
    put(frame, 80, 2);
    put(frame, 0, 8);
    put(frame, 0x5002, 2);
    put(frame, 1024, 2);
    put(frame, 0, 4);
    Bytes eth;  // an Ethernet frame data record only: length, source, destination, type
    put(eth, 1500, 4);
    put(eth, 0x0011223344550000, 8);
    put(eth, 0x66778899aabb0000, 8);
    put(eth, 0x0806, 4);
    const std::vector<Bytes> samples = {
        sflow_sample({sflow_raw(1, frame)}), sflow_sample({sflow_record(2, eth)}),
        sflow_sample({sflow_raw(2, frame)}),  // ISO 8802-4 (token bus): not read
        sflow_sample({sflow_raw(1, Bytes(frame.begin(), frame.begin() + 20))}),  // cut short
    };
    Bytes m;
    for (uint32_t v : {5u, 1u, 0xc0000201u, 0u, 1u, 1000u}) put(m, v, 4);
    put(m, samples.size(), 4);
    for (const Bytes& s : samples) m.insert(m.end(), s.begin(), s.end());
    WireDecoder d;
    FlowBlock out;
    ASSERT_EQ(decode(d, m, out), 2u);
    FlowRecord r;
    out.record(1, r);
    EXPECT_EQ(r.src_mac, 0x001122334455u);
    EXPECT_EQ(r.dst_mac, 0x66778899aabbu);
    EXPECT_EQ(r.ether_type, 0x0806);
    EXPECT_EQ(r.bytes, 150000u);
    EXPECT_EQ(r.sampling, 100u);
    EXPECT_EQ(only(d).flows, 2u);
    EXPECT_EQ(only(d).undecodable, 2u);
    EXPECT_EQ(only(d).malformed, 0u);
}

TEST(Decoder, MalformedIsCountedAndSkipped) {
    WireDecoder d;
    FlowBlock out;
    Bytes sets = template300();
    Bytes bad = set(300, record300(1, 1, 1, 1'699'999'999'000));
    bad[3] = 200;  // set length beyond the message
    sets.insert(sets.end(), bad.begin(), bad.end());
    EXPECT_EQ(decode(d, ipfix(0, sets), out), 0u);
    EXPECT_EQ(only(d).malformed, 1u);
    const Bytes junk = {0, 99, 1, 2, 3};
    EXPECT_EQ(d.decode(junk.data(), junk.size(), kExporter, kNow, out), 0u);
    EXPECT_EQ(d.totals().unknown_version, 1u);
    // The template of the malformed message was kept: good data decodes.
    EXPECT_EQ(decode(d, ipfix(1, set(300, record300(1, 1, 1, 1'699'999'999'000))), out), 1u);
}

TEST(Decoder, SuspectTimesAreCounted) {
    WireDecoder d;
    FlowBlock out;
    Bytes sets = template300();
    const Bytes data = set(300, [] {
        Bytes b = record300(1, 1, 1, 5'000);                                  // 1970
        Bytes c = record300(2, 1, 1, (1'700'000'000ull + 3 * 86400) * 1000);  // 3 days ahead
        b.insert(b.end(), c.begin(), c.end());
        return b;
    }());
    sets.insert(sets.end(), data.begin(), data.end());
    EXPECT_EQ(decode(d, ipfix(0, sets), out), 2u);
    EXPECT_EQ(only(d).suspect_times, 2u);
}

TEST(Decoder, BatchDecodesLikeOneByOne) {
    // Template 301: source port, then a variable-length server name (CESNET 808). A record
    // cut in its name leaves the port decoded in its row; the next record in that row comes
    // from template 300, which has no port: it must read 0 there, not the cut record's port.
    Bytes t301;
    put(t301, 301, 2);
    put(t301, 2, 2);
    put(t301, 7, 2);
    put(t301, 2, 2);
    put(t301, 0x8000 | 808, 2);
    put(t301, 65535, 2);
    put(t301, 8057, 4);
    Bytes cut;
    put(cut, 4321, 2);
    put(cut, 20, 1);  // a 20-byte name, 3 bytes there
    put(cut, 0x616263, 3);
    Bytes first = template300();
    const Bytes t = set(2, t301);
    first.insert(first.end(), t.begin(), t.end());
    const Bytes d300 = set(300, record300(0xc0a80001, 3, 300, 1'699'999'999'000));
    first.insert(first.end(), d300.begin(), d300.end());
    const std::vector<Bytes> msgs = {ipfix(0, first), ipfix(1, set(301, cut)), ipfix(1, d300),
                                     v5(1, 10'000, 4'000), ipfix(2, d300)};
    std::vector<Datagram> dgs;
    for (const auto& m : msgs) dgs.push_back({m.data(), m.size(), kExporter});

    WireDecoder one, batch;
    FlowBlock a, b;
    for (const auto& m : msgs) decode(one, m, a);
    // Two calls into one block, as the collector makes them, then the block is finished.
    ASSERT_EQ(batch.decode(dgs.data(), 2, kNow, b), 2u);
    ASSERT_EQ(batch.decode(dgs.data() + 2, dgs.size() - 2, kNow, b), dgs.size() - 2);
    batch.finish(b);
    ASSERT_EQ(a.size(), 4u);
    ASSERT_EQ(b.size(), 4u);
    EXPECT_EQ(b.sport.size(), 4u);  // columns cut back to the rows
    for (size_t i = 0; i < 4; ++i) {
        FlowRecord x, y;
        a.record(i, x);
        b.record(i, y);
        EXPECT_EQ(x.sport, y.sport) << i;
        EXPECT_EQ(x.src, y.src) << i;
        EXPECT_EQ(x.start, y.start) << i;
        EXPECT_EQ(x.packets, y.packets) << i;
        EXPECT_EQ(x.sni, y.sni) << i;
    }
    FlowRecord r;
    b.record(1, r);  // from template 300 after the cut record
    EXPECT_EQ(r.sport, 0);
    EXPECT_EQ(ip_string(r.src), "192.168.0.1");
    b.record(2, r);  // the v5 record
    EXPECT_EQ(r.sport, 1234);
    EXPECT_EQ(r.packets, 128u);
    EXPECT_EQ(batch.stats()[0].malformed + batch.stats()[1].malformed, 1u);

    // Decoding stops once the block holds enough rows.
    WireDecoder part;
    FlowBlock c;
    EXPECT_EQ(part.decode(dgs.data(), dgs.size(), kNow, c, 1), 1u);
    part.finish(c);
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.src.size(), 1u);
}

TEST(Decoder, ManyFieldsVariableLengthRecordsAreLocatedInChunks) {
    // Template 302: a server name (variable length) and 4000 one-byte padding fields, so that
    // a set's records are located a few at a time.
    Bytes t;
    put(t, 302, 2);
    put(t, 4001, 2);
    put(t, 0x8000 | 808, 2);
    put(t, 65535, 2);
    put(t, 8057, 4);
    for (int i = 0; i < 4000; ++i) {
        put(t, 210, 2);  // paddingOctets
        put(t, 1, 2);
    }
    Bytes body;
    for (int k = 0; k < 10; ++k) {
        const std::string name = "host" + std::to_string(k);
        put(body, name.size(), 1);
        body.insert(body.end(), name.begin(), name.end());
        body.insert(body.end(), 4000, 0);
    }
    Bytes sets = set(2, t);
    const Bytes data = set(302, body);
    sets.insert(sets.end(), data.begin(), data.end());
    WireDecoder d;
    FlowBlock out;
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 10u);
    for (size_t k = 0; k < 10; ++k) {
        FlowRecord r;
        out.record(k, r);
        EXPECT_EQ(r.sni, "host" + std::to_string(k));
    }
    EXPECT_EQ(only(d).malformed, 0u);
}

TEST(Decoder, ZeroLengthFieldsCostNothing) {
    // 16,000 fields of no bytes beside a one-byte field: records of one byte, which took a
    // step per field each (over a second per datagram) before such fields were dropped.
    auto many = [](Bytes& t) {
        for (int i = 0; i < 16000; ++i) {
            put(t, 210, 2);  // paddingOctets
            put(t, 0, 2);
        }
    };
    Bytes dt;  // data: the empty fields, then a variable-length server name
    put(dt, 302, 2);
    put(dt, 16001, 2);
    many(dt);
    put(dt, 0x8000 | 808, 2);
    put(dt, 65535, 2);
    put(dt, 8057, 4);
    Bytes ot;  // options: scope observationDomainId of one byte, then the empty fields
    put(ot, 400, 2);
    put(ot, 16001, 2);
    put(ot, 1, 2);
    put(ot, 149, 2);
    put(ot, 1, 2);
    many(ot);
    WireDecoder d;
    FlowBlock out;
    decode(d, ipfix(0, set(2, dt)), out);
    decode(d, ipfix(1, set(3, ot)), out);
    const Bytes names = ipfix(2, set(302, Bytes(60000, 0)));  // 60,000 empty names
    const Bytes options = ipfix(3, set(400, Bytes(60000, 0)));
    const std::clock_t t0 = std::clock();
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(decode(d, names, out), 60000u);
        decode(d, options, out);
    }
    const double cpu = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
    EXPECT_LT(cpu, 1.0);
    EXPECT_EQ(only(d).options_records, 120000u);
    EXPECT_EQ(only(d).malformed, 0u);
}

TEST(Decoder, BlockWithUnfilledColumnsIsWrittenWhole) {
    // 20000 records from 1000 datagrams in one block: large enough that the writer encodes
    // it as it is, with the columns no template wrote unfilled.
    WireDecoder d;
    FlowBlock out;
    std::vector<Bytes> msgs;
    for (uint32_t m = 0; m < 1000; ++m) {
        Bytes body;
        for (uint32_t i = 0; i < 20; ++i) {
            const uint32_t k = m * 20 + i;
            const Bytes r = record300(0xc0a80000 + k, k + 1, 100, 1'699'999'000'000 + k);
            body.insert(body.end(), r.begin(), r.end());
        }
        Bytes sets = m == 0 ? template300() : Bytes{};
        const Bytes data = set(300, body);
        sets.insert(sets.end(), data.begin(), data.end());
        msgs.push_back(ipfix(m * 20, sets));
    }
    std::vector<Datagram> dgs;
    for (const auto& m : msgs) dgs.push_back({m.data(), m.size(), kExporter});
    ASSERT_EQ(d.decode(dgs.data(), dgs.size(), kNow, out), dgs.size());
    d.finish(out);
    ASSERT_EQ(out.size(), 20000u);
    test::TempDir dir;
    auto w = FlowWriter::open(dir.file("x.flows"), {});
    w->write(out);
    w->close();
    FlowReader rd(dir.file("x.flows"), {});
    FlowBlock back;
    size_t n = 0;
    while (rd.next(back)) {
        for (size_t i = 0; i < back.size(); ++i, ++n) {
            FlowRecord r;
            back.record(i, r);
            ASSERT_EQ(r.src, IpAddr::v4(0xc0a80000 + static_cast<uint32_t>(n))) << n;
            ASSERT_EQ(r.packets, n + 1) << n;
            ASSERT_EQ(r.start, (1'699'999'000'000 + n) * 1000) << n;
            ASSERT_EQ(r.proto, 6) << n;
            ASSERT_EQ(r.exporter, kExporter) << n;
            ASSERT_TRUE(r.tun_src.is_zero()) << n;
            ASSERT_EQ(r.sport, 0) << n;
        }
    }
    EXPECT_EQ(n, 20000u);
    EXPECT_EQ(d.stats()[0].lost_records, 0u);
}

// With the table full, exporters that never spoke give their place up after the hold time,
// and exporters that did after the template lifetime, their counters kept for their return.
// (Garbage from 16,384 addresses locked every later exporter out for the whole run.)
TEST(Decoder, SilentExportersMakeRoomWhenTheTableIsFull) {
    constexpr uint64_t kSecond = 1'000'000;
    Bytes sets = template300();
    const Bytes data = set(300, record300(1, 1, 1, 1'699'999'999'000));
    sets.insert(sets.end(), data.begin(), data.end());
    const Bytes real = ipfix(0, sets), empty = ipfix(0, {});
    const auto from = [](uint32_t i) { return IpAddr::v4(0x0a000000 + i); };
    DecoderOptions o;
    o.max_sources = 100;
    WireDecoder d(o);
    FlowBlock out;
    for (uint32_t i = 0; i < 100; ++i) d.decode(empty.data(), empty.size(), from(i), kNow, out);
    const IpAddr newcomer = IpAddr::v4(0xc0000202);
    EXPECT_EQ(d.decode(real.data(), real.size(), newcomer, kNow + kSecond, out), 0u);
    EXPECT_EQ(d.totals().sources_refused, 1u);
    EXPECT_EQ(d.decode(real.data(), real.size(), newcomer, kNow + 11 * kSecond, out), 1u);
    EXPECT_EQ(d.totals().sources_evicted, 100u);
    EXPECT_EQ(d.totals().evicted_datagrams, 100u);
    ASSERT_EQ(d.stats().size(), 1u);

    // Exporters that spoke: kept while they are within the template lifetime.
    o.max_sources = 2;
    WireDecoder e(o);
    for (uint32_t i = 0; i < 2; ++i) e.decode(real.data(), real.size(), from(i), kNow, out);
    EXPECT_EQ(e.decode(real.data(), real.size(), newcomer, kNow + 60 * kSecond, out), 0u);
    const uint64_t later = kNow + o.template_lifetime + 2 * kSecond;
    EXPECT_EQ(e.decode(real.data(), real.size(), newcomer, later, out), 1u);
    EXPECT_EQ(e.totals().sources_evicted, 0u);
    EXPECT_EQ(e.stats().size(), 3u);  // the two evicted ones are still counted
    // The first comes back (the table has room): its counters go on from where they were.
    EXPECT_EQ(e.decode(real.data(), real.size(), from(0), later + kSecond, out), 1u);
    const auto all = e.stats();
    ASSERT_EQ(all.size(), 3u);
    const auto back = std::find_if(all.begin(), all.end(),
                                   [&](const ExporterStats& st) { return st.exporter == from(0); });
    ASSERT_NE(back, all.end());
    EXPECT_EQ(back->datagrams, 2u);
    EXPECT_EQ(back->flows, 2u);
    EXPECT_EQ(back->first_seen, kNow);
}

// A record without a start or an end (a NAT event) is dated by its observation time, in
// whichever form it comes; without one, by the export time.
TEST(Decoder, RecordsWithoutTimesTakeTheirObservationTime) {
    constexpr uint64_t kObservedSec = 1'749'049'740;
    constexpr uint64_t kNtpSec = kObservedSec + 2'208'988'800;  // seconds since 1900
    Bytes sets = set(2, template_record(440, {{8, 4}, {322, 4}}));
    const Bytes more = set(2, template_record(441, {{8, 4}, {324, 8}}));
    const Bytes none = set(2, template_record(442, {{8, 4}}));
    Bytes r440, r441, r442;
    put(r440, 0x0a000001, 4);
    put(r440, kObservedSec, 4);
    put(r441, 0x0a000002, 4);
    put(r441, kNtpSec << 32 | 0x80000000, 8);  // and a half second
    put(r442, 0x0a000003, 4);
    for (const Bytes& b : {more, none, set(440, r440), set(441, r441), set(442, r442)}) {
        sets.insert(sets.end(), b.begin(), b.end());
    }
    WireDecoder d;
    FlowBlock out;
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 3u);
    EXPECT_EQ(out.start[0], kObservedSec * 1'000'000);
    EXPECT_EQ(out.start[1], kObservedSec * 1'000'000 + 500'000);
    EXPECT_EQ(out.end[1], out.start[1]);
    EXPECT_EQ(out.start[2], 1'700'000'000'000'000u);  // the export time of ipfix()
}

}  // namespace
}  // namespace fk

namespace fk {
namespace {

// A NetFlow v9 message around `flowsets`, `count` records, exported at 1700000000 s with an
// uptime of 100000 ms.
Bytes v9msg(uint32_t seq, uint16_t count, const Bytes& flowsets) {
    Bytes m;
    put(m, 9, 2);
    put(m, count, 2);
    put(m, 100'000, 4);
    put(m, 1'700'000'000, 4);
    put(m, seq, 4);
    put(m, 3, 4);
    m.insert(m.end(), flowsets.begin(), flowsets.end());
    return m;
}

// Records of the common shapes finish in one loop (QuickFinish); the same records through a
// template that also carries a flow duration (which changes nothing when both times are
// there) take the general path. Both must give the same rows, for IPFIX milliseconds with
// flowkit's microseconds and for NetFlow v9 uptimes, renormalised by the exporter's rate.
TEST(Decoder, QuickFinishEqualsGeneralPath) {
    // More records in a set than the quick path reads at a time (64).
    constexpr uint32_t kRecords = 150;
    for (const bool v9 : {false, true}) {
        WireDecoder d;
        FlowBlock out;
        const uint32_t pen = 32473;  // flowkit
        const uint16_t first = v9 ? 22 : 152, last = v9 ? 21 : 153;
        const uint16_t tlen = v9 ? 4 : 8;
        auto fields = [&](bool general) {
            std::vector<std::pair<uint32_t, uint16_t>> f = {
                {8, 4}, {first, tlen}, {last, tlen}, {2, 4}, {1, 4}, {11, 2}, {4, 1}};
            if (!v9) {
                f.push_back({0x8000 | 14, 2});
                f.push_back({0x8000 | 15, 2});
            }
            if (general) f.push_back({161, 4});
            return f;
        };
        auto make_tmpl = [&](uint16_t id, bool general) {
            Bytes t;
            const auto f = fields(general);
            put(t, id, 2);
            put(t, f.size(), 2);
            for (auto [fid, len] : f) {
                put(t, fid, 2);
                put(t, len, 2);
                if (fid & 0x8000) put(t, pen, 4);
            }
            return t;
        };
        auto records = [&](bool general) {
            Bytes b;
            for (uint32_t i = 0; i < kRecords; ++i) {
                put(b, 0xc0a80000 + i, 4);
                const uint64_t t0 = v9 ? 99'000 - i * 100 : 1'699'999'990'000ull + i * 7;
                put(b, t0, tlen);
                // Record 3 ends before it starts: the end is clamped to the start.
                put(b, i == 3 ? t0 - 5 : t0 + 250 * i, tlen);
                put(b, 2 + i, 4);
                put(b, 100 * i, 4);
                put(b, 443 + i, 2);
                put(b, 6, 1);
                if (!v9) {
                    put(b, 1000 + i * 111, 2);  // % 1000
                    put(b, i, 2);
                }
                if (general) put(b, 1, 4);
            }
            return b;
        };
        // Options template 260 and its data: the exporter samples 1 in 10. Its scope is the
        // system (v9, 4 bytes) or observationDomainId 7 (IPFIX); then samplingInterval.
        auto u16s = [](std::initializer_list<uint16_t> values) {
            Bytes b;
            for (const uint16_t v : values) put(b, v, 2);
            return b;
        };
        const Bytes ot = v9 ? u16s({260, 4, 4, 1, 4, 34, 4}) : u16s({260, 2, 1, 149, 4, 34, 4});
        Bytes od;
        put(od, v9 ? 0 : 7, 4);
        put(od, 10, 4);
        const uint16_t options_set = v9 ? 1 : 3, template_set = v9 ? 0 : 2;
        Bytes sets = set(options_set, ot);
        for (const Bytes& s : {set(260, od), set(template_set, make_tmpl(300, false)),
                               set(template_set, make_tmpl(301, true)), set(300, records(false)),
                               set(301, records(true))}) {
            sets.insert(sets.end(), s.begin(), s.end());
        }
        ASSERT_EQ(decode(d, v9 ? v9msg(0, 15, sets) : ipfix(0, sets), out), 2 * kRecords);
        d.finish(out);
        ASSERT_EQ(out.size(), 2 * kRecords);
        for (size_t i = 0; i < kRecords; ++i) {
            FlowRecord a, b;
            out.record(i, a);
            out.record(kRecords + i, b);
            EXPECT_EQ(a.start, b.start) << i;
            EXPECT_EQ(a.end, b.end) << i;
            EXPECT_EQ(a.packets, b.packets) << i;
            EXPECT_EQ(a.bytes, b.bytes) << i;
            EXPECT_EQ(a.sampling, b.sampling) << i;
            EXPECT_EQ(a.dport, b.dport) << i;
            EXPECT_EQ(a.src, b.src) << i;
            EXPECT_EQ(a.exporter, b.exporter) << i;
            EXPECT_EQ(a.domain, b.domain) << i;
            // Hand-computed: 1 in 10, the port, the times.
            EXPECT_EQ(a.packets, (2 + i) * 10) << i;
            EXPECT_EQ(a.bytes, 100 * i * 10) << i;
            EXPECT_EQ(a.sampling, 10u) << i;
            EXPECT_EQ(a.dport, 443 + i) << i;
            const uint64_t want_start =
                v9 ? 1'700'000'000'000'000ull - (100'000 - (99'000 - i * 100)) * 1000
                   : (1'699'999'990'000ull + i * 7) * 1000 + (1000 + i * 111) % 1000;
            EXPECT_EQ(a.start, want_start) << i;
            if (i == 3) {
                EXPECT_EQ(a.end, a.start);
            }
        }
        EXPECT_EQ(d.stats()[0].flows, 2 * kRecords);
    }
}

// A record that states no sampling (no rate in it, no sampler, no options data) is unsampled:
// sampling 1, as DESIGN.md has it and flowgen writes it, its counters as sent; through every
// path (IPFIX and NetFlow v9 templates that finish quickly or not, NetFlow v5). A rate in the
// record itself still applies.
TEST(Decoder, RecordsWithoutSamplingAreUnsampled) {
    WireDecoder d;
    FlowBlock out;
    const uint64_t ms = 1'699'999'999'000;
    // IPFIX. 300: the quick path; 302: a duration too, the general path; 303: its own
    // samplingInterval, 1 in 100.
    Bytes sets = template300();
    for (const Bytes& t :
         {template_record(302, {{8, 4}, {12, 4}, {2, 4}, {1, 4}, {152, 8}, {153, 8}, {161, 4}}),
          template_record(303, {{8, 4}, {12, 4}, {2, 4}, {1, 4}, {152, 8}, {153, 8}, {34, 4}})}) {
        const Bytes ts = set(2, t);
        sets.insert(sets.end(), ts.begin(), ts.end());
    }
    for (const uint16_t tid : {300, 302, 303}) {
        Bytes r;
        if (tid == 300) {
            r = record300(0xc0a80001, 3, 300, ms);
        } else {
            put(r, 0xc0a80001, 4);
            put(r, 0x0a000001, 4);
            put(r, 3, 4);
            put(r, 300, 4);
            put(r, ms, 8);
            put(r, ms + 1500, 8);
            put(r, tid == 302 ? 1500 : 100, 4);
        }
        const Bytes data = set(tid, r);
        sets.insert(sets.end(), data.begin(), data.end());
    }
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 3u);
    // NetFlow v9 with uptimes (the quick path), and v5 with a sampling interval of 0.
    Bytes flowsets =
        set(0, template_record(256, {{8, 4}, {12, 4}, {2, 4}, {1, 4}, {22, 4}, {21, 4}}));
    Bytes r9;
    put(r9, 0xc0a80001, 4);
    put(r9, 0x0a000001, 4);
    put(r9, 3, 4);
    put(r9, 300, 4);
    put(r9, 90'000, 4);
    put(r9, 95'000, 4);
    const Bytes data9 = set(256, r9);
    flowsets.insert(flowsets.end(), data9.begin(), data9.end());
    ASSERT_EQ(decode(d, v9msg(0, 2, flowsets), out), 1u);
    ASSERT_EQ(decode(d, v5(0, 10'000, 4'000, 0), out), 1u);
    d.finish(out);
    ASSERT_EQ(out.size(), 5u);
    const uint32_t want_sampling[] = {1, 1, 100, 1, 1};
    const uint64_t want_packets[] = {3, 3, 300, 3, 2};
    for (size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out.sampling[i], want_sampling[i]) << "row " << i;
        EXPECT_EQ(out.packets[i], want_packets[i]) << "row " << i;
    }
}

// An RFC 5103 biflow template: forward src, dst, ports, proto, flags, packets, bytes and times,
// then the reverse packets, bytes, TCP flags and start/end (enterprise 29305), written by hand.
Bytes biflow_template(bool reverse_times) {
    Bytes t = template_record(
        400,
        {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 4}, {1, 4}, {152, 8}, {153, 8}});
    const std::pair<int, int> reverse[] = {{2, 4}, {1, 4}, {6, 2}, {152, 8}, {153, 8}};
    const size_t n = reverse_times ? 5 : 3;
    t[3] = static_cast<uint8_t>(10 + n);
    for (size_t i = 0; i < n; ++i) {
        put(t, 0x8000 | reverse[i].first, 2);
        put(t, static_cast<uint64_t>(reverse[i].second), 2);
        put(t, 29305, 4);
    }
    return set(2, t);
}

Bytes biflow_record(uint32_t packets, uint32_t bytes, uint32_t rev_packets, uint32_t rev_bytes,
                    bool reverse_times) {
    Bytes r;
    put(r, 0x0a000001, 4);  // 10.0.0.1:40000 -> 192.168.1.10:443
    put(r, 0xc0a8010a, 4);
    put(r, 40000, 2);
    put(r, 443, 2);
    put(r, 6, 1);
    put(r, 0x1a, 1);  // SYN ACK PSH
    put(r, packets, 4);
    put(r, bytes, 4);
    put(r, 1'699'999'990'000, 8);
    put(r, 1'699'999'995'000, 8);
    put(r, rev_packets, 4);
    put(r, rev_bytes, 4);
    put(r, 0x13, 2);  // FIN SYN ACK
    if (reverse_times) {
        put(r, 1'699'999'990'040, 8);
        put(r, 1'699'999'994'900, 8);
    }
    return r;
}

TEST(Decoder, BiflowRecordsAreTwoFlows) {
    for (const bool reverse_times : {true, false}) {
        WireDecoder d;
        FlowBlock out;
        Bytes sets = biflow_template(reverse_times);
        Bytes body = biflow_record(10, 800, 8, 12000, reverse_times);
        const Bytes only_forward = biflow_record(1, 60, 0, 0, reverse_times);
        const Bytes only_reverse = biflow_record(0, 0, 2, 120, reverse_times);
        body.insert(body.end(), only_forward.begin(), only_forward.end());
        body.insert(body.end(), only_reverse.begin(), only_reverse.end());
        const Bytes data = set(400, body);
        sets.insert(sets.end(), data.begin(), data.end());
        ASSERT_EQ(decode(d, ipfix(0, sets), out), 4u) << reverse_times;
        FlowRecord f, r;
        out.record(0, f);
        out.record(1, r);
        EXPECT_EQ(ip_string(f.src), "10.0.0.1");
        EXPECT_EQ(f.sport, 40000);
        EXPECT_EQ(f.packets, 10u);
        EXPECT_EQ(f.bytes, 800u);
        EXPECT_EQ(f.flags, 0x1a);
        EXPECT_EQ(ip_string(r.src), "192.168.1.10");
        EXPECT_EQ(r.sport, 443);
        EXPECT_EQ(ip_string(r.dst), "10.0.0.1");
        EXPECT_EQ(r.dport, 40000);
        EXPECT_EQ(r.proto, 6);
        EXPECT_EQ(r.packets, 8u);
        EXPECT_EQ(r.bytes, 12000u);
        EXPECT_EQ(r.flags, 0x13);
        EXPECT_EQ(r.exporter, kExporter);
        EXPECT_EQ(r.sampling, 1u);
        EXPECT_EQ(r.start, reverse_times ? 1'699'999'990'040'000u : f.start);
        EXPECT_EQ(r.end, reverse_times ? 1'699'999'994'900'000u : f.end);
        // A direction without packets is no flow.
        FlowRecord one, other;
        out.record(2, one);
        out.record(3, other);
        EXPECT_EQ(one.packets, 1u);
        EXPECT_EQ(ip_string(one.src), "10.0.0.1");
        EXPECT_EQ(other.packets, 2u);
        EXPECT_EQ(ip_string(other.src), "192.168.1.10");
        EXPECT_EQ(only(d).flows, 4u);
    }
}

// YAF (CERT, enterprise 6871) sends a flow's TCP flags in two fields, of the first packet
// (initialTCPFlags, 14) and of the others (unionTCPFlags, 15), and the reverse direction's as
// ids 16398 and 16399; each direction's flags are the OR of its two. Before, the second field
// was dropped (a SYN-only flow for every TCP connection) and the reverse ones ignored.
TEST(Decoder, YafFlagFieldsAreOred) {
    Bytes t = template_record(410, {{8, 4}, {12, 4}, {4, 1}, {2, 4}});
    const std::pair<int, int> cert[] = {{14, 1}, {15, 1}, {16398, 1}, {16399, 1}};
    t[3] = 4 + 1 + 4;
    for (auto [id, len] : cert) {
        put(t, 0x8000 | id, 2);
        put(t, static_cast<uint64_t>(len), 2);
        put(t, 6871, 4);
    }
    put(t, 0x8000 | 2, 2);  // reversePacketDeltaCount
    put(t, 4, 2);
    put(t, 29305, 4);
    Bytes sets = set(2, t);
    Bytes r;
    put(r, 0x0a000001, 4);
    put(r, 0x0a000002, 4);
    put(r, 6, 1);
    put(r, 5, 4);
    put(r, 0x02, 1);  // initial: SYN
    put(r, 0x19, 1);  // union: FIN PSH ACK
    put(r, 0x12, 1);  // reverse initial: SYN ACK
    put(r, 0x11, 1);  // reverse union: FIN ACK
    put(r, 4, 4);
    const Bytes data = set(410, r);
    sets.insert(sets.end(), data.begin(), data.end());
    WireDecoder d;
    FlowBlock out;
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 2u);
    FlowRecord f, b;
    out.record(0, f);
    out.record(1, b);
    EXPECT_EQ(f.flags, 0x1b);
    EXPECT_EQ(b.flags, 0x13);
    EXPECT_EQ(b.packets, 4u);
}

// Cisco's templates carry ICMP_TYPE (32) in every record, 0 for TCP and UDP: it is the port
// of ICMP flows only. (Every TCP/UDP flow of such exporters was stored with port 0.)
TEST(Decoder, IcmpTypeIsThePortOfIcmpFlowsOnly) {
    Bytes sets = set(
        2,
        template_record(
            420, {{8, 4}, {12, 4}, {4, 1}, {7, 2}, {11, 2}, {32, 2}, {2, 4}, {152, 8}, {153, 8}}));
    Bytes r;
    const std::tuple<int, int, int> flows[] = {{6, 443, 0}, {17, 53, 0}, {1, 0, 0x0800}};
    for (const auto& [proto, dport, icmp] : flows) {
        put(r, 0x0a000001, 4);
        put(r, 0x0a000002, 4);
        put(r, static_cast<uint64_t>(proto), 1);
        put(r, 40000, 2);
        put(r, static_cast<uint64_t>(dport), 2);
        put(r, static_cast<uint64_t>(icmp), 2);
        put(r, 1, 4);
        put(r, 1'699'999'999'000, 8);
        put(r, 1'699'999'999'000, 8);
    }
    const Bytes data = set(420, r);
    sets.insert(sets.end(), data.begin(), data.end());
    WireDecoder d;
    FlowBlock out;
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 3u);
    EXPECT_EQ(out.dport[0], 443);
    EXPECT_EQ(out.dport[1], 53);
    EXPECT_EQ(out.dport[2], 0x0800);  // echo request
}

// A template with two fields for a column: the last value given wins, an unspecified address
// or a 0 gives none. Cisco (pmacct-101 of ../shared/data): IPv6 addresses before the IPv4
// ones, :: in IPv4 flows (whose addresses were stored as ::); Huawei (pmacct-106): an outer
// IPv6 IP-in-IP header and the inner IPv4 UDP one (stored mixed: outer addresses, protocol
// and source port with the inner destination port).
TEST(Decoder, RepeatedElementsTheLastGivenValueWins) {
    Bytes sets = set(2, template_record(430, {{27, 16},
                                              {28, 16},
                                              {8, 4},
                                              {12, 4},
                                              {4, 1},
                                              {7, 2},
                                              {11, 2},
                                              {4, 1},
                                              {7, 2},
                                              {11, 2},
                                              {2, 4}}));
    Bytes r;
    const auto v6 = [&](uint64_t low) {
        put(r, low ? 0x20010db800000000 : 0, 8);
        put(r, low, 8);
    };
    struct Header {
        uint64_t proto, sport, dport;
    };
    const auto record = [&](uint64_t v6_src, uint64_t v6_dst, uint64_t v4_src, uint64_t v4_dst,
                            Header outer, Header inner) {
        v6(v6_src);
        v6(v6_dst);
        put(r, v4_src, 4);
        put(r, v4_dst, 4);
        for (const Header& h : {outer, inner}) {
            put(r, h.proto, 1);
            put(r, h.sport, 2);
            put(r, h.dport, 2);
        }
        put(r, 1, 4);
    };
    // An IPv4 flow (138.187.58.13 to .57.33), one header.
    record(0, 0, 0x8abb3a0d, 0x8abb3921, {6, 10000, 58779}, {0, 0, 0});
    // An IPv6 flow: the IPv4 fields 0.0.0.0.
    record(1, 2, 0, 0, {6, 179, 54194}, {0, 0, 0});
    // An outer IPv6 IP-in-IP header (ports 0), then the inner IPv4 UDP one (192.0.2.110 to .14).
    record(1, 2, 0xc000026e, 0xc000020e, {4, 0, 0}, {17, 1111, 2222});
    const Bytes data = set(430, r);
    sets.insert(sets.end(), data.begin(), data.end());
    WireDecoder d;
    FlowBlock out;
    ASSERT_EQ(decode(d, ipfix(0, sets), out), 3u);
    const auto flow = [&](size_t i) {
        FlowRecord f;
        out.record(i, f);
        return ip_string(f.src) + ":" + std::to_string(f.sport) + " " + ip_string(f.dst) + ":" +
               std::to_string(f.dport) + " " + std::to_string(f.proto);
    };
    EXPECT_EQ(flow(0), "138.187.58.13:10000 138.187.57.33:58779 6");
    EXPECT_EQ(flow(1), "2001:db8::1:179 2001:db8::2:54194 6");
    EXPECT_EQ(flow(2), "192.0.2.110:1111 192.0.2.14:2222 17");
}

// One address cycling through observation domains takes its own share of the exporter
// table, not all of it: 16,400 empty headers from one address locked every other exporter out.
TEST(Decoder, OneAddressCannotTakeTheWholeExporterTable) {
    DecoderOptions o;
    o.max_sources = 1000;
    WireDecoder d(o);
    FlowBlock out;
    for (uint32_t domain = 0; domain < 600; ++domain) decode(d, ipfix(0, {}, domain), out);
    EXPECT_EQ(d.stats().size(), o.max_sources_per_address);
    EXPECT_EQ(d.totals().sources_refused, 600 - o.max_sources_per_address);
    Bytes sets = template300();
    const Bytes data = set(300, record300(1, 1, 1, 1'699'999'999'000));
    sets.insert(sets.end(), data.begin(), data.end());
    const Bytes m = ipfix(0, sets);
    EXPECT_EQ(d.decode(m.data(), m.size(), IpAddr::v4(0xc0000202), kNow, out), 1u);
}

}  // namespace
}  // namespace fk
