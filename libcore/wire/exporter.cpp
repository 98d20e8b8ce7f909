#include "wire/exporter.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/time.h"
#include "wire/bytes.h"
#include "wire/elements.h"
#include "wire/udp.h"

namespace fk {

namespace {

using namespace wire;

constexpr FieldId kAddrFields[] = {FieldId::src, FieldId::dst, FieldId::next_hop, FieldId::tun_src,
                                   FieldId::tun_dst};
constexpr uint8_t kSrcDstV6 = 0b11;  // the bits of src and dst in Key::v6
constexpr unsigned kBatch = 32;      // datagrams per sendmmsg
// How long finish() waits for an ICMP error about the last datagrams: the round trip to a
// collector on the same network, with room to spare; a later answer goes unseen.
constexpr auto kLateErrorWait = std::chrono::milliseconds(50);

struct EncField {
    enum Kind : uint8_t { kValue, kMillis, kMicrosInMilli } kind = kValue;
    FieldId field;
    uint32_t pen;
    uint16_t id;
    uint16_t length;  // 65535: variable
};

struct Template {
    uint16_t id;
    std::vector<EncField> fields;
    size_t fixed_len = 0;  // bytes of the fixed-size fields
    bool has_strings = false;
    uint64_t sent_epoch = 0;  // template refresh epoch it was last sent in (0: never)
};

struct Key {
    FieldSet fields;
    uint8_t v6 = 0;  // bit i: kAddrFields[i] is IPv6
    bool operator==(const Key&) const = default;
};
struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<FieldSet>()(k.fields) * 31 + k.v6; }
};

bool is_default(const FlowRecord& r, FieldId f) {
    bool d = true;
    visit_field(f, [&](auto t) {
        using T = decltype(t);
        const auto& v = T::get(r);
        if constexpr (T::storage == Storage::Str) {
            d = v.empty();
        } else if constexpr (T::storage == Storage::Addr) {
            d = v.is_zero();
        } else {
            d = v == 0;
        }
    });
    return d;
}

}  // namespace

struct FlowExporter::Impl {
    ExportOptions opts;
    std::string dest;
    int fd = -1;
    bool v9;
    FieldSet exportable;  // fields this protocol can carry
    FieldSet sticky;      // fields seen so far: kept in every later template
    std::unordered_map<Key, Template, KeyHash> templates;
    Template* last_tpl = nullptr;
    Key last_key;
    uint16_t next_tid = 256;

    // Datagrams ready to send, and the one being filled.
    std::vector<uint8_t> bufs;
    size_t lens[kBatch] = {};
    unsigned ready = 0;
    uint8_t* cur = nullptr;
    size_t used = 0;
    size_t set_start = 0;  // offset of the open data set's header, 0 = none
    uint16_t set_tid = 0;
    uint32_t records_in_msg = 0;  // v9 header count
    uint32_t data_in_msg = 0;

    uint64_t sequence = 0;  // IPFIX: data records sent; v9: datagrams sent
    uint64_t epoch = 1;     // template refresh epoch
    uint64_t epoch_start;
    uint64_t boot_ms;  // v9 sysUptime origin
    uint64_t pace_start = 0;
    uint64_t paced_flows = 0;
    ExportCounters counters;
    // keep_sent: the datagrams sent, back to back, with their lengths and data records.
    std::vector<uint8_t> kept;
    std::vector<std::pair<uint32_t, uint32_t>> kept_msgs;

    Impl(const std::string& to, ExportOptions o)
        : opts(o), dest(to), v9(o.protocol == ExportProtocol::NetflowV9) {
        if (opts.max_datagram < 512 || opts.max_datagram > 65000) {
            throw UsageError("export datagram size must be 512..65000 bytes");
        }
        const Endpoint e = parse_endpoint(dest);
        fd = ::socket(e.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw DataError("socket: " + errno_text(errno));
        const int sndbuf = 4 << 20;
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0) {
            const int err = errno;
            ::close(fd);
            throw UsageError("connect " + dest + ": " + errno_text(err));
        }
        for (const auto& f : all_fields()) {
            if (f.ipfix_id == 0 || f.id == FieldId::exporter || f.id == FieldId::domain) continue;
            if (v9 &&
                (f.ipfix_pen != 0 || f.storage == Storage::Str || f.id == FieldId::sampling)) {
                continue;
            }
            exportable.set(static_cast<unsigned>(f.id));
        }
        // Every record has times, addresses, ports, protocol and counters.
        for (FieldId f : {FieldId::start, FieldId::end, FieldId::src, FieldId::dst, FieldId::sport,
                          FieldId::dport, FieldId::proto, FieldId::packets, FieldId::bytes}) {
            sticky.set(static_cast<unsigned>(f));
        }
        if (opts.only.any()) exportable &= opts.only | sticky;
        bufs.resize(kBatch * opts.max_datagram);
        epoch_start = now_micros();
        boot_ms = epoch_start / 1000;
    }

