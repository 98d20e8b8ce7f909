#include "stats/aggregate.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "common/error.h"
#include "common/saturate.h"
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
        const unsigned max_bits = family == 4 ? 32 : 128;
        if (rest.empty()) {
            throw UsageError("'" + std::string(name) + "' needs a prefix length, as " +
                             std::string(name) + (family == 4 ? "/24" : "/64"));
        }
        if (!parse_bits(rest.front(), max_bits, bits)) {
            throw UsageError("'" + std::string(name) + "/" + std::string(rest.front()) +
                             "': the prefix length is 0 to " + std::to_string(max_bits));
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

AggTable::AggTable(KeySpec spec, unsigned shards)
    : spec_(std::move(spec)), words_(spec_.words()), stride_(sizeof(Entry) / 8 + words_) {
    size_t capacity = 1024;
    // One 8- or 16-bit key (protocol, port, application ...): a slot per value, no hashing.
    if (spec_.parts.size() == 1) {
        const Storage st = field_info(spec_.parts[0].field).storage;
        if (st == Storage::U8 || st == Storage::U16) {
            dense_ = true;
            capacity = st == Storage::U8 ? 256 : 65536;
        }
    }
    if (shards > 1) {
        if (!shardable(spec_) || (shards & (shards - 1)) != 0)
            throw std::logic_error("AggTable: shards need a hashed key and a power of two");
        while ((1u << shard_bits_) < shards) ++shard_bits_;
        slot_bits_ = 32 - shard_bits_;
    }
    // Hash tables reserve address space to double in place (up to 2^26 slots a shard).
    if (!dense_) room_ = std::min(uint64_t{1} << slot_bits_, uint64_t{1} << 26) * stride_;
    for (unsigned i = 0; i < (1u << shard_bits_); ++i) {
        auto sh = std::make_unique<Shard>();
        sh->capacity = capacity;
        sh->table = ZeroedArray(capacity * stride_, room_);
        shards_.push_back(std::move(sh));
    }
}

bool AggTable::shardable(const KeySpec& spec) {
    for (const auto& p : spec.parts) {
        if (field_info(p.field).storage == Storage::Str) return false;
    }
    if (spec.parts.size() != 1) return true;
    const Storage st = field_info(spec.parts[0].field).storage;
    return st != Storage::U8 && st != Storage::U16;
}

size_t AggTable::size() const {
    size_t n = 0;
    for (const auto& sh : shards_) n += sh->count;
    return n;
}

void AggTable::add_dense(uint64_t key, const AggValue& v) {
    Shard& sh = *shards_[0];
    Entry& e = entry(sh, key);
    if (e.hash == 0) {
        e.hash = 1;
        e.value = v;
        e.key()[0] = key;
        ++sh.count;
        return;
    }
    e.value.add(v, sh.saturate.load(std::memory_order_relaxed));
}

void AggTable::check_saturation() {
    if (std::max(total_packets, total_bytes) <= UINT64_MAX / 2) return;
    for (auto& sh : shards_) sh->saturate.store(true, std::memory_order_relaxed);
}

void AggTable::grow(Shard& sh) {
    if (sh.capacity * 2 > (uint64_t{1} << slot_bits_))
        throw DataError("too many groups for one table (more than " +
                        std::to_string((shards_.size() << slot_bits_) / 4 * 3) + ")");
    const size_t old_capacity = sh.capacity;
    sh.capacity *= 2;
    sh.count = 0;
    if (sh.table.grow_in_place(sh.capacity * stride_)) {
        // The same pages, twice as many: the entries go to a side buffer, their old slots are
        // cleared and they come back under the wider mask. Only the new half is fresh memory
        // for the kernel to zero (a new table each time zeroes twice the final size).
        thread_local std::vector<uint64_t> moved;
        moved.clear();
        for (size_t s = 0; s < old_capacity; ++s) {
            const uint64_t* e = &sh.table[s * stride_];
            if (e[0] != 0) moved.insert(moved.end(), e, e + stride_);
        }
        std::memset(sh.table.data(), 0, old_capacity * stride_ * sizeof(uint64_t));
        for (size_t at = 0; at < moved.size(); at += stride_) {
            const Entry& e = *reinterpret_cast<const Entry*>(&moved[at]);
            insert_into(sh, e.key(), e.hash, e.value);
        }
        return;
    }
    ZeroedArray old = std::move(sh.table);
    sh.table = ZeroedArray(sh.capacity * stride_, room_);
    for (size_t s = 0; s < old_capacity; ++s) {
        const Entry& e = *reinterpret_cast<const Entry*>(&old[s * stride_]);
        if (e.hash != 0) insert_into(sh, e.key(), e.hash, e.value);
    }
}

void AggTable::insert_into(Shard& sh, const uint64_t* k, uint64_t hash, const AggValue& v) {
    if (dense_) return add_dense(k[0], v);
    hash |= 1;  // 0 marks a free slot
    if ((sh.count + 1) * 4 > sh.capacity * 3) grow(sh);
    const size_t mask = sh.capacity - 1;
    size_t i = (hash >> 1) & mask;
    for (;;) {
        Entry& e = entry(sh, i);
        if (e.hash == 0) {
            e.hash = hash;
            e.value = v;
            std::memcpy(e.key(), k, words_ * 8);
            ++sh.count;
            return;
        }
        if (e.hash == hash) {
            const uint64_t* ek = e.key();
            bool same = true;
            for (unsigned w = 0; w < words_; ++w) same &= ek[w] == k[w];
            if (same) {
                e.value.add(v, sh.saturate.load(std::memory_order_relaxed));
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
    uint64_t ored = 0;  // of the block's packets and bytes
    {
        uint64_t f = 0, pk = 0, by = 0;
        for (size_t i = 0; i < n; ++i) {
            if (mask && !mask[i]) continue;
            f += flows ? flows[i] : 1;
            pk += packets[i];
            by += bytes[i];
            ored |= packets[i] | bytes[i];
        }
        if (plain_sum_may_wrap(ored, n)) {  // summed again, saturating
            pk = by = 0;
            for (size_t i = 0; i < n; ++i) {
                if (mask && !mask[i]) continue;
                pk = sat_add(pk, packets[i]);
                by = sat_add(by, bytes[i]);
            }
        }
        std::unique_lock totals(shards_[0]->lock, std::defer_lock);
        if (shard_bits_) totals.lock();
        total_flows += f;
        total_packets = sat_add(total_packets, pk);
        total_bytes = sat_add(total_bytes, by);
        check_saturation();
    }
    // Per-thread work arrays (several threads add to a sharded table at once).
    thread_local std::vector<uint64_t> key_columns, hashes;
    thread_local std::vector<uint32_t> by_shard, first, fill, pending;
    thread_local std::vector<AggValue> str_sums;
    // One text key (sni, http_host ...): sum the rows per dictionary entry of the block, then
    // insert each entry once; a block holds few distinct names.
    if (spec_.parts.size() == 1 && !either &&
        field_info(spec_.parts[0].field).storage == Storage::Str) {
        visit_field(spec_.parts[0].field, [&](auto t) {
            using T = decltype(t);
            if constexpr (T::storage == Storage::Str) {
                const auto& col = column<T::id>(b);
                str_sums.assign(col.dict.size(), AggValue{});
                const bool saturate = plain_sum_may_wrap(ored, n);
                for (size_t i = 0; i < n; ++i) {
                    if (mask && !mask[i]) continue;
                    str_sums[col.ids[i]].add(
                        {flows ? flows[i] : 1, packets[i], bytes[i], start[i], end[i]}, saturate);
                }
                for (uint32_t id = 0; id < str_sums.size(); ++id) {
                    if (str_sums[id].flows == 0) continue;
                    const uint64_t k = strings_.intern(col.dict.get(id));
                    insert(&k, hash_words(&k, 1), str_sums[id]);
                }
            }
        });
        return;
    }
    // Key words column by column (one dispatch per part and block, not per row), then one
    // pass over the rows inserting them.
    key_columns.resize(size_t{words_} * n);
    // Rows that are groups already (flows given) carry their key on the first side.
    for (int side = 0; side < (either && !flows ? 2 : 1); ++side) {
        unsigned w = 0;
        for (const KeyPart& p : spec_.parts) {
            const FieldId f = side == 1 && p.either ? p.other : p.field;
            uint64_t* out = &key_columns[size_t{w} * n];
            visit_field(f, [&](auto t) {
                using T = decltype(t);
                const auto& col = column<T::id>(b);
                if constexpr (T::storage == Storage::Addr) {
                    uint64_t* out_lo = out + n;
                    if (p.v4_bits == 32 && p.v6_bits == 128) {  // whole addresses: no mask
                        for (size_t i = 0; i < n; ++i) {
                            out[i] = col[i].hi;
                            out_lo[i] = col[i].lo;
                        }
                    } else {
                        for (size_t i = 0; i < n; ++i) {
                            const IpAddr m =
                                col[i].masked(col[i].is_v4() ? 96 + p.v4_bits : p.v6_bits);
                            out[i] = m.hi;
                            out_lo[i] = m.lo;
                        }
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
            const uint64_t* keys = key_columns.data();
            const bool saturate = shards_[0]->saturate.load(std::memory_order_relaxed);
            for (size_t i = 0; i < n; ++i) {
                if (i + 16 < n) __builtin_prefetch(&shards_[0]->table[keys[i + 16] * stride_]);
                if (mask && !mask[i]) continue;
                Entry& e = entry(*shards_[0], keys[i]);
                if (e.hash == 0) {
                    e.hash = 1;
                    e.value = AggValue{};
                    e.key()[0] = keys[i];
                    ++shards_[0]->count;
                }
                e.value.add({flows ? flows[i] : 1, packets[i], bytes[i], start[i], end[i]},
                            saturate);
            }
            continue;
        }
        // Hash every row first, then insert while prefetching the slot of a row a little
        // ahead: the table is far larger than the caches, so each insert is a memory miss.
        uint64_t k[32];
        hashes.resize(n);
        for (size_t i = 0; i < n; ++i) {
            for (unsigned x = 0; x < words_; ++x) k[x] = key_columns[size_t{x} * n + i];
            hashes[i] = hash_words(k, words_) | 1;
        }
        constexpr size_t kAhead = 16;
        // Fetches the slot a hash starts at: its first and last word, the two cache lines of
        // an entry longer than one or not aligned to one (a two-address key: 80 bytes).
        auto fetch = [&](const Shard& sh, uint64_t hash) {
            const uint64_t* e = &sh.table[((hash >> 1) & (sh.capacity - 1)) * stride_];
            __builtin_prefetch(e);
            __builtin_prefetch(e + stride_ - 1);
        };
        // Inserts rows[0, count) into a shard, fetching the slot of a row a little ahead.
        auto insert_rows = [&](Shard& sh, const uint32_t* rows, size_t count) {
            for (size_t j = 0; j < count; ++j) {
                if (j + kAhead < count) fetch(sh, hashes[rows[j + kAhead]]);
                const size_t i = rows[j];
                for (unsigned x = 0; x < words_; ++x) k[x] = key_columns[size_t{x} * n + i];
                insert_into(sh, k, hashes[i],
                            {flows ? flows[i] : 1, packets[i], bytes[i], start[i], end[i]});
            }
        };
        const size_t nshards = shards_.size();
        if (nshards == 1) {
            Shard& sh = *shards_[0];
            for (size_t i = 0; i < n; ++i) {
                if (i + kAhead < n) fetch(sh, hashes[i + kAhead]);
                if (mask && !mask[i]) continue;
                for (unsigned x = 0; x < words_; ++x) k[x] = key_columns[size_t{x} * n + i];
                insert_into(sh, k, hashes[i],
                            {flows ? flows[i] : 1, packets[i], bytes[i], start[i], end[i]});
            }
            continue;
        }
        // The rows grouped by shard (a counting sort), each shard's rows inserted under its
        // lock. A shard another thread holds is left for later (try_lock), so that threads
        // never queue behind each other shard after shard; a thread waits only when every
        // shard it has left is busy.
        first.assign(nshards + 1, 0);
        for (size_t i = 0; i < n; ++i) {
            if (!mask || mask[i]) ++first[shard_of(hashes[i]) + 1];
        }
        for (size_t sh = 0; sh < nshards; ++sh) first[sh + 1] += first[sh];
        by_shard.resize(first[nshards]);
        fill.assign(first.begin(), first.end() - 1);
        for (size_t i = 0; i < n; ++i) {
            if (!mask || mask[i]) by_shard[fill[shard_of(hashes[i])]++] = static_cast<uint32_t>(i);
        }
        pending.clear();
        for (uint32_t sh = 0; sh < nshards; ++sh) {
            if (first[sh] != first[sh + 1]) pending.push_back(sh);
        }
        while (!pending.empty()) {
            size_t left = 0;
            for (size_t p = 0; p < pending.size(); ++p) {
                Shard& sh = *shards_[pending[p]];
                std::unique_lock lk(sh.lock, std::try_to_lock);
                if (!lk.owns_lock()) {
                    if (left > 0 || p + 1 < pending.size()) {
                        pending[left++] = pending[p];
                        continue;
                    }
                    lk.lock();
                }
                insert_rows(sh, &by_shard[first[pending[p]]],
                            first[pending[p] + 1] - first[pending[p]]);
            }
            pending.resize(left);
        }
    }
}

void AggTable::merge(const AggTable& other) {
    total_flows += other.total_flows;
    total_packets = sat_add(total_packets, other.total_packets);
    total_bytes = sat_add(total_bytes, other.total_bytes);
    check_saturation();
    // other's groups come in its slot order, that is by hash: were this table to grow only when
    // full enough, the part of it being walked would take them at up to twice its load bound,
    // and they would pile up in one run of slots that every insert walks to its end (seconds
    // for a million groups). Room for all of them first keeps every part under the bound.
    if (!dense_) {
        const size_t incoming = other.size() / shards_.size();
        for (auto& sh : shards_) {
            while ((sh->count + incoming) * 4 > sh->capacity * 3 &&
                   sh->capacity * 2 <= (uint64_t{1} << slot_bits_))
                grow(*sh);
        }
    }
    std::vector<uint64_t> k(words_);
    for (uint32_t g : other.groups()) {
        const Entry& e = other.entry(g);
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
    idx.reserve(size());
    for (size_t s = 0; s < shards_.size(); ++s) {
        const Shard& sh = *shards_[s];
        for (size_t slot = 0; slot < sh.capacity; ++slot) {
            if (entry(sh, slot).hash != 0)
                idx.push_back(static_cast<uint32_t>(s << slot_bits_ | slot));
        }
    }
    return idx;
}

std::optional<uint32_t> AggTable::find(const uint64_t* key) const {
    if (dense_) {
        const Shard& sh = *shards_[0];
        if (key[0] >= sh.capacity || entry(sh, key[0]).hash == 0) return std::nullopt;
        return static_cast<uint32_t>(key[0]);
    }
    const uint64_t hash = hash_words(key, words_) | 1;
    const unsigned s = shard_of(hash);
    const Shard& sh = *shards_[s];
    const size_t mask = sh.capacity - 1;
    for (size_t i = (hash >> 1) & mask;; i = (i + 1) & mask) {
        const Entry& e = entry(sh, i);
        if (e.hash == 0) return std::nullopt;
        if (e.hash == hash && std::equal(key, key + words_, e.key()))
            return static_cast<uint32_t>(uint64_t{s} << slot_bits_ | i);
    }
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

std::vector<uint32_t> AggTable::top(StatOrder order, size_t n) const {
    // Flows without a value of a text key or of dns_rcode (no DNS answer) are no group of the
    // table: a blank row says nothing about them.
    std::vector<size_t> optional_parts;
    for (size_t p = 0; p < spec_.parts.size(); ++p) {
        const FieldInfo& f = field_info(spec_.parts[p].field);
        if (f.storage == Storage::Str || f.format == Format::DnsRcode) optional_parts.push_back(p);
    }
    if (optional_parts.empty()) return sorted(order, n);
    const auto blank = [&](uint32_t g) {
        for (const size_t p : optional_parts)
            if (key_text(g, p).empty()) return true;
        return false;
    };
    size_t blanks = 0;
    for (const uint32_t g : groups()) blanks += blank(g);
    std::vector<uint32_t> out = sorted(order, n == 0 ? 0 : n + blanks);
    std::erase_if(out, blank);
    if (n != 0 && out.size() > n) out.resize(n);
    return out;
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
