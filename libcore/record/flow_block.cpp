#include "record/flow_block.h"

#include <algorithm>
#include <cstring>

#include "format/codec.h"

namespace fk {

namespace {

uint64_t hash_text(std::string_view s) {
    // Eight bytes a multiply: names (SNI, DNS) are tens of bytes, and a byte-a-step hash was
    // most of the time a flow's strings took to intern.
    uint64_t h = s.size() * 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t word;
        std::memcpy(&word, s.data() + i, 8);
        h = (h ^ word) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    for (; i < s.size(); ++i) tail = tail << 8 | static_cast<unsigned char>(s[i]);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

// Appends v; returns whether it is other than the default (zero / empty).
template <class T>
bool push_value(std::vector<T>& col, const T& v) {
    col.push_back(v);
    return !(v == T{});
}
bool push_value(StrColumn& col, std::string_view v) {
    col.ids.push_back(col.dict.intern(v));
    return !v.empty();
}

template <class T>
void load_value(const std::vector<T>& col, size_t i, T& out) {
    out = col[i];
}
void load_value(const StrColumn& col, size_t i, std::string_view& out) {
    out = col[i];
}

}  // namespace

void StringDict::clear() {
    offsets_.assign(2, 0);  // entry 0: ""
    chars_.clear();
    // The index keeps its size: the next block's names fill it about as far as this one's
    // did, and growing it again from 64 slots rehashed every name at each doubling.
    slots_.assign(std::max<size_t>(slots_.size(), 64), 0);
    indexed_ = true;
}

void StringDict::rebuild_index() {
    size_t cap = 64;
    while (cap < size() * 2u + 2u) cap *= 2;
    slots_.assign(cap, 0);
    for (uint32_t id = 1; id < size(); ++id) {
        size_t i = hash_text(get(id)) & (cap - 1);
        while (slots_[i] != 0) i = (i + 1) & (cap - 1);
        slots_[i] = id + 1;
    }
    indexed_ = true;
}

uint32_t StringDict::intern(std::string_view s) {
    if (s.empty()) return 0;
    if (s.size() > kMaxTextBytes) s = s.substr(0, kMaxTextBytes);
    if (!indexed_ || size() * 2u + 2u > slots_.size()) rebuild_index();
    const size_t mask = slots_.size() - 1;
    size_t i = hash_text(s) & mask;
    while (slots_[i] != 0) {
        const uint32_t id = slots_[i] - 1;
        if (get(id) == s) return id;
        i = (i + 1) & mask;
    }
    const uint32_t id = size();
    chars_.append(s);
    offsets_.push_back(static_cast<uint32_t>(chars_.size()));
    slots_[i] = id + 1;
    return id;
}

void StringDict::append_unique(std::string_view s) {
    chars_.append(s);
    offsets_.push_back(static_cast<uint32_t>(chars_.size()));
    indexed_ = false;
}

void FlowBlock::clear() {
    clear_keeping(FieldSet());
}

void FlowBlock::clear_keeping(const FieldSet& keep) {
    for_each_field([&](auto t) {
        using T = decltype(t);
        auto& col = column<T::id>(*this);
        const bool kept = keep.test(static_cast<unsigned>(T::id));
        if constexpr (T::storage == Storage::Str) {
            if (!kept) col.ids.clear();
            col.dict.clear();
        } else {
            if (!kept) col.clear();
        }
    });
    size_ = 0;
    ready_.set();
    absent_.reset();
    touched_[0] = touched_[1] = 0;
    encoded_.clear();
    t_first_ = UINT64_MAX;
    t_last_ = 0;
    origin_file_.reset();
    origin_offset_ = 0;
}

void FlowBlock::reserve(size_t n) {
    for_each_field([&](auto t) {
        using T = decltype(t);
        auto& col = column<T::id>(*this);
        if constexpr (T::storage == Storage::Str) {
            col.ids.reserve(n);
        } else {
            col.reserve(n);
        }
    });
}

void FlowBlock::append(const FlowRecord& r) {
#define FK_FIELD(id, name, ...) \
    touched_[(id) / 64] |= uint64_t{push_value(name, r.name)} << ((id) % 64);
#include "record/fields.def"
#undef FK_FIELD
    ++size_;
    t_first_ = std::min(t_first_, r.start);
    t_last_ = std::max(t_last_, r.end);
}

void FlowBlock::record(size_t i, FlowRecord& r) {
    ensure_all();
#define FK_FIELD(id, name, ...) load_value(name, i, r.name);
#include "record/fields.def"
#undef FK_FIELD
}

template <class RowAt>
void FlowBlock::gather(FlowBlock& src, size_t n, RowAt row_at) {
    if (n == 0) return;
    const size_t at = size_;
    for_each_field([&](auto t) {
        using T = decltype(t);
        auto& dst = column<T::id>(*this);
        if (!src.may_hold_values(T::id)) {
            if constexpr (T::storage == Storage::Str) {
                dst.ids.resize(at + n, 0);
            } else {
                dst.resize(at + n);
            }
            return;
        }
        src.ensure(T::id);
        const unsigned id = static_cast<unsigned>(T::id);
        touched_[id / 64] |= 1ull << (id % 64);
        const auto& s = column<T::id>(src);
        if constexpr (T::storage == Storage::Str) {
            // Each of src's dictionary entries is looked up here once, not once per row.
            thread_local std::vector<uint32_t> remap;
            remap.assign(s.dict.size(), UINT32_MAX);
            remap[0] = 0;
            dst.ids.resize(at + n);
            for (size_t k = 0; k < n; ++k) {
                const uint32_t from = s.ids[row_at(k)];
                uint32_t& to = remap[from];
                if (to == UINT32_MAX) to = dst.dict.intern(s.dict.get(from));
                dst.ids[at + k] = to;
            }
        } else {
            dst.resize(at + n);
            for (size_t k = 0; k < n; ++k) dst[at + k] = s[row_at(k)];
        }
    });
    const auto& start = column<FieldId::start>(*this);
    const auto& end = column<FieldId::end>(*this);
    for (size_t k = at; k < at + n; ++k) {
        t_first_ = std::min(t_first_, start[k]);
        t_last_ = std::max(t_last_, end[k]);
    }
    size_ = at + n;
}

void FlowBlock::append_range(FlowBlock& src, size_t begin, size_t end) {
    if (end > begin) gather(src, end - begin, [begin](size_t k) { return begin + k; });
}

void FlowBlock::append_rows(FlowBlock& src, const uint32_t* rows, size_t n) {
    gather(src, n, [rows](size_t k) { return rows[k]; });
}

void FlowBlock::append_selected(FlowBlock& src, const uint8_t* mask) {
    thread_local std::vector<uint32_t> rows;
    rows.clear();
    for (size_t i = 0; i < src.size(); ++i) {
        if (mask[i]) rows.push_back(static_cast<uint32_t>(i));
    }
    append_rows(src, rows.data(), rows.size());
}

void FlowBlock::ensure(const FieldSet& fs) {
    const FieldSet missing = fs & ~ready_;
    if (missing.none()) return;
    for (unsigned id = 1; id <= kMaxFieldId; ++id) {
        if (missing.test(id)) materialise(static_cast<FieldId>(id));
    }
}

void FlowBlock::ensure_all() {
    if ((~ready_).none()) return;
    for (unsigned id = 1; id <= kMaxFieldId; ++id) {
        if (!ready_.test(id)) materialise(static_cast<FieldId>(id));
    }
}

void FlowBlock::set_encoded(size_t n, const FieldSet& stored, uint64_t t_first, uint64_t t_last) {
    size_ = n;
    t_first_ = t_first;
    t_last_ = t_last;
    ready_.reset();
    // Ids this program does not know are neither ready nor absent; nobody asks for them.
    absent_.reset();
    touched_[0] = touched_[1] = 0;
    for (unsigned id = 1; id <= kMaxFieldId; ++id) {
        if (!stored.test(id))
            absent_.set(id);
        else
            touched_[id / 64] |= 1ull << (id % 64);
    }
}

void FlowBlock::set_rows(size_t n, uint64_t t_first, uint64_t t_last, const FieldSet& held) {
    size_ = n;
    ready_ = held;
    absent_ = ~held;
    static_assert(kFieldSlots == 128);
    touched_[0] = (held & FieldSet(~0ull)).to_ullong();
    touched_[1] = (held >> 64).to_ullong();
    if (n > 0) {
        t_first_ = std::min(t_first_, t_first);
        t_last_ = std::max(t_last_, t_last);
    }
}

void FlowBlock::materialise(FieldId f) {
    const unsigned id = static_cast<unsigned>(f);
    visit_field(f, [&](auto t) {
        using T = decltype(t);
        auto& col = column<T::id>(*this);
        if (absent_.test(id)) {
            if constexpr (T::storage == Storage::Str) {
                col.ids.assign(size_, 0);
                col.dict.clear();
            } else {
                col.assign(size_, typename T::value_type{});
            }
        } else {
            decode_column(*this, f, col);
        }
    });
    ready_.set(id);
}

}  // namespace fk
