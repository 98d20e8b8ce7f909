// Column codecs of the flowkit format (man 5 flowkit-format). Each column of a block is
// transformed (frame of reference, delta, end-minus-start, dictionary), packed at the smallest
// byte width that holds it, split into byte planes, and compressed with zstd on its own, so
// that a reader can decode only the columns it needs.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "record/flow_block.h"

struct ZSTD_CCtx_s;

namespace fk {

enum ColumnTransform : uint8_t {
    kTransformFor = 0,        // value - base (base = block minimum)
    kTransformDelta = 1,      // zigzag(value[i] - value[i-1]), value[-1] = base
    kTransformFromStart = 2,  // zigzag(end - start), for the end column
    kTransformDict = 3,       // strings: dictionary + ids
    kTransformAddr4 = 4,      // addresses, all IPv4: 32-bit values
    kTransformAddr16 = 5,     // addresses: 128-bit values
    kTransformAddrDict = 6,   // addresses: sorted distinct values, then an id per record
};

enum ColumnFlags : uint8_t {
    kColumnShuffled = 1,    // byte planes: all first bytes, then all second bytes ...
    kColumnCompressed = 2,  // the stored bytes are one zstd frame
    kColumnSparse = 4,      // packed values: a bit per row first, then only the rows set
};

class ColumnEncoder {
  public:
    explicit ColumnEncoder(int zstd_level);
    ~ColumnEncoder();
    ColumnEncoder(const ColumnEncoder&) = delete;
    ColumnEncoder& operator=(const ColumnEncoder&) = delete;

    // Appends column f of b to out and describes it in desc (offset = where it starts in out).
    // Returns false, writing nothing, when every value is zero / empty.
    bool encode(FlowBlock& b, FieldId f, std::vector<uint8_t>& out, EncodedColumn& desc);

  private:
    template <class T>
    bool encode_ints(const std::vector<T>& v, EncodedColumn& desc);
    bool encode_times(const std::vector<uint64_t>& v, const std::vector<uint64_t>* start,
                      EncodedColumn& desc);
    bool encode_addrs(const std::vector<IpAddr>& v, EncodedColumn& desc);
    bool encode_addr_dict(const std::vector<IpAddr>& v, bool all_v4, bool varies,
                          EncodedColumn& desc);
    bool encode_strings(const StrColumn& c, EncodedColumn& desc);
    // Appends n values minus `base` as width-byte integers in byte planes; sparse
    // (kColumnSparse) when most of them are `base`.
    template <class T>
    void pack(const T* values, size_t n, T base, unsigned width, EncodedColumn& desc);
    uint8_t* grow_raw(size_t n);
    void finish(std::vector<uint8_t>& out, FieldId f, EncodedColumn& desc);

    ZSTD_CCtx_s* cctx_;
    int level_;
    // Many columns shrink as much at a negative zstd level, in a fraction of the time:
    // near-random bytes (ports, the host addresses of scans and floods), or long runs found
    // at any level. When the level asked for is a fast one itself (3 or less), each column
    // is compressed every kLevelProbeBlocks blocks at that level and at the faster levels in
    // turn; until the next probe it keeps the fastest that took at most 1/64 more bytes.
    static constexpr int kMaxProbedLevel = 3;
    static constexpr std::array<int8_t, 2> kFasterLevels = {-7, -1};  // fastest first
    static constexpr uint8_t kLevelProbeBlocks = 64;
    struct LevelChoice {
        int8_t level = 0;  // 0: the level asked for, or one of kFasterLevels
        uint8_t blocks_to_probe = 0;
    };
    std::array<LevelChoice, kFieldSlots> level_choice_{};
    // Levels 1 and below are zstd's "fast" strategy, for which kFastHashLog is set.
    static constexpr int kLastFastLevel = 1;
    static constexpr int kFastHashLog = 16;
    size_t compress(int level, std::vector<uint8_t>& dst);
    // Scratch buffers grow and are reused; raw_len_ is how much of raw_ the column uses.
    std::vector<uint8_t> raw_;
    size_t raw_len_ = 0;
    std::vector<uint8_t> packed_;
    std::vector<uint64_t> values_;
    // Address dictionary scratch: open-addressing slots (distinct index + 1, 0 = free; all
    // free between calls, so that only the slots used are cleared), the slot each distinct
    // address took, the distinct addresses in order of appearance, each record's index, the
    // sort keys (address and index) and each distinct address's rank.
    std::vector<uint32_t> addr_slots_;
    std::vector<uint32_t> addr_used_;
    std::vector<IpAddr> addr_distinct_;
    std::vector<uint32_t> addr_ids_;
    std::vector<uint64_t> addr_keys4_;
    struct AddrKey {
        IpAddr a;
        uint32_t index;
    };
    std::vector<AddrKey> addr_keys16_;
    std::vector<uint32_t> addr_rank_;
    // Values narrowed to their stored width before they are split into byte planes.
    std::vector<uint8_t> narrow_;
    // zstd output before it is appended (out grown by the bound would zero-fill it first).
    std::vector<uint8_t> zbuf_;
    std::vector<uint8_t> zbuf_probe_;  // a faster level's output while probing
};

// Decodes column f of b from b.encoded() into col (called by FlowBlock::ensure()). Throws
// DataError naming the block's file and offset when the bytes do not make sense.
void decode_column(FlowBlock& b, FieldId f, std::vector<uint8_t>& col);
void decode_column(FlowBlock& b, FieldId f, std::vector<uint16_t>& col);
void decode_column(FlowBlock& b, FieldId f, std::vector<uint32_t>& col);
void decode_column(FlowBlock& b, FieldId f, std::vector<uint64_t>& col);
void decode_column(FlowBlock& b, FieldId f, std::vector<IpAddr>& col);
void decode_column(FlowBlock& b, FieldId f, StrColumn& col);

}  // namespace fk
