#include "format/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bitset>
#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/io.h"
#include "format/crc32c.h"
#include "format/layout.h"
#include "record/names.h"

namespace fk {

using namespace layout;

namespace {

uint32_t unit_crc(const uint8_t* p, size_t len) {
    const uint32_t crc = crc32c(0, p, 12);
    return crc32c(crc, p + 16, len - 16);
}

// Before version 1.3 dns_rcode held the code itself, and 0 also for "no answer"; since, the
// code plus one. A 0 of an older file reads as no answer: there NOERROR cannot be told apart.
void upgrade_dns_rcode(FlowBlock& b) {
    b.ensure(FieldId::dns_rcode);
    for (uint8_t& v : b.dns_rcode) {
        if (v != 0) v = v > kMaxDnsRcode ? 0 : stored_dns_rcode(v);
    }
}

}  // namespace

FlowReader::FlowReader(const std::string& path, ReaderOptions opts)
    : name_(path == "-" ? "<stdin>" : path),
      shared_name_(std::make_shared<const std::string>(name_)),
      opts_(std::move(opts)) {
    if (path == "-") {
        fd_ = STDIN_FILENO;
    } else {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw DataError("open " + path + ": " + errno_text(errno));
        owns_fd_ = true;
    }
    uint8_t magic[4];
    if (read_bytes(magic, 4) != 4) fail(0, "empty or too short to be a flowkit file");
    read_header(magic);
}

FlowReader::FlowReader(int fd, std::string name, ReaderOptions opts)
    : fd_(fd),
      name_(std::move(name)),
      shared_name_(std::make_shared<const std::string>(name_)),
      opts_(std::move(opts)) {
    uint8_t magic[4];
    if (read_bytes(magic, 4) != 4) fail(0, "empty or too short to be a flowkit stream");
    read_header(magic);
}

FlowReader::~FlowReader() {
    if (owns_fd_) ::close(fd_);
}

void FlowReader::fail(uint64_t offset, const std::string& what) {
    throw DataError(name_ + ": offset " + std::to_string(offset) + ": " + what);
}

size_t FlowReader::read_bytes(void* p, size_t n) {
    auto* out = static_cast<uint8_t*>(p);
    const size_t from_pushback = std::min(n, pushback_.size());
    if (from_pushback > 0) {
        std::memcpy(out, pushback_.data(), from_pushback);
        pushback_.erase(pushback_.begin(),
                        pushback_.begin() + static_cast<ptrdiff_t>(from_pushback));
    }
    size_t got = from_pushback;
    if (n > got) got += read_full(fd_, out + got, n - got, name_);
    pos_ += got;
    return got;
}

// Reads buf[have, len) growing buf as bytes arrive, a chunk at a time, so that a length a
// stream lies about costs what it sent, not what it claimed. False when the input ends first
// (buf then holds what came).
bool FlowReader::read_growing(std::vector<uint8_t>& buf, size_t have, size_t len) {
    constexpr size_t kChunk = 1 << 20;
    while (have < len) {
        const size_t want = std::min(len - have, kChunk);
        buf.resize(have + want);
        const size_t got = read_bytes(buf.data() + have, want);
        have += got;
        if (got < want) {
            buf.resize(have);
            return false;
        }
    }
    return true;
}

void FlowReader::unread(const uint8_t* p, size_t n) {
    pushback_.insert(pushback_.begin(), p, p + n);
    pos_ -= n;
}

void FlowReader::read_header(const uint8_t* first4) {
    const uint64_t start = pos_ - 4;
    uint8_t fixed[kHeaderFixed];
    std::memcpy(fixed, first4, 4);
    if (std::memcmp(fixed, kFileMagic, 4) != 0 ||
        read_bytes(fixed + 4, kHeaderFixed - 4) != kHeaderFixed - 4 ||
        std::memcmp(fixed, kFileMagic, 8) != 0) {
        fail(start, "not a flowkit file (bad magic)");
    }
    const uint32_t len = get32(fixed + 12);
    if (len < kHeaderFixed || len > (1u << 20)) fail(start, "bad header length");
    std::vector<uint8_t> h(len);
    std::memcpy(h.data(), fixed, kHeaderFixed);
    if (read_bytes(h.data() + kHeaderFixed, len - kHeaderFixed) != len - kHeaderFixed) {
        fail(start, "truncated header");
    }
    const uint32_t crc = crc32c(crc32c(0, h.data(), 16), h.data() + 20, len - 20);
    if (crc != get32(h.data() + 16)) fail(start, "header checksum mismatch");
    // After the checksum: a damaged version byte is damage, not another version.
    const uint16_t major = get16(h.data() + 8);
    if (major != kVersionMajor) {
        fail(start, "format version " + std::to_string(major) + " is not supported (this is " +
                        std::to_string(kVersionMajor) + ")");
    }
    minor_ = get16(h.data() + 10);
    const uint16_t nfields = get16(h.data() + 20);
    size_t p = kHeaderFixed;
    known_.reset();
    for (unsigned i = 0; i < nfields; ++i) {
        if (p + 4 > len) fail(start, "truncated schema");
        const unsigned id = h[p];
        const auto storage = static_cast<Storage>(h[p + 1]);
        const size_t name_len = h[p + 3];
        p += 4 + name_len;
        if (p > len) fail(start, "truncated schema");
        if (id >= 1 && id <= kMaxFieldId) {
            const FieldInfo& f = field_info(static_cast<FieldId>(id));
            if (f.storage != storage) {
                fail(start, "field " + std::string(f.name) + " has an incompatible type");
            }
            known_.set(id);
        }
    }
    if (p + 2 > len) fail(start, "truncated header");
    const size_t clen = h[p];
    if (p + 2 + clen > len) fail(start, "truncated creator");
    creator_.assign(reinterpret_cast<const char*>(h.data() + p + 2), clen);
    header_seen_ = true;
    stream_start_ = start;
    stream_header_len_ = len;
    passed_.clear();
    stream_index_at_.reset();
    stream_damaged_ = false;

    if (start == 0) {
        struct stat st;
        if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
            seekable_ = ::lseek(fd_, 0, SEEK_CUR) >= 0;
            file_size_ = static_cast<uint64_t>(st.st_size);
            if (seekable_) read_trailing_index();
        }
    }
}

