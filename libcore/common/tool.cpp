#include "common/tool.h"

#include <sched.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>

#include "common/error.h"

namespace fk {

namespace {
const char* g_prog = "flowkit";
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
    // EPIPE is handled where we write, so that `| head` ends us quietly with status 0.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return body();
    } catch (const BrokenPipe&) {
        return kExitOk;
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
