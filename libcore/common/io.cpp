#include "common/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "common/error.h"
#include "common/tool.h"

namespace fk {

void write_all(int fd, const void* data, size_t n, const std::string& name) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t k = ::write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) throw BrokenPipe();
            throw DataError("write " + name + ": " + errno_text(errno));
        }
        p += k;
        n -= static_cast<size_t>(k);
    }
}

Output::Output(int fd, std::string name, size_t buffer_size)
    : fd_(fd), name_(std::move(name)), buf_(buffer_size) {}

Output::~Output() {
    // Flushing here could throw; owners call flush() explicitly on the success path.
}

void Output::write(const void* data, size_t n) {
    if (n > buf_.size() - used_) {
        flush();
        if (n >= buf_.size()) {
            write_all(fd_, data, n, name_);
            total_ += n;
            return;
        }
    }
    std::memcpy(buf_.data() + used_, data, n);
    used_ += n;
}

void Output::flush() {
    if (used_ == 0) return;
    const size_t n = used_;
    used_ = 0;
    write_all(fd_, buf_.data(), n, name_);
    total_ += n;
}

size_t read_some(int fd, void* data, size_t n, const std::string& name) {
    for (;;) {
        check_stop();
        const ssize_t k = ::read(fd, data, n);
        if (k >= 0) return static_cast<size_t>(k);
        if (errno != EINTR) throw DataError("read " + name + ": " + errno_text(errno));
    }
}

size_t read_full(int fd, void* data, size_t n, const std::string& name) {
    char* p = static_cast<char*>(data);
    size_t got = 0;
    while (got < n) {
        const size_t k = read_some(fd, p + got, n - got, name);
        if (k == 0) break;
        got += k;
    }
    return got;
}

std::string read_file_text(const std::string& path) {
    const bool in = path == "-";
    const std::string name = in ? "<stdin>" : path;
    const int fd = in ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw DataError("cannot open " + path + ": " + errno_text(errno));
    std::string text;
    try {
        for (size_t got = 1; got;) {
            const size_t at = text.size();
            text.resize(at + 65536);
            got = read_full(fd, text.data() + at, 65536, name);
            text.resize(at + got);
        }
    } catch (...) {
        if (!in) ::close(fd);
        throw;
    }
    if (!in) ::close(fd);
    return text;
}

bool is_terminal(int fd) {
    return ::isatty(fd) == 1;
}

namespace {

std::string dir_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    // A device or a FIFO (/dev/null, a named pipe) is written in place: renaming a file over
    // it would replace the device.
    struct stat st;
    const bool exists = ::stat(path_.c_str(), &st) == 0;
    // Found out only at the rename, after everything was written into the temporary file.
    if (exists && S_ISDIR(st.st_mode)) throw DataError(path_ + ": is a directory");
    if (exists && !S_ISREG(st.st_mode)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd_ < 0) throw DataError("open " + path_ + ": " + errno_text(errno));
        in_place_ = true;
        temp_ = path_;
        return;
    }
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%08x.tmp", rd());
        temp_ = dir_of(path_) + "/." + base_of(path_) + suffix;
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd_ >= 0) {
            add_temp_file(temp_.c_str());
            return;
        }
        if (errno != EEXIST) break;
    }
    throw DataError("create " + temp_ + ": " + errno_text(errno));
}

AtomicFile::~AtomicFile() {
    abandon();
}

void AtomicFile::abandon() {
    if (fd_ >= 0) {
        ::close(fd_);
        if (!in_place_) {
            ::unlink(temp_.c_str());
            remove_temp_file(temp_.c_str());
        }
        fd_ = -1;
    }
}

bool AtomicFile::cut(uint64_t size) {
    if (fd_ < 0 || in_place_) return false;
    const auto at = static_cast<off_t>(size);
    return ::ftruncate(fd_, at) == 0 && ::lseek(fd_, at, SEEK_SET) == at;
}

void AtomicFile::commit(bool no_replace) {
    if (in_place_) {
        const int rc = ::close(fd_);
        fd_ = -1;
        if (rc != 0) throw DataError("close " + path_ + ": " + errno_text(errno));
        return;
    }
    if (::fsync(fd_) != 0) throw DataError("fsync " + temp_ + ": " + errno_text(errno));
    if (::close(fd_) != 0) {
        fd_ = -1;
        ::unlink(temp_.c_str());
        remove_temp_file(temp_.c_str());
        throw DataError("close " + temp_ + ": " + errno_text(errno));
    }
    fd_ = -1;
    int rc;

    if (no_replace) {
        // link() fails with EEXIST instead of replacing; then the temporary name goes away.
        rc = ::link(temp_.c_str(), path_.c_str());
        if (rc == 0) ::unlink(temp_.c_str());
    } else {
        rc = ::rename(temp_.c_str(), path_.c_str());
    }
    const int err = errno;
    // The temporary file is whole: kept, and named, when it cannot take its name.
    remove_temp_file(temp_.c_str());
    if (rc != 0) {
        throw DataError("rename " + temp_ + " to " + path_ + ": " + errno_text(err) +
                        " (the data is kept in " + temp_ + ")");
    }
    const int dfd = ::open(dir_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

void make_dirs(const std::string& dir) {
    std::string cur;
    size_t i = 0;
    while (i <= dir.size()) {
        const size_t j = dir.find('/', i);
        cur = dir.substr(0, j == std::string::npos ? dir.size() : j);
        if (!cur.empty() && ::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
            throw DataError("mkdir " + cur + ": " + errno_text(errno));
        }
        if (j == std::string::npos) break;
        i = j + 1;
    }
}

}  // namespace fk
