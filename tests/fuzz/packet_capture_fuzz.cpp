// Fuzzes the capture file reader (pcap and pcapng headers, blocks, options, truncation) and
// the probe behind it: the input is the whole file, read through a memory file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "packet/probe.h"

namespace {

class NullSink : public fk::FlowSink {
  public:
    void write(fk::FlowBlock&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const int fd = memfd_create("capture", 0);
    if (fd < 0) return 0;
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return 0;
    }
    NullSink sink;
    fk::Probe probe(fk::ProbeOptions{}, sink);
    try {
        fk::read_captures({"/proc/self/fd/" + std::to_string(fd)}, probe);
    } catch (const fk::DataError&) {
        // Rejected input is fine; crashes and leaks are what this looks for.
    }
    close(fd);
    return 0;
}
