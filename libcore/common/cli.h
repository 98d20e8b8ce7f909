// The command line of a program (CLI11), parsed the same way everywhere: --help (and
// --version where a program has it) print and end the program with status 0; a bad option is
// a UsageError (exit status 2) that points at --help.
#pragma once
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/error.h"

namespace fk {

// For unsigned counts: CLI11 would read "-1" as the largest value (2^64 - 1).
// Leading zeros are dropped: CLI11 would read "010" as octal 8.
inline bool whole_number_text(std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
    s.erase(0, std::min(s.find_first_not_of('0'), s.size() - 1));
    // More than 2^64 - 1 would be taken as the largest value.
    return s.size() < 20 || (s.size() == 20 && s <= "18446744073709551615");
}

inline const CLI::Validator kWholeNumber(
    [](std::string& s) {
        return whole_number_text(s) ? std::string()
                                    : "'" + s + "' is not a whole number (0, 1, 2, ...)";
    },
    "N");

// Whole numbers from lo to hi: CLI11's Range takes "1.5" and prints its bounds as doubles of
// 300 digits, and PositiveNumber says the same of 0.
constexpr uint64_t kNoLimit = UINT64_MAX / 2;
inline CLI::Validator whole_number_in(uint64_t lo, uint64_t hi = kNoLimit) {
    return CLI::Validator(
        [lo, hi](std::string& s) -> std::string {
            const std::string written = s;
            if (whole_number_text(s)) {
                const uint64_t v = std::stoull(s);
                if (v >= lo && v <= hi) return {};
            }
            s = written;
            return "'" + s + "' is not a whole number " +
                   (hi == kNoLimit ? "of at least " + std::to_string(lo)
                                   : "from " + std::to_string(lo) + " to " + std::to_string(hi));
        },
        "N");
}
// A count of at least one (threads, flows, packets).
inline const CLI::Validator kAtLeastOne = whole_number_in(1);
// zstd's compression levels.
inline const CLI::Validator kZstdLevel = whole_number_in(1, 22);
inline const CLI::Validator kUdpPort = whole_number_in(1, 65535);

// The exit status when the program is done (help or version printed), nothing to go on.
// Every program takes -V/--version.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
    const std::string_view path = argc > 0 ? argv[0] : "flowkit";
    const std::string name(path.substr(path.rfind('/') + 1));
    app.add_flag_callback(
        "-V,--version",
        [name] {
            std::printf("%s %s\n", name.c_str(), FLOWKIT_VERSION);
            throw CLI::Success();
        },
        "print the version");
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --version
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        throw UsageError(std::string(e.what()) + " (see --help)");
    }
    return std::nullopt;
}

}  // namespace fk
