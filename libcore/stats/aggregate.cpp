#include "stats/aggregate.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "record/print.h"

namespace fk {

namespace {

struct Alias {
    std::string_view name;
    FieldId field;
    FieldId other;
    bool either;
};

// nfdump's statistic / aggregation names (nfdump(1) -s, -A) onto flowkit fields.
constexpr Alias kAliases[] = {
    {"srcip", FieldId::src, FieldId::src, false},
    {"dstip", FieldId::dst, FieldId::dst, false},
    {"ip", FieldId::src, FieldId::dst, true},
    {"srcport", FieldId::sport, FieldId::sport, false},
    {"dstport", FieldId::dport, FieldId::dport, false},
    {"port", FieldId::sport, FieldId::dport, true},
    {"srcas", FieldId::src_as, FieldId::src_as, false},
    {"dstas", FieldId::dst_as, FieldId::dst_as, false},
    {"as", FieldId::src_as, FieldId::dst_as, true},
    {"inif", FieldId::in_if, FieldId::in_if, false},
    {"outif", FieldId::out_if, FieldId::out_if, false},
    {"if", FieldId::in_if, FieldId::out_if, true},
    {"srcvlan", FieldId::vlan, FieldId::vlan, false},
    {"dstvlan", FieldId::vlan, FieldId::vlan, false},
    {"srcmask", FieldId::src_mask, FieldId::src_mask, false},
    {"dstmask", FieldId::dst_mask, FieldId::dst_mask, false},
    {"mask", FieldId::src_mask, FieldId::dst_mask, true},
    {"router", FieldId::exporter, FieldId::exporter, false},
    {"nexthop", FieldId::next_hop, FieldId::next_hop, false},
    {"nhip", FieldId::next_hop, FieldId::next_hop, false},
    {"srcmac", FieldId::src_mac, FieldId::src_mac, false},
    {"insrcmac", FieldId::src_mac, FieldId::src_mac, false},
    {"dstmac", FieldId::dst_mac, FieldId::dst_mac, false},
    {"outdstmac", FieldId::dst_mac, FieldId::dst_mac, false},
};

uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

uint64_t hash_words(const uint64_t* w, unsigned n) {
    uint64_t h = 0x9E3779B97F4A7C15ull * (n + 1);
    for (unsigned i = 0; i < n; ++i) h = mix(h ^ w[i]) + i;
    return h;
}

unsigned part_words(const KeyPart& p) {
    return field_info(p.field).storage == Storage::Addr ? 2 : 1;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (true) {
        const size_t k = s.find(sep);
        out.push_back(s.substr(0, k));
        if (k == std::string_view::npos) break;
        s = s.substr(k + 1);
    }
    return out;
}

bool parse_bits(std::string_view s, unsigned max, unsigned& out) {
    if (s.empty() || s.size() > 3) return false;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > max) return false;
    out = v;
    return true;
}

// Parses one key name, consuming a following "/N" prefix length from rest when it takes one.
KeyPart parse_part(std::string_view name, std::vector<std::string_view>& rest, bool allow_either) {
    KeyPart p;
    p.name = std::string(name);
    // srcip4/24, dstip6/64, ip4/16, src4/24 ...: aggregate addresses to a prefix.
    int family = 0;
    std::string_view base = name;
    if (!name.empty() && (name.back() == '4' || name.back() == '6')) {
        const std::string_view stem = name.substr(0, name.size() - 1);
        if (stem == "srcip" || stem == "dstip" || stem == "ip" || stem == "src" || stem == "dst") {
            family = name.back() - '0';
            base = stem;
        }
    }
    bool found = false;
    for (const Alias& a : kAliases) {
        if (a.name == base) {
            p.field = a.field;
            p.other = a.other;
            p.either = a.either;
            found = true;
        }
    }
    if (!found) {
        const FieldInfo* f = find_field(base);
        if (!f) throw UsageError("unknown statistic key '" + std::string(name) + "'");
        p.field = p.other = f->id;
    }
    if (p.either && !allow_either) {
        throw UsageError("'" + std::string(name) +
                         "' counts both directions: use it with -s, "
                         "or use src/dst keys with -A");
    }
    if (family != 0) {
        unsigned bits;
        if (rest.empty() || !parse_bits(rest.front(), family == 4 ? 32 : 128, bits)) {
            throw UsageError("'" + std::string(name) + "' needs a prefix length, as " +
                             std::string(name) + (family == 4 ? "/24" : "/64"));
        }
        (family == 4 ? p.v4_bits : p.v6_bits) = bits;
        p.name += "/" + std::string(rest.front());
        rest.erase(rest.begin());
    }
    return p;
}

}  // namespace

