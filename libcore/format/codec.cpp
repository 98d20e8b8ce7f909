#include "format/codec.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "common/error.h"
#include "common/target_clones.h"
#include "format/planes.h"

namespace fk {

namespace {

constexpr uint64_t zigzag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t unzigzag(uint64_t v) {
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

unsigned width_of(uint64_t max) {
    if (max == 0) return 0;
    if (max <= 0xff) return 1;
    if (max <= 0xffff) return 2;
    if (max <= 0xffffffffull) return 4;
    return 8;
}

unsigned byte_len(uint64_t v) {
    return v == 0 ? 0 : (71 - static_cast<unsigned>(__builtin_clzll(v))) / 8;
}

// The inverse of odd a modulo 2^64 (Newton's iteration: each step doubles the bits right).
constexpr uint64_t odd_inverse(uint64_t a) {
    uint64_t x = a;
    for (int i = 0; i < 5; ++i) x *= 2 - a * x;
    return x;
}

// Exact division by 2^shift * odd: an arithmetic shift, then a multiplication by the odd
// part's inverse modulo 2^64, cheaper than a division (even by a constant). For a value
// that is not a multiple, the quotient q has q * divisor != value.
template <int64_t Divisor, unsigned Shift>
struct ExactDivisor {
    static constexpr int64_t divisor = Divisor;
    static constexpr unsigned shift = Shift;
    static constexpr uint64_t inverse = odd_inverse(static_cast<uint64_t>(Divisor >> Shift));
    static_assert((Divisor >> Shift) % 2 == 1 && (Divisor >> Shift << Shift) == Divisor);
};
using Million = ExactDivisor<1'000'000, 6>;
using Thousand = ExactDivisor<1'000, 3>;
static_assert(Thousand::inverse * 125 == 1 && Million::inverse * 15625 == 1);

void put_varint(std::vector<uint8_t>& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<uint8_t>(v));
}

[[noreturn]] void corrupt(const FlowBlock& b, FieldId f, const std::string& what) {
    std::string where = b.origin_file() ? *b.origin_file() : std::string("<input>");
    throw DataError(where + ": offset " + std::to_string(b.origin_offset()) + ": column " +
                    std::string(field_info(f).name) + ": " + what);
}

// Per-thread scratch for decoding, so that worker threads share nothing.
struct DecodeScratch {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    std::vector<uint8_t> raw;
    std::vector<uint64_t> values;
    std::vector<uint64_t> kept;  // the stored rows of a sparse column
    std::vector<IpAddr> addrs;
    ~DecodeScratch() { ZSTD_freeDCtx(dctx); }
};
thread_local DecodeScratch t_scratch;

// The raw length a column of a block of `records` may have: the most a writer makes of it.
// The largest is a text column of distinct values: per record a varint length (2 bytes), the
// text (at most kMaxTextBytes) and an id (4 bytes) and a sparse bit, plus the varint count;
// 16 bytes a record and 64 in all cover that. Tied to the records only, so that a tiny block
// cannot make a reader allocate hundreds of megabytes.
uint64_t max_column_raw(size_t records) {
    return uint64_t{records} * (kMaxTextBytes + 16) + 64;
}

// The column's bytes after zstd, verified to be raw_len long.
const uint8_t* column_bytes(FlowBlock& b, FieldId f, const EncodedColumn& e) {
    const auto& enc = b.encoded();
    if (static_cast<uint64_t>(e.offset) + e.stored_len > enc.size()) {
        corrupt(b, f, "extends past the block");
    }
    const uint8_t* src = enc.data() + e.offset;
    if (!(e.flags & kColumnCompressed)) {
        if (e.stored_len != e.raw_len) corrupt(b, f, "stored length differs from raw length");
        return src;
    }
    // Checked before anything is allocated: the size the frame states, and a bound no
    // column of the block reaches.
    if (e.raw_len > max_column_raw(b.size()))
        corrupt(b, f,
                "raw length of " + std::to_string(e.raw_len) + " bytes is more than " +
                    std::to_string(b.size()) + " records hold");
    if (ZSTD_getFrameContentSize(src, e.stored_len) != e.raw_len)
        corrupt(b, f, "decompressed length differs from raw length");
    auto& raw = t_scratch.raw;
    if (raw.size() < e.raw_len) raw.resize(e.raw_len);
    const size_t got =
        ZSTD_decompressDCtx(t_scratch.dctx, raw.data(), e.raw_len, src, e.stored_len);
    if (ZSTD_isError(got)) corrupt(b, f, std::string("zstd: ") + ZSTD_getErrorName(got));
    if (got != e.raw_len) corrupt(b, f, "decompressed length differs from raw length");
    return raw.data();
}

// Reads n integers of W bytes, split in byte planes when shuffled, into out: one pass that
// gathers the W planes of each value (the compiler vectorises it).
template <unsigned W, class T>
void unpack_width(const uint8_t* src, size_t n, bool shuffled, T* out) {
    if constexpr (W == 1) {
        for (size_t i = 0; i < n; ++i) out[i] = static_cast<T>(src[i]);
    } else {
        if (!shuffled) {
            for (size_t i = 0; i < n; ++i) {
                uint64_t v = 0;
                std::memcpy(&v, src + i * W, W);
                out[i] = static_cast<T>(v);
            }
            return;
        }
        const uint8_t* p0 = src;
        const uint8_t* p1 = src + n;
        if constexpr (W == 2) {
            for (size_t i = 0; i < n; ++i) out[i] = static_cast<T>(p0[i] | uint32_t{p1[i]} << 8);
        } else if constexpr (W == 4) {
            const uint8_t* p2 = src + 2 * n;
            const uint8_t* p3 = src + 3 * n;
            for (size_t i = 0; i < n; ++i) {
                out[i] = static_cast<T>(p0[i] | uint32_t{p1[i]} << 8 | uint32_t{p2[i]} << 16 |
                                        uint32_t{p3[i]} << 24);
            }
        } else {
            for (size_t i = 0; i < n; ++i) {
                uint64_t v = 0;
                for (unsigned k = 0; k < 8; ++k) v |= uint64_t{src[k * n + i]} << (8 * k);
                out[i] = static_cast<T>(v);
            }
        }
    }
}

template <class T>
void unpack(const uint8_t* src, size_t n, unsigned width, bool shuffled, T* out) {
    switch (width) {
        case 0:
            std::fill(out, out + n, T{});
            break;
        case 1:
            unpack_width<1>(src, n, shuffled, out);
            break;
        case 2:
            unpack_width<2>(src, n, shuffled, out);
            break;
        case 4:
            unpack_width<4>(src, n, shuffled, out);
            break;
        default:
            unpack_width<8>(src, n, shuffled, out);
            break;
    }
}

// The most bytes n packed values of a column can take: checked before decompressing, so
// that a corrupt raw length is not allocated.
size_t max_packed_len(size_t n, const EncodedColumn& e) {
    return n * e.width + (e.flags & kColumnSparse ? (n + 7) / 8 : 0);
}

// Reads a column's n packed values from the len bytes at src: byte planes or not, and with
// kColumnSparse first a bit per row, set for the rows stored; the other rows are 0. False
// when len is not what the width (and the bits) make.
template <class T>
bool unpack_rows(const uint8_t* src, size_t len, size_t n, const EncodedColumn& e, T* out) {
    const bool shuffled = e.flags & kColumnShuffled;
    if (!(e.flags & kColumnSparse)) {
        if (len != n * e.width) return false;
        unpack(src, n, e.width, shuffled, out);
        return true;
    }
    const size_t bitmap = (n + 7) / 8;
    if (e.width == 0 || len < bitmap) return false;
    if (n % 8 != 0 && (src[bitmap - 1] >> (n % 8)) != 0) return false;  // bits past the rows
    size_t m = 0;
    for (size_t k = 0; k < bitmap; ++k) m += static_cast<size_t>(std::popcount(src[k]));
    if (len - bitmap != m * e.width) return false;
    auto& kept = t_scratch.kept;
    kept.resize(m + 1);
    unpack(src + bitmap, m, e.width, shuffled, kept.data());
    kept[m] = 0;  // read (and masked off) for the rows after the last one stored
    size_t j = 0;
    for (size_t i = 0; i < n; ++i) {
        const uint64_t stored = src[i / 8] >> (i % 8) & 1;
        out[i] = static_cast<T>(kept[j] & (0 - stored));
        j += stored;
    }
    return true;
}

template <class T>
void decode_ints(FlowBlock& b, FieldId f, std::vector<T>& col) {
    const EncodedColumn& e = b.encoded_column(f);
    const size_t n = b.size();
    if (e.width > 8 || (e.width & (e.width - 1)) != 0) corrupt(b, f, "bad width");
    // A value wider than the field would be cut silently: its packed width, a base or a scale
    // beyond the field's range are refused here, once per column; sums beyond it where the
    // decoder already loops. (A base and a scale within a narrow field's range keep
    // base + packed * scale within 64 bits.)
    constexpr uint64_t kMax = std::numeric_limits<T>::max();
    const auto too_wide = [&] { corrupt(b, f, "value wider than the field"); };
    if (e.width > sizeof(T)) too_wide();
    if (sizeof(T) < 8 && (e.base > kMax || e.scale > kMax)) too_wide();
    if (e.raw_len > max_packed_len(n, e))
        corrupt(b, f, "raw length does not match the record count");
    // Decode start first: decoding it reuses this thread's scratch buffers.
    if (e.transform == kTransformFromStart && f != FieldId::start) b.ensure(FieldId::start);
    const uint8_t* src = e.raw_len ? column_bytes(b, f, e) : nullptr;
    col.resize(n);
    const uint64_t scale = e.scale;
    const auto rows = [&](auto* out) {
        if (!unpack_rows(src, e.raw_len, n, e, out))
            corrupt(b, f, "raw length does not match the record count");
    };
    if (e.transform == kTransformFor) {
        // Values fit T (they were T when written), so unpack straight into the column.
        rows(col.data());
        const T base = static_cast<T>(e.base);
        bool wrapped = false;
        if (scale == 1) {
            if (base != 0) {
                for (size_t i = 0; i < n; ++i) {
                    col[i] = static_cast<T>(col[i] + base);
                    wrapped |= col[i] < base;
                }
            }
        } else {
            // In 64 bits: narrow types would be promoted to int, where a corrupt scale
            // overflows.
            uint64_t high = 0;
            for (size_t i = 0; i < n; ++i) {
                const uint64_t v = uint64_t{base} + uint64_t{col[i]} * scale;
                high |= v & ~kMax;
                col[i] = static_cast<T>(v);
            }
            wrapped = high != 0;
        }
        if (wrapped) too_wide();
        return;
    }
    auto& v = t_scratch.values;
    v.resize(n);
    rows(v.data());
    switch (e.transform) {
        case kTransformDelta: {
            uint64_t prev = e.base, high = 0;
            for (size_t i = 0; i < n; ++i) {
                prev += static_cast<uint64_t>(unzigzag(v[i])) * scale;
                high |= prev & ~kMax;
                col[i] = static_cast<T>(prev);
            }
            if (high != 0) too_wide();
            break;
        }
        case kTransformFromStart: {
            if constexpr (std::is_same_v<T, uint64_t>) {
                if (f == FieldId::start) corrupt(b, f, "start cannot be relative to itself");
                const auto& start = column<FieldId::start>(b);
                for (size_t i = 0; i < n; ++i) {
                    col[i] = start[i] + static_cast<uint64_t>(unzigzag(v[i])) * scale;
                }
                break;
            }
            corrupt(b, f, "end-minus-start transform on a non-time column");
        }
        default:
            corrupt(b, f, "unknown transform " + std::to_string(e.transform));
    }
}

}  // namespace

ColumnEncoder::ColumnEncoder(int zstd_level) : cctx_(ZSTD_createCCtx()), level_(zstd_level) {}

ColumnEncoder::~ColumnEncoder() {
    ZSTD_freeCCtx(cctx_);
}

uint8_t* ColumnEncoder::grow_raw(size_t n) {
    if (raw_.size() < raw_len_ + n) raw_.resize((raw_len_ + n) * 2);
    uint8_t* p = raw_.data() + raw_len_;
    raw_len_ += n;
    return p;
}

template <class T>
FK_VECTOR_CLONES void ColumnEncoder::pack(const T* values, size_t n, T base, unsigned width,
                                          EncodedColumn& desc) {
    desc.width = static_cast<uint8_t>(width);
    if (width == 0) return;
    // Mostly the base (no response time, no name, one packet, no duration): a bit per row
    // (set: the value is stored), then only the other rows. On the bench capture such
    // columns give zstd a third of the bytes, and flowgen's files are 9% smaller. Every
    // eighth row decides: an estimate is enough, as both forms decode.
    size_t sampled = 0, at_base = 0;
    for (size_t i = 0; i < n; i += 8, ++sampled) at_base += values[i] == base;
    const bool sparse = at_base * 2 > sampled;
    if (!sparse && width == 1) {
        uint8_t* dst = grow_raw(n);
        for (size_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(values[i] - base);
        return;
    }
    // The rows stored, as width-byte integers (value - base): the values themselves when
    // they are already that.
    size_t rows = n;
    const uint8_t* packed = reinterpret_cast<const uint8_t*>(values);
    if (sparse || sizeof(T) != width || base != 0) {
        if (narrow_.size() < n * width) narrow_.resize(n * width);
        // Inlined, so that each clone of pack() runs its own version of the loops.
        auto narrow = [&](auto* out) __attribute__((always_inline))->size_t {
            using N = std::remove_pointer_t<decltype(out)>;
            if (!sparse) {
                for (size_t i = 0; i < n; ++i) out[i] = static_cast<N>(values[i] - base);
                return n;
            }
            uint8_t* bits = grow_raw((n + 7) / 8);
            size_t m = 0;
            // Eight rows to a byte, built in a register (or-ing into memory row by row made
            // each row wait for the store of the one before), in whole groups of eight that
            // the compiler unrolls, then the rest.
            const auto group = [&](size_t i, size_t count) __attribute__((always_inline)) {
                unsigned byte = 0;
                for (size_t r = 0; r < count; ++r) {
                    const T v = values[i + r];
                    byte |= unsigned{v != base} << r;
                    out[m] = static_cast<N>(v - base);
                    m += v != base;
                }
                bits[i / 8] = static_cast<uint8_t>(byte);
            };
            size_t i = 0;
            for (; i + 8 <= n; i += 8) group(i, 8);
            if (i < n) group(i, n - i);
            return m;
        };
        switch (width) {
            case 1:
                rows = narrow(narrow_.data());
                break;
            case 2:
                rows = narrow(reinterpret_cast<uint16_t*>(narrow_.data()));
                break;
            case 4:
                rows = narrow(reinterpret_cast<uint32_t*>(narrow_.data()));
                break;
            default:
                rows = narrow(reinterpret_cast<uint64_t*>(narrow_.data()));
        }
        packed = narrow_.data();
    }
    if (sparse) desc.flags |= kColumnSparse;
    uint8_t* dst = grow_raw(rows * width);
    if (width == 1) {
        std::memcpy(dst, packed, rows);
        return;
    }
    desc.flags |= kColumnShuffled;
    switch (width) {
        case 2:
            split_planes<2>(packed, rows, dst);
            break;
        case 4:
            split_planes<4>(packed, rows, dst);
            break;
        default:
            split_planes<8>(packed, rows, dst);
    }
}

template <class T>
FK_VECTOR_CLONES bool ColumnEncoder::encode_ints(const std::vector<T>& v, EncodedColumn& desc) {
    // Frame of reference: value - block minimum, at the smallest width that holds the range.
    const size_t n = v.size();
    if (n == 0) return false;
    T mn = v[0], mx = v[0];
    for (size_t i = 1; i < n; ++i) {
        mn = std::min(mn, v[i]);
        mx = std::max(mx, v[i]);
    }
    if (mx == 0) return false;
    desc.transform = kTransformFor;
    desc.base = mn;
    desc.scale = 1;
    pack(v.data(), n, mn, width_of(static_cast<uint64_t>(mx - mn)), desc);
    return true;
}

FK_VECTOR_CLONES bool ColumnEncoder::encode_times(const std::vector<uint64_t>& v,
                                                  const std::vector<uint64_t>* start,
                                                  EncodedColumn& desc) {
    const size_t n = v.size();
    if (n == 0) return false;
    if (values_.size() < n) values_.resize(n);
    int64_t* diff = reinterpret_cast<int64_t*>(values_.data());

    // Choose the transform whose values take the fewest bytes, a cheap stand-in for the
    // compressed size: frame of reference, delta, or (for `end`) end - start. The
    // alternative's values are made for every row; both are priced on every fourth row of a
    // large block, a quarter of the work (the same choices on the bench's files). Each loop
    // does one thing, through pointers that do not alias, so that each is vectorised (the
    // lambdas copy what they loop over: a store through a 64-bit pointer could change a
    // captured size or minimum, as far as the compiler knows).
    const uint64_t* __restrict x = v.data();
    auto alternative = [&] {
        const size_t rows = n;
        int64_t* __restrict d = diff;
        if (start) {
            const uint64_t* __restrict s = start->data();
            for (size_t i = 0; i < rows; ++i) d[i] = static_cast<int64_t>(x[i] - s[i]);
        } else {
            d[0] = 0;
            for (size_t i = 1; i < rows; ++i) d[i] = static_cast<int64_t>(x[i] - x[i - 1]);
        }
    };
    uint64_t mn = x[0], mx = x[0];
    for (size_t i = 1; i < n; ++i) {
        mn = std::min(mn, x[i]);
        mx = std::max(mx, x[i]);
    }
    if (mx == 0) return false;
    alternative();
    const size_t stride = n >= 256 ? 4 : 1;
    uint64_t cost_for = 0, cost_alt = 0;
    for (size_t i = 0; i < n; i += stride) {
        cost_for += byte_len(x[i] - mn);
        cost_alt += byte_len(zigzag(diff[i]));
    }
    const uint8_t transform = start ? (cost_alt <= cost_for ? kTransformFromStart : kTransformFor)
                                    : (cost_alt < cost_for ? kTransformDelta : kTransformFor);
    // Times from exporters are often whole seconds or milliseconds: store them divided.
    // Whole seconds are rare and a column not in them is found out within a few rows, so
    // they are tested first; a column whose first rows are whole milliseconds is divided at
    // once, and only when a division was not exact is it done again undivided. The values
    // divided are the chosen transform's: frame-of-reference values are made as they are
    // read, the others are in diff (pricing made them).
    const bool for_values = transform == kTransformFor;
    auto value = [&](size_t i) { return for_values ? static_cast<int64_t>(x[i] - mn) : diff[i]; };
    auto all_divisible = [&](int64_t divisor, size_t rows) {
        for (size_t i = 0; i < rows; ++i) {
            if (value(i) % divisor != 0) return false;
        }
        return true;
    };
    // Into values_ (over diff: value i is read before quotient i is written). Returns
    // whether every division was exact. One loop for each kind of value, without a branch.
    uint64_t max = 0;
    auto scale_down = [&](auto divisor) {
        auto divide = [&](auto frame_of_reference) {
            using D = decltype(divisor);
            const size_t rows = n;
            const uint64_t low = mn;
            const int64_t* d = diff;
            uint64_t rest = 0, top = 0;
            uint64_t* out = values_.data();
            for (size_t i = 0; i < rows; ++i) {
                int64_t q;
                if constexpr (decltype(frame_of_reference)::value) {
                    q = static_cast<int64_t>(x[i] - low);
                } else {
                    q = d[i];
                }
                if constexpr (!std::is_same_v<D, std::nullptr_t>) {
                    const int64_t r = q;
                    q = static_cast<int64_t>(static_cast<uint64_t>(r >> D::shift) * D::inverse);
                    rest |=
                        static_cast<uint64_t>(q) * uint64_t{D::divisor} ^ static_cast<uint64_t>(r);
                }
                const uint64_t u =
                    decltype(frame_of_reference)::value ? static_cast<uint64_t>(q) : zigzag(q);
                out[i] = u;
                top = std::max(top, u);
            }
            max = top;
            return rest == 0;
        };
        return for_values ? divide(std::true_type{}) : divide(std::false_type{});
    };
    uint64_t g = 1;
    if (all_divisible(Million::divisor, n)) {
        g = 1'000'000;
        scale_down(Million{});
    } else if (all_divisible(Thousand::divisor, std::min<size_t>(n, 64))) {
        g = 1'000;
        if (!scale_down(Thousand{})) {
            g = 1;
            if (!for_values) alternative();
            scale_down(nullptr);
        }
    } else {
        scale_down(nullptr);
    }
    desc.transform = transform;
    desc.base = transform == kTransformFor ? mn : transform == kTransformDelta ? v[0] : 0;
    desc.scale = g;
    pack(values_.data(), n, uint64_t{0}, width_of(max), desc);
    return true;
}

FK_VECTOR_CLONES bool ColumnEncoder::encode_addrs(const std::vector<IpAddr>& v,
                                                  EncodedColumn& desc) {
    // Branch-free, so that the scan vectorises: any bit set anywhere, any address whose
    // upper 96 bits are not ::ffff (IPv4-mapped), and any address unlike the first.
    uint64_t bits = 0, not_v4 = 0, varies = 0;
    const IpAddr first = v.empty() ? IpAddr{} : v[0];
    for (const auto& a : v) {
        bits |= a.hi | a.lo;
        not_v4 |= a.hi | ((a.lo >> 32) ^ 0xffff);
        varies |= (a.hi ^ first.hi) | (a.lo ^ first.lo);
    }
    if (bits == 0) return false;
    const bool all_v4 = not_v4 == 0;
    if (encode_addr_dict(v, all_v4, varies != 0, desc)) return true;
    const size_t n = v.size();
    desc.flags |= kColumnShuffled;
    if (all_v4) {
        desc.transform = kTransformAddr4;
        desc.width = 4;
        uint8_t* dst = grow_raw(n * 4);
        if (narrow_.size() < n * 4) narrow_.resize(n * 4);
        uint32_t* a = reinterpret_cast<uint32_t*>(narrow_.data());
        for (size_t i = 0; i < n; ++i) a[i] = static_cast<uint32_t>(v[i].lo);
        split_planes<4>(narrow_.data(), n, dst);
        return true;
    }
    // 16 byte planes: the 8 of `lo` first, then the 8 of `hi`.
    desc.transform = kTransformAddr16;
    desc.width = 16;
    uint8_t* dst = grow_raw(n * 16);
    if (narrow_.size() < n * 8) narrow_.resize(n * 8);
    uint64_t* half = reinterpret_cast<uint64_t*>(narrow_.data());
    for (size_t i = 0; i < n; ++i) half[i] = v[i].lo;
    split_planes<8>(narrow_.data(), n, dst);
    for (size_t i = 0; i < n; ++i) half[i] = v[i].hi;
    split_planes<8>(narrow_.data(), n, dst + 8 * n);
    return true;
}

FK_VECTOR_CLONES bool ColumnEncoder::encode_addr_dict(const std::vector<IpAddr>& v, bool all_v4,
                                                      bool varies, EncodedColumn& desc) {
    // Flows repeat their hosts: a block of 32768 flows typically holds a few thousand distinct
    // addresses per column. Those are stored once, sorted (IPv4 as deltas), and each record
    // keeps a small id; this halves the compressed size of the address columns.
    const size_t n = v.size();
    if (n < 64) return false;
    const size_t value_width = all_v4 ? 4 : 16;
    if (!varies) {
        // One address (the exporter column, a single link's next hop): a dictionary of one
        // entry and ids of width 0, without hashing every row.
        // Its planes, one byte each: those of `lo`, then (IPv6) those of `hi`.
        const uint64_t halves[2] = {v[0].lo, v[0].hi};
        uint8_t* dict = grow_raw(value_width);
        for (size_t b = 0; b < value_width; ++b) {
            dict[b] = static_cast<uint8_t>(halves[b / 8] >> (8 * (b % 8)));
        }
        desc.transform = kTransformAddrDict;
        desc.base = 1;
        desc.scale = value_width;
        desc.width = 0;
        return true;
    }
    size_t slots = 1;
    while (slots < 2 * n) slots <<= 1;
    if (addr_slots_.size() != slots) addr_slots_.assign(slots, 0);
    addr_distinct_.clear();
    addr_used_.clear();
    addr_ids_.resize(n);
    // Too varied to pay off: more than n/2 distinct addresses, or more than n/8 in the first
    // quarter of the rows (on course for the limit: the rest is not worth hashing). A column
    // of nearly all new addresses (a scan's targets, a flood's forged sources) is given up
    // sooner: when 31 of every 32 of its first n/32 rows were new.
    const size_t limit = n / 2, early_rows = n / 4, early_limit = n / 8;
    const size_t first_rows = n / 32, first_limit = first_rows - first_rows / 32;
    const size_t mask = slots - 1;
    // Leaves the slots all free again for the next call: clears only those this one took.
    auto release = [&] {
        for (const uint32_t h : addr_used_) addr_slots_[h] = 0;
    };
    for (size_t i = 0; i < n; ++i) {
        if ((i == first_rows && addr_distinct_.size() > first_limit) ||
            (i == early_rows && addr_distinct_.size() > early_limit)) {
            release();
            return false;
        }
        const IpAddr a = v[i];
        // Runs of one address (a host's flows) skip the hash lookup.
        if (i > 0 && a == v[i - 1]) {
            addr_ids_[i] = addr_ids_[i - 1];
            continue;
        }
        for (size_t h = IpAddrHash{}(a)&mask;; h = (h + 1) & mask) {
            const uint32_t s = addr_slots_[h];
            if (s == 0) {
                if (addr_distinct_.size() == limit) {
                    release();
                    return false;
                }
                addr_distinct_.push_back(a);
                addr_used_.push_back(static_cast<uint32_t>(h));
                addr_slots_[h] = static_cast<uint32_t>(addr_distinct_.size());
                addr_ids_[i] = static_cast<uint32_t>(addr_distinct_.size() - 1);
                break;
            }
            if (addr_distinct_[s - 1] == a) {
                addr_ids_[i] = s - 1;
                break;
            }
        }
    }
    release();
    // Sorted by address: keys that carry the address itself sort without indirection (the
    // addresses are distinct, so the order is the same as sorting indices by address).
    const size_t d = addr_distinct_.size();
    addr_rank_.resize(d);
    uint32_t* rank = addr_rank_.data();
    uint8_t* dict = grow_raw(d * value_width);
    if (all_v4) {
        addr_keys4_.resize(d);
        for (size_t k = 0; k < d; ++k) {
            addr_keys4_[k] = (addr_distinct_[k].lo << 32) | k;
        }
        std::sort(addr_keys4_.begin(), addr_keys4_.end());
        uint32_t prev = 0;
        for (size_t k = 0; k < d; ++k) {
            const uint32_t a = static_cast<uint32_t>(addr_keys4_[k] >> 32);
            rank[static_cast<uint32_t>(addr_keys4_[k])] = static_cast<uint32_t>(k);
            const uint32_t delta = a - prev;
            prev = a;
            for (unsigned b = 0; b < 4; ++b)
                dict[b * d + k] = static_cast<uint8_t>(delta >> (8 * b));
        }
    } else {
        // IPv6 among IPv4: the IPv4 addresses (::ffff:0:0/96) sort as integers with their
        // index packed in, as above, the others by both halves (twice the time per key); the
        // IPv4 run then goes where ::ffff:0:0 falls among the others.
        addr_keys4_.clear();
        addr_keys16_.clear();
        for (size_t k = 0; k < d; ++k) {
            const IpAddr& a = addr_distinct_[k];
            if (a.is_v4())
                addr_keys4_.push_back(uint64_t{a.v4_value()} << 32 | k);
            else
                addr_keys16_.push_back({a, static_cast<uint32_t>(k)});
        }
        std::sort(addr_keys4_.begin(), addr_keys4_.end());
        std::sort(addr_keys16_.begin(), addr_keys16_.end(), [](const AddrKey& x, const AddrKey& y) {
            return x.a.hi < y.a.hi || (x.a.hi == y.a.hi && x.a.lo < y.a.lo);
        });
        const size_t v4_at = static_cast<size_t>(
            std::partition_point(addr_keys16_.begin(), addr_keys16_.end(),
                                 [](const AddrKey& x) { return x.a < IpAddr::v4(0); }) -
            addr_keys16_.begin());
        size_t k = 0;
        const auto put = [&](const IpAddr& a, uint32_t index) {
            rank[index] = static_cast<uint32_t>(k);
            for (unsigned b = 0; b < 8; ++b) {
                dict[b * d + k] = static_cast<uint8_t>(a.lo >> (8 * b));
                dict[(8 + b) * d + k] = static_cast<uint8_t>(a.hi >> (8 * b));
            }
            ++k;
        };
        for (size_t j = 0; j < v4_at; ++j) put(addr_keys16_[j].a, addr_keys16_[j].index);
        for (const uint64_t key : addr_keys4_)
            put(IpAddr::v4(static_cast<uint32_t>(key >> 32)), static_cast<uint32_t>(key));
        for (size_t j = v4_at; j < addr_keys16_.size(); ++j)
            put(addr_keys16_[j].a, addr_keys16_[j].index);
    }
    for (size_t i = 0; i < n; ++i) addr_ids_[i] = rank[addr_ids_[i]];
    desc.transform = kTransformAddrDict;
    desc.base = d;
    desc.scale = value_width;
    pack(addr_ids_.data(), n, uint32_t{0}, width_of(d - 1), desc);
    return true;
}

bool ColumnEncoder::encode_strings(const StrColumn& c, EncodedColumn& desc) {
    const size_t n = c.ids.size();
    uint32_t max_id = 0;
    for (uint32_t id : c.ids) max_id = std::max(max_id, id);
    if (max_id == 0) return false;
    // Layout: varint count, varint length of each entry, the entries' text, then the ids.
    const uint32_t count = c.dict.size() - 1;
    packed_.clear();
    put_varint(packed_, count);
    for (uint32_t id = 1; id <= count; ++id) put_varint(packed_, c.dict.get(id).size());
    uint8_t* head = grow_raw(packed_.size());
    std::memcpy(head, packed_.data(), packed_.size());
    for (uint32_t id = 1; id <= count; ++id) {
        const auto s = c.dict.get(id);
        if (!s.empty()) std::memcpy(grow_raw(s.size()), s.data(), s.size());
    }
    desc.transform = kTransformDict;
    desc.base = raw_len_;  // where the ids start
    pack(c.ids.data(), n, uint32_t{0}, width_of(count), desc);
    return true;
}

size_t ColumnEncoder::compress(int level, std::vector<uint8_t>& dst) {
    const size_t bound = ZSTD_compressBound(raw_len_);
    if (dst.size() < bound) dst.resize(bound);
    // zstd fits the fast levels' hash table to each input. One table of 2^16 entries for
    // every column took 20% less time in zstd's match finder on the bench's blocks (3% less
    // decoding and writing them), for 0.003% more bytes. 0: zstd's choice.
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_hashLog, level <= kLastFastLevel ? kFastHashLog : 0);
    const size_t z = ZSTD_compress2(cctx_, dst.data(), bound, raw_.data(), raw_len_);
    // Raw bytes are kept when zstd fails or does not help.
    return ZSTD_isError(z) ? raw_len_ : z;
}

void ColumnEncoder::finish(std::vector<uint8_t>& out, FieldId f, EncodedColumn& desc) {
    desc.raw_len = static_cast<uint32_t>(raw_len_);
    desc.offset = static_cast<uint32_t>(out.size());
    if (raw_len_ == 0) {
        desc.stored_len = 0;
        return;
    }
    size_t z;
    const std::vector<uint8_t>* zbuf = &zbuf_;
    LevelChoice& choice = level_choice_[static_cast<unsigned>(f)];
    if (level_ > kMaxProbedLevel) {
        z = compress(level_, zbuf_);
    } else if (choice.blocks_to_probe > 0) {
        --choice.blocks_to_probe;
        z = compress(choice.level != 0 ? choice.level : level_, zbuf_);
    } else {
        // This block is stored as the level asked for makes it, unless a faster level is chosen.
        z = compress(level_, zbuf_);
        choice.level = 0;
        choice.blocks_to_probe = kLevelProbeBlocks - 1;
        for (const int level : kFasterLevels) {
            if (level >= level_) continue;
            const size_t z_probe = compress(level, zbuf_probe_);
            if (z_probe <= z + z / 64) {
                choice.level = static_cast<int8_t>(level);
                z = z_probe;
                zbuf = &zbuf_probe_;
                break;
            }
        }
    }
    if (z < raw_len_) {
        desc.flags |= kColumnCompressed;
        desc.stored_len = static_cast<uint32_t>(z);
        out.insert(out.end(), zbuf->data(), zbuf->data() + z);
    } else {
        desc.stored_len = desc.raw_len;
        out.insert(out.end(), raw_.data(), raw_.data() + raw_len_);
    }
}

bool ColumnEncoder::encode(FlowBlock& b, FieldId f, std::vector<uint8_t>& out,
                           EncodedColumn& desc) {
    desc = EncodedColumn{};
    raw_len_ = 0;
    if (!b.may_hold_values(f)) return false;
    b.ensure(f);
    bool present = false;
    visit_field(f, [&](auto t) {
        using T = decltype(t);
        const auto& col = column<T::id>(b);
        if constexpr (T::storage == Storage::Str) {
            present = encode_strings(col, desc);
        } else if constexpr (T::storage == Storage::Addr) {
            present = encode_addrs(col, desc);
        } else if constexpr (T::format == Format::Time) {
            const std::vector<uint64_t>* start = nullptr;
            if constexpr (T::id == FieldId::end) {
                b.ensure(FieldId::start);
                start = &column<FieldId::start>(b);
            }
            present = encode_times(col, start, desc);
        } else {
            present = encode_ints(col, desc);
        }
    });
    if (present) finish(out, f, desc);
    return present;
}

void decode_column(FlowBlock& b, FieldId f, std::vector<uint8_t>& col) {
    decode_ints(b, f, col);
}
void decode_column(FlowBlock& b, FieldId f, std::vector<uint16_t>& col) {
    decode_ints(b, f, col);
}
void decode_column(FlowBlock& b, FieldId f, std::vector<uint32_t>& col) {
    decode_ints(b, f, col);
}
void decode_column(FlowBlock& b, FieldId f, std::vector<uint64_t>& col) {
    decode_ints(b, f, col);
}

namespace {

void decode_addr_dict(FlowBlock& b, FieldId f, const EncodedColumn& e, std::vector<IpAddr>& col) {
    const size_t n = b.size();
    const uint64_t d = e.base, vw = e.scale, w = e.width;
    if (d == 0 || d > n || (vw != 4 && vw != 16)) corrupt(b, f, "bad address dictionary");
    if (w > 4 || (w & (w - 1)) != 0) corrupt(b, f, "bad id width");
    if (e.raw_len < d * vw || e.raw_len - d * vw > max_packed_len(n, e))
        corrupt(b, f, "address dictionary size mismatch");
    const uint8_t* src = column_bytes(b, f, e);
    auto& dict = t_scratch.addrs;
    dict.resize(d);
    // The addresses are distinct and ascending: a delta of 0 after the first, or deltas
    // past 2^32, would make ids name equal or wrapped addresses.
    bool ascending = true;
    if (vw == 4) {
        uint64_t a = 0;
        for (size_t k = 0; k < d; ++k) {
            const uint32_t delta = src[k] | uint32_t{src[d + k]} << 8 |
                                   uint32_t{src[2 * d + k]} << 16 | uint32_t{src[3 * d + k]} << 24;
            ascending &= k == 0 || delta != 0;
            a += delta;
            dict[k] = IpAddr::v4(static_cast<uint32_t>(a));
        }
        ascending &= a <= UINT32_MAX;
    } else {
        auto& v = t_scratch.values;
        v.resize(d);
        unpack(src, d, 8, true, v.data());
        for (size_t k = 0; k < d; ++k) dict[k].lo = v[k];
        unpack(src + d * 8, d, 8, true, v.data());
        for (size_t k = 0; k < d; ++k) dict[k].hi = v[k];
        for (size_t k = 1; k < d; ++k) ascending &= dict[k - 1] < dict[k];
    }
    if (!ascending) corrupt(b, f, "address dictionary not in ascending order");
    auto& ids = t_scratch.values;
    ids.resize(n);
    if (!unpack_rows(src + d * vw, e.raw_len - d * vw, n, e, ids.data()))
        corrupt(b, f, "address dictionary size mismatch");
    uint64_t max_id = 0;
    for (size_t i = 0; i < n; ++i) max_id = std::max(max_id, ids[i]);
    if (max_id >= d) corrupt(b, f, "id outside the address dictionary");
    for (size_t i = 0; i < n; ++i) col[i] = dict[ids[i]];
}

}  // namespace

void decode_column(FlowBlock& b, FieldId f, std::vector<IpAddr>& col) {
    const EncodedColumn& e = b.encoded_column(f);
    const size_t n = b.size();
    auto& v = t_scratch.values;
    v.resize(n);
    col.resize(n);
    if (e.transform == kTransformAddr4) {
        if (e.width != 4 || e.raw_len != n * 4) corrupt(b, f, "bad IPv4 column size");
        const uint8_t* src = column_bytes(b, f, e);
        if (e.flags & kColumnShuffled) {
            const uint8_t *p0 = src, *p1 = src + n, *p2 = src + 2 * n, *p3 = src + 3 * n;
            for (size_t i = 0; i < n; ++i) {
                col[i].hi = 0;
                col[i].lo = IpAddr::kV4Prefix | p0[i] | uint32_t{p1[i]} << 8 |
                            uint32_t{p2[i]} << 16 | uint32_t{p3[i]} << 24;
            }
        } else {
            unpack(src, n, 4, false, v.data());
            for (size_t i = 0; i < n; ++i) col[i] = IpAddr::v4(static_cast<uint32_t>(v[i]));
        }
    } else if (e.transform == kTransformAddr16) {
        if (e.width != 16 || e.raw_len != n * 16) corrupt(b, f, "bad IPv6 column size");
        const uint8_t* src = column_bytes(b, f, e);
        const bool shuffled = e.flags & kColumnShuffled;
        unpack(src, n, 8, shuffled, v.data());
        for (size_t i = 0; i < n; ++i) col[i].lo = v[i];
        unpack(src + n * 8, n, 8, shuffled, v.data());
        for (size_t i = 0; i < n; ++i) col[i].hi = v[i];
    } else if (e.transform == kTransformAddrDict) {
        decode_addr_dict(b, f, e, col);
    } else {
        corrupt(b, f, "unknown address transform " + std::to_string(e.transform));
    }
}

void decode_column(FlowBlock& b, FieldId f, StrColumn& col) {
    const EncodedColumn& e = b.encoded_column(f);
    const size_t n = b.size();
    if (e.transform != kTransformDict) corrupt(b, f, "strings without a dictionary");
    const uint8_t* p = column_bytes(b, f, e);
    const uint8_t* end = p + e.raw_len;
    auto varint = [&]() {
        uint64_t v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if (p >= end) corrupt(b, f, "dictionary truncated");
            const uint8_t c = *p++;
            v |= static_cast<uint64_t>(c & 0x7f) << shift;
            if (!(c & 0x80)) return v;
        }
        corrupt(b, f, "bad varint in dictionary");
    };
    const uint64_t count = varint();
    if (count > e.raw_len) corrupt(b, f, "dictionary larger than the column");
    auto& lens = t_scratch.values;
    lens.resize(count);
    // Each length within the limit, so that their sum (at most count * kMaxTextBytes, count
    // bounded by raw_len) cannot wrap and hide a length that runs past the column.
    uint64_t text = 0;
    for (uint64_t i = 0; i < count; ++i) {
        lens[i] = varint();
        if (lens[i] > kMaxTextBytes)
            corrupt(b, f,
                    "dictionary entry of " + std::to_string(lens[i]) + " bytes (at most " +
                        std::to_string(kMaxTextBytes) + ")");
        text += lens[i];
    }
    if (text > static_cast<uint64_t>(end - p)) corrupt(b, f, "dictionary text truncated");
    col.dict.clear();
    for (uint64_t i = 0; i < count; ++i) {
        col.dict.append_unique(std::string_view(reinterpret_cast<const char*>(p), lens[i]));
        p += lens[i];
    }
    if (static_cast<uint64_t>(p - (end - e.raw_len)) != e.base) corrupt(b, f, "ids misplaced");
    if (e.width > 4 || (e.width & (e.width - 1)) != 0) corrupt(b, f, "bad id width");
    auto& ids = t_scratch.values;  // the lengths are no longer needed
    ids.resize(n);
    if (!unpack_rows(p, static_cast<size_t>(end - p), n, e, ids.data()))
        corrupt(b, f, "id array size mismatch");
    col.ids.resize(n);
    for (size_t i = 0; i < n; ++i) {
        if (ids[i] > count) corrupt(b, f, "id outside the dictionary");
        col.ids[i] = static_cast<uint32_t>(ids[i]);
    }
}

}  // namespace fk
