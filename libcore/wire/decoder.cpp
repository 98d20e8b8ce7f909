#include "wire/decoder.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "common/target_clones.h"
#include "common/time.h"
#include "wire/bytes.h"
#include "wire/elements.h"
#include "wire/sflow.h"

namespace fk {

namespace {

using namespace wire;

constexpr uint16_t kVarLen = 65535;
constexpr uint64_t kSuspectBefore = 631152000ull * kMicrosPerSecond;  // 1990-01-01
constexpr uint64_t kSuspectAhead = 86400ull * kMicrosPerSecond;

// Where each field lives in a FlowRecord, so that decoding stores by offset instead of
// dispatching on the field for every value.
struct Slot {
    uint16_t offset = 0;
    uint8_t width = 0;  // bytes of an integer field
};
const Slot* slots() {
    static const auto table = [] {
        std::vector<Slot> t(kFieldSlots);
        FlowRecord r;
        for_each_field([&](auto tr) {
            using T = decltype(tr);
            auto& v = T::get(r);
            t[static_cast<unsigned>(T::id)] = {
                static_cast<uint16_t>(reinterpret_cast<char*>(&v) - reinterpret_cast<char*>(&r)),
                static_cast<uint8_t>(sizeof v)};
        });
        return t;
    }();
    return table.data();
}

struct TField {
    Op op;
    uint8_t width;    // Uint: bytes of the destination
    uint16_t offset;  // into FlowRecord
    uint16_t length;  // kVarLen: variable
    FieldId field;
    bool direct;  // data records: the value goes straight into the block's column
    uint32_t at;  // bytes from the record's start (templates without variable-length fields)
    // A later field for the column of an earlier one: its value replaces the earlier one's
    // where it gives one (see given()), so the last value given wins, as in nfdump.
    bool overlay = false;
};

// Fields every data record gets from finish_record(), not from a template field directly.
const FieldSet& finished_fields() {
    static const FieldSet s = [] {
        FieldSet f;
        for (FieldId id : {FieldId::start, FieldId::end, FieldId::packets, FieldId::bytes,
                           FieldId::sampling, FieldId::dport, FieldId::exporter, FieldId::domain}) {
            f.set(static_cast<unsigned>(id));
        }
        return f;
    }();
    return s;
}

// The common shapes of the fields finish_record() needs, resolved once per template so that
// the records of a set finish in one loop without a dispatch per value: times as absolute
// milliseconds (with flowkit's microseconds within them) or as NetFlow v9 uptimes, counters,
// the destination port and flowkit's sampling. Template field index of each; -1: absent.
struct QuickFinish {
    enum Times : uint8_t { kNone, kMillis, kUptime } times = kNone;
    int16_t first = -1, last = -1, frac_first = -1, frac_last = -1;
    int16_t packets = -1, bytes = -1, dport = -1, applied = -1;
};

struct Template {
    std::vector<TField> fields;
    std::vector<uint16_t> finishing;  // data records: fields that finish_record() needs
    FieldSet direct;                  // columns written directly (by the first field for each)
    FieldSet columns;                 // columns some field of the template is for
    FieldSet writes;                  // data records: direct and finished columns
    uint32_t min_len = 0;             // bytes of a record with empty variable-length fields
    bool varlen = false;
    bool options = false;
    // Records decoded one at a time: RFC 5103 biflows (two flows a record), and TCP flags in
    // two fields (YAF's initial and union flags), which are ORed.
    bool per_record = false;
    QuickFinish quick;  // times == kNone: records finish through finish_record()
    uint64_t last_seen = 0;
};

// The quick plan of a data template, when its finishing fields are one of the common shapes:
// each op at most once, both times of one kind, nothing else (no other time forms, no
// sampling rate or sampler in the record, no ICMP type).
QuickFinish plan_quick(const Template& t, bool v9) {
    QuickFinish q;
    uint64_t seen = 0;
    bool dport_seen = false;
    for (const uint16_t k : t.finishing) {
        const TField& f = t.fields[k];
        const auto idx = static_cast<int16_t>(k);
        if (f.op == Op::Uint) {  // the destination port
            if (dport_seen) return {};
            dport_seen = true;
            q.dport = idx;
            continue;
        }
        const uint64_t bit = uint64_t{1} << static_cast<unsigned>(f.op);
        if (seen & bit) return {};
        seen |= bit;
        switch (f.op) {
            case Op::MsFirst:
            case Op::UptimeFirst:
                q.first = idx;
                break;
            case Op::MsLast:
            case Op::UptimeLast:
                q.last = idx;
                break;
            case Op::MsFracFirst:
                q.frac_first = idx;
                break;
            case Op::MsFracLast:
                q.frac_last = idx;
                break;
            case Op::Packets:
                q.packets = idx;
                break;
            case Op::Bytes:
                q.bytes = idx;
                break;
            case Op::SamplingApplied:
                q.applied = idx;
                break;
            default:
                return {};
        }
    }
    auto bit = [](Op op) { return uint64_t{1} << static_cast<unsigned>(op); };
    const uint64_t ms = bit(Op::MsFirst) | bit(Op::MsLast);
    const uint64_t up = bit(Op::UptimeFirst) | bit(Op::UptimeLast);
    if ((seen & ms) == ms && !(seen & up)) {
        q.times = QuickFinish::kMillis;
    } else if (v9 && (seen & up) == up && !(seen & ms) &&
               !(seen & (bit(Op::MsFracFirst) | bit(Op::MsFracLast)))) {
        q.times = QuickFinish::kUptime;
    } else {
        return {};
    }
    return q;
}

// What the datagram header says, needed to turn record times into absolute times.
struct Msg {
    uint8_t version;
    uint64_t export_us;  // export time (NetFlow v5 has nanoseconds, v9 and IPFIX seconds)
    uint32_t uptime_ms;  // NetFlow v5 / v9 sysUptime
    uint64_t now;
};

struct Held {
    Msg msg;
    std::vector<uint8_t> body;
    uint64_t next;  // serial of the next held set of the same template; 0: none
    uint16_t tid;
    bool live;  // false once decoded: the slot waits to reach the front of the queue
};

// The live held sets of one template, oldest first, linked through Held::next.
struct HeldChain {
    uint64_t first, last;
};

struct Source {
    ExporterStats st;
    std::unordered_map<uint16_t, Template> templates;
    // The template found last: an exporter's datagrams mostly use one, and the map's lookup
    // (a division by its bucket count) took 1% of the decoding and writing.
    const Template* last_template = nullptr;
    uint16_t last_tid = 0;
    std::unordered_map<uint64_t, uint32_t> samplers;  // sampler / selector id -> rate
    uint32_t default_rate = 0;                        // from options data without a sampler id
    uint64_t sys_init_ms = 0;                         // from options data (systemInitTime)
    uint64_t est_boot_ms = 0;  // IPFIX uptimes without an init time: earliest export - end
    bool have_seq = false;
    uint32_t next_seq = 0;
    // Held sets in arrival order (so that the oldest expire first), numbered by serial from
    // held_first at the front; indexed by template so that a template's arrival visits its
    // own sets only.
    std::deque<Held> held;
    uint64_t held_first = 1;
    std::unordered_map<uint16_t, HeldChain> held_by_tid;
    size_t held_bytes = 0;
    // IPFIX template ids withdrawn and not defined again: data for them is the withdrawn
    // layout's, late, and is dropped rather than held for the next template of the id.
    std::unordered_set<uint16_t> withdrawn;
};

struct SourceKey {
    IpAddr addr;
    uint32_t domain;
    uint8_t version;
    bool operator==(const SourceKey&) const = default;
};
struct SourceKeyHash {
    size_t operator()(const SourceKey& k) const {
        return IpAddrHash()(k.addr) ^ (uint64_t{k.domain} << 8 | k.version) * 0x9E3779B97F4A7C15ull;
    }
};

// Values of one record that need the whole record before they mean something.
struct Extra {
    static_assert(static_cast<unsigned>(Op::RevDeltaMs) < 64, "a bit per Op");
    uint64_t seen = 0;  // bit per Op
    uint64_t v[64];
    bool has(Op op) const { return seen >> static_cast<unsigned>(op) & 1; }
    uint64_t get(Op op) const { return v[static_cast<unsigned>(op)]; }
    void set(Op op, uint64_t value) {
        seen |= uint64_t{1} << static_cast<unsigned>(op);
        v[static_cast<unsigned>(op)] = value;
    }
};

uint64_t ntp_to_us(uint64_t ntp) {
    const uint64_t secs = ntp >> 32;
    const uint64_t frac = ntp & 0xffffffffu;
    const uint64_t s = secs >= kNtpEpochOffset ? secs - kNtpEpochOffset : 0;
    return s * kMicrosPerSecond + ((frac * kMicrosPerSecond + (1ull << 31)) >> 32);
}

uint64_t ntp_ns_to_us(uint64_t ntp) {
    const uint64_t secs = ntp >> 32;
    const uint64_t frac = ntp & 0xffffffffu;
    const uint64_t s = secs >= kNtpEpochOffset ? secs - kNtpEpochOffset : 0;
    return s * kMicrosPerSecond + ((frac * kMicrosPerSecond) >> 32);
}

// The observation time of a record, 0 when it has none.
uint64_t observed_us(const Extra& x) {
    if (x.has(Op::ObservedNs)) return ntp_ns_to_us(x.get(Op::ObservedNs));
    if (x.has(Op::ObservedUs)) return ntp_to_us(x.get(Op::ObservedUs));
    if (x.has(Op::ObservedMs)) return x.get(Op::ObservedMs) * 1000;
    if (x.has(Op::ObservedSec)) return x.get(Op::ObservedSec) * kMicrosPerSecond;
    return 0;
}

// Absolute milliseconds, with flowkit's microseconds within the millisecond when sent.
inline uint64_t millis_to_us(uint64_t ms, uint64_t micros_in_milli) {
    return ms * 1000 + micros_in_milli % 1000;
}

// A counter renormalised by the sampling rate; a product past 2^64 stays at the largest
// count instead of wrapping to a small one.
inline uint64_t scale_up(uint64_t v, uint32_t rate) {
    uint64_t r;
    return __builtin_mul_overflow(v, rate, &r) ? UINT64_MAX : r;
}

// A NetFlow v9 sysUptime in milliseconds, given the uptime and time of the export: that many
// milliseconds before the export, modulo 2^32. A time "after" the uptime is from before the
// uptime counter wrapped (49.7 days), as nfdump reads it; only a minute ahead is taken as a
// clock a little ahead.
inline uint64_t uptime_to_us(uint32_t up, uint32_t export_uptime_ms, uint64_t export_us) {
    int64_t age = static_cast<uint32_t>(export_uptime_ms - up);
    if (age > (int64_t{1} << 32) - 60'000) age -= int64_t{1} << 32;
    const int64_t t = static_cast<int64_t>(export_us) - age * 1000;
    return t > 0 ? static_cast<uint64_t>(t) : 0;
}

}  // namespace

// Whether an exporter ever sent something real: a template, a flow or a sample.
bool has_spoken(const ExporterStats& st) {
    return st.templates || st.flows || st.counter_samples || st.options_records;
}

struct WireDecoder::Impl {
    DecoderOptions opts;
    using Sources = std::unordered_map<SourceKey, std::unique_ptr<Source>, SourceKeyHash>;
    Sources sources;
    std::unordered_map<IpAddr, uint32_t, IpAddrHash> sources_of_address;
    // The counters of evicted exporters that had spoken, given back when they come back (at
    // most max_sources of them; others are only counted in totals).
    std::unordered_map<SourceKey, ExporterStats, SourceKeyHash> retired;
    uint64_t last_sweep = 0;
    Source* last = nullptr;
    SourceKey last_key{};
    DecoderTotals totals;
    size_t template_bytes = 0;
    size_t held_bytes = 0;
    FlowRecord rec;
    Extra extra;

