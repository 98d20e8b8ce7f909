#include "packet/capture_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/io.h"
#include "common/read_ahead.h"

namespace fk {

namespace {

constexpr uint32_t kPcapMagicUs = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNs = 0xa1b23c4d;
constexpr uint32_t kPcapngShb = 0x0a0d0d0a;
constexpr uint32_t kPcapngByteOrder = 0x1a2b3c4d;
// A record longer than this is not a packet but a sign of a corrupt file.
constexpr uint32_t kMaxRecord = 16u << 20;
constexpr size_t kStreamChunk = CaptureFile::kBufferBytes;
// Room in front of a chunk read ahead for the unfinished record of the chunk before: a
// longer record is gathered in a buffer of its own.
constexpr size_t kAheadHeadroom = 64u << 10;
// How far ahead of parsing the lines of a chunk read ahead are asked for: about two batches.
constexpr size_t kAheadPrefetch = 64u << 10;

uint32_t load32(const uint8_t* b) {
    uint32_t v;
    std::memcpy(&v, b, 4);
    return v;
}
uint16_t load16(const uint8_t* b) {
    uint16_t v;
    std::memcpy(&v, b, 2);
    return v;
}

}  // namespace

bool link_type_supported(uint32_t link) {
    switch (link) {
        case kLinkNull:
        case kLinkEthernet:
        case kLinkPpp:
        case kLinkRaw:
        case 12:
        case 14:
        case kLinkLoop:
        case kLinkLinuxSll:
        case kLinkIpv4:
        case kLinkIpv6:
        case kLinkLinuxSll2:
            return true;
        default:
            return false;
    }
}

const char* link_type_name(uint32_t link) {
    switch (link) {
        case kLinkNull:
            return "null";
        case kLinkEthernet:
            return "ethernet";
        case kLinkPpp:
            return "ppp";
        case kLinkRaw:
        case 12:
        case 14:
            return "raw";
        case kLinkLoop:
            return "loop";
        case kLinkLinuxSll:
            return "linux-sll";
        case kLinkIpv4:
            return "ipv4";
        case kLinkIpv6:
            return "ipv6";
        case kLinkLinuxSll2:
            return "linux-sll2";
        case 105:
            return "ieee802.11";
        case 127:
            return "ieee802.11-radiotap";
        case 50:
            return "ppp-hdlc";
        case 10:
            return "fddi";
        case 6:
            return "ieee802.5";
        case 104:
            return "cisco-hdlc";
        case 195:
            return "ieee802.15.4";
        case 201:
            return "bluetooth-hci";
        case 220:
            return "usb-linux-mmapped";
        case 249:
            return "usbpcap";
        default:
            return "unknown";
    }
}

CaptureFile::CaptureFile(std::string path, bool read_ahead, size_t buffer_bytes)
    : path_(std::move(path)) {
    if (path_ == "-") {
        fd_ = STDIN_FILENO;
    } else {
        fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw DataError(path_ + ": " + errno_text(errno));
    }
    try {
        struct stat st {};
        if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
            file_size_ = static_cast<uint64_t>(st.st_size);
            ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);  // larger read-ahead from disk
            if (read_ahead)
                ahead_ = std::make_unique<ReadAhead>(fd_, path_, kStreamChunk, kAheadHeadroom);
        }
        if (!ahead_) buf_.resize(buffer_bytes);
        data_ = buf_.data();
        read_file_header();
    } catch (...) {
        close();  // no destructor runs: a tool trying many files would run out of descriptors
        throw;
    }
}

CaptureFile::~CaptureFile() {
    close();
}

void CaptureFile::close() {
    ahead_.reset();  // its thread reads fd_
    if (fd_ > STDIN_FILENO) ::close(fd_);
    fd_ = -1;
}

bool CaptureFile::refill(size_t n) {
    if (eof_) return false;
    if (ahead_) return refill_ahead(n);
    // Keep the unread tail, then read until n bytes are available or the input ends.
    const size_t keep = end_ - pos_;
    if (keep) std::memmove(buf_.data(), buf_.data() + pos_, keep);
    base_ += pos_;
    pos_ = 0;
    end_ = keep;
    if (buf_.size() < n) buf_.resize(n);
    data_ = buf_.data();
    // A read at a time: a live pipe's packets go to the probe as they come, and none are
    // lost in a half-filled buffer when a stop signal ends the reading.
    while (end_ < n) {
        const size_t got = read_some(fd_, buf_.data() + end_, buf_.size() - end_, path_);
        if (got == 0) {
            eof_ = true;
            break;
        }
        end_ += got;
    }
    return end_ >= n;
}

