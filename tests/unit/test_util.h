// Helpers shared by the unit tests.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "record/field.h"

namespace fk::test {

// A fresh temporary directory, removed with everything in it when the object goes away.
class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/flowkit-test.XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// The shared data directory (../shared/data beside the checkout, or FLOWKIT_DATA), or ""
// when there is none: tests that need it skip.
inline std::string shared_data() {
    const char* env = std::getenv("FLOWKIT_DATA");
    const std::string d = env ? env : FLOWKIT_DEFAULT_DATA;
    std::error_code ec;
    if (std::filesystem::is_directory(d + "/pcap", ec)) {
        return std::filesystem::path(d).lexically_normal().string();
    }
    return "";
}

// The directory of the built programs (bin/, or FLOWKIT_BIN).
inline std::string program_dir() {
    const char* env = std::getenv("FLOWKIT_BIN");
    return env ? env : FLOWKIT_DEFAULT_BIN;
}

}  // namespace fk::test
