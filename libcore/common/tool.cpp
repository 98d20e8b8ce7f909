#include "common/tool.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>

#include "common/error.h"

namespace fk {

namespace {

const char* g_prog = "flowkit";
volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int sig) {
    g_stop_signal = sig;
}

// Output files not yet renamed into place. A signal that ends the program removes them, so a
// killed `flowquery -w` leaves no hidden temporary file behind.
constexpr size_t kTempSlots = 64;
std::atomic<const char*> g_temp_files[kTempSlots];

void on_fatal_signal(int sig) {
    for (auto& slot : g_temp_files)
        if (const char* path = slot.load()) ::unlink(path);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Installs the handler for the signals that end a program, except those ignored when it started
// (`cmd &` in a script ignores SIGINT, nohup SIGHUP).
void handle_ending_signals(void (*handler)(int), std::initializer_list<int> signals) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    // No SA_RESTART: a read waiting on a pipe returns EINTR, and read_full sees a stop.
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    for (const int sig : signals) {
        struct sigaction old {};
        if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(sig, &sa, nullptr);
    }
}

}  // namespace

void add_temp_file(const char* path) {
    for (auto& slot : g_temp_files) {
        const char* empty = nullptr;
        if (slot.compare_exchange_strong(empty, path)) return;
    }
}

void remove_temp_file(const char* path) {
    for (auto& slot : g_temp_files) {
        const char* mine = path;
        if (slot.compare_exchange_strong(mine, nullptr)) return;
    }
}

void catch_stop_signals() {
    handle_ending_signals(on_stop_signal, {SIGTERM, SIGINT});
}

sigset_t block_stop_signals() {
    sigset_t stop, before;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, &before);
    return before;
}

void restore_signal_mask(const sigset_t& mask) {
    pthread_sigmask(SIG_SETMASK, &mask, nullptr);
}

int stop_signal() {
    return g_stop_signal;
}

void check_stop() {
    if (g_stop_signal) throw Interrupted();
}

int report_stop(bool stream, const std::string& kept) {
    warn(std::string(g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM") + " ended the input; " + kept);
    return stream ? kExitOk : kExitData;
}

const char* tool_name() {
    return g_prog;
}

unsigned usable_cpus() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) return static_cast<unsigned>(n);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

void warn(const std::string& message) {
    std::fprintf(stderr, "%s: warning: %s\n", g_prog, message.c_str());
}

int run_tool(const char* prog, const std::function<int()>& body) {
    g_prog = prog;
    handle_ending_signals(on_fatal_signal, {SIGTERM, SIGINT, SIGHUP});
    // EPIPE is handled where we write, so that `| head` ends us quietly with status 0.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return body();
    } catch (const BrokenPipe&) {
        return kExitOk;
    } catch (const Interrupted&) {
        return 128 + stop_signal();
    } catch (const UsageError& e) {
        std::fprintf(stderr, "%s: %s\n", prog, e.what());
        return kExitUsage;
    } catch (const DataError& e) {
        std::fprintf(stderr, "%s: %s\n", prog, e.what());
        return kExitData;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", prog, e.what());
        return kExitData;
    }
}

}  // namespace fk
