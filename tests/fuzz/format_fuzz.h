// The body shared by the format harnesses: bytes are read as a stream through a pipe (up to
// 60000 of them: the pipe buffer holds 64 KiB), and every column of every block the reader
// accepts is decoded and every record made. Corruption must end in a DataError, never a
// crash, leak or hang.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "common/error.h"
#include "format/reader.h"

namespace fk::fuzz {

inline void read_stream(const uint8_t* bytes, size_t n, bool ignore_errors) {
    if (n > 60000) n = 60000;
    int fds[2];
    if (pipe(fds) != 0) return;
    const bool written = write(fds[1], bytes, n) == static_cast<ssize_t>(n);
    close(fds[1]);
    if (written) {
        try {
            ReaderOptions ro;
            ro.ignore_errors = ignore_errors;
            FlowReader r(fds[0], "fuzz", ro);
            FlowBlock b;
            while (r.next(b)) {
                b.ensure_all();
                FlowRecord rec;
                for (size_t i = 0; i < b.size(); ++i) b.record(i, rec);
            }
        } catch (const DataError&) {
        }
    }
    close(fds[0]);
}

}  // namespace fk::fuzz
