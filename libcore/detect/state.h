// Bounded per-host state shared by the methods: a hash table with a cap on its entries (the
// oldest-inserted bucket chain goes first; evictions are counted), and a capped set of
// distinct values for "how many different hosts / ports".
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "record/ipaddr.h"

namespace fk::detect {

struct Key {
    IpAddr a, b;
    uint64_t x = 0;
    bool operator==(const Key&) const = default;
};

struct KeyHash {
    size_t operator()(const Key& k) const noexcept {
        uint64_t h = IpAddrHash{}(k.a);
        h ^= IpAddrHash{}(k.b) * 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
        h ^= (k.x + 0x632BE59BD9B4E019ull) * 0xD6E8FEB86659FD93ull;
        return static_cast<size_t>(h ^ (h >> 29));
    }
};

inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

// Counts distinct 64-bit values up to a cap (then saturates: count() == cap).
class Distinct {
  public:
    // Returns true when v was not seen before (and there was room).
    bool insert(uint64_t v, uint32_t cap) {
        if (n_ >= cap) return false;
        if (slots_.empty()) slots_.assign(8, 0);
        if ((n_ + 1) * 2 > slots_.size()) grow();
        const uint64_t h = mix64(v) | 1;
        const size_t mask = slots_.size() - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
            if (slots_[i] == h) return false;
            if (slots_[i] == 0) {
                slots_[i] = h;
                ++n_;
                return true;
            }
        }
    }
    uint32_t count() const { return n_; }
    void clear() {
        slots_.clear();
        n_ = 0;
    }

  private:
    void grow() {
        std::vector<uint64_t> old;
        old.swap(slots_);
        slots_.assign(old.size() * 2, 0);
        const size_t mask = slots_.size() - 1;
        for (const uint64_t h : old) {
            if (!h) continue;
            size_t i = h & mask;
            while (slots_[i]) i = (i + 1) & mask;
            slots_[i] = h;
        }
    }
    std::vector<uint64_t> slots_;
    uint32_t n_ = 0;
};

template <class V>
class Table {
  public:
    using Map = std::unordered_map<Key, V, KeyHash>;
    explicit Table(size_t cap) : cap_(cap) { map_.reserve(std::min<size_t>(cap, 4096)); }

    // The entry of k, created (value-initialised) when absent; fresh says which.
    V& get(const Key& k, bool& fresh) {
        if (auto it = map_.find(k); it != map_.end()) {
            fresh = false;
            return it->second;
        }
        if (map_.size() >= cap_) {
            map_.erase(map_.begin());
            ++evictions_;
        }
        fresh = true;
        return map_.try_emplace(k).first->second;
    }
    V* find(const Key& k) {
        auto it = map_.find(k);
        return it == map_.end() ? nullptr : &it->second;
    }
    Map& map() { return map_; }
    uint64_t evictions() const { return evictions_; }
    size_t size() const { return map_.size(); }

  private:
    Map map_;
    size_t cap_;
    uint64_t evictions_ = 0;
};

}  // namespace fk::detect
