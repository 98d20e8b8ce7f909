// Reads the flowkit format from a file or a stream, block by block. A corrupt or truncated
// block is reported with the file and byte offset (DataError); what came before it has been
// delivered already. With ignore_errors the block is skipped with a warning instead.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format/summary.h"
#include "record/flow_block.h"

namespace fk {

struct ReaderOptions {
    bool ignore_errors = false;
    // Only blocks whose time range overlaps [from, to] are delivered. The others are skipped
    // without being read when the file's index lists them, else read and checked first.
    uint64_t from = 0;
    uint64_t to = UINT64_MAX;
    // Receives warnings (skipped blocks) when ignore_errors is set.
    std::function<void(const std::string&)> warn;
};

class FlowReader {
  public:
    // "-" reads standard input.
    FlowReader(const std::string& path, ReaderOptions opts);
    FlowReader(int fd, std::string name, ReaderOptions opts);
    ~FlowReader();
    FlowReader(const FlowReader&) = delete;
    FlowReader& operator=(const FlowReader&) = delete;

    // Fills b with the next block; false at the end of the input.
    bool next(FlowBlock& b);

    // The totals stored in the file's index (regular files with an index only).
    const std::optional<Summary>& index_summary() const { return index_summary_; }
    const std::string& name() const { return *shared_name_; }
    const std::string& creator() const { return creator_; }
    uint64_t blocks_skipped() const { return skipped_; }
    uint64_t offset() const { return pos_; }

  private:
    // A block as the index lists it (offset from the start of its stream).
    struct IndexEntry {
        uint64_t offset;
        uint32_t records;
        uint64_t t_first, t_last;
    };
    void read_header(const uint8_t* first4);
    void read_trailing_index();
    bool parse_index(const uint8_t* ix, uint64_t index_at, std::vector<IndexEntry>& entries,
                     Summary& summary) const;
    size_t read_bytes(void* p, size_t n);
    bool read_growing(std::vector<uint8_t>& buf, size_t have, size_t len);
    void unread(const uint8_t* p, size_t n);
    void seek_to(uint64_t offset);
    const IndexEntry* index_entry(uint64_t offset) const;
    [[noreturn]] void fail(uint64_t offset, const std::string& what);
    bool recover(uint64_t bad_offset, const std::string& what);
    bool resync();

    int fd_ = -1;
    bool owns_fd_ = false;
    bool seekable_ = false;
    uint64_t file_size_ = 0;
    std::string name_;
    std::shared_ptr<const std::string> shared_name_;
    ReaderOptions opts_;
    uint64_t pos_ = 0;
    std::string creator_;
    std::optional<Summary> index_summary_;
    // The first stream's blocks as its index (which has its own checksum) lists them, when
    // they agree with the file: for skipping blocks outside the time window and past
    // corruption without trusting a block's header before its checksum is checked.
    std::vector<IndexEntry> index_;
    uint64_t index_offset_ = 0;
    // The current stream: where its header starts and ends, the blocks passed in it (what its
    // index must list), where its index unit starts (where its trailer must point), and
    // whether a unit of it was skipped (its index then lists blocks that were not passed).
    uint64_t stream_start_ = 0;
    uint64_t stream_header_len_ = 0;
    std::vector<IndexEntry> passed_;
    std::optional<uint64_t> stream_index_at_;
    bool stream_damaged_ = false;
    // Field ids of this stream whose storage matches ours; others are ignored.
    FieldSet known_;
    uint16_t minor_ = 0;  // the stream's minor version
    bool header_seen_ = false;
    std::vector<uint8_t> pushback_;  // bytes given back after looking ahead
    uint64_t skipped_ = 0;
};

}  // namespace fk