    explicit Impl(DecoderOptions o) : opts(o) {}

    Source* source(const IpAddr& a, uint32_t domain, uint8_t version, uint64_t now) {
        const SourceKey k{a, domain, version};
        if (last && k == last_key) return last;
        auto it = sources.find(k);
        if (it == sources.end()) {
            if (sources.size() >= opts.max_sources) sweep(now);
            const auto of_address = sources_of_address.find(a);
            if (sources.size() >= opts.max_sources ||
                (of_address != sources_of_address.end() &&
                 of_address->second >= opts.max_sources_per_address)) {
                ++totals.sources_refused;
                return nullptr;
            }
            ++sources_of_address[a];
            auto s = std::make_unique<Source>();
            if (const auto r = retired.find(k); r != retired.end()) {
                s->st = r->second;
                retired.erase(r);
            } else {
                s->st.exporter = a;
                s->st.domain = domain;
                s->st.version = version;
                s->st.first_seen = now;
            }
            s->st.last_seen = now;
            it = sources.emplace(k, std::move(s)).first;
        }
        last = it->second.get();
        last_key = k;
        return last;
    }

    // With the table full, at most once a second: exporters silent for longer than a
    // template lives (gone, or given another address: their templates would have expired),
    // and those that never spoke and are silent for longer than data is held (garbage,
    // scanners, spoofed addresses), give their place up. Active exporters are never evicted.
    void sweep(uint64_t now) {
        if (last_sweep && now < last_sweep + kMicrosPerSecond) return;
        last_sweep = now;
        for (auto it = sources.begin(); it != sources.end();) {
            const ExporterStats& st = it->second->st;
            const uint64_t silent = now > st.last_seen ? now - st.last_seen : 0;
            if (silent > (has_spoken(st) ? opts.template_lifetime : opts.hold_time)) {
                it = evict(it);
            } else {
                ++it;
            }
        }
    }

    Sources::iterator evict(Sources::iterator it) {
        Source& s = *it->second;
        while (!s.held.empty()) pop_front(s);
        while (!s.templates.empty()) forget_template(s, s.templates.begin());
        if (has_spoken(s.st) && retired.size() < opts.max_sources) {
            retired[it->first] = s.st;
        } else {
            ++totals.sources_evicted;
            totals.evicted_datagrams += s.st.datagrams;
        }
        const auto of_address = sources_of_address.find(it->first.addr);
        if (--of_address->second == 0) sources_of_address.erase(of_address);
        if (last == &s) last = nullptr;
        return sources.erase(it);
    }

    static size_t template_cost(const Template& t) {
        return 64 + t.fields.size() * (sizeof(TField) + sizeof(uint16_t));
    }

    void forget_template(Source& s, std::unordered_map<uint16_t, Template>::iterator it) {
        if (&it->second == s.last_template) s.last_template = nullptr;
        template_bytes -= template_cost(it->second);
        s.templates.erase(it);
    }

    // As many ids are remembered as a source may have templates.
    void forget_withdrawn(Source& s, std::unordered_map<uint16_t, Template>::iterator it) {
        if (s.withdrawn.size() < opts.templates_per_source) s.withdrawn.insert(it->first);
        forget_template(s, it);
    }

    // Installs template `tid`; false when the memory bound refuses it.
    bool install(Source& s, uint16_t tid, Template&& t, uint64_t now, FlowBlock& out) {
        t.last_seen = now;
        ++s.st.templates;
        auto it = s.templates.find(tid);
        if (it != s.templates.end()) forget_template(s, it);
        const size_t cost = template_cost(t);
        if (s.templates.size() >= opts.templates_per_source ||
            template_bytes + cost > opts.template_bytes_total) {
            ++s.st.templates_refused;
            return false;
        }
        template_bytes += cost;
        s.templates.emplace(tid, std::move(t));
        s.withdrawn.erase(tid);
        replay_held(s, tid, out);
        return true;
    }

    const Template* find_template(Source& s, uint16_t tid, uint64_t now) {
        const Template* t = s.last_template;
        if (!t || s.last_tid != tid) {
            auto it = s.templates.find(tid);
            if (it == s.templates.end()) return nullptr;
            t = &it->second;
        }
        if (now > t->last_seen + opts.template_lifetime) {
            ++s.st.templates_expired;
            forget_template(s, s.templates.find(tid));
            return nullptr;
        }
        s.last_template = t;
        s.last_tid = tid;
        return t;
    }