KeySpec KeySpec::parse(std::string_view text, bool allow_either) {
    KeySpec spec;
    for (std::string_view item : split(text, ',')) {
        auto segs = split(item, '/');
        const std::string_view name = segs.front();
        segs.erase(segs.begin());
        spec.parts.push_back(parse_part(name, segs, allow_either && text.find(',') == text.npos));
        if (!segs.empty())
            throw UsageError("unexpected '/" + std::string(segs.front()) + "' in '" +
                             std::string(item) + "'");
    }
    if (spec.parts.empty() || spec.parts[0].name.empty()) throw UsageError("empty key");
    if (spec.words() > 32) throw UsageError("too many keys in '" + std::string(text) + "'");
    return spec;
}

unsigned KeySpec::words() const {
    unsigned n = 0;
    for (const auto& p : parts) n += part_words(p);
    return n;
}

FieldSet KeySpec::fields() const {
    FieldSet fs;
    for (const auto& p : parts) {
        fs.set(static_cast<unsigned>(p.field));
        fs.set(static_cast<unsigned>(p.other));
    }
    for (FieldId f : {FieldId::packets, FieldId::bytes, FieldId::start, FieldId::end}) {
        fs.set(static_cast<unsigned>(f));
    }
    return fs;
}

StatOrder parse_stat_order(std::string_view t) {
    static const std::pair<std::string_view, StatOrder> names[] = {
        {"flows", StatOrder::kFlows},   {"packets", StatOrder::kPackets},
        {"bytes", StatOrder::kBytes},   {"bps", StatOrder::kBps},
        {"pps", StatOrder::kPps},       {"bpp", StatOrder::kBpp},
        {"tstart", StatOrder::kTstart}, {"tend", StatOrder::kTend}};
    for (const auto& [n, o] : names) {
        if (n == t) return o;
    }
    throw UsageError("unknown order '" + std::string(t) +
                     "' (flows, packets, bytes, bps, pps, bpp, tstart, tend)");
}

std::string_view stat_order_name(StatOrder o) {
    static const std::string_view names[] = {"flows", "packets", "bytes",  "bps",
                                             "pps",   "bpp",     "tstart", "tend"};
    return names[static_cast<int>(o)];
}

double AggValue::order_value(StatOrder o) const {
    const double secs = duration_seconds();
    switch (o) {
        case StatOrder::kFlows:
            return static_cast<double>(flows);
        case StatOrder::kPackets:
            return static_cast<double>(packets);
        case StatOrder::kBytes:
            return static_cast<double>(bytes);
        case StatOrder::kBps:
            return secs > 0 ? static_cast<double>(bytes) * 8 / secs : 0;
        case StatOrder::kPps:
            return secs > 0 ? static_cast<double>(packets) / secs : 0;
        case StatOrder::kBpp:
            return packets ? static_cast<double>(bytes) / static_cast<double>(packets) : 0;
        case StatOrder::kTstart:
            return static_cast<double>(first);
        case StatOrder::kTend:
            return static_cast<double>(last);
    }
    return 0;
}

AggTable::AggTable(KeySpec spec)
    : spec_(std::move(spec)), words_(spec_.words()), stride_(sizeof(Entry) / 8 + words_) {
    capacity_ = 1024;
    // One 8- or 16-bit key (protocol, port, application ...): a slot per value, no hashing.
    if (spec_.parts.size() == 1) {
        const Storage st = field_info(spec_.parts[0].field).storage;
        if (st == Storage::U8 || st == Storage::U16) {
            dense_ = true;
            capacity_ = st == Storage::U8 ? 256 : 65536;
        }
    }
    table_ = ZeroedArray(capacity_ * stride_);
}

void AggTable::add_dense(uint64_t key, const AggValue& v) {
    Entry& e = entry(static_cast<uint32_t>(key));
    if (e.hash == 0) {
        e.hash = 1;
        e.value = v;
        e.key()[0] = key;
        ++count_;
        return;
    }
    e.value.flows += v.flows;
    e.value.packets += v.packets;
    e.value.bytes += v.bytes;
    e.value.first = std::min(e.value.first, v.first);
    e.value.last = std::max(e.value.last, v.last);
}

void AggTable::grow() {
    ZeroedArray old = std::move(table_);
    const size_t old_capacity = capacity_;
    capacity_ *= 2;
    table_ = ZeroedArray(capacity_ * stride_);

    count_ = 0;
    for (size_t s = 0; s < old_capacity; ++s) {
        const Entry& e = *reinterpret_cast<const Entry*>(&old[s * stride_]);
        if (e.hash != 0) insert(e.key(), e.hash, e.value);
    }
}