    ~Impl() {
        if (fd >= 0) ::close(fd);
    }

    Template make_template(const Key& k) {
        Template t;
        t.id = next_tid++;
        for (unsigned id = 1; id <= kMaxFieldId; ++id) {
            if (!k.fields.test(id)) continue;
            const FieldInfo& fi = field_info(static_cast<FieldId>(id));
            EncField e{EncField::kValue, fi.id, fi.ipfix_pen, fi.ipfix_id, 0};
            switch (fi.storage) {
                case Storage::U8:
                    e.length = 1;
                    break;
                case Storage::U16:
                    e.length = 2;
                    break;
                case Storage::U32:
                    e.length = 4;
                    break;
                case Storage::U64:
                    e.length = fi.format == Format::Mac ? 6 : 8;
                    break;
                case Storage::Str:
                    e.length = 65535;
                    break;
                case Storage::Addr: {
                    bool v6 = false;
                    for (unsigned i = 0; i < std::size(kAddrFields); ++i) {
                        if (kAddrFields[i] == fi.id) v6 = k.v6 >> i & 1;
                    }
                    e.length = v6 ? 16 : 4;
                    if (v6) e.id = fi.ipfix_id_v6;
                    break;
                }
            }
            // Times: absolute milliseconds, which every collector reads; IPFIX adds flowkit's
            // microseconds within the millisecond.
            const bool is_time = fi.id == FieldId::start || fi.id == FieldId::end;
            if (is_time) {
                e.kind = EncField::kMillis;
                e.id = fi.id == FieldId::start ? 152 : 153;
            }
            if (fi.id == FieldId::sampling) {
                e.pen = kFlowkitPen;
                e.id = kFlowkitSamplingApplied;
            }
            if (e.length == 65535) {
                t.has_strings = true;
            } else {
                t.fixed_len += e.length;
            }
            t.fields.push_back(e);
            if (is_time && !v9 && !opts.millis_only) {
                t.fields.push_back(
                    {EncField::kMicrosInMilli, fi.id, kFlowkitPen,
                     fi.id == FieldId::start ? kFlowkitStartMicros : kFlowkitEndMicros, 2});
                t.fixed_len += 2;
            }
        }
        return t;
    }

    size_t template_len(const Template& t) const {
        size_t n = 4;
        for (const auto& f : t.fields) n += f.pen ? 8 : 4;
        return n;
    }

    void start_datagram() {
        if (ready == kBatch) send_batch();
        cur = bufs.data() + ready * opts.max_datagram;
        used = v9 ? 20 : 16;
        set_start = 0;
        records_in_msg = 0;
        data_in_msg = 0;
        const uint64_t now = now_micros();
        if (now - epoch_start >= uint64_t{opts.template_refresh} * kMicrosPerSecond) {
            ++epoch;
            epoch_start = now;
        }
    }

    void close_set() {
        if (!set_start) return;
        // NetFlow v9 flowsets end on a 32-bit boundary (RFC 3954 section 5.3).
        while (v9 && (used - set_start) % 4 != 0) cur[used++] = 0;
        wr16(cur + set_start + 2, static_cast<uint16_t>(used - set_start));
        set_start = 0;
    }

    void finish_datagram() {
        if (!cur) return;
        close_set();
        const uint64_t now = now_micros();
        if (v9) {
            wr16(cur, 9);
            wr16(cur + 2, static_cast<uint16_t>(records_in_msg));
            wr32(cur + 16, opts.domain);
        } else {
            wr16(cur, 10);
            wr16(cur + 2, static_cast<uint16_t>(used));
            wr32(cur + 12, opts.domain);
        }
        stamp(cur, now, data_in_msg);
        if (opts.keep_sent) {
            kept.insert(kept.end(), cur, cur + used);
            kept_msgs.emplace_back(static_cast<uint32_t>(used), data_in_msg);
        }
        lens[ready++] = used;
        cur = nullptr;
        counters.flows += data_in_msg;
        if (opts.rate > 0) pace(data_in_msg);
        if (ready == kBatch) send_batch();
    }

