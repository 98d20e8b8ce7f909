#include "common/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.h"
#include "common/io.h"

namespace fk {

MappedFile::MappedFile(const std::string& path) : name_(path == "-" ? "<stdin>" : path) {
    int fd = STDIN_FILENO;
    if (path != "-") {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw DataError("open " + path + ": " + errno_text(errno));
    }
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            ::madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
            data_ = static_cast<const char*>(p);
            size_ = static_cast<size_t>(st.st_size);
            mapped_ = true;
        }
    }
    if (!mapped_) {
        char chunk[1 << 16];
        for (;;) {
            const size_t n = read_full(fd, chunk, sizeof chunk, name_);
            buffer_.append(chunk, n);
            if (n < sizeof chunk) break;
        }
        data_ = buffer_.data();
        size_ = buffer_.size();
    }
    if (fd != STDIN_FILENO) ::close(fd);
}

MappedFile::~MappedFile() {
    if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace fk