// The trailer has no checksum of its own: the index it points at is used only when it is a
// whole index unit, its checksum right, ending where the trailer starts, and describing this
// file (parse_index). Otherwise the index is ignored and the blocks are read.
void FlowReader::read_trailing_index() {
    if (file_size_ < pos_ + kTrailerSize + kIndexFixed) return;
    uint8_t t[kTrailerSize];
    if (::pread(fd_, t, kTrailerSize, static_cast<off_t>(file_size_ - kTrailerSize)) !=
        static_cast<ssize_t>(kTrailerSize)) {
        return;
    }
    if (get32(t) != kTrailerMagic || get32(t + 4) != kTrailerSize) return;
    const uint64_t off = get64(t + 8);
    if (off < pos_ || off + kIndexFixed > file_size_ - kTrailerSize) return;
    const uint64_t len = file_size_ - kTrailerSize - off;
    if (len > kMaxUnitLen) return;
    std::vector<uint8_t> ix(len);
    if (::pread(fd_, ix.data(), len, static_cast<off_t>(off)) != static_cast<ssize_t>(len)) return;
    if (get32(ix.data()) != kIndexMagic || get32(ix.data() + 4) != len) return;
    if (unit_crc(ix.data(), len) != get32(ix.data() + 12)) return;
    const uint32_t n = get32(ix.data() + 8);
    if (kIndexFixed + kSummarySize + uint64_t{n} * kIndexEntry != len) return;
    std::vector<IndexEntry> entries;
    Summary summary;
    if (!parse_index(ix.data(), off, entries, summary)) return;
    index_summary_ = summary;
    index_offset_ = off;
    index_ = std::move(entries);
}

// Reads the entries and summary of an index unit (its length and checksum checked) that
// starts index_at bytes into the current stream. False when they cannot describe the
// stream's blocks: a writer lists its blocks one after the other from the end of the
// header to the index, none longer than a unit may be, with at most kMaxBlockRecords
// records each, and sums them up in the summary (flows, first start, last end).
bool FlowReader::parse_index(const uint8_t* ix, uint64_t index_at, std::vector<IndexEntry>& entries,
                             Summary& summary) const {
    const uint32_t n = get32(ix + 8);
    summary = Summary::deserialize(ix + kIndexFixed);
    entries.resize(n);
    uint64_t expected = stream_header_len_, flows = 0, first = UINT64_MAX, last = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const uint8_t* e = ix + kIndexFixed + kSummarySize + i * kIndexEntry;
        const IndexEntry ie = {get64(e), get32(e + 8), get64(e + 16), get64(e + 24)};
        if (i == 0 ? ie.offset != expected
                   : ie.offset < expected + kBlockFixed || ie.offset - expected > kMaxUnitLen) {
            return false;
        }
        if (ie.records > kMaxBlockRecords) return false;
        expected = ie.offset;
        flows += ie.records;
        first = std::min(first, ie.t_first);
        last = std::max(last, ie.t_last);
        entries[i] = ie;
    }
    const bool ends_at_index =
        n == 0 ? index_at == expected
               : index_at >= expected + kBlockFixed && index_at - expected <= kMaxUnitLen;
    return ends_at_index && summary.all.flows == flows && summary.first == first &&
           summary.last == last;
}

