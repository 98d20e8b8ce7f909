// Error kinds shared by every program; each maps to one exit status (DESIGN.md "Pipes and files").
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace fk {

// Something is wrong with the data being read or written: exit status 1.
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The program was called wrongly (options, filter syntax): exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The reader of our output went away (`| head`): end quietly with status 0.
struct BrokenPipe : std::exception {
    const char* what() const noexcept override { return "broken pipe"; }
};

// SIGTERM or SIGINT asked a program that catches them (catch_stop_signals) to end early: its
// reads stop, and it closes and writes out what it holds, as at the end of its input.
struct Interrupted : std::exception {
    const char* what() const noexcept override { return "interrupted"; }
};

enum ExitStatus : int { kExitOk = 0, kExitData = 1, kExitUsage = 2 };

// strerror() as a std::string, thread-safe.
std::string errno_text(int err);

// s for a message, in single quotes: at most max bytes of it ("..." after a cut), and a byte
// that is not printable ASCII as '?', so that binary data (a pcap given for a text file) never
// reaches the terminal.
std::string excerpt(std::string_view s, size_t max = 40);

}  // namespace fk
