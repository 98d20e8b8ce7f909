// Feeds arbitrary text to every flowimport importer (the first byte picks the format; gzip
// input is inflated first, as flowimport does), stopping at the first error and with
// --ignore-errors. Malformed input must end in a DataError, never a crash, leak or hang.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "formats/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const auto formats = fk::import_formats();
    const std::string& format = formats[data[0] % formats.size()];
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string inflated;
    try {
        if (fk::is_gzip(text)) {
            inflated = fk::gunzip(text, "fuzz");
            text = inflated;
        }
        (void)fk::guess_format(text.substr(0, 4096));
    } catch (const fk::DataError&) {
        return 0;
    }
    for (bool ignore : {false, true}) {
        fk::ImportOptions opts;
        opts.ignore_errors = ignore;
        fk::ImportStats stats;
        uint64_t bytes = 0;
        try {
            fk::make_importer(format)->import(
                text, "fuzz", opts, [&](const fk::FlowRecord& r) { bytes += r.bytes; }, stats);
        } catch (const fk::DataError&) {
        }
    }
    return 0;
}
