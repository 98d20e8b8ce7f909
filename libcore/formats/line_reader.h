// The text of one flowimport input (a file, standard input, or text in memory; plain or gzip)
// read a chunk of whole lines at a time, so that memory stays bounded by the chunk size, or by
// the longest line, whatever the size of the input.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace fk {

class ByteSource;

class LineReader {
  public:
    // Reads this large cost next to nothing per byte, and little memory beside a sensor's.
    static constexpr size_t kChunk = size_t{16} << 20;
    // "-" is standard input. gzip input (any number of members) is inflated and a UTF-8 byte
    // order mark at the start skipped. DataError naming the file when it cannot be read.
    // chunk: the bytes read at a time (at least 2, the gzip magic).
    explicit LineReader(const std::string& path, size_t chunk = kChunk);
    // text in memory, named name in messages.
    LineReader(std::string_view text, std::string name, size_t chunk = kChunk);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    const std::string& name() const { return name_; }

    // The views below stay valid until the reader reads on (the buffer may move): until the
    // next call, or for good once rest() has read the whole input.

    // The unread text up to the end of the line that holds its n-th byte (all of it when it
    // is shorter).
    std::string_view peek(size_t n);
    // The unread text up to the end of its n-th line that is not blank (all of it when it has
    // fewer).
    std::string_view peek_lines(size_t n);
    // All the unread text: the rest of the input, read into memory.
    std::string_view rest();
    // The next line, without its "\n" or "\r\n"; false at the end of the input.
    bool next_line(std::string_view& line);
    // The number of the line next_line() gave last (1 for the first).
    size_t line_number() const { return line_; }

  private:
    struct Free {
        void operator()(char* p) const { std::free(p); }
    };
    void start(std::unique_ptr<ByteSource> raw);
    void reserve(size_t cap);
    // Reads on until [pos_, end_) holds one more line, dropping the text before pos_ first;
    // false at the end of the input.
    bool more();
    std::string_view unread() const { return {buf_.get() + pos_, end_ - pos_}; }

    std::string name_;
    size_t chunk_;
    std::unique_ptr<ByteSource> src_;
    // [0, pos_) was read, [pos_, end_) is whole lines (and the input's last line without '\n'
    // once the input ended), [end_, len_) the start of a line.
    std::unique_ptr<char, Free> buf_;
    size_t cap_ = 0, pos_ = 0, end_ = 0, len_ = 0;
    bool eof_ = false;
    size_t line_ = 0;
};

// gzip input (magic 1f 8b): the decompressed text of all members; DataError naming the file.
bool is_gzip(std::string_view data);
std::string gunzip(std::string_view data, const std::string& name);

// The text after a UTF-8 byte order mark, which Windows tools put in front of CSV and JSON
// exports (it made the first field of a header line unknown).
std::string_view without_bom(std::string_view text);

}  // namespace fk