bool CaptureFile::refill_ahead(size_t n) {
    const uint8_t* tail = data_ + pos_;
    const size_t keep = end_ - pos_;
    base_ += pos_;
    pos_ = 0;
    ReadAhead::Chunk c = ahead_->next();
    if (keep <= kAheadHeadroom && keep + c.len >= n) {
        // The tail goes in front of the new chunk; then the chunk it was in can be refilled.
        uint8_t* at = c.data - keep;
        if (keep) std::memcpy(at, tail, keep);
        for (; chunks_held_ > 0; --chunks_held_) ahead_->release();
        chunks_held_ = 1;
        data_ = at;
        end_ = keep + c.len;
        prefetched_ = 0;
        eof_ = c.last;
        return true;
    }
    // A record longer than the headroom or a chunk: gathered, and every chunk given back.
    std::vector<uint8_t> gathered(tail, tail + keep);
    for (; chunks_held_ > 0; --chunks_held_) ahead_->release();
    for (;;) {
        gathered.insert(gathered.end(), c.data, c.data + c.len);
        ahead_->release();
        eof_ = c.last;
        if (gathered.size() >= n || eof_) break;
        c = ahead_->next();
    }
    buf_ = std::move(gathered);
    data_ = buf_.data();
    prefetched_ = 0;
    end_ = buf_.size();
    return end_ >= n;
}

size_t CaptureFile::next_batch(RawPacket* out, size_t max) {
    if (max == 0 || !next(out[0])) return 0;
    hold_ = true;
    size_t n = 1;
    while (n < max && next(out[n])) ++n;
    hold_ = false;
    if (ahead_) {
        // The chunk was filled on another core: its lines are asked for a batch or two
        // ahead, into this core's cache, so that parsing does not wait on each header.
        const size_t upto = std::min(end_, pos_ + kAheadPrefetch);
        for (size_t at = std::max(prefetched_, pos_) & ~size_t{63}; at < upto; at += 64)
            __builtin_prefetch(data_ + at, 0, 1);
        prefetched_ = upto;
    }
    return n;
}

uint32_t CaptureFile::get32(const uint8_t* b) const {
    const uint32_t v = load32(b);
    return swapped_ ? __builtin_bswap32(v) : v;
}
uint16_t CaptureFile::get16(const uint8_t* b) const {
    const uint16_t v = load16(b);
    return swapped_ ? __builtin_bswap16(v) : v;
}

void CaptureFile::cut(uint64_t at, std::string reason) {
    truncated_ = true;
    truncated_at_ = at;
    cut_reason_ = std::move(reason);
}

bool CaptureFile::damaged(uint64_t at, std::string reason) {
    pos_ = static_cast<size_t>(at - base_);
    cut(at, std::move(reason));
    return false;
}

void CaptureFile::read_file_header() {
    if (!have(4)) throw DataError(path_ + ": empty or too short to be a capture file");
    const uint32_t magic = load32(data_ + pos_);
    if (magic == kPcapngShb) {
        pcapng_ = true;
        return;  // the section header is parsed as the first block
    }
    uint32_t m = magic;
    if (m == __builtin_bswap32(kPcapMagicUs) || m == __builtin_bswap32(kPcapMagicNs)) {
        swapped_ = true;
        m = __builtin_bswap32(m);
    }
    if (m != kPcapMagicUs && m != kPcapMagicNs)
        throw DataError(path_ + ": not a pcap or pcapng file (unknown magic number)");
    if (!have(24)) throw DataError(path_ + ": truncated pcap file header");
    ts_nano_ = m == kPcapMagicNs;
    // The link type's upper bits carry FCS information; the type is the low 16 bits.
    link_ = get32(data_ + pos_ + 20) & 0xffff;
    if (!link_type_supported(link_))
        throw DataError(path_ + ": unsupported link type " + std::to_string(link_) + " (" +
                        link_type_name(link_) + ")");
    pos_ += 24;
}

bool CaptureFile::next_pcap(RawPacket& p) {
    if (!have(16)) {
        if (!hold_ && end_ > pos_) cut(offset());
        return false;
    }
    const uint8_t* h = data_ + pos_;
    const uint32_t sec = get32(h);
    const uint32_t frac = get32(h + 4);
    const uint32_t incl = get32(h + 8);
    const uint32_t orig = get32(h + 12);
    if (incl > kMaxRecord)
        return damaged(offset(), "record header claiming " + std::to_string(incl) + " bytes");
    if (!have(16 + size_t{incl})) {
        if (!hold_) cut(offset());
        return false;
    }
    // A division by a constant, not by a variable: this runs per packet.
    p.ts_us = uint64_t{sec} * 1000000u + (ts_nano_ ? frac / 1000u : frac);
    p.data = data_ + pos_ + 16;
    p.caplen = incl;
    p.wirelen = orig < incl ? incl : orig;
    p.link = link_;
    pos_ += 16 + size_t{incl};
    return true;
}