void AggTable::insert(const uint64_t* k, uint64_t hash, const AggValue& v) {
    if (dense_) return add_dense(k[0], v);
    hash |= 1;  // 0 marks a free slot
    if ((count_ + 1) * 4 > capacity_ * 3) grow();
    const size_t mask = capacity_ - 1;
    size_t i = (hash >> 1) & mask;
    for (;;) {
        Entry& e = entry(static_cast<uint32_t>(i));
        if (e.hash == 0) {
            e.hash = hash;
            e.value = v;
            std::memcpy(e.key(), k, words_ * 8);
            ++count_;
            return;
        }
        if (e.hash == hash) {
            const uint64_t* ek = e.key();
            bool same = true;
            for (unsigned w = 0; w < words_; ++w) same &= ek[w] == k[w];
            if (same) {
                e.value.flows += v.flows;
                e.value.packets += v.packets;
                e.value.bytes += v.bytes;
                e.value.first = std::min(e.value.first, v.first);
                e.value.last = std::max(e.value.last, v.last);
                return;
            }
        }
        i = (i + 1) & mask;
    }
}

void AggTable::add(FlowBlock& b, const uint8_t* mask, const uint64_t* flows) {
    if (b.empty()) return;
    b.ensure(spec_.fields());
    const auto& packets = column<FieldId::packets>(b);
    const auto& bytes = column<FieldId::bytes>(b);
    const auto& start = column<FieldId::start>(b);
    const auto& end = column<FieldId::end>(b);
    const size_t n = b.size();
    bool either = false;
    for (const auto& p : spec_.parts) either |= p.either;
    for (size_t i = 0; i < n; ++i) {
        if (mask && !mask[i]) continue;
        total_flows += flows ? flows[i] : 1;
        total_packets += packets[i];
        total_bytes += bytes[i];
    }
    // One text key (sni, http_host ...): sum the rows per dictionary entry of the block, then
    // insert each entry once; a block holds few distinct names.
    if (spec_.parts.size() == 1 && !either &&
        field_info(spec_.parts[0].field).storage == Storage::Str) {
        visit_field(spec_.parts[0].field, [&](auto t) {
            using T = decltype(t);
            if constexpr (T::storage == Storage::Str) {
                const auto& col = column<T::id>(b);
                str_sums_.assign(col.dict.size(), AggValue{});
                for (size_t i = 0; i < n; ++i) {
                    if (mask && !mask[i]) continue;
                    AggValue& v = str_sums_[col.ids[i]];
                    v.flows += flows ? flows[i] : 1;
                    v.packets += packets[i];
                    v.bytes += bytes[i];
                    v.first = std::min(v.first, start[i]);
                    v.last = std::max(v.last, end[i]);
                }
                for (uint32_t id = 0; id < str_sums_.size(); ++id) {
                    if (str_sums_[id].flows == 0) continue;
                    const uint64_t k = strings_.intern(col.dict.get(id));
                    insert(&k, hash_words(&k, 1), str_sums_[id]);
                }
            }
        });
        return;
    }
    // Key words column by column (one dispatch per part and block, not per row), then one
    // pass over the rows inserting them.
    key_columns_.resize(size_t{words_} * n);
    // Rows that are groups already (flows given) carry their key on the first side.
    for (int side = 0; side < (either && !flows ? 2 : 1); ++side) {
        unsigned w = 0;
        for (const KeyPart& p : spec_.parts) {
            const FieldId f = side == 1 && p.either ? p.other : p.field;
            uint64_t* out = &key_columns_[size_t{w} * n];
            visit_field(f, [&](auto t) {
                using T = decltype(t);
                const auto& col = column<T::id>(b);
                if constexpr (T::storage == Storage::Addr) {
                    uint64_t* out_lo = out + n;
                    for (size_t i = 0; i < n; ++i) {
                        const IpAddr m = col[i].masked(col[i].is_v4() ? 96 + p.v4_bits : p.v6_bits);
                        out[i] = m.hi;
                        out_lo[i] = m.lo;
                    }
                } else if constexpr (T::storage == Storage::Str) {
                    std::vector<uint32_t> map(col.dict.size(), UINT32_MAX);
                    for (size_t i = 0; i < n; ++i) {
                        if (mask && !mask[i]) continue;
                        uint32_t& id = map[col.ids[i]];
                        if (id == UINT32_MAX) id = strings_.intern(col.dict.get(col.ids[i]));
                        out[i] = id;
                    }
                } else {
                    for (size_t i = 0; i < n; ++i) out[i] = col[i];
                }
            });
            w += part_words(p);
        }
        if (dense_) {
            // Ports spread over a 64 Ki-slot table: fetch the slot of a row a little ahead.
            const uint64_t* keys = key_columns_.data();
            for (size_t i = 0; i < n; ++i) {
                if (i + 16 < n) __builtin_prefetch(&table_[keys[i + 16] * stride_]);
                if (mask && !mask[i]) continue;
                Entry& e = entry(static_cast<uint32_t>(keys[i]));
                if (e.hash == 0) {
                    e.hash = 1;
                    e.value = AggValue{};
                    e.key()[0] = keys[i];
                    ++count_;
                }
                e.value.flows += flows ? flows[i] : 1;
                e.value.packets += packets[i];

                e.value.bytes += bytes[i];
                e.value.first = std::min(e.value.first, start[i]);
                e.value.last = std::max(e.value.last, end[i]);
            }
            continue;
        }
        // Hash every row first, then insert while prefetching the slot of a row a little
        // ahead: the table is far larger than the caches, so each insert is a memory miss.
        uint64_t k[32];
        hashes_.resize(n);
        for (size_t i = 0; i < n; ++i) {
            for (unsigned x = 0; x < words_; ++x) k[x] = key_columns_[size_t{x} * n + i];
            hashes_[i] = hash_words(k, words_) | 1;
        }
        constexpr size_t kAhead = 16;
        for (size_t i = 0; i < n; ++i) {
            if (i + kAhead < n) {
                const size_t slot = (hashes_[i + kAhead] >> 1) & (capacity_ - 1);
                __builtin_prefetch(&table_[slot * stride_]);
            }
            if (mask && !mask[i]) continue;
            for (unsigned x = 0; x < words_; ++x) k[x] = key_columns_[size_t{x} * n + i];
            insert(k, hashes_[i], {flows ? flows[i] : 1, packets[i], bytes[i], start[i], end[i]});
        }
    }
}