bool FlowReader::recover(uint64_t bad_offset, const std::string& what) {
    if (!opts_.ignore_errors) fail(bad_offset, what);
    ++skipped_;
    stream_damaged_ = true;
    if (opts_.warn) {
        opts_.warn(name_ + ": offset " + std::to_string(bad_offset) + ": " + what + "; skipping");
    }
    // With an index, continue at the next block it lists; otherwise look for the next unit.
    if (seekable_ && stream_start_ == 0) {
        const auto it =
            std::upper_bound(index_.begin(), index_.end(), bad_offset,
                             [](uint64_t off, const IndexEntry& e) { return off < e.offset; });
        if (it != index_.end()) {
            seek_to(it->offset);
            return true;
        }
    }
    return resync();
}

void FlowReader::seek_to(uint64_t offset) {
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
        throw DataError("seek " + name_ + ": " + errno_text(errno));
    }
    pushback_.clear();
    pos_ = offset;
}

const FlowReader::IndexEntry* FlowReader::index_entry(uint64_t offset) const {
    if (stream_start_ != 0) return nullptr;  // the index read is the first stream's
    const auto it =
        std::lower_bound(index_.begin(), index_.end(), offset,
                         [](const IndexEntry& e, uint64_t off) { return e.offset < off; });
    return it != index_.end() && it->offset == offset ? &*it : nullptr;
}

// Scans forward for the magic of a block, index or trailer and continues there.
bool FlowReader::resync() {
    uint8_t window[4] = {0, 0, 0, 0};
    size_t have = 0;
    uint8_t c;
    while (read_bytes(&c, 1) == 1) {
        std::memmove(window, window + 1, 3);
        window[3] = c;
        if (++have < 4) continue;
        const uint32_t m = get32(window);
        if (m == kBlockMagic || m == kIndexMagic || m == kTrailerMagic) {
            unread(window, 4);
            return true;
        }
    }
    return false;
}

