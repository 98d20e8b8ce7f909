// The frame every program's main() runs in: signal set-up, error reporting, exit status.
#pragma once
#include <signal.h>

#include <functional>
#include <string>

namespace fk {

// Runs body and maps what it throws to the exit statuses of DESIGN.md: UsageError → 2 with
// "prog: message", DataError and other errors → 1, BrokenPipe → 0 silently. SIGTERM, SIGINT
// and SIGHUP still end the program, after removing its temporary output files.
int run_tool(const char* prog, const std::function<int()>& body);

// SIGTERM and SIGINT stop a program that reads a pipe without losing what it holds: after
// this call they no longer kill it, a read that waits (read_full) throws Interrupted, and
// the program ends its work as at the end of input. An Interrupted that reaches run_tool
// exits with 128 + the signal, as death by it would have.
void catch_stop_signals();

// A stop request must reach the thread that waits in read(). Threads that do not read block
// SIGTERM and SIGINT: block_stop_signals() blocks them in the calling thread (threads it
// starts inherit that) and returns the mask to restore, in the reading thread or later.
sigset_t block_stop_signals();
void restore_signal_mask(const sigset_t& mask);

// The signal that asked to stop (SIGTERM, SIGINT), 0 if none; and Interrupted if one did.
int stop_signal();
void check_stop();

// After a stop signal ended the input early: warns "SIGTERM ended the input; <kept>" and
// returns the exit status, 0 when the input was a stream (stopping is how a live pipe ends)
// and 1 for files not read to the end.
int report_stop(bool stream, const std::string& kept);

// The temporary name of an output file not yet in place (AtomicFile): removed if a signal
// ends the program. At most 64 at a time are kept; the path must live until removed.
void add_temp_file(const char* path);
void remove_temp_file(const char* path);

// Prints "prog: warning: message" on stderr.
void warn(const std::string& message);

// The program name set by run_tool, for messages.
const char* tool_name();

// The CPUs this process may run on (its affinity mask: taskset, cpusets), at least 1.
unsigned usable_cpus();

}  // namespace fk