    // Compiles the field specifiers of a template record. `scope_skip`: NetFlow v9 options
    // scope fields, whose types are not element ids.
    static void add_field(Template& t, uint32_t pen, uint16_t id, uint16_t len, bool scope_skip) {
        // A field of no bytes has no value; kept, thousands of them made every record of a
        // byte cost a step per field (seconds per datagram).
        if (len == 0) return;
        TField f{Op::Skip, 0, 0, len, FieldId::start, false, t.min_len};
        if (!scope_skip) {
            const ElementOp e = element_op(pen, id, len == kVarLen ? 0 : len);
            f.op = e.op;
            f.field = e.field;
            t.per_record |= is_reverse(e.op);
            if (len == kVarLen && e.op != Op::Str) f.op = Op::Skip;
            if (f.op == Op::Uint || f.op == Op::DnsRcode || f.op == Op::Addr || f.op == Op::Mac ||
                f.op == Op::Str || f.op == Op::SamplingApplied) {
                const Slot& sl = slots()[static_cast<unsigned>(e.field)];
                f.offset = sl.offset;
                f.width = sl.width;
            }
            if (f.op == Op::Flags) {
                f.field = FieldId::flags;
                f.width = 1;
            }
            const unsigned fid = static_cast<unsigned>(f.field);
            if (f.op == Op::Uint || f.op == Op::DnsRcode || f.op == Op::Addr || f.op == Op::Mac ||
                f.op == Op::Str || f.op == Op::Flags) {
                // A second field for a column is decoded record by record: a second flags
                // field is ORed; any other takes the place of the first where it gives a
                // value. Cisco's templates carry IPv6 and IPv4 addresses side by side (one of
                // them unspecified), Huawei's an outer and an inner header.
                if (t.columns.test(fid)) {
                    t.per_record = true;
                    f.overlay = f.op != Op::Flags;
                } else {
                    t.columns.set(fid);
                    if (!finished_fields().test(fid)) {
                        f.direct = true;
                        t.direct.set(fid);
                    }
                }
            }
        }
        if (len == kVarLen) {
            t.varlen = true;
            t.min_len += 1;
        } else {
            t.min_len += len;
        }
        // What finish_record() reads: counters, the destination port (ICMP may replace it),
        // times and sampling. Other fields of finished columns (exporter, domain) are ignored.
        if ((f.op == Op::Uint && f.field == FieldId::dport) || f.op >= Op::IcmpTypeCode) {
            t.finishing.push_back(static_cast<uint16_t>(t.fields.size()));
        }
        t.fields.push_back(f);
    }

    // ---- records ----

    // The length of field f at p: its template length, or for a variable-length field the
    // length prefix (RFC 7011 section 7), which p steps over. False when the record is cut.
    static bool field_length(const TField& f, const uint8_t*& p, const uint8_t* end, size_t& len) {
        len = f.length;
        if (len != kVarLen) return true;
        if (p >= end) return false;
        len = *p++;
        if (len == 255) {
            if (end - p < 2) return false;
            len = rd16(p);
            p += 2;
        }
        return static_cast<size_t>(end - p) >= len;
    }

    // Decodes one record at p (at most `end`); returns the byte after it, or nullptr when a
    // variable-length field runs past the end.
    const uint8_t* decode_fields(const Template& t, const uint8_t* p, const uint8_t* end) {
        rec = FlowRecord{};
        extra.seen = 0;
        char* base = reinterpret_cast<char*>(&rec);
        for (const TField& f : t.fields) {
            size_t len;
            if (!field_length(f, p, end, len) || static_cast<size_t>(end - p) < len) return nullptr;
            if (f.overlay && !given(f, p, len)) {
                p += len;
                continue;
            }
            switch (f.op) {
                case Op::Skip:
                    break;
                case Op::Uint: {
                    const uint64_t v = rdn(p, static_cast<unsigned>(len));
                    switch (f.width) {
                        case 1:
                            base[f.offset] = static_cast<char>(v);
                            break;
                        case 2: {
                            const uint16_t x = static_cast<uint16_t>(v);
                            std::memcpy(base + f.offset, &x, 2);
                            break;
                        }
                        case 4: {
                            const uint32_t x = static_cast<uint32_t>(v);
                            std::memcpy(base + f.offset, &x, 4);
                            break;
                        }
                        default:
                            std::memcpy(base + f.offset, &v, 8);
                    }
                    break;
                }
                case Op::DnsRcode:
                    base[f.offset] =
                        static_cast<char>(dns_rcode_from_wire(rdn(p, static_cast<unsigned>(len))));
                    break;
                case Op::Addr: {
                    const IpAddr a = addr(f.field, p, len);
                    std::memcpy(base + f.offset, &a, sizeof a);
                    break;
                }
                case Op::Mac: {
                    const uint64_t v = rdn(p, 6);
                    std::memcpy(base + f.offset, &v, 8);
                    break;
                }
                case Op::Str: {
                    // Trailing NULs pad fixed-size strings.
                    size_t n = len;
                    while (n > 0 && p[n - 1] == 0) --n;
                    const std::string_view s(reinterpret_cast<const char*>(p), n);
                    std::memcpy(base + f.offset, &s, sizeof s);
                    break;
                }
                case Op::Flags:
                    rec.flags |= static_cast<uint8_t>(rdn(p, static_cast<unsigned>(len)));
                    break;
                case Op::RevFlags:
                    extra.set(Op::RevFlags,
                              (extra.has(Op::RevFlags) ? extra.get(Op::RevFlags) : 0) |
                                  rdn(p, static_cast<unsigned>(len)));
                    break;
                case Op::Bytes:
                    rec.bytes = rdn(p, static_cast<unsigned>(len));
                    break;
                case Op::Packets:
                    rec.packets = rdn(p, static_cast<unsigned>(len));
                    break;
                default:
                    extra.set(f.op, rdn(p, static_cast<unsigned>(len)));
            }
            p += len;
        }
        return p;
    }

    // The 1:N rate a record states itself; 0 when it does not.
    static uint32_t rate_in(const Extra& x) {
        uint64_t r = 0;
        // Random n-out-of-N (Cisco) states size and population beside an interval of 1.
        if (x.has(Op::SamplingSize) && x.has(Op::SamplingPopulation) &&
            x.get(Op::SamplingSize) > 0) {
            r = x.get(Op::SamplingPopulation) / x.get(Op::SamplingSize);
        } else if (x.has(Op::SamplingInterval)) {
            r = x.get(Op::SamplingInterval);
            if (x.has(Op::SamplingSpace) && r > 0) r = (r + x.get(Op::SamplingSpace)) / r;
        }
        return static_cast<uint32_t>(std::min<uint64_t>(r, UINT32_MAX));
    }

    // The record's own rate, else its sampler's, else the exporter's.
    uint32_t rate_of(const Source& s) const {
        if (const uint32_t r = rate_in(extra)) return r;
        if (extra.has(Op::SamplerId)) {
            const auto it = s.samplers.find(extra.get(Op::SamplerId));
            if (it != s.samplers.end()) return it->second;
        }
        return s.default_rate;
    }

