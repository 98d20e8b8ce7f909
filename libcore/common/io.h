// File and pipe I/O with the error behaviour every program shares: a one-line error naming the
// file, EPIPE turned into a quiet end, and output files finalised atomically.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fk {

// A buffered writer over a file descriptor. Throws BrokenPipe when the reader went away and
// DataError (naming the output) for any other write error, such as a full disk.
class Output {
  public:
    Output(int fd, std::string name, size_t buffer_size = 1 << 16);
    ~Output();
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    void write(const void* data, size_t n);
    void write(std::string_view s) { write(s.data(), s.size()); }
    void put(char c) {
        if (used_ == buf_.size()) flush();
        buf_[used_++] = c;
    }
    // Reserves n contiguous bytes (n <= buffer size) and returns where to write them;
    // commit(k) then keeps the first k. Lets formatters print straight into the buffer.
    char* reserve(size_t n) {
        if (buf_.size() - used_ < n) flush();
        return buf_.data() + used_;
    }
    void commit(size_t k) { used_ += k; }
    void flush();
    int fd() const { return fd_; }
    const std::string& name() const { return name_; }
    uint64_t bytes_written() const { return total_ + used_; }

  private:
    int fd_;
    std::string name_;
    std::vector<char> buf_;
    size_t used_ = 0;
    uint64_t total_ = 0;
};

// Writes all of data to fd; throws like Output.
void write_all(int fd, const void* data, size_t n, const std::string& name);

// A file created under a temporary name in its final directory and renamed into place by
// commit() after an fsync, so that nobody ever sees it half written under its final name.
// Destroyed without commit(), the temporary file is removed.
class AtomicFile {
  public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    const std::string& temp_path() const { return temp_; }
    // A device or FIFO, written directly: a reader may be reading it as it is written.
    bool in_place() const { return in_place_; }
    // fsync, rename to the final name (never replacing an existing file when no_replace),
    // fsync the directory. Throws DataError on failure; a file that was written whole but
    // cannot take its name is kept under the temporary name, which the error gives.
    void commit(bool no_replace = false);
    void abandon();
    // Cuts the file back to its first `size` bytes and writes on from there. False when that
    // failed or the file is a device or FIFO (left as it is).
    bool cut(uint64_t size);

  private:
    std::string path_;
    std::string temp_;
    int fd_ = -1;
    bool in_place_ = false;  // a device or FIFO, written directly
};

// Reads exactly n bytes unless end of input comes first; returns the number read. Throws
// Interrupted when a stop signal was caught (catch_stop_signals).
size_t read_full(int fd, void* data, size_t n, const std::string& name);

// One read of at most n bytes: what a pipe has now, 0 at the end of input. Throws Interrupted
// as read_full does.
size_t read_some(int fd, void* data, size_t n, const std::string& name);

// The whole of a (text) file, "-" being standard input; DataError naming it on failure.
std::string read_file_text(const std::string& path);

bool is_terminal(int fd);

// Creates dir and its parents (mode 0755); throws DataError on failure.
void make_dirs(const std::string& dir);

}  // namespace fk
