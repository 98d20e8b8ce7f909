// The command line of a program (CLI11), parsed the same way everywhere: --help (and
// --version where a program has it) print and end the program with status 0; a bad option is
// a UsageError (exit status 2) that points at --help.
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "common/error.h"

namespace fk {

// For unsigned counts: CLI11 would read "-1" as the largest value (2^64 - 1).
inline const CLI::Validator kWholeNumber(
    [](std::string& s) {
        return s.find_first_not_of("0123456789") == std::string::npos && !s.empty()
                   ? std::string()
                   : "'" + s + "' is not a whole number (0, 1, 2, ...)";
    },
    "N");

// The exit status when the program is done (help or version printed), nothing to go on.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
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