    // The header fields that change from message to message: export time, v9 uptime and the
    // sequence number (v9: messages; IPFIX: data records before this message).
    void stamp(uint8_t* msg, uint64_t now, uint32_t records) {
        if (v9) {
            wr32(msg + 4, static_cast<uint32_t>(now / 1000 - boot_ms));
            wr32(msg + 8, static_cast<uint32_t>(now / kMicrosPerSecond));
            wr32(msg + 12, static_cast<uint32_t>(sequence++));
        } else {
            wr32(msg + 4, static_cast<uint32_t>(now / kMicrosPerSecond));
            wr32(msg + 8, static_cast<uint32_t>(sequence));
            sequence += records;
        }
    }

    void resend(uint64_t times) {
        flush();
        // The kept messages carry their template sets: sent again, they count again.
        const uint64_t template_sets = counters.template_sets;
        // The clock is read once per batch: a message's export time is to the second.
        uint64_t now = now_micros();
        for (uint64_t t = 0; t < times; ++t) {
            counters.template_sets += template_sets;
            size_t at = 0;
            for (const auto& [len, records] : kept_msgs) {
                uint8_t* msg = bufs.data() + ready * opts.max_datagram;
                std::memcpy(msg, kept.data() + at, len);
                at += len;
                if (ready == 0) now = now_micros();
                stamp(msg, now, records);
                lens[ready++] = len;
                counters.flows += records;
                if (opts.rate > 0) pace(records);
                if (ready == kBatch) send_batch();
            }
        }
        send_batch();
    }

    // Keeps the average rate at opts.rate: sleeps when ahead by more than a millisecond
    // (finer sleeps cost more than they smooth).
    void pace(uint32_t flows) {
        const uint64_t now = now_micros();
        if (pace_start == 0) pace_start = now;
        paced_flows += flows;
        const uint64_t due = pace_start + static_cast<uint64_t>(paced_flows * 1e6 / opts.rate);
        if (due > now + 1000) {
            send_batch();
            std::this_thread::sleep_for(std::chrono::microseconds(due - now));
        }
    }

    void send_batch() {
        unsigned done = 0;
        bool retried = false;  // datagram `done` was stopped once by an earlier one's error
        while (done < ready) {
            mmsghdr m[kBatch] = {};
            iovec iov[kBatch];
            const unsigned n = ready - done;
            for (unsigned i = 0; i < n; ++i) {
                iov[i] = {bufs.data() + (done + i) * opts.max_datagram, lens[done + i]};
                m[i].msg_hdr.msg_iov = &iov[i];
                m[i].msg_hdr.msg_iovlen = 1;
            }
            const int k = ::sendmmsg(fd, m, n, 0);
            if (k < 0) {
                if (errno == EINTR) continue;
                if (errno == ECONNREFUSED) {
                    // An earlier datagram's ICMP port unreachable, reported by this send
                    // instead of sending: send it again.
                    ++counters.refused;
                    if (!retried) {
                        retried = true;
                        continue;
                    }
                }
                // ENOBUFS and the like, or a second refusal in a row: this datagram is lost,
                // count it and go on.
                ++counters.send_errors;
                counters.send_errno = errno;
                ++done;
                retried = false;
                continue;
            }
            done += static_cast<unsigned>(k);
            counters.datagrams += static_cast<unsigned>(k);
            retried = false;
        }
        ready = 0;
    }

