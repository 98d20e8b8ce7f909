// Reading ../shared/data/truth tables (tab-separated, header line) for the L7 tests.
#pragma once
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace fk::test {

using TruthRow = std::map<std::string, std::string>;

inline std::vector<TruthRow> read_truth(const std::string& path) {
    std::vector<TruthRow> rows;
    std::ifstream in(path);
    std::string line;
    std::vector<std::string> header;
    auto split = [](const std::string& s) {
        std::vector<std::string> out;
        std::string cell;
        std::istringstream ss(s);
        while (std::getline(ss, cell, '\t')) out.push_back(cell);
        if (!s.empty() && s.back() == '\t') out.push_back("");
        return out;
    };
    // Leading '#' lines are comments (tables made for these tests say how they were made).
    do {
        if (!std::getline(in, line)) return rows;
    } while (!line.empty() && line[0] == '#');
    header = split(line);
    while (std::getline(in, line)) {
        auto cells = split(line);
        TruthRow row;
        for (size_t i = 0; i < header.size(); ++i)
            row[header[i]] = i < cells.size() ? cells[i] : "";
        rows.push_back(std::move(row));
    }
    return rows;
}

// Rows grouped by their "file" column, files in order of first appearance.
inline std::vector<std::pair<std::string, std::vector<TruthRow>>> by_file(
    const std::vector<TruthRow>& rows) {
    std::vector<std::pair<std::string, std::vector<TruthRow>>> out;
    std::map<std::string, size_t> index;
    for (const auto& r : rows) {
        const std::string& f = r.at("file");
        auto it = index.find(f);
        if (it == index.end()) {
            index[f] = out.size();
            out.push_back({f, {}});
            it = index.find(f);
        }
        out[it->second].second.push_back(r);
    }
    return out;
}

// A file kept next to the L7 test sources.
inline std::string beside_this_test(const std::string& name) {
    return (std::filesystem::path(__FILE__).parent_path() / name).string();
}

// The shared data directory: FLOWKIT_DATA, or ../shared/data beside this checkout, which is
// where CMake points FLOWKIT_DATA too (ctest runs of GoogleTest binaries receive only the
// first variable of the test environment, so the fallback keeps them from skipping).
inline std::string data_dir() {
    std::string d = shared_data();
    if (!d.empty()) return d;
    auto beside = std::filesystem::path(__FILE__).parent_path() / "../../../../shared/data";
    return std::filesystem::is_directory(beside) ? beside.lexically_normal().string() : "";
}

}  // namespace fk::test
