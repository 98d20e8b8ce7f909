// Bounded per-host state shared by the methods: a hash table with a cap on its entries (the
// oldest-inserted bucket chain goes first; evictions are counted), and a capped set of
// distinct values for "how many different hosts / ports".
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
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
        const uint64_t h = mix64(v) | 1;
        // Most entries only ever see one value: keep it inline, allocate on the second.
        if (n_ == 0) {
            one_ = h;
            n_ = 1;
            return true;
        }
        if (n_ == 1 && slots_.empty()) {
            if (h == one_) return false;
            slots_.assign(8, 0);
            slots_[one_ & 7] = one_;
        }
        if ((n_ + 1) * 2 > slots_.size()) grow();
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
        one_ = 0;
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
    uint64_t one_ = 0;
    uint32_t n_ = 0;
};

// Open addressing with linear probing over a power-of-two array (no allocation per entry, no
// division per lookup); erased entries leave tombstones until the next rehash. At most `cap`
// entries: inserting into a full table evicts the entry at a pseudo-random slot (counted).
template <class V>
class Table {
  public:
    explicit Table(size_t cap) : cap_(std::max<size_t>(cap, 1)) { rehash(1024); }

    // The entry of k, created (value-initialised) when absent; fresh says which.
    V& get(const Key& k, bool& fresh) {
        const uint64_t h = hash(k);
        size_t i = h & mask_, tomb = SIZE_MAX;
        for (;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.hash == h && s.key == k) {
                fresh = false;
                return s.value;
            }
            if (s.hash == kEmpty) break;
            if (s.hash == kTomb && tomb == SIZE_MAX) tomb = i;
        }
        fresh = true;
        if (size_ >= cap_) {
            evict(h);
            return get(k, fresh);
        }
        if ((size_ + tombs_ + 1) * 2 > slots_.size()) {
            rehash(size_ * 4 > slots_.size() ? slots_.size() * 2 : slots_.size());
            return get(k, fresh);
        }
        if (tomb != SIZE_MAX) {
            i = tomb;
            --tombs_;
        }
        Slot& s = slots_[i];
        s.hash = h;
        s.key = k;
        s.value = V{};
        ++size_;
        return s.value;
    }
    V* find(const Key& k) {
        const uint64_t h = hash(k);
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.hash == h && s.key == k) return &s.value;
            if (s.hash == kEmpty) return nullptr;
        }
    }
    // Calls f(key, value) for every entry; removes those for which it returns true.
    template <class F>
    void sweep(F&& f) {
        for (Slot& s : slots_) {
            if (s.hash <= kTomb) continue;
            if (f(static_cast<const Key&>(s.key), s.value)) {
                s.hash = kTomb;
                s.value = V{};
                --size_;
                ++tombs_;
            }
        }
        if (tombs_ * 4 > slots_.size()) rehash(slots_.size());
    }
    uint64_t evictions() const { return evictions_; }
    size_t size() const { return size_; }

  private:
    static constexpr uint64_t kEmpty = 0, kTomb = 1;
    struct Slot {
        uint64_t hash = kEmpty;
        Key key;
        V value;
    };
    static uint64_t hash(const Key& k) { return KeyHash{}(k) | 2; }

    void evict(uint64_t h) {
        for (size_t i = (h >> 17) & mask_;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.hash > kTomb) {
                s.hash = kTomb;
                s.value = V{};
                --size_;
                ++tombs_;
                ++evictions_;
                return;
            }
        }
    }
    void rehash(size_t n) {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.resize(n);
        mask_ = n - 1;
        tombs_ = 0;
        for (Slot& s : old) {
            if (s.hash <= kTomb) continue;
            size_t i = s.hash & mask_;
            while (slots_[i].hash != kEmpty) i = (i + 1) & mask_;
            slots_[i] = std::move(s);
        }
    }

    std::vector<Slot> slots_;
    size_t mask_ = 0, size_ = 0, tombs_ = 0, cap_;
    uint64_t evictions_ = 0;
};

}  // namespace fk::detect
