// Foreign flow formats read into flow records (flowimport). Each format is one Importer; the
// format of a file can be guessed from its first bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/line_reader.h"
#include "record/field.h"

namespace fk {

struct ImportStats {
    uint64_t lines = 0;     // input lines / records seen
    uint64_t flows = 0;     // flow records produced
    uint64_t skipped = 0;   // malformed, skipped under --ignore-errors
    uint64_t ignored = 0;   // other valid records without flows (EVE alerts, ...)
    uint64_t nodata = 0;    // AWS: NODATA records (no traffic in the interval)
    uint64_t skipdata = 0;  // AWS: SKIPDATA records (records lost in the interval)
};

struct ImportOptions {
    bool ignore_errors = false;
    // AWS: the field list of header-less logs (default: the version 2 default format).
    std::string fields;
    std::function<void(const std::string&)> warn;
};

// Receives each flow; string views are valid only during the call.
using FlowSink = std::function<void(const FlowRecord&)>;

class Importer {
  public:
    virtual ~Importer() = default;
    // Reads `in` to its end. A malformed line is a DataError "name:line: ..." unless
    // opts.ignore_errors, which counts and skips it.
    virtual void read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
                      ImportStats& stats) = 0;
    // read() of `text` (a whole file) named `name` for messages.
    void import(std::string_view text, const std::string& name, const ImportOptions& opts,
                const FlowSink& sink, ImportStats& stats);
};

// The importer for a format name; UsageError listing the formats for an unknown one.
std::unique_ptr<Importer> make_importer(const std::string& format);
// The names make_importer knows.
std::vector<std::string> import_formats();
// The format of a file from its first bytes, or "" when it cannot be told.
std::string guess_format(std::string_view head);

}  // namespace fk