void CaptureFile::parse_shb(const uint8_t* b, uint32_t len) {
    if (len < 28) throw DataError(path_ + ": corrupt pcapng section header");
    const uint32_t order = load32(b + 8);
    if (order == kPcapngByteOrder)
        swapped_ = false;
    else if (order == __builtin_bswap32(kPcapngByteOrder))
        swapped_ = true;
    else
        throw DataError(path_ + ": corrupt pcapng section header (byte-order magic)");
    ifaces_.clear();  // interface ids are per section
}

void CaptureFile::parse_idb(const uint8_t* b, uint32_t len) {
    if (len < 20) throw DataError(path_ + ": corrupt pcapng interface description");
    Interface ifc{get16(b + 8), 1000000};
    if (!link_type_supported(ifc.link))
        throw DataError(path_ + ": unsupported link type " + std::to_string(ifc.link) + " (" +
                        link_type_name(ifc.link) + ")");
    // Options: code, length, value padded to 4 bytes; if_tsresol (9) sets the time unit.
    size_t o = 16;
    while (o + 4 <= len - 4) {
        const uint16_t code = get16(b + o);
        const uint16_t olen = get16(b + o + 2);
        if (code == 0 || o + 4 + olen > len - 4) break;
        if (code == 9 && olen >= 1) {
            const uint8_t r = b[o + 4];
            const unsigned e = r & 0x7f;
            uint64_t units = 1;
            if (r & 0x80) {
                units = e < 63 ? uint64_t{1} << e : uint64_t{1} << 62;
            } else {
                for (unsigned i = 0; i < e && units <= UINT64_MAX / 10; ++i) units *= 10;
            }
            ifc.units_per_sec = units;
        }
        o += 4 + ((olen + 3u) & ~3u);
    }
    ifaces_.push_back(ifc);
}

bool CaptureFile::next_pcapng(RawPacket& p) {
    for (;;) {
        if (!have(12)) {
            if (!hold_ && end_ > pos_) cut(offset());
            return false;
        }
        const uint8_t* b = data_ + pos_;
        uint32_t type = load32(b);
        if (type == kPcapngShb) {
            // The byte order of a section is known only from its own header.
            const uint32_t order = load32(b + 8);
            swapped_ = order == __builtin_bswap32(kPcapngByteOrder);
        } else {
            type = get32(b);
        }
        const uint32_t len = get32(b + 4);
        if (len < 12 || (len & 3) != 0 || len > kMaxRecord)
            return damaged(offset(), "block of length " + std::to_string(len));
        if (!have(len)) {
            if (!hold_) cut(offset());
            return false;
        }
        b = data_ + pos_;
        const uint64_t at = offset();
        pos_ += len;
        switch (type) {
            case kPcapngShb:
                parse_shb(b, len);
                break;
            case 1:
                parse_idb(b, len);
                break;
            case 6:    // enhanced packet block
            case 2: {  // obsolete packet block
                if (len < 32) return damaged(at, "packet block of length " + std::to_string(len));
                const uint32_t ifid = type == 6 ? get32(b + 8) : get16(b + 8);
                if (ifid >= ifaces_.size())
                    return damaged(at, "packet block for interface " + std::to_string(ifid) +
                                           ", which no interface block declares,");
                const Interface& ifc = ifaces_[ifid];
                const uint64_t ts = (uint64_t{get32(b + 12)} << 32) | get32(b + 16);
                uint32_t cap = get32(b + 20);
                const uint32_t orig = get32(b + 24);
                if (cap > len - 32) cap = len - 32;
                if (ifc.units_per_sec == 1000000)
                    p.ts_us = ts;
                else
                    p.ts_us = static_cast<uint64_t>(static_cast<unsigned __int128>(ts) * 1000000u /
                                                    ifc.units_per_sec);
                p.data = b + 28;
                p.caplen = cap;
                p.wirelen = orig < cap ? cap : orig;
                p.link = ifc.link;
                return true;
            }
            case 3: {  // simple packet block: interface 0, no timestamp
                if (len < 16) return damaged(at, "packet block of length " + std::to_string(len));
                if (ifaces_.empty()) return damaged(at, "packet block before any interface block");
                const uint32_t orig = get32(b + 8);
                uint32_t cap = len - 16;
                if (orig < cap) cap = orig;
                p.ts_us = 0;
                p.data = b + 12;
                p.caplen = cap;
                p.wirelen = orig;
                p.link = ifaces_[0].link;
                return true;
            }
            default:
                break;  // statistics, name resolution, custom blocks: not packets
        }
    }
}

}  // namespace fk
