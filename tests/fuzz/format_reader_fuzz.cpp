// Feeds arbitrary bytes to the flowkit format reader as a stream and decodes every column of
// every block it accepts. Corruption must end in a DataError, never a crash, leak or hang.
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "common/error.h"
#include "format/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    int fds[2];
    if (pipe(fds) != 0) return 0;
    // The pipe buffer (64 KiB) holds any input up to that size; larger inputs are cut.
    const size_t n = size < 60000 ? size : 60000;
    if (write(fds[1], data, n) != static_cast<ssize_t>(n)) {
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    close(fds[1]);
    for (bool ignore : {false, true}) {
        if (ignore) {
            close(fds[0]);
            if (pipe(fds) != 0) return 0;
            if (write(fds[1], data, n) != static_cast<ssize_t>(n)) {
                close(fds[0]);
                close(fds[1]);
                return 0;
            }
            close(fds[1]);
        }
        try {
            fk::ReaderOptions ro;
            ro.ignore_errors = ignore;
            fk::FlowReader r(fds[0], "fuzz", ro);
            fk::FlowBlock b;
            while (r.next(b)) {
                b.ensure_all();
                fk::FlowRecord rec;
                for (size_t i = 0; i < b.size(); ++i) b.record(i, rec);
            }
        } catch (const fk::DataError&) {
        }
    }
    close(fds[0]);
    return 0;
}
