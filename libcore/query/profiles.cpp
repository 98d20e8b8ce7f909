#include "query/profiles.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "filter/filter.h"

namespace fk {

std::vector<std::string> profile_files(const std::string& explicit_path) {
    if (!explicit_path.empty()) return {explicit_path};
    std::vector<std::string> files{"/etc/flowkit/profiles"};
    if (const char* home = std::getenv("HOME")) {
        files.push_back(std::string(home) + "/.config/flowkit/profiles");
    }
    return files;
}

std::string profile_filter(const std::string& name, const std::string& explicit_path) {
    std::string found;
    bool any = false;
    const auto files = profile_files(explicit_path);
    for (const auto& path : files) {
        std::ifstream in(path);
        if (!in) {
            if (!explicit_path.empty()) throw UsageError("cannot read profiles file " + path);
            continue;
        }
        std::string line;
        for (size_t lineno = 1; std::getline(in, line); ++lineno) {
            const size_t start = line.find_first_not_of(" \t");
            if (start == std::string::npos || line[start] == '#') continue;
            const size_t eq = line.find('=');
            if (eq == std::string::npos) {
                throw DataError(path + ":" + std::to_string(lineno) + ": expected 'name = filter'");
            }
            std::string key = line.substr(start, eq - start);
            while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
            if (key == name) {
                found = line.substr(eq + 1);
                any = true;
            }
        }
    }
    if (!any) {
        std::string where;
        for (const auto& f : files) where += (where.empty() ? "" : ", ") + f;
        throw UsageError("unknown profile '" + name + "' (looked in " + where + ")");
    }
    return found;
}

std::string filter_with_profile(const std::string& name, const std::string& explicit_path,
                                const std::string& filter) {
    const std::string pf = profile_filter(name, explicit_path);
    try {
        Filter::compile(pf);
    } catch (const UsageError& e) {
        throw UsageError("profile " + name + ": " + e.what());
    }
    if (filter.empty()) return pf;
    Filter::compile(filter);
    return "(" + pf + "\n) and (" + filter + "\n)";
}

}  // namespace fk