void AggTable::merge(const AggTable& other) {
    total_flows += other.total_flows;
    total_packets += other.total_packets;
    total_bytes += other.total_bytes;
    std::vector<uint64_t> k(words_);
    for (size_t s = 0; s < other.capacity_; ++s) {
        const Entry& e = other.entry(static_cast<uint32_t>(s));
        if (e.hash == 0) continue;
        std::memcpy(k.data(), e.key(), words_ * 8);
        unsigned w = 0;
        bool strings = false;
        for (const auto& p : spec_.parts) {
            if (field_info(p.field).storage == Storage::Str) {
                k[w] = strings_.intern(other.key_string(k[w]));
                strings = true;
            }
            w += part_words(p);
        }
        insert(k.data(), strings ? hash_words(k.data(), words_) : e.hash, e.value);
    }
}

int AggTable::compare_keys(uint32_t a, uint32_t b) const {
    const uint64_t* ka = key(a);
    const uint64_t* kb = key(b);
    unsigned w = 0;
    for (const auto& p : spec_.parts) {
        if (field_info(p.field).storage == Storage::Str) {
            const int c = key_string(ka[w]).compare(key_string(kb[w]));
            if (c != 0) return c;
        } else {
            for (unsigned k = 0; k < part_words(p); ++k) {
                if (ka[w + k] != kb[w + k]) return ka[w + k] < kb[w + k] ? -1 : 1;
            }
        }
        w += part_words(p);
    }
    return 0;
}

std::vector<uint32_t> AggTable::groups() const {
    std::vector<uint32_t> idx;
    idx.reserve(count_);
    for (size_t s = 0; s < capacity_; ++s) {
        if (entry(static_cast<uint32_t>(s)).hash != 0) idx.push_back(static_cast<uint32_t>(s));
    }
    return idx;
}

std::vector<uint32_t> AggTable::sorted(StatOrder order, size_t n) const {
    std::vector<uint32_t> idx = groups();
    const bool ascending = order == StatOrder::kTstart || order == StatOrder::kTend;
    auto less = [&](uint32_t a, uint32_t b) {
        const double va = value(a).order_value(order), vb = value(b).order_value(order);
        if (va != vb) return ascending ? va < vb : va > vb;
        return compare_keys(a, b) < 0;
    };
    if (n == 0 || n >= idx.size()) {
        std::sort(idx.begin(), idx.end(), less);
    } else {
        std::partial_sort(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(n), idx.end(), less);
        idx.resize(n);
    }
    return idx;
}

std::string AggTable::key_text(uint32_t group, size_t part) const {
    const uint64_t* k = key(group);
    unsigned w = 0;
    for (size_t i = 0; i < part; ++i) w += part_words(spec_.parts[i]);
    const KeyPart& p = spec_.parts[part];
    const FieldInfo& f = field_info(p.field);
    if (f.storage == Storage::Str) return std::string(key_string(k[w]));
    char buf[kMaxValueText];
    if (f.storage == Storage::Addr) {
        const IpAddr a{k[w], k[w + 1]};
        std::string s = ip_string(a);
        const unsigned len = a.is_v4() ? p.v4_bits : p.v6_bits;
        if (len < (a.is_v4() ? 32u : 128u)) s += "/" + std::to_string(len);
        return s;
    }
    return std::string(buf, format_int_field(buf, p.field, k[w], PrintStyle{}));
}

}  // namespace fk