    // Absolute times, sampling, ICMP: what needs the whole record.
    void finish_record(Source& s, const Msg& m, FlowRecord& r) {
        const Extra& x = extra;
        const uint64_t export_us = m.export_us;
        uint64_t start = 0, end = 0;
        bool has_start = false, has_end = false;
        auto take = [&](Op first, Op last, auto conv) {
            if (!has_start && x.has(first)) {
                start = conv(x.get(first));
                has_start = true;
            }
            if (!has_end && x.has(last)) {
                end = conv(x.get(last));
                has_end = true;
            }
        };
        take(Op::NsFirst, Op::NsLast, ntp_ns_to_us);
        take(Op::UsFirst, Op::UsLast, ntp_to_us);
        if (!has_start && x.has(Op::MsFirst)) {
            start = millis_to_us(x.get(Op::MsFirst),
                                 x.has(Op::MsFracFirst) ? x.get(Op::MsFracFirst) : 0);
            has_start = true;
        }
        if (!has_end && x.has(Op::MsLast)) {
            end =
                millis_to_us(x.get(Op::MsLast), x.has(Op::MsFracLast) ? x.get(Op::MsFracLast) : 0);
            has_end = true;
        }
        take(Op::SecFirst, Op::SecLast, [](uint64_t v) { return v * kMicrosPerSecond; });
        take(Op::DeltaUsFirst, Op::DeltaUsLast,
             [&](uint64_t v) { return export_us > v ? export_us - v : 0; });
        if (x.has(Op::UptimeFirst) || x.has(Op::UptimeLast)) {
            // sysUptime-relative: NetFlow's header carries the uptime at export time; IPFIX
            // needs systemInitTimeMilliseconds from the record or from options data.
            auto conv = [&](uint64_t v) -> uint64_t {
                const uint32_t up = static_cast<uint32_t>(v);
                if (m.version == 10) {
                    uint64_t init = x.has(Op::SysInitMs) ? x.get(Op::SysInitMs) : s.sys_init_ms;
                    if (init == 0) {
                        // No boot time known (Cisco sends none): a flow ends no later than its
                        // export, so export time minus the end uptime bounds the boot from
                        // above; the smallest bound seen is the closest.
                        const uint64_t end_up = x.has(Op::UptimeLast) ? x.get(Op::UptimeLast) : up;
                        const uint64_t export_ms = m.export_us / 1000;
                        if (export_ms > end_up &&
                            (s.est_boot_ms == 0 || export_ms - end_up < s.est_boot_ms)) {
                            s.est_boot_ms = export_ms - end_up;
                        }
                        init = s.est_boot_ms;
                    }
                    return (init + up) * 1000;
                }
                return uptime_to_us(up, m.uptime_ms, export_us);
            };
            take(Op::UptimeFirst, Op::UptimeLast, conv);
        }
        if (has_start && !has_end) {
            if (x.has(Op::DurationUs)) {
                end = start + x.get(Op::DurationUs);
            } else if (x.has(Op::DurationMs)) {
                end = start + x.get(Op::DurationMs) * 1000;
            } else {
                end = start;
            }
        } else if (!has_start && has_end) {
            start = end;
        } else if (!has_start) {
            start = end = observed_us(x);
            if (start == 0) start = end = m.version == 10 || m.version == 9 ? export_us : m.now;
        }
        r.start = start;
        r.end = end < start ? start : end;
        if (r.start < kSuspectBefore || r.start > m.now + kSuspectAhead) ++s.st.suspect_times;

        if (x.has(Op::SamplingApplied)) {
            r.sampling = static_cast<uint32_t>(x.get(Op::SamplingApplied));
        } else if (const uint32_t rate = rate_of(s); rate > 0) {
            r.sampling = rate;
            if (rate > 1) {
                r.packets = scale_up(r.packets, rate);
                r.bytes = scale_up(r.bytes, rate);
            }
            s.st.sampling = rate;
        } else {
            // Nothing says the exporter sampled: unsampled, which a record states as 1.
            r.sampling = 1;
        }
        // ICMP type and code are the port of an ICMP flow only: Cisco's templates carry
        // ICMP_TYPE in every record, 0 in those of TCP and UDP.
        if (r.proto != 1 && r.proto != 58) return;
        if (x.has(Op::IcmpTypeCode)) r.dport = static_cast<uint16_t>(x.get(Op::IcmpTypeCode));
        if (x.has(Op::IcmpType) || x.has(Op::IcmpCode)) {
            r.dport = static_cast<uint16_t>((x.has(Op::IcmpType) ? x.get(Op::IcmpType) : 0) << 8 |
                                            (x.has(Op::IcmpCode) ? x.get(Op::IcmpCode) & 0xff : 0));
        }
    }

    // The flow of the record decoded into rec; a biflow record (RFC 5103) as two flows, as a
    // probe that keeps one flow per direction would have made them: the forward one, and the
    // reverse one with the endpoints and their interfaces, ASes, masks and MACs swapped, the
    // reverse counters and TCP flags, and the reverse times when the record has them (the forward
    // times otherwise). A direction without packets or bytes is no flow, unless neither has any.
    void append_flows(Source& s, const Msg& m, FlowBlock& out) {
        FlowRecord& fwd = rec;
        const Extra& x = extra;
        finish_record(s, m, fwd);
        fwd.exporter = s.st.exporter;
        fwd.domain = s.st.domain;
        const uint64_t rev_packets = x.has(Op::RevPackets) ? x.get(Op::RevPackets) : 0;
        const uint64_t rev_bytes = x.has(Op::RevBytes) ? x.get(Op::RevBytes) : 0;
        const bool has_reverse = rev_packets > 0 || rev_bytes > 0;
        if (fwd.packets > 0 || fwd.bytes > 0 || !has_reverse) {
            out.append(fwd);
            ++s.st.flows;
        }
        if (!has_reverse) return;
        FlowRecord r = fwd;
        std::swap(r.src, r.dst);
        std::swap(r.in_if, r.out_if);
        std::swap(r.src_as, r.dst_as);
        std::swap(r.src_mask, r.dst_mask);
        std::swap(r.src_mac, r.dst_mac);
        std::swap(r.tun_src, r.tun_dst);
        // ICMP's port is the type and code of the forward messages, not of the answers.
        if (r.proto != 1 && r.proto != 58) {
            std::swap(r.sport, r.dport);
        } else {
            r.dport = 0;
        }
        const bool scale = !x.has(Op::SamplingApplied) && fwd.sampling > 1;
        r.packets = scale ? scale_up(rev_packets, fwd.sampling) : rev_packets;
        r.bytes = scale ? scale_up(rev_bytes, fwd.sampling) : rev_bytes;
        r.flags = static_cast<uint8_t>(x.has(Op::RevFlags) ? x.get(Op::RevFlags) : 0);
        if (x.has(Op::RevMsFirst) || x.has(Op::RevSecFirst)) {
            r.start = x.has(Op::RevMsFirst) ? x.get(Op::RevMsFirst) * 1000
                                            : x.get(Op::RevSecFirst) * kMicrosPerSecond;
        } else if (x.has(Op::RevDeltaMs)) {
            r.start = fwd.start + x.get(Op::RevDeltaMs) * 1000;
        }
        if (x.has(Op::RevMsLast) || x.has(Op::RevSecLast)) {
            r.end = x.has(Op::RevMsLast) ? x.get(Op::RevMsLast) * 1000
                                         : x.get(Op::RevSecLast) * kMicrosPerSecond;
        }
        if (r.end < r.start) r.end = r.start;
        out.append(r);
        ++s.st.flows;
    }

    // Options data: sampler rates and the exporter's boot time.
    void apply_options(Source& s) {
        ++s.st.options_records;
        if (extra.has(Op::SysInitMs)) s.sys_init_ms = extra.get(Op::SysInitMs);
        const uint32_t rate = rate_in(extra);
        if (rate == 0) return;
        if (extra.has(Op::SamplerId)) {
            // A few samplers per exporter are normal; a flood of ids must not grow without end.
            if (s.samplers.size() < 1024 || s.samplers.count(extra.get(Op::SamplerId))) {
                s.samplers[extra.get(Op::SamplerId)] = rate;
            }
        } else {
            s.default_rate = rate;
        }
    }

    // ---- data records straight into the block's columns ----
    //
    // While datagrams are decoded, the block's columns run ahead of its rows: they are grown
    // (zero-filled) by at least kGrowRows rows at a time, records are stored by row index, and
    // finish() cuts the columns back to the rows. That is a resize per column per kGrowRows
    // rows instead of two per data set, and a store per value instead of a push_back per
    // value plus a record copy per row. Only the columns some template of the block writes
    // (`held`) are filled at all; the others stay empty and are marked all default, so that
    // neither the decoder nor the writer touches them.
    // Invariant: every held column is max(grown, out.size()) long; rows past out.size() are
    // zero. grown == 0: no rows written since finish().

    static constexpr size_t kGrowRows = 256;
    void* base[kFieldSlots] = {};  // data() of each held column while a set is decoded
    size_t grown = 0;
    FieldSet held;

    static void resize_columns(FlowBlock& out, size_t n, const FieldSet& which) {
        for_each_field([&](auto t) {
            using T = decltype(t);
            if (!which.test(static_cast<unsigned>(T::id))) return;
            auto& c = column<T::id>(out);
            if constexpr (T::storage == Storage::Str) {
                c.ids.resize(n);
            } else {
                c.resize(n);
            }
        });
    }

    // Makes room for n more rows after out.size() in the columns held and in those a
    // template writes (`writes`), and points base[] at them (again only when the columns
    // were resized: otherwise they are where they were).
    void make_room(FlowBlock& out, size_t n, const FieldSet& writes) {
        if (grown == 0) {
            // A block that already has rows: its columns not all default hold them.
            held.reset();
            for (unsigned id = 1; id <= kMaxFieldId && !out.empty(); ++id) {
                if (!out.all_default(static_cast<FieldId>(id))) held.set(id);
            }
        }
        const FieldSet want = held | writes;
        const size_t len = std::max(grown, out.size());
        const size_t need = out.size() + n;
        if (need > len) {
            grown = std::max(need, out.size() + kGrowRows);
            resize_columns(out, grown, want);
        } else if (want != held) {
            grown = len;
            resize_columns(out, grown, want & ~held);
        } else {
            // Nothing moved since the last set (the first set after finish() always grows).
            return;
        }
        held = want;
        for_each_field([&](auto t) {
            using T = decltype(t);
            auto& c = column<T::id>(out);
            if constexpr (T::storage == Storage::Str) {
                base[static_cast<unsigned>(T::id)] = c.ids.data();
            } else {
                base[static_cast<unsigned>(T::id)] = c.data();
            }
        });
    }

