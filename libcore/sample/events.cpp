#include "sample/events.h"

#include <simdjson.h>

#include <set>
#include <string_view>

#include "common/error.h"

namespace fk {

std::string event_filter_from_events(const std::string& path) {
    simdjson::padded_string json;
    if (simdjson::padded_string::load(path).get(json))
        throw DataError("cannot read events file " + path);
    simdjson::ondemand::parser parser;
    const std::string_view text(json.data(), json.size());
    std::set<std::string> seen;
    std::string combined;
    size_t line_no = 0;
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        const std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        const std::string where = path + ":" + std::to_string(line_no);
        simdjson::padded_string padded(line);
        simdjson::ondemand::document doc;
        std::string_view filter;
        if (parser.iterate(padded).get(doc) || doc["filter"].get_string().get(filter))
            throw DataError(where + ": not a flowdetect event with a \"filter\"");
        if (filter.empty() || !seen.emplace(filter).second) continue;
        if (!combined.empty()) combined += " or ";
        combined += "(" + std::string(filter) + ")";
    }
    return combined;
}

}  // namespace fk
