// A block of flows held column by column (one vector per field), the unit that is written,
// read, filtered and aggregated. A block read from a file keeps its columns encoded until
// someone asks for them (ensure()), so a filter on one field decodes only that column.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "record/field.h"

namespace fk {

// The most bytes a text value keeps. Longer ones (an HTTP Host or an SNI in hostile traffic)
// are cut where every text enters a block, StringDict::intern(), so that a text column stays
// within the bound readers set (format/codec.cpp). DNS names, the longest legitimate values,
// are at most 1020 bytes as text (l7/dns.h).
constexpr size_t kMaxTextBytes = 1024;

// Distinct strings of a block, numbered from 0 (0 is always the empty string).
class StringDict {
  public:
    StringDict() { clear(); }
    void clear();
    // The id of s cut to kMaxTextBytes, added when new.
    uint32_t intern(std::string_view s);
    std::string_view get(uint32_t id) const {
        return {chars_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]};
    }
    uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }
    // Appends s as the next id without looking for an equal entry (decoders: entries in a
    // stored dictionary are distinct already).
    void append_unique(std::string_view s);
    size_t text_bytes() const { return chars_.size(); }

  private:
    void rebuild_index();
    std::vector<uint32_t> offsets_;  // entry i is chars_[offsets_[i], offsets_[i + 1])
    std::string chars_;
    std::vector<uint32_t> slots_;  // open addressing: id + 1, 0 = free
    bool indexed_ = true;
};

struct StrColumn {
    std::vector<uint32_t> ids;
    StringDict dict;
    size_t size() const { return ids.size(); }
    std::string_view operator[](size_t i) const { return dict.get(ids[i]); }
};

template <Storage S>
struct ColumnType {
    using type = std::vector<typename StorageTraits<S>::value_type>;
};
template <>
struct ColumnType<Storage::Str> {
    using type = StrColumn;
};
template <Storage S>
using ColumnOf = typename ColumnType<S>::type;

// Where one column of a block sits in the block's encoded bytes (format/codec.h).
struct EncodedColumn {
    uint32_t offset = 0;  // in FlowBlock::encoded()
    uint32_t stored_len = 0;
    uint32_t raw_len = 0;
    uint8_t transform = 0;
    uint8_t width = 0;
    uint8_t flags = 0;
    uint64_t base = 0;
    uint64_t scale = 1;
};

class FlowBlock {
  public:
#define FK_FIELD(id, name, st, ...) ColumnOf<Storage::st> name;
#include "record/fields.def"
#undef FK_FIELD

    size_t size() const {
        return size_;
    }
    bool empty() const {
        return size_ == 0;
    }
    // Empties the block, keeping allocated capacity for reuse.
    void clear();
    // The same, but the columns in `keep` keep their length (their strings are dropped): for
    // producers that overwrite rows from the first and then call set_rows(), so that the
    // columns are not filled with zeros again for every block.
    void clear_keeping(const FieldSet& keep);
    void reserve(size_t n);
    void append(const FlowRecord& r);
    // Copies rows [begin, end) of src, column by column (src's columns are decoded as needed).
    void append_range(FlowBlock& src, size_t begin, size_t end);
    // Copies the listed rows of src, in the order listed.
    void append_rows(FlowBlock& src, const uint32_t* rows, size_t n);
    // Copies the rows of src whose mask byte is set.
    void append_selected(FlowBlock& src, const uint8_t* mask);

    // Row i as a record; string views point into this block. Decodes every column first.
    void record(size_t i, FlowRecord& r);

    // Makes a column (or several) available, decoding it if it is still encoded.
    void ensure(FieldId f) {
        if (!ready_.test(static_cast<unsigned>(f))) materialise(f);
    }
    void ensure(const FieldSet& fs);
    void ensure_all();
    // True when the column is known to hold only zero / empty values without decoding it.
    bool all_default(FieldId f) const {
        return absent_.test(static_cast<unsigned>(f));
    }
    // False when no row was ever given a non-default value in column f (the writer skips
    // such columns without looking at them).
    bool may_hold_values(FieldId f) const {
        const unsigned id = static_cast<unsigned>(f);
        return (touched_[id / 64] >> (id % 64)) & 1;
    }

    // Time range of the block (min start, max end), kept up to date by append().
    uint64_t t_first() const {
        return t_first_;
    }
    uint64_t t_last() const {
        return t_last_;
    }

    // For format/: installs an encoded block of n rows. The columns in `stored` are decoded
    // on demand from `encoded()` using `column(f)`; the others are all default.
    std::vector<uint8_t>& encoded() {
        return encoded_;
    }
    EncodedColumn& encoded_column(FieldId f) {
        return enc_[static_cast<unsigned>(f)];
    }
    void set_encoded(size_t n, const FieldSet& stored, uint64_t t_first, uint64_t t_last);
    // Where the block was read from, for messages (shared: the reader may be gone by then).
    void set_origin(std::shared_ptr<const std::string> file, uint64_t offset) {
        origin_file_ = std::move(file);
        origin_offset_ = offset;
    }
    const std::string* origin_file() const {
        return origin_file_.get();
    }
    uint64_t origin_offset() const {
        return origin_offset_;
    }
    // For producers that write rows straight into the columns (wire decoders): the block now
    // has n rows, the lowest start among them t_first and the highest end t_last (exactly:
    // block headers and file summaries take them as they are). The columns in `held` hold them;
    // the others are all default, left unfilled until someone ensure()s them.
    void set_rows(size_t n, uint64_t t_first, uint64_t t_last, const FieldSet& held);

  private:
    template <class RowAt>
    void gather(FlowBlock& src, size_t n, RowAt row_at);
    void materialise(FieldId f);

    size_t size_ = 0;
    FieldSet ready_ = FieldSet().set();  // columns that hold size_ values
    FieldSet absent_;                    // columns known to be all default
    uint64_t touched_[2] = {0, 0};       // bit per field id: a non-default value was stored

    std::vector<uint8_t> encoded_;
    EncodedColumn enc_[kFieldSlots];
    uint64_t t_first_ = UINT64_MAX;
    uint64_t t_last_ = 0;
    std::shared_ptr<const std::string> origin_file_;
    uint64_t origin_offset_ = 0;
};

// column<F>(block): the column of field F.
template <FieldId F>
struct BlockColumn;
#define FK_FIELD(id, name_, ...)                                       \
    template <>                                                        \
    struct BlockColumn<FieldId::name_> {                               \
        static auto& get(FlowBlock& b) { return b.name_; }             \
        static const auto& get(const FlowBlock& b) { return b.name_; } \
    };
#include "record/fields.def"
#undef FK_FIELD
template <FieldId F>
auto& column(FlowBlock& b) {
    return BlockColumn<F>::get(b);
}
template <FieldId F>
const auto& column(const FlowBlock& b) {
    return BlockColumn<F>::get(b);
}

}  // namespace fk