    // Cuts the held columns back to the block's rows, as every reader of a block expects.
    void cut_columns(FlowBlock& out) {
        if (grown > out.size()) resize_columns(out, out.size(), held);
        grown = 0;
    }

    // Before records are appended (v5, sFlow): every column filled, as long as the block.
    void plain_columns(FlowBlock& out) {
        cut_columns(out);
        out.ensure_all();
        out.set_rows(out.size(), UINT64_MAX, 0, FieldSet().set());
    }

    template <class V>
    V* at(FieldId f) {
        return static_cast<V*>(base[static_cast<unsigned>(f)]);
    }

    // 0.0.0.0 as a next hop or tunnel end is "none", stored as the absent (zero) address;
    // as a source or destination it is an address.
    static IpAddr addr(FieldId f, const uint8_t* p, size_t len) {
        if (len != 4) return IpAddr::v6(p);
        const uint32_t v = rd32(p);
        if (v == 0 && f != FieldId::src && f != FieldId::dst) return {};
        return IpAddr::v4(v);
    }

    // Whether a field's value says something: an address other than 0.0.0.0 and ::, a code,
    // text, a number other than 0.
    static bool given(const TField& f, const uint8_t* p, size_t len) {
        switch (f.op) {
            case Op::Addr: {
                const IpAddr a = addr(f.field, p, len);
                return !a.is_zero() && !(a.is_v4() && a.v4_value() == 0);
            }
            case Op::DnsRcode:
                return dns_rcode_from_wire(rdn(p, static_cast<unsigned>(len))) != 0;
            default:
                return std::any_of(p, p + len, [](uint8_t c) { return c != 0; });
        }
    }

    static uint64_t read_uint(const uint8_t* p, size_t len) {
        switch (len) {
            case 1:
                return p[0];
            case 2:
                return rd16(p);
            case 4:
                return rd32(p);
            case 8:
                return rd64(p);
            default:
                return rdn(p, static_cast<unsigned>(len));
        }
    }

    // Where each record's fields start, for sets whose records differ in length
    // (variable-length fields): field f of record i at pos[i * nf + f] from the first located
    // record, lens[i * nf + f] bytes long. Reused from set to set.
    std::vector<uint32_t> pos, lens;
    std::vector<uint64_t> quick_frac;  // finish_quick(): microseconds within milliseconds

    static constexpr size_t kLocateEntries = 16384;

    // Finds up to `most` whole records of a data set whose template has variable-length
    // fields, from p on, filling pos and lens (positions from p's start); returns how many it
    // found and moves p past them. `ok` turns false when a field runs past the end (the
    // records before it count).
    size_t locate(const Template& t, const uint8_t*& p, const uint8_t* end, size_t most, bool& ok) {
        const size_t nf = t.fields.size();
        if (pos.size() < most * nf) {
            pos.resize(most * nf);
            lens.resize(most * nf);
        }
        const uint8_t* p0 = p;
        size_t n = 0;
        while (n < most && static_cast<size_t>(end - p) >= t.min_len) {
            const uint8_t* q = p;
            uint32_t* ps = pos.data() + n * nf;
            uint32_t* ls = lens.data() + n * nf;
            for (size_t f = 0; f < nf; ++f) {
                size_t len;
                if (!field_length(t.fields[f], q, end, len) || static_cast<size_t>(end - q) < len) {
                    ok = false;
                    return n;
                }
                ps[f] = static_cast<uint32_t>(q - p0);
                ls[f] = static_cast<uint32_t>(len);
                q += len;
            }
            p = q;
            ++n;
        }
        return n;
    }

    // Where field f of record i is and how long it is: records of one length at a fixed
    // stride, or as locate() found them.
    struct FixedRecords {
        const uint8_t* p0;
        size_t stride;
        const uint8_t* at(size_t i, const TField& f, size_t) const {
            return p0 + i * stride + f.at;
        }
        size_t length(size_t, const TField& f, size_t) const { return f.length; }
    };
    struct LocatedRecords {
        const uint8_t* p0;
        const uint32_t* pos;
        const uint32_t* lens;
        size_t nf;
        const uint8_t* at(size_t i, const TField&, size_t f) const { return p0 + pos[i * nf + f]; }
        size_t length(size_t i, const TField&, size_t f) const { return lens[i * nf + f]; }
    };

    // Stores integer field f (template index k) of n records into dst[0, n).
    template <class D, class Records>
    static void store_uints(D* dst, const Records& records, size_t n, const TField& field,
                            size_t k) {
        // Local copies: a byte store could alias the caller's objects, which would make the
        // compiler reload the record stride and field offset for every value. Unrolled, four
        // values share the loop's counting: 2% less time decoding the bench's datagrams.
        const Records r = records;
        const TField f = field;
        switch (f.length) {
            case 1:
#pragma GCC unroll 4
                for (size_t i = 0; i < n; ++i) dst[i] = static_cast<D>(*r.at(i, f, k));
                break;
            case 2:
#pragma GCC unroll 4
                for (size_t i = 0; i < n; ++i) dst[i] = static_cast<D>(rd16(r.at(i, f, k)));
                break;
            case 4:
#pragma GCC unroll 4
                for (size_t i = 0; i < n; ++i) dst[i] = static_cast<D>(rd32(r.at(i, f, k)));
                break;
            case 8:
#pragma GCC unroll 4
                for (size_t i = 0; i < n; ++i) dst[i] = static_cast<D>(rd64(r.at(i, f, k)));
                break;
            default:
                for (size_t i = 0; i < n; ++i) {
                    dst[i] = static_cast<D>(rdn(r.at(i, f, k), f.length));
                }
        }
    }

    // Decodes n records into rows [row, row + n) of the grown columns: each field the
    // template stores directly, one field at a time over all records (one dispatch per field
    // and set, not per value); then, record by record, what needs the whole record.
    // Returns the lowest start and highest end time.
    template <class Records>
    std::pair<uint64_t, uint64_t> store_records(Source& s, const Msg& m, const Template& t,
                                                const Records& r, size_t n, FlowBlock& out,
                                                size_t row) {
        for (size_t k = 0; k < t.fields.size(); ++k) {
            const TField& f = t.fields[k];
            if (!f.direct) continue;
            switch (f.op) {
                case Op::Uint:
                case Op::Flags:
                    switch (f.width) {
                        case 1:
                            store_uints(at<uint8_t>(f.field) + row, r, n, f, k);
                            break;
                        case 2:
                            store_uints(at<uint16_t>(f.field) + row, r, n, f, k);
                            break;
                        case 4:
                            store_uints(at<uint32_t>(f.field) + row, r, n, f, k);
                            break;
                        default:
                            store_uints(at<uint64_t>(f.field) + row, r, n, f, k);
                    }
                    break;
                case Op::DnsRcode: {
                    uint8_t* dst = at<uint8_t>(f.field) + row;
                    for (size_t i = 0; i < n; ++i) {
                        dst[i] = dns_rcode_from_wire(rdn(r.at(i, f, k), f.length));
                    }
                    break;
                }
                case Op::Addr: {
                    IpAddr* dst = at<IpAddr>(f.field) + row;
                    const Records rl = r;
                    const TField fl = f;
                    for (size_t i = 0; i < n; ++i) {
                        dst[i] = addr(fl.field, rl.at(i, fl, k), rl.length(i, fl, k));
                    }
                    break;
                }
                case Op::Mac: {
                    uint64_t* dst = at<uint64_t>(f.field) + row;
                    const Records rl = r;
                    const TField fl = f;
                    for (size_t i = 0; i < n; ++i) {
                        const uint8_t* p = rl.at(i, fl, k);
                        dst[i] = uint64_t{rd16(p)} << 32 | rd32(p + 2);
                    }
                    break;
                }
                default:  // Op::Str; trailing NULs pad fixed-size strings
                    visit_field(f.field, [&](auto tr) {
                        using T = decltype(tr);
                        if constexpr (T::storage == Storage::Str) {
                            auto& c = column<T::id>(out);
                            for (size_t i = 0; i < n; ++i) {
                                const char* v = reinterpret_cast<const char*>(r.at(i, f, k));
                                size_t len = r.length(i, f, k);
                                while (len > 0 && v[len - 1] == 0) --len;
                                c.ids[row + i] = c.dict.intern({v, len});
                            }
                        }
                    });
            }
        }
        if (t.quick.times != QuickFinish::kNone) return finish_quick(s, m, t, r, n, row);
        uint64_t lo = UINT64_MAX, hi = 0;
        FlowRecord& fin = rec;
        const bool has_proto = t.direct.test(static_cast<unsigned>(FieldId::proto));
        for (size_t i = 0; i < n; ++i) {
            extra.seen = 0;
            fin.packets = fin.bytes = 0;
            fin.dport = 0;
            fin.sampling = 0;
            fin.proto = has_proto ? at<uint8_t>(FieldId::proto)[row + i] : 0;
            for (const uint16_t k : t.finishing) {
                const TField& f = t.fields[k];
                const uint64_t v = read_uint(r.at(i, f, k), r.length(i, f, k));
                switch (f.op) {
                    case Op::Uint:  // the destination port
                        fin.dport = static_cast<uint16_t>(v);
                        break;
                    case Op::Bytes:
                        fin.bytes = v;
                        break;
                    case Op::Packets:
                        fin.packets = v;
                        break;
                    default:
                        extra.set(f.op, v);
                }
            }
            finish_record(s, m, fin);
            const size_t j = row + i;
            at<uint64_t>(FieldId::start)[j] = fin.start;
            at<uint64_t>(FieldId::end)[j] = fin.end;
            at<uint64_t>(FieldId::packets)[j] = fin.packets;
            at<uint64_t>(FieldId::bytes)[j] = fin.bytes;
            at<uint32_t>(FieldId::sampling)[j] = fin.sampling;
            at<uint16_t>(FieldId::dport)[j] = fin.dport;
            at<IpAddr>(FieldId::exporter)[j] = s.st.exporter;
            at<uint32_t>(FieldId::domain)[j] = s.st.domain;
            lo = std::min(lo, fin.start);
            hi = std::max(hi, fin.end);
        }
        return {lo, hi};
    }

