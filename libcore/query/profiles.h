// Profiles: named filters in a plain text file, one `name = filter` per line, `#` comments.
#pragma once
#include <string>
#include <vector>

namespace fk {

// The profiles file to use: `explicit_path` when given, else /etc/flowkit/profiles, then
// ~/.config/flowkit/profiles (the later one wins for a name defined in both).
std::vector<std::string> profile_files(const std::string& explicit_path);

// The filter of profile `name`; throws UsageError naming the files searched when there is
// none, and DataError (file:line) for a malformed line.
std::string profile_filter(const std::string& name, const std::string& explicit_path);

}  // namespace fk
