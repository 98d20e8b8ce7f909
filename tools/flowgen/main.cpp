// flowgen: packets to flows (DESIGN.md). Options here, the work in libcore/packet.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/time.h"
#include "common/tool.h"
#include "format/writer.h"
#include "packet/probe.h"
#include "packet/threaded_sink.h"
#include "wire/exporter.h"

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
    g_stop.store(true);
}

struct Options {
    std::vector<std::string> reads;
    std::string iface;
    std::string filter;
    std::string write;
    std::string export_to;
    bool quiet = false;
    bool verbose = false;
    double idle = 15, active = 300;
    uint32_t max_flows = 1u << 20;
    uint32_t sample = 1;
    std::string sample_mode = "systematic";
    uint64_t seed = 1;
    bool no_decap = false;
    bool no_l7 = false;
    unsigned threads = 1;
    int zstd_level = 1;
};

// Records go to the flow file or stream, to an IPFIX collector, or both.
class OutputSink : public fk::FlowSink {
  public:
    OutputSink(fk::FlowWriter* w, fk::FlowExporter* x) : w_(w), x_(x) {}
    void write(fk::FlowBlock& b) override {
        if (x_) x_->add(b);
        if (w_) w_->write(b);
    }

  private:
    fk::FlowWriter* w_;
    fk::FlowExporter* x_;
};

struct Progress {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last = start;
    bool shown = false;
};

void show_progress(void* ctx, uint64_t done, uint64_t total, const fk::Probe& probe) {
    auto& pr = *static_cast<Progress*>(ctx);
    const auto now = std::chrono::steady_clock::now();
    if (now - pr.last < std::chrono::milliseconds(500)) return;
    pr.last = now;
    pr.shown = true;
    const double secs = std::chrono::duration<double>(now - pr.start).count();
    const double mpps = static_cast<double>(probe.stats().packets) / secs / 1e6;
    if (total > 0) {
        const double frac = static_cast<double>(done) / static_cast<double>(total);
        const double left = frac > 0 ? secs * (1 - frac) / frac : 0;
        std::fprintf(stderr,
                     "\rflowgen: %5.1f%%  %.1fM packets  %.2fM flows  %.2f Mpps  %.0fs left ",
                     frac * 100, static_cast<double>(probe.stats().packets) / 1e6,
                     static_cast<double>(probe.cache_stats().flows) / 1e6, mpps, left);
    } else {
        std::fprintf(stderr, "\rflowgen: %.1fM packets  %.2fM flows  %.2f Mpps ",
                     static_cast<double>(probe.stats().packets) / 1e6,
                     static_cast<double>(probe.cache_stats().flows) / 1e6, mpps);
    }
}

void print_summary(const fk::Probe& probe) {
    const auto& s = probe.stats();
    const auto& c = probe.cache_stats();
    std::fprintf(stderr,
                 "flowgen: %llu packets, %llu flows of %llu packets and %llu bytes; "
                 "in flows %llu packets (%llu layer-2); "
                 "not IP %llu, malformed %llu, sampled out %llu, filtered out %llu; "
                 "evicted %llu, peak %llu flows in cache\n",
                 (unsigned long long)s.packets, (unsigned long long)c.flows,
                 (unsigned long long)c.packets, (unsigned long long)c.bytes,
                 (unsigned long long)s.flow_packets, (unsigned long long)s.layer2,
                 (unsigned long long)s.not_ip, (unsigned long long)s.malformed,
                 (unsigned long long)s.sampled_out, (unsigned long long)s.filtered_out,
                 (unsigned long long)c.evicted, (unsigned long long)c.peak_flows);
}