    // Stores integer field k of the n records into dst[0, n) (the template's field length
    // where records have one length, each record's own otherwise).
    template <class D, class Records>
    void load_uints(D* dst, const Template& t, const Records& r, size_t n, int16_t k) {
        const auto kf = static_cast<size_t>(k);
        if constexpr (std::is_same_v<Records, FixedRecords>) {
            store_uints(dst, r, n, t.fields[kf], kf);
        } else {
            const TField f = t.fields[kf];
            for (size_t i = 0; i < n; ++i) {
                dst[i] = static_cast<D>(read_uint(r.at(i, f, kf), r.length(i, f, kf)));
            }
        }
    }

    // Turns the times read into dst[0, n) into microseconds.
    template <class Records>
    void convert_times(uint64_t* dst, const Template& t, const Records& r, size_t n, int16_t frac,
                       const Msg& m) {
        if (t.quick.times == QuickFinish::kUptime) {
            const uint32_t uptime_ms = m.uptime_ms;
            const uint64_t export_us = m.export_us;
            for (size_t i = 0; i < n; ++i) {
                dst[i] = uptime_to_us(static_cast<uint32_t>(dst[i]), uptime_ms, export_us);
            }
        } else if (frac < 0) {
            for (size_t i = 0; i < n; ++i) dst[i] = millis_to_us(dst[i], 0);
        } else {
            if (quick_frac.size() < n) quick_frac.resize(n);
            uint64_t* micros = quick_frac.data();
            load_uints(micros, t, r, n, frac);
            for (size_t i = 0; i < n; ++i) dst[i] = millis_to_us(dst[i], micros[i]);
        }
    }

    struct TimeRange {
        uint64_t lo, hi, suspect;
    };
    // Ends before their start are moved to it; returns the lowest start, the highest end and
    // the number of starts dated before 1990 or after `ahead`. Branch-free, over pointers that
    // do not alias, and not inlined (inlined, the compiler no longer vectorised it).
    [[gnu::noinline]] FK_VECTOR_CLONES static TimeRange clamp_ends(const uint64_t* __restrict start,
                                                                   uint64_t* __restrict end,
                                                                   size_t n, uint64_t ahead) {
        uint64_t lo = UINT64_MAX, hi = 0, suspect = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint64_t st = start[i];
            const uint64_t en = std::max(end[i], st);
            end[i] = en;
            suspect +=
                static_cast<uint64_t>(st < kSuspectBefore) | static_cast<uint64_t>(st > ahead);
            lo = std::min(lo, st);
            hi = std::max(hi, en);
        }
        return {lo, hi, suspect};
    }

    // What finish_record() computes, for templates with a quick plan: the same values (times,
    // counters renormalised by the exporter's rate, port, sampling, suspect times), a column
    // at a time: each value is read straight into its column and worked on there, in loops
    // without a branch per value.
    template <class Records>
    std::pair<uint64_t, uint64_t> finish_quick(Source& s, const Msg& m, const Template& t,
                                               const Records& r, size_t n, size_t row) {
        const QuickFinish q = t.quick;
        uint64_t* start = at<uint64_t>(FieldId::start) + row;
        uint64_t* end = at<uint64_t>(FieldId::end) + row;
        load_uints(start, t, r, n, q.first);
        convert_times(start, t, r, n, q.frac_first, m);
        load_uints(end, t, r, n, q.last);
        convert_times(end, t, r, n, q.frac_last, m);
        const TimeRange range = clamp_ends(start, end, n, m.now + kSuspectAhead);
        // Without flowkit's sampling element the rate is the exporter's, the same for all.
        const uint32_t rate = q.applied >= 0 ? 0 : s.default_rate;
        for (const auto& [field, idx] :
             {std::pair{FieldId::packets, q.packets}, std::pair{FieldId::bytes, q.bytes}}) {
            uint64_t* dst = at<uint64_t>(field) + row;
            if (idx < 0) {
                std::fill_n(dst, n, 0);
                continue;
            }
            load_uints(dst, t, r, n, idx);
            if (rate > 1) {
                for (size_t i = 0; i < n; ++i) dst[i] = scale_up(dst[i], rate);
            }
        }
        uint32_t* sampling = at<uint32_t>(FieldId::sampling) + row;
        if (q.applied >= 0) {
            load_uints(sampling, t, r, n, q.applied);
        } else {
            // No rate known: unsampled, 1 (as finish_record()).
            std::fill_n(sampling, n, std::max(rate, 1u));
        }
        uint16_t* dport = at<uint16_t>(FieldId::dport) + row;
        if (q.dport >= 0) {
            load_uints(dport, t, r, n, q.dport);
        } else {
            std::fill_n(dport, n, 0);
        }
        std::fill_n(at<IpAddr>(FieldId::exporter) + row, n, s.st.exporter);
        std::fill_n(at<uint32_t>(FieldId::domain) + row, n, s.st.domain);
        s.st.suspect_times += range.suspect;
        if (rate > 0 && n > 0) s.st.sampling = rate;
        return {range.lo, range.hi};
    }

    // Decodes the records of one data set. Returns false when the set is malformed.
    bool decode_data(Source& s, const Template& t, const uint8_t* p, const uint8_t* end,
                     const Msg& m, FlowBlock& out, uint32_t& records) {
        if (t.min_len == 0) return end == p;
        if (t.options) {
            while (static_cast<size_t>(end - p) >= t.min_len) {
                const uint8_t* next = decode_fields(t, p, end);
                if (!next) return false;
                p = next;
                apply_options(s);
                ++records;
            }
            return true;
        }
        if (t.per_record) {
            plain_columns(out);
            while (static_cast<size_t>(end - p) >= t.min_len) {
                const uint8_t* next = decode_fields(t, p, end);
                if (!next) return false;
                p = next;
                append_flows(s, m, out);
                ++records;
                ++s.st.records;
            }
            return true;
        }
        if (!t.varlen) {
            const size_t n = static_cast<size_t>(end - p) / t.min_len;
            store_set(s, m, t, FixedRecords{p, t.min_len}, n, out, records);
            return true;
        }
        // Located a bounded number of records at a time: a template of many empty fields
        // must not make the position table huge.
        const size_t chunk = std::max<size_t>(1, kLocateEntries / t.fields.size());
        bool ok = true;
        while (ok && static_cast<size_t>(end - p) >= t.min_len) {
            const uint8_t* next = p;
            const size_t n = locate(t, next, end, chunk, ok);
            store_set(s, m, t, LocatedRecords{p, pos.data(), lens.data(), t.fields.size()}, n, out,
                      records);
            p = next;
        }
        return ok;
    }

