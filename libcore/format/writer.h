// Writes flows in the flowkit format to a file (atomically) or to a descriptor (a pipe).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/io.h"
#include "format/codec.h"
#include "format/summary.h"
#include "record/flow_block.h"

namespace fk {

struct WriterOptions {
    int zstd_level = 3;
    size_t block_rows = 32768;  // rows per block (1 to kMaxBlockRecords)
    std::string creator;        // program and version, kept in the header
    bool no_replace = false;    // files: fail rather than replace an existing file
};

class FlowWriter {
  public:
    // A file: written under a temporary name in the same directory; close() fsyncs and renames
    // it into place. "-" means standard output.
    static std::unique_ptr<FlowWriter> open(const std::string& path, WriterOptions opts);
    // An open descriptor (stdout, a pipe, a socket); not closed by the writer.
    FlowWriter(int fd, std::string name, WriterOptions opts);
    ~FlowWriter();
    FlowWriter(const FlowWriter&) = delete;
    FlowWriter& operator=(const FlowWriter&) = delete;

    void append(const FlowRecord& r);
    // Writes the rows of b: as one block when it is large, cut into blocks of block_rows when
    // over twice that, else gathered with other rows.
    // b itself is not changed except that its columns get decoded.
    void write(FlowBlock& b);
    // Writes the rows appended so far as a block, so a reader downstream sees them now.
    void flush();
    // Writes the index and trailer and, for files, puts the file in place. Without close(),
    // a file is removed when the writer is destroyed. After a failed write, close() finishes
    // a file with the blocks written before the failure when the file could be cut back to
    // them, and otherwise does nothing.
    void close();

    // Of the blocks in the file so far (a file's blocks are written in batches, see
    // unit_done(); all of them once closed).
    const Summary& summary() const { return summary_; }
    uint64_t flows() const { return summary_.all.flows; }
    uint64_t bytes_written() const { return offset_; }
    const std::string& name() const { return name_; }

  private:
    FlowWriter(std::unique_ptr<AtomicFile> file, WriterOptions opts);
    void write_header();
    void write_block(FlowBlock& b);
    void emit(const uint8_t* data, size_t n);
    void unit_done();
    void write_batch();
    void keep_whole_units(uint64_t from);

    std::unique_ptr<AtomicFile> file_;
    int fd_;

    std::string name_;
    WriterOptions opts_;
    ColumnEncoder encoder_;
    FlowBlock pending_;
    std::vector<uint8_t> unit_;
    std::vector<uint8_t> payload_;
    struct IndexEntry {
        uint64_t offset;
        uint32_t records;
        uint64_t t_first, t_last;
    };
    std::vector<IndexEntry> index_;
    Summary summary_;  // of the blocks written
    // Units emitted and not yet written (files gather them, see unit_done()), and the
    // summaries of the blocks among them: the last unsaved_.size() entries of index_.
    std::vector<uint8_t> batch_;
    std::vector<Summary> unsaved_;
    bool gather_ = false;
    uint64_t offset_ = 0;  // the file's length once batch_ is written
    bool closed_ = false;
    bool failed_ = false;  // a write failed
    bool whole_ = false;   // ... and the file was cut back to its last whole unit
};

}  // namespace fk
