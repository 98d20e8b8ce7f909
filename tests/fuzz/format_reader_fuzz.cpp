// Feeds arbitrary bytes to the flowkit format reader as a stream, stopping at the first error
// and skipping corrupt blocks (--ignore-errors), and decodes every column of every block it
// accepts (format_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "format_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    for (bool ignore : {false, true}) fk::fuzz::read_stream(data, size, ignore);
    return 0;
}
