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

// The filter a query with --profile runs: the profile's and the user's (which may be empty),
// each checked on its own first, so that an error names the one at fault and its own column,
// then joined on separate lines, so that a `# comment` in either ends where it should.
std::string filter_with_profile(const std::string& name, const std::string& explicit_path,
                                const std::string& filter);

}  // namespace fk