int run(int argc, char** argv) {
    Options o;
    CLI::App app{"flowgen: packets to flows (pcap, pcapng, a pcap stream or an interface)",
                 "flowgen"};
    app.get_formatter()->column_width(26);
    app.add_option("-r,--read", o.reads,
                   "capture file (pcap/pcapng; repeatable, merged by time; - = stdin)");
    app.add_option("-i,--interface", o.iface, "capture live from this interface");
    app.add_option("-f,--filter", o.filter, "BPF filter, e.g. 'tcp port 443'");
    app.add_option("-w,--write", o.write, "write flows to FILE (default: stdout, not a terminal)");
    app.add_option("-z,--level", o.zstd_level, "zstd level of the output (default 1)")
        ->transform(fk::kZstdLevel);
    app.add_option("--export", o.export_to, "send flows as IPFIX over UDP to HOST:PORT");
    app.add_option("--idle-timeout", o.idle, "seconds without packets that end a flow (15)");
    app.add_option("--active-timeout", o.active, "seconds after which a long flow is cut (300)");
    app.add_option("--max-flows", o.max_flows,
                   "flows held at once; the oldest is evicted (1048576)")
        ->transform(fk::kAtLeastOne);
    app.add_option("--sample", o.sample, "1:N packet sampling (counters are multiplied by N)")
        ->transform(fk::kAtLeastOne);
    app.add_option("--sample-mode", o.sample_mode, "systematic (every Nth) or random")
        ->check(CLI::IsMember({"systematic", "random"}));
    app.add_option("--seed", o.seed, "seed of random sampling (1)");
    app.add_flag("--no-decap", o.no_decap, "keep tunnels (GRE, VXLAN, IP-in-IP) as outer flows");
    app.add_flag("--no-l7", o.no_l7, "no payload inspection (hellos, HTTP, DNS, signatures)");
    app.add_option("--threads", o.threads,
                   "1, or 2: files are read, and flows encoded and written, on other threads")
        ->check(CLI::Range(1, 2));
    app.add_flag("-q,--quiet", o.quiet, "no progress on stderr");
    app.add_flag("-v,--verbose", o.verbose, "print packet and flow totals on stderr at the end");
    app.footer("Exit status: 0 ok, 1 bad or truncated input, 2 usage. See flowgen(1).");
    if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
    if (!o.iface.empty() && !o.reads.empty()) throw fk::UsageError("-i and -r exclude each other");
    if (o.idle <= 0 || o.active <= 0) throw fk::UsageError("timeouts must be positive");
    if (o.iface.empty() && o.reads.empty()) {
        if (fk::is_terminal(STDIN_FILENO))
            throw fk::UsageError("no input: give -r FILE, -i IFACE, or pipe a pcap stream in");
        o.reads.push_back("-");
    }
    // With --export the flows need not be written here too; without, stdout is the default.
    if (o.write.empty() && o.export_to.empty()) o.write = "-";
    if (o.write == "-" && fk::is_terminal(STDOUT_FILENO))
        throw fk::UsageError(
            "refusing to write binary flows to a terminal; use -w FILE or a pipe (| flowquery)");

    fk::ProbeOptions po;
    po.cache.idle_us = static_cast<uint64_t>(o.idle * 1e6);
    po.cache.active_us = static_cast<uint64_t>(o.active * 1e6);
    po.cache.max_flows = o.max_flows;
    po.cache.sampling = o.sample;
    po.sample = o.sample;
    po.sample_mode =
        o.sample_mode == "random" ? fk::SampleMode::kRandom : fk::SampleMode::kSystematic;
    po.seed = o.seed;
    po.decode.decap = !o.no_decap;
    po.metadata = !o.no_l7;
    // Live capture filters in the kernel; files through libpcap's filter machine.
    if (o.iface.empty()) po.filter = o.filter;

    fk::WriterOptions wo;
    wo.creator = std::string("flowgen ") + FLOWKIT_VERSION;
    wo.zstd_level = o.zstd_level;

    std::unique_ptr<fk::FlowExporter> exporter;
    if (!o.export_to.empty()) exporter = std::make_unique<fk::FlowExporter>(o.export_to);
    std::unique_ptr<fk::FlowWriter> writer;
    if (!o.write.empty()) writer = fk::FlowWriter::open(o.write, wo);
    OutputSink output(writer.get(), exporter.get());
    std::unique_ptr<fk::ThreadedSink> threaded;
    if (o.threads > 1) threaded = std::make_unique<fk::ThreadedSink>(output);
    fk::Probe probe(po, threaded ? static_cast<fk::FlowSink&>(*threaded) : output);

    int status = fk::kExitOk;
    if (!o.iface.empty()) {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, nullptr);
        sigaction(SIGTERM, &sa, nullptr);
        fk::capture_live(o.iface, o.filter, probe, g_stop);
    } else {
        Progress pr;
        const bool show = !o.quiet && fk::is_terminal(STDERR_FILENO);
        fk::ReadOptions ro;
        ro.progress = show ? show_progress : nullptr;
        ro.ctx = &pr;
        ro.read_ahead = o.threads > 1;
        fk::catch_stop_signals();
        const fk::ReadResult r = fk::read_captures(o.reads, probe, ro);
        if (pr.shown) std::fputs("\r\033[K", stderr);
        for (const auto& w : r.warnings) {
            fk::warn(w);
            status = fk::kExitData;
        }
        if (r.interrupted) {
            const bool stream = o.reads.size() == 1 && o.reads[0] == "-";
            status = std::max(status,
                              fk::report_stop(stream, "the flows of the packets read are written"));
        }
    }
    if (threaded) threaded->finish();
    if (exporter) {
        exporter->finish();
        if (const std::string problem = exporter->problem(); !problem.empty()) {
            fk::warn("--export: " + problem);
            status = fk::kExitData;
        }
    }
    if (writer) writer->close();
    if (const uint64_t steps = probe.cache_stats().clock_steps_back)
        fk::warn("packet time went back by more than the idle timeout " + std::to_string(steps) +
                 (steps == 1 ? " time" : " times") +
                 "; the flows seen after the new time were ended");
    if (o.verbose) print_summary(probe);
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowgen", [&] { return run(argc, argv); });
}