    // An error the socket holds for datagrams already sent, waited for a little.
    void collect_late_error() {
        const auto deadline = std::chrono::steady_clock::now() + kLateErrorWait;
        pollfd p{fd, 0, 0};  // POLLERR is reported without being asked for
        for (;;) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            if (::poll(&p, 1, static_cast<int>(left.count())) >= 0 || errno != EINTR) break;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err == 0) return;
        if (err == ECONNREFUSED) {
            ++counters.refused;
        } else {
            counters.late_errno = err;
        }
    }

    std::string problem() const {
        std::string text;
        auto add = [&](const std::string& what) { text += (text.empty() ? "" : "; ") + what; };
        if (counters.refused) {
            add(dest + " refused datagrams (ICMP port unreachable, " +
                std::to_string(counters.refused) + (counters.refused == 1 ? " time" : " times") +
                "): is a collector listening there?");
        }
        if (counters.send_errors) {
            add(std::to_string(counters.send_errors) + " datagram" +
                (counters.send_errors == 1 ? "" : "s") +
                " not sent: " + errno_text(counters.send_errno));
        }
        if (counters.late_errno) add(dest + ": " + errno_text(counters.late_errno));
        return text;
    }

    void put_template(Template& t) {
        close_set();
        const size_t len = template_len(t) + 4;
        if (used + len > opts.max_datagram) {
            finish_datagram();
            start_datagram();
        }
        uint8_t* p = cur + used;
        wr16(p, v9 ? 0 : 2);
        wr16(p + 2, static_cast<uint16_t>(len));
        wr16(p + 4, t.id);
        wr16(p + 6, static_cast<uint16_t>(t.fields.size()));
        p += 8;
        for (const auto& f : t.fields) {
            wr16(p, static_cast<uint16_t>(f.id | (f.pen ? 0x8000 : 0)));
            wr16(p + 2, f.length);
            p += 4;
            if (f.pen) {
                wr32(p, f.pen);
                p += 4;
            }
        }
        used += len;
        ++records_in_msg;
        t.sent_epoch = epoch;
        ++counters.template_sets;
    }

    // Adds the fields of b that hold a value to the template fields (once per block rather
    // than per record).
    void grow_sticky(FlowBlock& b) {
        for (unsigned id = 1; id <= kMaxFieldId; ++id) {
            if (!exportable.test(id) || sticky.test(id)) continue;
            visit_field(static_cast<FieldId>(id), [&](auto t) {
                using T = decltype(t);
                const auto& c = column<T::id>(b);
                bool any = false;
                if constexpr (T::storage == Storage::Str) {
                    for (uint32_t v : c.ids) any |= v != 0;
                } else if constexpr (T::storage == Storage::Addr) {
                    for (const IpAddr& v : c) any |= !v.is_zero();
                } else {
                    for (auto v : c) any |= v != 0;
                }
                if (any) sticky.set(id);
            });
        }
    }

    Template& template_for(const FlowRecord& r, bool grow) {
        for (unsigned id = 1; grow && id <= kMaxFieldId; ++id) {
            if (exportable.test(id) && !sticky.test(id) &&
                !is_default(r, static_cast<FieldId>(id))) {
                sticky.set(id);
            }
        }
        Key k;
        k.fields = sticky & exportable;
        // A flow without IP addresses (layer 2: GOOSE, PROFINET; MAC addresses and EtherType)
        // has no address elements: sent as 0.0.0.0, it would come back as an IPv4 flow.
        if (r.src.is_zero() && r.dst.is_zero()) {
            k.fields.reset(static_cast<unsigned>(FieldId::src));
            k.fields.reset(static_cast<unsigned>(FieldId::dst));
        }
        for (unsigned i = 0; i < std::size(kAddrFields); ++i) {
            visit_field(kAddrFields[i], [&](auto t) {
                using T = decltype(t);
                if constexpr (T::storage == Storage::Addr) {
                    if (!T::get(r).is_v4() && !T::get(r).is_zero()) k.v6 |= uint8_t(1u << i);
                }
            });
        }
        // Source and destination are of one family: the unspecified source :: of an IPv6
        // flow (duplicate address detection) goes as IPv6, not as 0.0.0.0.
        if (k.v6 & kSrcDstV6) k.v6 |= kSrcDstV6;
        if (last_tpl && k == last_key) return *last_tpl;
        auto it = templates.find(k);
        if (it == templates.end()) {
            if (next_tid == 65535) throw DataError("export: too many templates");
            it = templates.emplace(k, make_template(k)).first;
        }
        last_key = k;
        last_tpl = &it->second;
        return it->second;
    }

    size_t record_len(const Template& t, const FlowRecord& r) const {
        size_t n = t.fixed_len;
        if (!t.has_strings) return n;
        for (const auto& f : t.fields) {
            if (f.length != 65535) continue;
            visit_field(f.field, [&](auto tr) {
                using T = decltype(tr);
                if constexpr (T::storage == Storage::Str) {
                    const size_t s = std::min<size_t>(T::get(r).size(), 1000);
                    n += s + (s < 255 ? 1 : 3);
                }
            });
        }
        return n;
    }

    void encode(const Template& t, const FlowRecord& r, uint8_t* p) const {
        for (const auto& f : t.fields) {
            if (f.kind != EncField::kValue) {
                const uint64_t us = f.field == FieldId::start ? r.start : r.end;
                if (f.kind == EncField::kMillis) {
                    wr64(p, us / 1000);
                    p += 8;
                } else {
                    wr16(p, static_cast<uint16_t>(us % 1000));
                    p += 2;
                }
                continue;
            }
            visit_field(f.field, [&](auto tr) {
                using T = decltype(tr);
                const auto& v = T::get(r);
                if constexpr (T::storage == Storage::Str) {
                    const size_t s = std::min<size_t>(v.size(), 1000);
                    if (s < 255) {
                        *p++ = static_cast<uint8_t>(s);
                    } else {
                        *p++ = 255;
                        wr16(p, static_cast<uint16_t>(s));
                        p += 2;
                    }
                    std::memcpy(p, v.data(), s);
                    p += s;
                } else if constexpr (T::storage == Storage::Addr) {
                    if (f.length == 4) {
                        wr32(p, v.v4_value());
                    } else {
                        v.to_bytes(p);
                    }
                    p += f.length;
                } else if constexpr (T::format == Format::DnsRcode) {
                    // Stored plus one: 0, no answer, wraps to kDnsRcodeNone.
                    *p++ = static_cast<uint8_t>(v - 1);
                } else {
                    wrn(p, v, f.length);
                    p += f.length;
                }
            });
        }
    }

    void add(const FlowRecord& r, bool grow = true) {
        Template& t = template_for(r, grow);
        const size_t len = record_len(t, r);
        if (!cur) start_datagram();
        for (int attempt = 0; attempt < 2; ++attempt) {
            size_t need = len + (v9 ? 3 : 0);
            if (t.sent_epoch != epoch) need += template_len(t) + 4;
            if (set_start == 0 || set_tid != t.id || t.sent_epoch != epoch) need += 4;
            if (used + need <= opts.max_datagram || records_in_msg == 0) break;
            finish_datagram();
            start_datagram();
        }
        if (t.sent_epoch != epoch) put_template(t);
        if (set_start == 0 || set_tid != t.id) {
            close_set();
            set_start = used;
            set_tid = t.id;
            wr16(cur + used, t.id);
            used += 4;
        }
        if (used + len > opts.max_datagram)
            throw DataError("export: a record is larger than a datagram");
        encode(t, r, cur + used);
        used += len;
        ++records_in_msg;
        ++data_in_msg;
    }

    void flush() {
        if (cur && data_in_msg + records_in_msg > 0) finish_datagram();
        cur = nullptr;
        send_batch();
    }
};

