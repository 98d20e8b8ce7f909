#include "format/writer.h"

#include <unistd.h>

#include <algorithm>

#include "common/error.h"
#include "format/crc32c.h"
#include "format/layout.h"

namespace fk {

using namespace layout;

std::unique_ptr<FlowWriter> FlowWriter::open(const std::string& path, WriterOptions opts) {
    if (path == "-") return std::make_unique<FlowWriter>(STDOUT_FILENO, "<stdout>", opts);
    return std::unique_ptr<FlowWriter>(
        new FlowWriter(std::make_unique<AtomicFile>(path), std::move(opts)));
}

namespace {

// Options as the format allows them: a block holds 1 to kMaxBlockRecords rows.
WriterOptions checked(WriterOptions opts) {
    opts.block_rows = std::clamp<size_t>(opts.block_rows, 1, kMaxBlockRecords);
    return opts;
}

}  // namespace

FlowWriter::FlowWriter(int fd, std::string name, WriterOptions opts)
    : fd_(fd), name_(std::move(name)), opts_(checked(std::move(opts))), encoder_(opts_.zstd_level) {
    write_header();
}

FlowWriter::FlowWriter(std::unique_ptr<AtomicFile> file, WriterOptions opts)
    : file_(std::move(file)),
      fd_(file_->fd()),
      name_(file_->path()),
      opts_(checked(std::move(opts))),
      encoder_(opts_.zstd_level),
      gather_(!file_->in_place()) {
    write_header();
}

FlowWriter::~FlowWriter() {
    // A writer destroyed without close() (an error unwound past it) leaves no file behind:
    // AtomicFile removes its temporary name.
}

void FlowWriter::emit(const uint8_t* data, size_t n) {
    batch_.insert(batch_.end(), data, data + n);
    offset_ += n;
}

// A file's units are gathered and written kWriteBatch bytes at a time: a write() costs ext4
// more than its copy (the file's times, the allocation of its pages), and on the collector's
// bench machine writes of 256 KB took 40% less system time per byte than one write per block
// of about 50 KB. Nobody reads a file before close() gives it its name; a stream or a FIFO
// gets each unit as soon as it is complete.
void FlowWriter::unit_done() {
    constexpr size_t kWriteBatch = 256 * 1024;
    if (!gather_ || batch_.size() >= kWriteBatch) write_batch();
}

void FlowWriter::write_batch() {
    if (batch_.empty()) return;
    const uint64_t from = offset_ - batch_.size();
    try {
        write_all(fd_, batch_.data(), batch_.size(), name_);
    } catch (...) {
        failed_ = true;
        keep_whole_units(from);
        throw;
    }
    for (const Summary& s : unsaved_) summary_.merge(s);
    unsaved_.clear();
    batch_.clear();
}

// After a failed write of the batch that starts at file offset `from`: the file is cut back
// to `from` and the batch written again a unit at a time, so that it ends with the last whole
// unit that fits (a full disk: the cut frees the space the index needs). The blocks after it
// are dropped from the index.
void FlowWriter::keep_whole_units(uint64_t from) {
    const size_t first = index_.size() - unsaved_.size();
    whole_ = file_ && file_->cut(from);
    uint64_t end = from;
    size_t kept = first;  // entries of index_ whose blocks are in the file
    if (whole_) {
        // The pieces: up to the first block (the file's header), each block, and what
        // follows the last (the index and trailer, when closing).
        for (size_t k = first; k <= index_.size(); ++k) {
            const uint64_t next = k < index_.size() ? index_[k].offset : offset_;
            if (next > end) {
                try {
                    write_all(fd_, batch_.data() + (end - from), next - end, name_);
                } catch (...) {
                    whole_ = file_->cut(end);
                    break;
                }
                end = next;
            }
            kept = k;
        }
    }
    if (whole_) {
        for (size_t k = first; k < kept; ++k) summary_.merge(unsaved_[k - first]);
    } else {
        end = from;
        kept = first;
    }
    index_.resize(kept);
    unsaved_.clear();
    batch_.clear();
    offset_ = end;
}

void FlowWriter::write_header() {
    std::vector<uint8_t> h(kHeaderFixed);
    std::memcpy(h.data(), kFileMagic, 8);
    put16(h.data() + 8, kVersionMajor);
    put16(h.data() + 10, kVersionMinor);
    put16(h.data() + 20, static_cast<uint16_t>(kMaxFieldId));
    for (const auto& f : all_fields()) {
        h.push_back(static_cast<uint8_t>(f.id));
        h.push_back(static_cast<uint8_t>(f.storage));
        h.push_back(static_cast<uint8_t>(f.format));
        h.push_back(static_cast<uint8_t>(f.name.size()));
        h.insert(h.end(), f.name.begin(), f.name.end());
    }
    const std::string creator = opts_.creator.substr(0, 255);
    h.push_back(static_cast<uint8_t>(creator.size()));
    h.push_back(0);
    h.insert(h.end(), creator.begin(), creator.end());
    put32(h.data() + 12, static_cast<uint32_t>(h.size()));
    uint32_t crc = crc32c(0, h.data(), 16);
    crc = crc32c(crc, h.data() + 20, h.size() - 20);
    put32(h.data() + 16, crc);
    emit(h.data(), h.size());
    unit_done();
}

void FlowWriter::append(const FlowRecord& r) {
    pending_.append(r);
    if (pending_.size() >= opts_.block_rows) flush();
}

void FlowWriter::flush() {
    if (pending_.empty()) return;
    write_block(pending_);
    pending_.clear();
}

void FlowWriter::write(FlowBlock& b) {
    // Large blocks go out as they are; small ones (filtered, sampled) are gathered so that
    // every block is big enough to compress well. Over twice block_rows, they are cut: the
    // flow cache hands over every flow it holds at the end of input (a million and more
    // after a scan), and readers refuse blocks of more than kMaxBlockRecords. Blocks a little
    // over block_rows (the cache ends flows in bursts) are not copied to be cut: that cost
    // flowgen 5%.
    const size_t rows = opts_.block_rows;
    const size_t direct = std::min<size_t>(2 * rows, kMaxBlockRecords);
    if (pending_.empty() && b.size() >= rows / 2 && b.size() <= direct) {
        write_block(b);
        return;
    }
    for (size_t i = 0; i < b.size();) {
        const size_t take = std::min(b.size() - i, rows - pending_.size());
        pending_.append_range(b, i, i + take);
        i += take;
        if (pending_.size() >= rows) flush();
    }
}

void FlowWriter::write_block(FlowBlock& b) {
    struct Col {
        FieldId id;
        EncodedColumn e;
    };
    Col cols[kMaxFieldId];
    size_t ncols = 0;
    payload_.clear();
    for (const auto& f : all_fields()) {
        EncodedColumn e;
        if (encoder_.encode(b, f.id, payload_, e)) cols[ncols++] = {f.id, e};
    }
    const size_t dir_len = ncols * kColumnEntry;
    const size_t len = kBlockFixed + dir_len + payload_.size();
    if (len > kMaxUnitLen) throw DataError(name_ + ": block too large to write");
    unit_.assign(kBlockFixed + dir_len, 0);
    uint8_t* p = unit_.data();
    put32(p, kBlockMagic);
    put32(p + 4, static_cast<uint32_t>(len));
    put32(p + 8, static_cast<uint32_t>(b.size()));
    put64(p + 16, b.t_first());
    put64(p + 24, b.t_last());
    put16(p + 32, static_cast<uint16_t>(ncols));
    for (size_t i = 0; i < ncols; ++i) {
        uint8_t* c = p + kBlockFixed + i * kColumnEntry;
        const EncodedColumn& e = cols[i].e;
        c[0] = static_cast<uint8_t>(cols[i].id);
        c[1] = e.transform;
        c[2] = e.width;
        c[3] = e.flags;
        put32(c + 4, e.raw_len);
        put32(c + 8, e.stored_len);
        put64(c + 16, e.base);
        put64(c + 24, e.scale);
    }
    uint32_t crc = crc32c(0, unit_.data(), 12);
    crc = crc32c(crc, unit_.data() + 16, unit_.size() - 16);
    crc = crc32c(crc, payload_.data(), payload_.size());
    put32(unit_.data() + 12, crc);
    index_.push_back({offset_, static_cast<uint32_t>(b.size()), b.t_first(), b.t_last()});
    unsaved_.emplace_back().add(b);
    emit(unit_.data(), unit_.size());
    emit(payload_.data(), payload_.size());
    unit_done();
}

void FlowWriter::close() {
    if (closed_) return;
    if (failed_) {
        // The rows that did not fit are gone. A file that could not be cut back (and a
        // stream) is broken at the failed unit: it is left unfinished, to be removed.
        pending_.clear();
        if (!whole_) return;
    }
    flush();
    // The index holds the summary of the blocks written: the ones gathered go first.
    write_batch();
    const uint64_t index_offset = offset_;
    const size_t len = kIndexFixed + kSummarySize + index_.size() * kIndexEntry;
    unit_.assign(len, 0);
    uint8_t* p = unit_.data();
    put32(p, kIndexMagic);
    put32(p + 4, static_cast<uint32_t>(len));
    put32(p + 8, static_cast<uint32_t>(index_.size()));
    summary_.serialize(p + kIndexFixed);
    uint8_t* e = p + kIndexFixed + kSummarySize;
    for (const auto& ie : index_) {
        put64(e, ie.offset);
        put32(e + 8, ie.records);
        put64(e + 16, ie.t_first);
        put64(e + 24, ie.t_last);
        e += kIndexEntry;
    }
    uint32_t crc = crc32c(0, p, 12);
    crc = crc32c(crc, p + 16, len - 16);
    put32(p + 12, crc);
    emit(unit_.data(), unit_.size());
    uint8_t trailer[kTrailerSize];
    put32(trailer, kTrailerMagic);
    put32(trailer + 4, kTrailerSize);
    put64(trailer + 8, index_offset);
    emit(trailer, sizeof trailer);
    write_batch();
    if (file_) file_->commit(opts_.no_replace);
    closed_ = true;
}

}  // namespace fk
