// Top-N statistics (-s) and aggregation (-A): flows grouped by a key made of fields (with
// address prefixes), counted in an open-addressing hash table. Worker threads share one
// sharded table, or fill their own tables that are merged at the end.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/saturate.h"
#include "common/zeroed_array.h"
#include "record/flow_block.h"

namespace fk {

// One part of a key: a field, or either of two fields (`ip`: a flow counts once for its
// source and once for its destination), with prefix lengths for addresses.
struct KeyPart {
    FieldId field;
    FieldId other;  // == field unless `either`
    bool either = false;
    unsigned v4_bits = 32;  // address prefix lengths
    unsigned v6_bits = 128;
    std::string name;  // as written, for headers
};

struct KeySpec {
    std::vector<KeyPart> parts;
    // Parses "srcip,dstport" (-A) or one key (-s). Names: canonical field names and nfdump's
    // (srcip, dstip, ip, srcport, dstport, port, srcas, dstas, as, inif, outif, if, srcvlan,
    // dstvlan, vlan, srcmask, dstmask, mask, router, nexthop ...); addresses take /N or
    // nfdump's srcip4/24, srcip6/64. Throws UsageError.
    static KeySpec parse(std::string_view text, bool allow_either);
    unsigned words() const;  // 64-bit words a key takes
    FieldSet fields() const;
};

enum class StatOrder : uint8_t { kFlows, kPackets, kBytes, kBps, kPps, kBpp, kTstart, kTend };
// "flows", "packets", "bytes", "bps", "pps", "bpp", "tstart", "tend"; UsageError otherwise.
StatOrder parse_stat_order(std::string_view text);
std::string_view stat_order_name(StatOrder o);

struct AggValue {
    uint64_t flows = 0;
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t first = UINT64_MAX;
    uint64_t last = 0;
    // Adds a row's or a group's counts; packets and bytes saturating at UINT64_MAX when asked
    // (AggTable::Shard::saturate).
    void add(const AggValue& v, bool saturate) {
        flows += v.flows;
        if (saturate) [[unlikely]] {
            packets = sat_add(packets, v.packets);
            bytes = sat_add(bytes, v.bytes);
        } else {
            packets += v.packets;
            bytes += v.bytes;
        }
        first = std::min(first, v.first);
        last = std::max(last, v.last);
    }
    double duration_seconds() const {
        return last > first ? static_cast<double>(last - first) / 1e6 : 0.0;
    }
    double order_value(StatOrder o) const;
};

class AggTable {
  public:
    // shards > 1 (a power of two; only for shardable() keys): several threads may add() at
    // once. Groups are spread over the shards by key hash and each shard is locked while a
    // thread inserts a block's rows of it, so that threads share one table instead of each
    // building (and zeroing the memory of) a copy of every group and merging them.
    explicit AggTable(KeySpec spec, unsigned shards = 1);
    // Keys in a hash table (not one 8/16-bit field, which has a slot per value and is cheaper
    // per thread, and not names, which share a dictionary).
    static bool shardable(const KeySpec& spec);

    // Adds the rows of b whose mask byte is set (every row when mask is null). flows, when
    // given, is the number of flows each row stands for (rows that are already groups, such
    // as those ClickHouse computes; their key is on the first side of either-side parts);
    // otherwise each row is one flow.
    void add(FlowBlock& b, const uint8_t* mask, const uint64_t* flows = nullptr);
    // Moves other's groups into this table.
    void merge(const AggTable& other);

    size_t size() const;
    const KeySpec& spec() const { return spec_; }
    // Groups in order (descending for counters, ascending for times; ties broken by key so
    // that output is the same for any number of threads); n = 0: all. A group is a number
    // valid until the table changes.
    std::vector<uint32_t> sorted(StatOrder order, size_t n) const;
    // The top n groups as sorted() gives them, leaving out those without a value (a blank
    // text key: the flows without an SNI are no "top SNI"); n = 0: all.
    std::vector<uint32_t> top(StatOrder order, size_t n) const;
    // Every group, in table order (cheaper than sorted() when the order does not matter).
    std::vector<uint32_t> groups() const;
    // The group of key (words() words, as key() gives them), or nullopt.
    std::optional<uint32_t> find(const uint64_t* key) const;
    const AggValue& value(uint32_t group) const { return entry(group).value; }
    // Text of key part p of a group ("10.0.0.0/24" for prefixes, names for protocols ...).
    std::string key_text(uint32_t group, size_t part) const;
    const uint64_t* key(uint32_t group) const { return entry(group).key(); }
    std::string_view key_string(uint64_t id) const {
        return strings_.get(static_cast<uint32_t>(id));
    }

    // Totals over every flow added (for percentages), counting each flow once; packets and
    // bytes saturate.
    uint64_t total_flows = 0, total_packets = 0, total_bytes = 0;

  private:
    // One slot of the flat table: hash (0 = free), counters, then the key words.
    struct Entry {
        uint64_t hash;
        AggValue value;
        uint64_t* key() { return reinterpret_cast<uint64_t*>(this + 1); }
        const uint64_t* key() const { return reinterpret_cast<const uint64_t*>(this + 1); }
    };
    struct Shard {
        ZeroedArray table;
        size_t capacity = 0;
        size_t count = 0;
        std::mutex lock;  // held by add() with several shards; shard 0's also guards the totals
        // Set once a total is past UINT64_MAX / 2: a group's sums, at most twice the totals (a
        // flow counts on both sides of an either-side key), could wrap from then on, and are
        // added saturating (cheaper per row before). Atomic: read by threads that hold the
        // lock of another shard only.
        std::atomic<bool> saturate{false};
    };
    Entry& entry(Shard& sh, size_t slot) {
        return *reinterpret_cast<Entry*>(&sh.table[slot * stride_]);
    }
    const Entry& entry(const Shard& sh, size_t slot) const {
        return *reinterpret_cast<const Entry*>(&sh.table[slot * stride_]);
    }
    // A group number: the shard in the high bits, the slot in the low slot_bits_.
    const Entry& entry(uint32_t group) const {
        return entry(*shards_[shard_bits_ ? group >> slot_bits_ : 0],
                     group & ((uint64_t{1} << slot_bits_) - 1));
    }
    unsigned shard_of(uint64_t hash) const {
        return shard_bits_ ? static_cast<unsigned>(hash >> (64 - shard_bits_)) : 0;
    }
    void insert(const uint64_t* key, uint64_t hash, const AggValue& v) {
        insert_into(*shards_[shard_of(hash)], key, hash, v);
    }
    void insert_into(Shard& sh, const uint64_t* key, uint64_t hash, const AggValue& v);
    void add_dense(uint64_t key, const AggValue& v);
    // After the totals changed (with shard 0's lock held when several threads add).
    void check_saturation();
    void grow(Shard& sh);
    int compare_keys(uint32_t a, uint32_t b) const;

    KeySpec spec_;
    unsigned words_;
    size_t stride_;       // 64-bit words per entry
    bool dense_ = false;  // slot = key value (one 8/16-bit key part)
    unsigned shard_bits_ = 0, slot_bits_ = 32;
    size_t room_ = 0;  // words of address space a shard's table reserves to grow in place
    std::vector<std::unique_ptr<Shard>> shards_;
    StringDict strings_;
};

}  // namespace fk
