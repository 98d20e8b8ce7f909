// Reading packets from pcap and pcapng captures: files and streams are read into one buffer of
// 256 KB, refilled as it runs out, and each packet is a pointer into it (no allocation per
// packet). The copied bytes are in cache when parsed: mapping the file instead (windows of
// 16 MB) took less kernel time but more in parsing, about 14% more in all. A buffer that fits the
// L2 cache also keeps the copy out of memory: with 1 MB, flowgen took 4-16% more CPU time. Read
// ahead, a file is read on another thread into chunks that take the buffer's place.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fk {

class ReadAhead;

// Link-layer header types (the LINKTYPE_ numbers of pcap and pcapng).
enum LinkType : uint32_t {
    kLinkNull = 0,  // BSD loopback: 4-byte address family in the writer's byte order
    kLinkEthernet = 1,
    kLinkPpp = 9,
    kLinkRaw = 101,       // raw IPv4/IPv6
    kLinkLoop = 108,      // OpenBSD loopback: address family in network order
    kLinkLinuxSll = 113,  // Linux cooked capture v1
    kLinkIpv4 = 228,
    kLinkIpv6 = 229,
    kLinkLinuxSll2 = 276,  // Linux cooked capture v2
};
// LINKTYPE_RAW also appears as DLT_RAW's platform values 12 and 14 in old files.
bool link_type_supported(uint32_t link);
const char* link_type_name(uint32_t link);

struct RawPacket {
    uint64_t ts_us = 0;  // microseconds since the epoch
    const uint8_t* data = nullptr;
    uint32_t caplen = 0;   // bytes present
    uint32_t wirelen = 0;  // bytes on the wire
    uint32_t link = 0;     // LinkType
};

// One capture file (or "-" for standard input). next() yields packets in file order.
class CaptureFile {
  public:
    // Opens and checks the file header; throws DataError naming the file for an unreadable
    // file, a file that is neither pcap nor pcapng, or an unsupported link type. With
    // read_ahead, a regular file is read on a thread of its own (see ReadAhead); a stream is
    // always read on the caller's thread, so that a stalled writer cannot hold up exit.
    // buffer_bytes: the read buffer (a longer record gets a longer one).
    explicit CaptureFile(std::string path, bool read_ahead = false,
                         size_t buffer_bytes = kBufferBytes);
    static constexpr size_t kBufferBytes = 256u << 10;
    ~CaptureFile();
    CaptureFile(const CaptureFile&) = delete;
    CaptureFile& operator=(const CaptureFile&) = delete;

    // The next packet, or false at the end. The packet's bytes stay valid until the next
    // call. A cut in the middle of a record ends the file: truncated() tells, with the
    // offset where the incomplete record starts.
    bool next(RawPacket& p) {
        if (pcapng_) return next_pcapng(p);
        return next_pcap(p);
    }
    // Up to max packets whose bytes all stay valid until the next call; 0 at the end. The
    // buffer is refilled only before the first: the batch ends early rather than move the
    // bytes of packets already handed out.
    size_t next_batch(RawPacket* out, size_t max);

    const std::string& path() const { return path_; }
    bool truncated() const { return truncated_; }
    uint64_t truncated_at() const { return truncated_at_; }
    // What ended the file early: "truncated", or the damage found at truncated_at().
    const std::string& cut_reason() const { return cut_reason_; }
    // Bytes consumed so far and the file size (0 for a stream): for progress.
    uint64_t offset() const { return base_ + pos_; }
    uint64_t size() const { return file_size_; }

  private:
    bool next_pcap(RawPacket& p);
    bool next_pcapng(RawPacket& p);
    // Makes n bytes at pos_ available; false at end of input (fewer remain), or when they are
    // not buffered while a batch holds the buffer (hold_).
    bool have(size_t n) {
        if (pos_ + n <= end_) return true;
        if (hold_) return false;
        return refill(n);
    }
    bool refill(size_t n);
    bool refill_ahead(size_t n);
    void read_file_header();
    void parse_shb(const uint8_t* b, uint32_t len);
    void parse_idb(const uint8_t* b, uint32_t len);
    uint32_t get32(const uint8_t* b) const;
    uint16_t get16(const uint8_t* b) const;
    void cut(uint64_t at, std::string reason = "truncated");
    // A whole block that cannot be read: the file ends before it (every later call stops
    // there too), as libpcap and tshark end it.
    bool damaged(uint64_t at, std::string reason);
    void close();  // stops reading ahead and closes the file

    std::string path_;
    int fd_ = -1;
    std::vector<uint8_t> buf_;       // read on this thread; or a record longer than a chunk ahead
    const uint8_t* data_ = nullptr;  // the bytes being parsed: in buf_ or in a chunk ahead
    size_t pos_ = 0;                 // in data_
    size_t end_ = 0;                 // valid bytes in data_
    uint64_t base_ = 0;              // file offset of data_[0]
    std::unique_ptr<ReadAhead> ahead_;
    size_t chunks_held_ = 0;  // taken from ahead_ and not yet released
    size_t prefetched_ = 0;   // data_ is asked into cache up to here
    uint64_t file_size_ = 0;
    bool eof_ = false;
    bool hold_ = false;  // a batch is being handed out: no refill, and no cut for missing bytes

    bool pcapng_ = false;
    bool swapped_ = false;
    // pcap
    uint32_t link_ = 0;
    bool ts_nano_ = false;  // nanosecond file: fractions are divided by 1000
    // pcapng: per interface of the current section
    struct Interface {
        uint32_t link;
        uint64_t units_per_sec;  // timestamp resolution
    };
    std::vector<Interface> ifaces_;
    bool truncated_ = false;
    uint64_t truncated_at_ = 0;
    std::string cut_reason_;
};

}  // namespace fk