bool FlowReader::next(FlowBlock& b) {
    for (;;) {
        const uint64_t unit_at = pos_;
        uint8_t h[kBlockFixed];
        const size_t got = read_bytes(h, 8);
        if (got == 0) return false;
        if (got < 8) {
            if (!recover(unit_at, "truncated: the input ends inside a unit header")) return false;
            continue;
        }
        const uint32_t magic = get32(h);
        const uint32_t len = get32(h + 4);
        if (magic == kBlockMagic) {
            if (len < kBlockFixed || len > kMaxUnitLen) {
                if (!recover(unit_at, "bad block length " + std::to_string(len))) return false;
                continue;
            }
            // Outside the time window by the index: skipped unread, to the next unit the
            // index knows (this block's header is not checked, so its length is not used).
            if (const IndexEntry* ie = seekable_ ? index_entry(unit_at) : nullptr;
                ie && (ie->t_last < opts_.from || ie->t_first > opts_.to)) {
                passed_.push_back(*ie);
                seek_to(ie + 1 != index_.data() + index_.size() ? ie[1].offset : index_offset_);
                continue;
            }
            if (seekable_ && unit_at + len > file_size_) {
                recover(unit_at, "truncated block: " + std::to_string(file_size_ - unit_at) +
                                     " of " + std::to_string(len) + " bytes");
                return false;
            }
            if (read_bytes(h + 8, kBlockFixed - 8) != kBlockFixed - 8) {
                recover(unit_at, "truncated block header");
                return false;
            }
            const uint64_t t_first = get64(h + 16), t_last = get64(h + 24);
            b.clear();
            auto& buf = b.encoded();
            buf.assign(h, h + kBlockFixed);
            if (!read_growing(buf, kBlockFixed, len)) {
                const size_t got = buf.size();
                b.clear();
                recover(unit_at, "truncated block: " + std::to_string(got) + " of " +
                                     std::to_string(len) + " bytes");
                return false;
            }
            if (unit_crc(buf.data(), len) != get32(buf.data() + 12)) {
                b.clear();
                if (!recover(unit_at, "block checksum mismatch")) return false;
                continue;
            }
            const uint32_t records = get32(buf.data() + 8);
            const uint16_t ncols = get16(buf.data() + 32);
            const uint64_t dir_end = kBlockFixed + uint64_t{ncols} * kColumnEntry;
            std::string bad;
            if (records > kMaxBlockRecords) bad = "too many records";
            if (dir_end > len) bad = "column directory larger than the block";
            FieldSet stored;
            std::bitset<256> listed;  // every id, known or not: each at most once
            uint64_t off = dir_end;
            for (unsigned i = 0; bad.empty() && i < ncols; ++i) {
                const uint8_t* c = buf.data() + kBlockFixed + i * kColumnEntry;
                const unsigned id = c[0];
                const uint32_t stored_len = get32(c + 8);
                if (off + stored_len > len) {
                    bad = "column bytes extend past the block";
                    break;
                }
                if (listed.test(id)) {
                    bad = "field id " + std::to_string(id) + " stored twice";
                    break;
                }
                listed.set(id);
                if (id >= 1 && id <= kMaxFieldId && known_.test(id)) {
                    EncodedColumn& e = b.encoded_column(static_cast<FieldId>(id));
                    e.offset = static_cast<uint32_t>(off);
                    e.transform = c[1];
                    e.width = c[2];
                    e.flags = c[3];
                    e.raw_len = get32(c + 4);
                    e.stored_len = stored_len;
                    e.base = get64(c + 16);
                    e.scale = get64(c + 24);
                    if (e.scale == 0) bad = "column scale is zero";
                    stored.set(id);
                }
                off += stored_len;
            }
            if (!bad.empty()) {
                b.clear();
                if (!recover(unit_at, bad)) return false;
                continue;
            }
            passed_.push_back({unit_at - stream_start_, records, t_first, t_last});
            if (t_last < opts_.from || t_first > opts_.to) {
                b.clear();
                continue;
            }
            b.set_encoded(records, stored, t_first, t_last);
            b.set_origin(shared_name_, unit_at);
            if (minor_ < kMinorDnsRcodePlusOne &&
                stored.test(static_cast<unsigned>(FieldId::dns_rcode))) {
                upgrade_dns_rcode(b);
            }
            return true;
        }
        if (magic == kIndexMagic) {
            stream_index_at_ = unit_at - stream_start_;
            // Its length must be what its block count makes, and fit in the file.
            std::vector<uint8_t> ix(h, h + 8);
            ix.resize(kIndexFixed);
            if (read_bytes(ix.data() + 8, kIndexFixed - 8) != kIndexFixed - 8) {
                recover(unit_at, "truncated index");
                return false;
            }
            if (len != kIndexFixed + kSummarySize + uint64_t{get32(ix.data() + 8)} * kIndexEntry) {
                if (!recover(unit_at, "bad index length")) return false;
                continue;
            }
            if ((seekable_ && unit_at + len > file_size_) || !read_growing(ix, kIndexFixed, len)) {
                recover(unit_at, "truncated index");
                return false;
            }
            if (unit_crc(ix.data(), len) != get32(ix.data() + 12)) {
                if (!recover(unit_at, "index checksum mismatch")) return false;
                continue;
            }
            // It must list the blocks passed (unless one was skipped: then it lists more).
            std::vector<IndexEntry> entries;
            Summary summary;
            const bool agrees =
                parse_index(ix.data(), *stream_index_at_, entries, summary) &&
                (stream_damaged_ ||
                 std::equal(entries.begin(), entries.end(), passed_.begin(), passed_.end(),
                            [](const IndexEntry& a, const IndexEntry& b) {
                                return a.offset == b.offset && a.records == b.records &&
                                       a.t_first == b.t_first && a.t_last == b.t_last;
                            }));
            if (!agrees) {
                if (!recover(unit_at, "index does not match the blocks")) return false;
                continue;
            }
            if (!index_summary_) index_summary_ = summary;
            continue;
        }
        if (magic == kTrailerMagic && len == kTrailerSize) {
            uint8_t rest[8];
            if (read_bytes(rest, 8) != 8) {
                recover(unit_at, "truncated trailer");
                return false;
            }
            if (get64(rest) != stream_index_at_) {
                if (!recover(unit_at, "trailer does not point at the index")) return false;
            }
            continue;
        }
        if (magic == kFileMagic4) {
            // Another stream follows (`cat a.flows b.flows`): its header, then its blocks.
            unread(h + 4, 4);
            read_header(h);
            continue;
        }
        if (!recover(unit_at, "unknown unit (bad magic)")) return false;
    }
}

}  // namespace fk
