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

// The shared data directory (../shared/data), or "" when this checkout has none.
inline std::string shared_data() {
    const char* d = std::getenv("FLOWKIT_DATA");
    if (d && std::filesystem::is_directory(d)) return d;
    return "";
}

}  // namespace fk::test
