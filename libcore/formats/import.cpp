#include "formats/import.h"

#include "common/error.h"
#include "formats/nfcsv.h"

namespace fk {

std::vector<std::string> import_formats() {
    return {"nfcsv"};
}

std::unique_ptr<Importer> make_importer(const std::string& format) {
    if (format == "nfcsv") return std::make_unique<NfcsvImporter>();
    std::string known;
    for (const auto& f : import_formats()) known += (known.empty() ? "" : ", ") + f;
    throw UsageError("unknown format '" + format + "' (known: " + known + ")");
}

std::string guess_format(std::string_view head) {
    if (head.starts_with("ts,te,td,sa,da,")) return "nfcsv";
    return "";
}

}  // namespace fk