FlowExporter::FlowExporter(const std::string& dest, ExportOptions opts)
    : impl_(std::make_unique<Impl>(dest, opts)) {}

FlowExporter::~FlowExporter() {
    try {
        impl_->flush();
    } catch (const std::exception&) {
        // Nothing useful to do with a send error while going away.
    }
}

void FlowExporter::add(const FlowRecord& r) {
    impl_->add(r);
}

void FlowExporter::add(FlowBlock& b) {
    b.ensure_all();
    impl_->grow_sticky(b);
    FlowRecord r;
    for (size_t i = 0; i < b.size(); ++i) {
        // Row i straight from the columns (record() would check every column again per row).
        for_each_field([&](auto t) {
            using T = decltype(t);
            T::get(r) = column<T::id>(b)[i];
        });
        impl_->add(r, false);
    }
}

void FlowExporter::flush() {
    impl_->flush();
}

void FlowExporter::finish() {
    impl_->flush();
    impl_->collect_late_error();
}

std::string FlowExporter::problem() const {
    return impl_->problem();
}

void FlowExporter::resend(uint64_t times) {
    if (!impl_->opts.keep_sent) throw std::logic_error("FlowExporter::resend without keep_sent");
    impl_->resend(times);
}

const ExportCounters& FlowExporter::counters() const {
    return impl_->counters;
}

}  // namespace fk
