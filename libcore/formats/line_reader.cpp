#include "formats/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <vector>

#include "common/error.h"
#include "common/io.h"

namespace fk {

// Bytes in input order; read() gives fewer than asked only at the end of the input.
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    virtual size_t read(char* p, size_t n) = 0;
};

namespace {

class FileSource : public ByteSource {
  public:
    FileSource(const std::string& path, std::string name) : name_(std::move(name)) {
        if (path == "-") return;
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw DataError("open " + path + ": " + errno_text(errno));
    }
    ~FileSource() override {
        if (fd_ != STDIN_FILENO) ::close(fd_);
    }
    size_t read(char* p, size_t n) override { return read_full(fd_, p, n, name_); }

  private:
    std::string name_;
    int fd_ = STDIN_FILENO;
};

class MemorySource : public ByteSource {
  public:
    explicit MemorySource(std::string_view data) : data_(data) {}
    size_t read(char* p, size_t n) override {
        n = std::min(n, data_.size());
        std::copy_n(data_.data(), n, p);
        data_.remove_prefix(n);
        return n;
    }

  private:
    std::string_view data_;
};

// gzip members one after the other (cat a.gz b.gz), inflated as they are read.
class GzipSource : public ByteSource {
  public:
    // head: the first bytes of raw, already read from it.
    GzipSource(std::unique_ptr<ByteSource> raw, std::string name, std::string_view head)
        : raw_(std::move(raw)), name_(std::move(name)), in_(1 << 18) {
        // 16 + MAX_WBITS: gzip framing.
        if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK)
            throw DataError(name_ + ": zlib init failed");
        std::copy(head.begin(), head.end(), in_.begin());
        z_.next_in = in_.data();
        z_.avail_in = static_cast<uInt>(head.size());
        raw_bytes_ = head.size();
    }
    ~GzipSource() override { inflateEnd(&z_); }

    size_t read(char* p, size_t n) override {
        size_t done = 0;
        while (done < n) {
            if (z_.avail_in == 0) {
                const size_t got = raw_->read(reinterpret_cast<char*>(in_.data()), in_.size());
                raw_bytes_ += got;
                z_.next_in = in_.data();
                z_.avail_in = static_cast<uInt>(got);
                if (got == 0) {
                    if (member_ended_) break;
                    throw DataError(name_ + ": truncated gzip data at input offset " +
                                    std::to_string(raw_bytes_));
                }
            }
            // Concatenated gzip members (cat a.gz b.gz) continue.
            if (member_ended_) {
                inflateReset(&z_);
                member_ended_ = false;
            }
            z_.next_out = reinterpret_cast<Bytef*>(p + done);
            z_.avail_out = static_cast<uInt>(std::min<size_t>(n - done, 1u << 30));
            const int rc = inflate(&z_, Z_NO_FLUSH);
            done = static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - p);
            if (rc == Z_STREAM_END) {
                member_ended_ = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                const std::string msg = z_.msg ? z_.msg : "error " + std::to_string(rc);
                throw DataError(name_ + ": gzip: " + msg + " at input offset " +
                                std::to_string(raw_bytes_ - z_.avail_in));
            }
        }
        return done;
    }

  private:
    std::unique_ptr<ByteSource> raw_;
    std::string name_;
    std::vector<Bytef> in_;
    z_stream z_{};
    size_t raw_bytes_ = 0;  // read from raw_, for the offsets in messages
    bool member_ended_ = false;
};

}  // namespace

LineReader::LineReader(const std::string& path, size_t chunk)
    : name_(path == "-" ? "<stdin>" : path), chunk_(std::max<size_t>(chunk, 2)) {
    start(std::make_unique<FileSource>(path, name_));
}

LineReader::LineReader(std::string_view text, std::string name, size_t chunk)
    : name_(std::move(name)), chunk_(std::max<size_t>(chunk, 2)) {
    start(std::make_unique<MemorySource>(text));
}

