// flowexport: flows out to other systems. This version sends them to a collector as IPFIX
// or NetFlow v9 over UDP. See man/flowexport.1.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/error.h"
#include "common/io.h"
#include "common/tool.h"
#include "format/reader.h"
#include "store/store.h"
#include "wire/exporter.h"

namespace {

using namespace fk;

struct Options {
    std::vector<std::string> files;
    std::string dir;
    std::string ipfix;
    std::string v9;
    double rate = 0;
    uint32_t domain = 0;
    size_t mtu = 1400;
    unsigned template_refresh = 60;
    bool quiet = false;
};

int run(const Options& o) {
    if (o.ipfix.empty() == o.v9.empty())
        throw UsageError("give one of --ipfix HOST:PORT and --v9 HOST:PORT (try --help)");
    if (o.rate < 0) throw UsageError("--rate must not be negative");
    std::vector<std::string> inputs = o.files;
    if (!o.dir.empty()) {
        const auto listed = list_flow_files(o.dir);
        inputs.insert(inputs.end(), listed.begin(), listed.end());
    }
    if (inputs.empty()) {
        if (is_terminal(STDIN_FILENO))
            throw UsageError("no input: give -r FILE, -R DIR or pipe flows in");
        inputs.push_back("-");
    }
    ExportOptions eo;
    eo.protocol = o.v9.empty() ? ExportProtocol::Ipfix : ExportProtocol::NetflowV9;
    eo.domain = o.domain;
    eo.max_datagram = o.mtu;
    eo.rate = o.rate;
    eo.template_refresh = o.template_refresh;
    FlowExporter exporter(o.v9.empty() ? o.ipfix : o.v9, eo);
    FlowBlock block;
    for (const auto& in : inputs) {
        FlowReader reader(in, ReaderOptions{});
        while (reader.next(block)) exporter.add(block);
    }
    exporter.flush();
    const ExportCounters& c = exporter.counters();
    if (!o.quiet) {
        std::fprintf(
            stderr, "flowexport: %llu flows in %llu datagrams (%llu template sets)%s\n",
            static_cast<unsigned long long>(c.flows), static_cast<unsigned long long>(c.datagrams),
            static_cast<unsigned long long>(c.template_sets),
            c.send_errors ? (", " + std::to_string(c.send_errors) + " not sent").c_str() : "");
    }
    return c.send_errors ? kExitData : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowexport", [&] {
        Options o;
        CLI::App app{"flowexport: send flows to a collector as IPFIX or NetFlow v9"};
        app.get_formatter()->column_width(28);
        app.add_option("-r,--read", o.files, "flow file to read (repeatable; default stdin)");
        app.add_option("-R,--read-dir", o.dir, "read every flow file below DIR, in time order");
        app.add_option("--ipfix", o.ipfix, "send IPFIX to HOST:PORT ([IPv6]:PORT)");
        app.add_option("--v9", o.v9, "send NetFlow v9 to HOST:PORT");
        app.add_option("--rate", o.rate, "at most this many flows per second (default: no limit)");
        app.add_option("--domain", o.domain, "observation domain / source id (default 0)");
        app.add_option("--mtu", o.mtu, "bytes per export datagram (default 1400)");
        app.add_option("--template-refresh", o.template_refresh,
                       "seconds between template re-sends (60)");
        app.add_flag("-q,--quiet", o.quiet, "no summary on stderr");
        app.add_flag_callback(
            "-V,--version",
            [] {
                std::printf("flowexport %s\n", FLOWKIT_VERSION);
                throw CLI::Success();
            },
            "print the version");
        try {
            app.parse(argc, argv);
        } catch (const CLI::Success& e) {
            return app.exit(e);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == 0) return app.exit(e);
            throw UsageError(std::string(e.what()) + " (try --help)");
        }
        return run(o);
    });
}
