// The command line of a program (CLI11), parsed the same way everywhere: --help and --version
// print and end the program with status 0; a bad option is a UsageError (exit status 2) that
// points at --help.
#pragma once
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/error.h"

namespace fk {

// Whole numbers for counts, checked before CLI11 converts them: it would read "-1" as 2^64 - 1,
// "010" as octal 8 and a number past its type as the largest value. The text is rewritten
// without leading zeros (a validator given to transform(); check() cannot rewrite).
enum class WholeNumber { kOk, kNotANumber, kOutOfRange };
inline WholeNumber read_whole_number(std::string& s, uint64_t lo, uint64_t hi) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
        return WholeNumber::kNotANumber;
    const size_t first = std::min(s.find_first_not_of('0'), s.size() - 1);
    const std::string digits = s.substr(first);
    if (digits.size() > 20 || (digits.size() == 20 && digits > "18446744073709551615"))
        return WholeNumber::kOutOfRange;
    const uint64_t v = std::stoull(digits);
    if (v < lo || v > hi) return WholeNumber::kOutOfRange;
    s = digits;
    return WholeNumber::kOk;
}

constexpr uint64_t kNoLimit = UINT64_MAX;
// Whole numbers from lo to hi (CLI11's Range takes "1.5", and prints its bounds as doubles of
// 300 digits); one line saying which rule the text broke.
inline CLI::Validator whole_number_in(uint64_t lo = 0, uint64_t hi = kNoLimit) {
    return CLI::Validator(
        [lo, hi](std::string& s) -> std::string {
            switch (read_whole_number(s, lo, hi)) {
                case WholeNumber::kOk:
                    return {};
                case WholeNumber::kNotANumber:
                    return "'" + s + "' is not a whole number (0, 1, 2, ...)";
                case WholeNumber::kOutOfRange:
                    break;
            }
            return "'" + s + "' is out of range (" +
                   (hi == kNoLimit ? "at least " + std::to_string(lo)
                                   : std::to_string(lo) + " to " + std::to_string(hi)) +
                   ")";
        },
        "N");
}
inline const CLI::Validator kWholeNumber = whole_number_in();
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
