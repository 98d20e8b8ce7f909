// A whole input as one contiguous read-only view: regular files are memory-mapped, anything
// else (pipes, stdin) is read into memory.
#pragma once
#include <string>
#include <string_view>

namespace fk {

class MappedFile {
  public:
    // "-" is standard input. Throws DataError naming the file on failure.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view view() const { return {data_, size_}; }
    const std::string& name() const { return name_; }

  private:
    std::string name_;
    const char* data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
    std::string buffer_;
};

}  // namespace fk