    // Built for x86-64-v3 too (common/target_clones.h), with what it calls inlined into each
    // version (flatten): the time is in the loops of its callees, which are not cloned.
    template <class Records>
    [[gnu::flatten]] FK_VECTOR_CLONES void store_set(Source& s, const Msg& m, const Template& t,
                                                     const Records& r, size_t n, FlowBlock& out,
                                                     uint32_t& records) {
        if (n == 0) return;
        const size_t row = out.size();
        make_room(out, n, t.writes);
        const auto [lo, hi] = store_records(s, m, t, r, n, out, row);
        out.set_rows(row + n, lo, hi, held);
        records += static_cast<uint32_t>(n);
        s.st.flows += n;
        s.st.records += n;
    }

    // ---- holding data for templates still to come ----

    // What a held set takes beside its body: its slot in the queue, the heap block of the
    // body (allocator header and rounding) and, for the first of a template, its entry in
    // held_by_tid. Counting the body alone let sets of a few bytes take gigabytes "within"
    // the bounds. A decoded set's slot stays counted until it leaves the queue.
    static constexpr size_t kHeldOverhead = sizeof(Held) + 32 + 64;

    void release(Source& s, size_t n) {
        s.held_bytes -= n;
        held_bytes -= n;
    }

    void hold(Source& s, uint16_t tid, const Msg& m, const uint8_t* p, const uint8_t* end) {
        // An empty set has no records to decode later.
        if (p == end) return;
        const size_t cost = static_cast<size_t>(end - p) + kHeldOverhead;
        ++s.st.sets_held;
        if (s.held_bytes + cost > opts.hold_bytes_per_source ||
            held_bytes + cost > opts.hold_bytes_total) {
            ++s.st.sets_dropped;
            return;
        }
        const uint64_t serial = s.held_first + s.held.size();
        s.held.push_back({m, std::vector<uint8_t>(p, end), 0, tid, true});
        const auto [chain, fresh] = s.held_by_tid.try_emplace(tid, HeldChain{serial, serial});
        if (!fresh) {
            s.held[chain->second.last - s.held_first].next = serial;
            chain->second.last = serial;
        }
        s.held_bytes += cost;
        held_bytes += cost;
    }

    void replay_held(Source& s, uint16_t tid, FlowBlock& out) {
        const auto chain = s.held_by_tid.find(tid);
        if (chain == s.held_by_tid.end()) return;
        const Template& t = s.templates.at(tid);
        for (uint64_t k = chain->second.first; k != 0;) {
            Held& h = s.held[k - s.held_first];
            uint32_t records = 0;
            const uint8_t* b = h.body.data();
            if (!decode_data(s, t, b, b + h.body.size(), h.msg, out, records)) ++s.st.malformed;
            ++s.st.sets_late;
            release(s, h.body.size() + kHeldOverhead - sizeof(Held));
            h.body = std::vector<uint8_t>();
            h.live = false;
            k = h.next;
        }
        s.held_by_tid.erase(chain);
        while (!s.held.empty() && !s.held.front().live) pop_front(s);
    }

    void expire_held(Source& s, uint64_t now) {
        while (!s.held.empty() &&
               (!s.held.front().live || s.held.front().msg.now + opts.hold_time < now)) {
            pop_front(s);
        }
    }

    // Removes the oldest slot; a set still live there is dropped, counted. Being the oldest,
    // it is the first of its template's chain.
    void pop_front(Source& s) {
        Held& h = s.held.front();
        if (h.live) {
            const auto chain = s.held_by_tid.find(h.tid);
            if (h.next) {
                chain->second.first = h.next;
            } else {
                s.held_by_tid.erase(chain);
            }
            ++s.st.sets_dropped;
            release(s, h.body.size() + kHeldOverhead - sizeof(Held));
        }
        release(s, sizeof(Held));
        s.held.pop_front();
        ++s.held_first;
    }

    // ---- sequence numbers ----

    // Compares seq with what the previous datagram announced; `per_record`: the number
    // counts records (v5, IPFIX) rather than datagrams (v9, sFlow). True for a sequence
    // error: out of order, or a restart.
    bool sequence(Source& s, uint32_t seq, bool per_record) {
        if (s.have_seq && seq != s.next_seq) {
            const int32_t gap = static_cast<int32_t>(seq - s.next_seq);
            // A gap beyond a million datagrams or records is a restart, not loss.
            if (gap > 0 && gap < 1'000'000) {
                (per_record ? s.st.lost_records : s.st.lost_datagrams) +=
                    static_cast<uint32_t>(gap);
            } else {
                ++s.st.sequence_errors;
                return true;
            }
        }
        return false;
    }

    // ---- NetFlow v5 ----

    size_t decode_v5(const uint8_t* d, size_t len, const IpAddr& from, uint64_t now,
                     FlowBlock& out) {
        if (len < 24) return malformed_unknown(from, 5, now, len);
        const uint16_t count = rd16(d + 2);
        const uint32_t domain = uint32_t{d[20]} << 8 | d[21];
        Source* s = source(from, domain, 5, now);
        if (!s) return 0;
        note(*s, now, len);
        if (count == 0 || count > 30 || len < 24 + size_t{count} * 48) {
            ++s->st.malformed;
            return 0;
        }
        const Msg m{5, rd32(d + 8) * kMicrosPerSecond + rd32(d + 12) % 1'000'000'000 / 1000,
                    rd32(d + 4), now};
        const uint32_t seq = rd32(d + 16);
        sequence(*s, seq, true);
        s->have_seq = true;
        s->next_seq = seq + count;
        const uint16_t si = rd16(d + 22);
        const uint32_t rate = si & 0x3fff;
        const size_t before = s->st.flows;
        plain_columns(out);
        for (unsigned i = 0; i < count; ++i) {
            const uint8_t* p = d + 24 + i * 48;
            FlowRecord& r = rec;
            r = FlowRecord{};
            r.src = IpAddr::v4(rd32(p));
            r.dst = IpAddr::v4(rd32(p + 4));
            r.next_hop = addr(FieldId::next_hop, p + 8, 4);
            r.in_if = rd16(p + 12);
            r.out_if = rd16(p + 14);
            r.packets = rd32(p + 16);
            r.bytes = rd32(p + 20);
            r.sport = rd16(p + 32);
            r.dport = rd16(p + 34);
            r.flags = p[37];
            r.proto = p[38];
            r.tos = p[39];
            r.src_as = rd16(p + 40);
            r.dst_as = rd16(p + 42);
            r.src_mask = p[44];
            r.dst_mask = p[45];
            extra.seen = 0;
            extra.set(Op::UptimeFirst, rd32(p + 24));
            extra.set(Op::UptimeLast, rd32(p + 28));
            if (rate > 0) extra.set(Op::SamplingInterval, rate);
            finish_record(*s, m, r);
            r.exporter = from;
            r.domain = domain;
            out.append(r);
            ++s->st.flows;
            ++s->st.records;
        }
        return s->st.flows - before;
    }

    // ---- NetFlow v9 and IPFIX ----

    bool parse_templates(Source& s, bool ipfix, bool options, const uint8_t* p, const uint8_t* end,
                         uint64_t now, FlowBlock& out) {
        while (end - p >= 4) {
            const uint16_t tid = rd16(p);
            uint16_t nfields = rd16(p + 2);
            p += 4;
            uint16_t scope_count = 0;
            if (!ipfix && options) {
                // v9 options template: scope and option lengths in bytes.
                if (end - p < 2) return false;
                const uint16_t scope_len = tid == 0 ? 0 : nfields;
                const uint16_t opt_len = rd16(p);
                p += 2;
                if (scope_len == 0 && opt_len == 0) return true;  // padding
                if (scope_len % 4 || opt_len % 4) return false;
                scope_count = scope_len / 4;
                nfields = static_cast<uint16_t>((scope_len + opt_len) / 4);
            } else if (ipfix && nfields == 0) {
                // Template withdrawal (RFC 7011 8.1); the set id as template id withdraws all.
                if (tid == 2 || tid == 3) {
                    for (auto it = s.templates.begin(); it != s.templates.end();) {
                        if (it->second.options == (tid == 3)) {
                            const auto victim = it++;
                            forget_withdrawn(s, victim);
                            ++s.st.templates_withdrawn;
                        } else {
                            ++it;
                        }
                    }
                } else if (auto it = s.templates.find(tid); it != s.templates.end()) {
                    forget_withdrawn(s, it);
                    ++s.st.templates_withdrawn;
                }
                continue;
            } else if (ipfix && options) {
                if (end - p < 2) return false;
                scope_count = rd16(p);
                p += 2;
                if (scope_count == 0 || scope_count > nfields) return false;
            }
            if (tid < 256) {
                // v9 pads template flowsets with zeros; anything else below 256 is bad.
                return tid == 0 && nfields == 0;
            }
            Template t;
            t.options = options;
            t.fields.reserve(nfields);
            for (unsigned i = 0; i < nfields; ++i) {
                if (end - p < 4) return false;
                uint16_t id = rd16(p);
                const uint16_t flen = rd16(p + 2);
                p += 4;
                uint32_t pen = 0;
                if (ipfix && (id & 0x8000)) {
                    if (end - p < 4) return false;
                    pen = rd32(p);
                    p += 4;
                    id &= 0x7fff;
                }
                if (!ipfix && flen == kVarLen) return false;
                add_field(t, pen, id, flen, !ipfix && i < scope_count);
            }
            // A record must fit in a datagram; one that cannot is a broken template.
            if (t.min_len > 65535) return false;
            t.writes = t.direct | finished_fields();
            if (!options) t.quick = plan_quick(t, !ipfix);
            install(s, tid, std::move(t), now, out);
        }
        return true;
    }