LineReader::~LineReader() = default;

void LineReader::start(std::unique_ptr<ByteSource> raw) {
    // The magic of gzip, or the first bytes of the text.
    reserve(chunk_);
    len_ = raw->read(buf_.get(), 2);
    if (is_gzip({buf_.get(), len_})) {
        src_ =
            std::make_unique<GzipSource>(std::move(raw), name_, std::string_view(buf_.get(), len_));
        len_ = 0;
    } else {
        src_ = std::move(raw);
    }
    more();
    pos_ = unread().size() - without_bom(unread()).size();
}

void LineReader::reserve(size_t cap) {
    char* p = static_cast<char*>(std::realloc(buf_.get(), cap));
    if (!p) throw std::bad_alloc();
    (void)buf_.release();
    buf_.reset(p);
    cap_ = cap;
}

bool LineReader::more() {
    if (eof_) return false;
    if (pos_ > 0) {
        std::memmove(buf_.get(), buf_.get() + pos_, len_ - pos_);
        len_ -= pos_;
        end_ -= pos_;
        pos_ = 0;
    }
    const size_t had = end_;
    while (end_ == had) {
        // A line longer than the buffer (or all the text for rest()) grows it.
        if (len_ == cap_) reserve(cap_ * 2);
        const size_t want = cap_ - len_;
        const size_t got = src_->read(buf_.get() + len_, want);
        len_ += got;
        // From end_: the start of the line before this read, which may hold the first bytes.
        if (const void* nl = ::memrchr(buf_.get() + end_, '\n', len_ - end_))
            end_ = static_cast<size_t>(static_cast<const char*>(nl) - buf_.get()) + 1;
        if (got < want) {
            eof_ = true;
            end_ = len_;
            break;
        }
    }
    return end_ > had;
}

std::string_view LineReader::peek(size_t n) {
    while (end_ - pos_ < n && more()) {
    }
    const std::string_view text = unread();
    const size_t nl =
        text.size() > n ? text.find('\n', std::max<size_t>(n, 1) - 1) : std::string_view::npos;
    return nl == std::string_view::npos ? text : text.substr(0, nl + 1);
}

std::string_view LineReader::peek_lines(size_t n) {
    // The scan goes on from `from` after reading on: more() keeps the unread text's offsets.
    size_t from = 0, found = 0;
    for (;;) {
        const std::string_view text = unread();
        while (found < n) {
            const size_t first = text.find_first_not_of(" \t\r\n", from);
            if (first == std::string_view::npos) break;
            ++found;
            const size_t eol = text.find('\n', first);
            from = eol == std::string_view::npos ? text.size() : eol + 1;
        }
        if (found == n) return text.substr(0, from);
        if (!more()) return unread();
    }
}

std::string_view LineReader::rest() {
    while (more()) {
    }
    return unread();
}

bool LineReader::next_line(std::string_view& line) {
    if (pos_ == end_ && !more()) return false;
    const char* p = buf_.get() + pos_;
    const size_t left = end_ - pos_;
    const void* nl = std::memchr(p, '\n', left);
    const size_t n = nl ? static_cast<size_t>(static_cast<const char*>(nl) - p) : left;
    pos_ += nl ? n + 1 : n;
    line = std::string_view(p, n);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_;
    return true;
}

bool is_gzip(std::string_view data) {
    return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
           static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string gunzip(std::string_view data, const std::string& name) {
    GzipSource z(std::make_unique<MemorySource>(data), name, {});
    std::string out(std::max<size_t>(data.size() * 4, 1 << 16), '\0');
    size_t produced = 0;
    for (;;) {
        produced += z.read(out.data() + produced, out.size() - produced);
        if (produced < out.size()) break;
        out.resize(out.size() * 2);
    }
    out.resize(produced);
    return out;
}

std::string_view without_bom(std::string_view text) {
    return text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
}

}  // namespace fk