    size_t decode_v9_ipfix(const uint8_t* d, size_t len, const IpAddr& from, uint64_t now,
                           FlowBlock& out) {
        const bool ipfix = rd16(d) == 10;
        const size_t hlen = ipfix ? 16 : 20;
        if (len < hlen) return malformed_unknown(from, ipfix ? 10 : 9, now, len);
        if (ipfix) {
            const uint16_t mlen = rd16(d + 2);
            if (mlen < 16 || mlen > len) return malformed_unknown(from, 10, now, len);
            len = mlen;
        }
        const uint32_t domain = ipfix ? rd32(d + 12) : rd32(d + 16);
        Source* s = source(from, domain, ipfix ? 10 : 9, now);
        if (!s) return 0;
        note(*s, now, len);
        expire_held(*s, now);
        const Msg m{static_cast<uint8_t>(ipfix ? 10 : 9),
                    (ipfix ? rd32(d + 4) : rd32(d + 8)) * kMicrosPerSecond, ipfix ? 0 : rd32(d + 4),
                    now};
        const uint32_t seq = ipfix ? rd32(d + 8) : rd32(d + 12);
        // A restart may be a reboot, after which the boot time estimated from uptimes only
        // (never moved later) would date every flow by the old boot. Estimated afresh, it is
        // at worst late by how long the next flows waited before export, and falls again.
        if (sequence(*s, seq, ipfix)) s->est_boot_ms = 0;
        const size_t before = s->st.flows;
        uint32_t records = 0;
        bool counted_all = true;
        const uint8_t* p = d + hlen;
        const uint8_t* end = d + len;
        bool ok = true;
        while (end - p >= 4) {
            const uint16_t set_id = rd16(p);
            const uint16_t set_len = rd16(p + 2);
            if (set_len < 4 || set_len > end - p) {
                ok = false;
                break;
            }
            const uint8_t* body = p + 4;
            const uint8_t* set_end = p + set_len;
            p = set_end;
            if (set_id == (ipfix ? 2 : 0) || set_id == (ipfix ? 3 : 1)) {
                if (!parse_templates(*s, ipfix, set_id == (ipfix ? 3 : 1), body, set_end, now,
                                     out)) {
                    ok = false;
                    break;
                }
            } else if (set_id >= 256) {
                if (const Template* t = find_template(*s, set_id, now)) {
                    if (!decode_data(*s, *t, body, set_end, m, out, records)) {
                        ok = false;
                        break;
                    }
                } else if (s->withdrawn.contains(set_id)) {
                    ++s->st.sets_held;
                    ++s->st.sets_dropped;
                    counted_all = false;
                } else {
                    hold(*s, set_id, m, body, set_end);
                    counted_all = false;
                }
            }
            // Set ids 4..255 are reserved: skipped.
        }
        if (!ok) ++s->st.malformed;
        s->have_seq = counted_all || !ipfix;
        s->next_seq = ipfix ? seq + records : seq + 1;
        return s->st.flows - before;
    }

    void note(Source& s, uint64_t now, size_t len) {
        ++s.st.datagrams;
        s.st.bytes += len;
        s.st.last_seen = now;
    }

    size_t malformed_unknown(const IpAddr& from, uint8_t version, uint64_t now, size_t len) {
        if (Source* s = source(from, 0, version, now)) {
            note(*s, now, len);
            ++s->st.malformed;
        }
        return 0;
    }

    size_t decode(const uint8_t* d, size_t len, const IpAddr& from, uint64_t now, FlowBlock& out) {
        if (len < 4) {
            ++totals.unknown_version;
            return 0;
        }
        switch (rd16(d)) {
            case 5:
                return decode_v5(d, len, from, now, out);
            case 9:
            case 10:
                return decode_v9_ipfix(d, len, from, now, out);
            case 0:
                if (rd32(d) == 5) return decode_sflow_dgram(d, len, from, now, out);
                break;
            default:
                break;
        }
        ++totals.unknown_version;
        return 0;
    }

    size_t decode_sflow_dgram(const uint8_t* d, size_t len, const IpAddr& from, uint64_t now,
                              FlowBlock& out) {
        sflow::Datagram dg;
        if (!sflow::parse_header(d, len, dg)) return malformed_unknown(from, 50, now, len);
        Source* s = source(dg.agent.is_zero() ? from : dg.agent, dg.sub_agent, 50, now);
        if (!s) return 0;
        note(*s, now, len);
        sequence(*s, dg.sequence, false);
        s->have_seq = true;
        s->next_seq = dg.sequence + 1;
        plain_columns(out);  // sflow::decode_samples appends
        const size_t before = out.size();
        sflow::Counts c;
        const bool ok = sflow::decode_samples(d, len, dg, now, out, c);
        for (size_t i = before; i < out.size(); ++i) {
            // The agent address is what sFlow names the exporter by; the datagram may have been
            // relayed.
            out.exporter[i] = s->st.exporter;
            out.domain[i] = dg.sub_agent;
        }
        if (!ok) ++s->st.malformed;
        s->st.counter_samples += c.counter_samples;
        s->st.undecodable += c.undecodable;
        s->st.flows += out.size() - before;
        s->st.records += out.size() - before;
        if (c.last_rate) s->st.sampling = c.last_rate;
        return out.size() - before;
    }
};

WireDecoder::WireDecoder(DecoderOptions opts) : impl_(std::make_unique<Impl>(opts)) {}
WireDecoder::~WireDecoder() = default;

size_t WireDecoder::decode(const uint8_t* data, size_t len, const IpAddr& exporter, uint64_t now,
                           FlowBlock& out) {
    const size_t before = out.size();
    const Datagram d{data, len, exporter};
    decode(&d, 1, now, out);
    finish(out);
    return out.size() - before;
}

size_t WireDecoder::decode(const Datagram* dgs, size_t n, uint64_t now, FlowBlock& out,
                           size_t enough_rows) {
    size_t i = 0;
    for (; i < n && out.size() < enough_rows; ++i) {
        impl_->decode(dgs[i].data, dgs[i].len, dgs[i].exporter, now, out);
    }
    return i;
}

void WireDecoder::finish(FlowBlock& out) {
    impl_->cut_columns(out);
}

void WireDecoder::expire(uint64_t now) {
    for (auto& [k, s] : impl_->sources) impl_->expire_held(*s, now);
}

void WireDecoder::drop_held() {
    for (auto& [k, s] : impl_->sources) {
        while (!s->held.empty()) impl_->pop_front(*s);
    }
}

std::vector<ExporterStats> WireDecoder::stats() const {
    std::vector<ExporterStats> v;
    v.reserve(impl_->sources.size() + impl_->retired.size());
    for (const auto& [k, s] : impl_->sources) v.push_back(s->st);
    for (const auto& [k, st] : impl_->retired) v.push_back(st);
    std::sort(v.begin(), v.end(), [](const ExporterStats& a, const ExporterStats& b) {
        return std::tie(a.exporter, a.domain, a.version) <
               std::tie(b.exporter, b.domain, b.version);
    });
    return v;
}

const DecoderTotals& WireDecoder::totals() const {
    return impl_->totals;
}

}  // namespace fk
