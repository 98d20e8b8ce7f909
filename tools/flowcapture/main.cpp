// flowcapture: the collector daemon. NetFlow v5/v9, IPFIX and sFlow v5 over UDP into the
// time-sliced flow store (-l DIR) or a stream (-w -). See man/flowcapture.1.
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <thread>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/time.h"
#include "common/tool.h"
#include "format/writer.h"
#include "packet/probe.h"
#include "store/capture_stats.h"
#include "store/rotation.h"
#include "wire/collector.h"

namespace {

using namespace fk;

struct Options {
    std::vector<std::string> ports;
    std::vector<std::string> binds;
    std::string store_dir;
    std::string output;
    std::string interval = "300";
    std::string max_size;
    std::string max_age;
    std::string exec;
    std::vector<std::string> allow;
    std::string user;
    std::string rcvbuf = "64M";
    std::string template_timeout = "1800";
    std::string log_interval;
    int zstd_level = 1;
    std::string stats_dir;
    std::string iface;
    std::string active_timeout = "300";
    std::string idle_timeout = "15";
    bool quiet = false;
};

// The live probe's blocks go to the collector's writer.
class SubmitSink : public FlowSink {
  public:
    explicit SubmitSink(Collector& c) : c_(c) {}
    void write(FlowBlock& b) override { c_.submit(b); }

  private:
    Collector& c_;
};

uint64_t parse_size(const std::string& text, const char* what) {
    size_t i = 0;
    uint64_t v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') v = v * 10 + (text[i++] - '0');
    if (i == 0) throw UsageError(std::string(what) + ": bad size '" + text + "'");
    const std::string unit = text.substr(i);
    const std::string units = "KMGT";
    if (unit.empty()) return v;
    const auto k = units.find(static_cast<char>(std::toupper(unit[0])));
    if (k == std::string::npos || unit.size() > 2 ||
        (unit.size() == 2 && unit[1] != 'B' && unit[1] != 'b')) {
        throw UsageError(std::string(what) + ": bad size '" + text + "' (K, M, G, T)");
    }
    for (size_t j = 0; j <= k; ++j) v *= 1024;
    return v;
}

uint64_t parse_seconds(const std::string& text, const char* what) {
    const auto d = parse_duration(text);
    if (!d || *d == 0) throw UsageError(std::string(what) + ": bad duration '" + text + "'");
    return *d;
}

std::pair<IpAddr, unsigned> parse_cidr(const std::string& text) {
    const auto slash = text.find('/');
    const auto ip = parse_ip(text.substr(0, slash));
    if (!ip) throw UsageError("--allow: bad address '" + text + "'");
    unsigned len = ip->is_v4() ? 32 : 128;
    if (slash != std::string::npos) {
        try {
            len = static_cast<unsigned>(std::stoul(text.substr(slash + 1)));
        } catch (const std::exception&) {
            throw UsageError("--allow: bad prefix length '" + text + "'");
        }
        if (len > (ip->is_v4() ? 32u : 128u))
            throw UsageError("--allow: bad prefix length '" + text + "'");
    }
    const unsigned bits = prefix_bits(ip->is_v4(), len);
    return {ip->masked(bits), bits};
}

void drop_privileges(const std::string& user) {
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) throw UsageError("--user: no user '" + user + "'");
    if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
        throw DataError("--user " + user + ": " + errno_text(errno));
    }
}

// The flow store: one file per interval, statistics kept beside it.
class StoreSink : public BlockSink {
  public:
    StoreSink(StoreOptions o) : stats_path_(o.dir + "/" + kStatsFileName), store_(std::move(o)) {
        base_ = load_capture_stats(stats_path_);
    }
    // The statistics are saved once the closed file has its name, off the receiving path.
    void rotate(uint64_t slot, const CaptureStats& s) override {
        store_.rotate(slot, now_micros(), [this, s] { save(s); });
    }
    void write(FlowBlock& b) override { store_.write(b); }
    void finish(const CaptureStats& s) override {
        // The counts are kept even when the last file cannot be finished (a full disk); the
        // file's error is then the one reported.
        try {
            store_.close(now_micros());
        } catch (...) {
            try {
                save(s);
            } catch (const std::exception&) {
            }
            throw;
        }
        save(s);
    }

  private:
    void save(const CaptureStats& s) {
        CaptureStats total = base_;
        total.add(s);
        save_capture_stats(stats_path_, total);
    }
    std::string stats_path_;
    CaptureStats base_;
    StoreWriter store_;
};

// One file or standard output: every block is written as it comes.
class StreamSink : public BlockSink {
  public:
    explicit StreamSink(std::unique_ptr<FlowWriter> w) : w_(std::move(w)) {}
    void rotate(uint64_t, const CaptureStats&) override {}
    void write(FlowBlock& b) override { w_->write(b); }
    void finish(const CaptureStats&) override { w_->close(); }

  private:
    std::unique_ptr<FlowWriter> w_;
};

int run(const Options& o) {
    if (!o.stats_dir.empty()) {
        const std::string path = o.stats_dir + "/" + kStatsFileName;
        if (::access(path.c_str(), R_OK) != 0) throw DataError(path + ": " + errno_text(errno));
        const std::string text = format_capture_stats(load_capture_stats(path));
        write_all(STDOUT_FILENO, text.data(), text.size(), "<stdout>");
        return kExitOk;
    }
    if (o.store_dir.empty() == o.output.empty())
        throw UsageError("give one of -l DIR and -w FILE (try --help)");
    if (o.output == "-" && is_terminal(STDOUT_FILENO)) {
        throw UsageError("refusing to write binary flows to a terminal; pipe it or use -l DIR");
    }
    CollectorOptions co;
    const std::vector<std::string> binds =
        o.binds.empty() ? std::vector<std::string>{"0.0.0.0", "::"} : o.binds;
    // With -i alone nothing listens; otherwise port 2055 unless -p says.
    const std::vector<std::string> ports =
        o.ports.empty() && o.iface.empty() ? std::vector<std::string>{"2055"} : o.ports;
    if (!o.iface.empty() && !o.user.empty()) {
        throw UsageError(
            "--user cannot be combined with -i (the capture thread opens the interface)");
    }
    for (const auto& b : binds) {
        for (const auto& p : ports)
            co.listen.push_back(b.find(':') != std::string::npos ? "[" + b + "]:" + p
                                                                 : b + ":" + p);
    }
    for (const auto& a : o.allow) co.allow.push_back(parse_cidr(a));
    co.receive_buffer =
        static_cast<int>(std::min<uint64_t>(parse_size(o.rcvbuf, "--rcvbuf"), 1u << 30));
    co.interval = parse_seconds(o.interval, "-t");
    co.decoder.template_lifetime = parse_seconds(o.template_timeout, "--template-timeout");
    co.log_interval = o.quiet                  ? 0
                      : o.log_interval.empty() ? co.interval
                                               : parse_seconds(o.log_interval, "--log-interval");
    if (!o.output.empty()) co.flush_interval = kMicrosPerSecond;

    WriterOptions wo;
    wo.zstd_level = o.zstd_level;
    wo.creator = std::string("flowcapture ") + FLOWKIT_VERSION;
    // The collector's blocks are written as they come, not gathered into larger ones.
    wo.block_rows = co.block_rows;
    // On one CPU a writer thread cannot run alongside the receiver (collector.h). The live
    // probe hands its blocks over from a thread of its own, so -i keeps the writer thread.
    co.write_inline = o.iface.empty() && usable_cpus() == 1;

    // Signals are taken by sigwait below; the threads started later inherit the mask.
    sigset_t sigs;
    sigemptyset(&sigs);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&sigs, s);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

    if (!o.iface.empty() && ::if_nametoindex(o.iface.c_str()) == 0)
        throw UsageError("-i: no interface '" + o.iface + "'");
    Collector collector(co);
    std::unique_ptr<BlockSink> sink;
    if (!o.store_dir.empty()) {
        StoreOptions so;
        so.dir = o.store_dir;
        so.interval = co.interval;
        so.max_size = o.max_size.empty() ? 0 : parse_size(o.max_size, "--max-size");
        so.max_age = o.max_age.empty() ? 0 : parse_seconds(o.max_age, "--max-age");
        so.exec = o.exec;
        so.writer = wo;
        sink = std::make_unique<StoreSink>(so);
    } else {
        sink = std::make_unique<StreamSink>(
            o.output == "-" ? std::make_unique<FlowWriter>(STDOUT_FILENO, "<stdout>", wo)
                            : FlowWriter::open(o.output, wo));
    }
    // Said once the store or file is open and every option was taken.
    if (!o.quiet) {
        for (const auto& line : collector.describe())
            std::fprintf(stderr, "flowcapture: %s\n", line.c_str());
    }
    if (!o.user.empty()) drop_privileges(o.user);

    collector.start(*sink);
    // -i: the flowgen engine on the interface, its flows into the same writer.
    std::atomic<bool> live_stop{false}, live_failed{false};
    std::exception_ptr live_error;
    std::thread live;
    SubmitSink submit(collector);
    ProbeOptions po;
    std::unique_ptr<Probe> probe;
    if (!o.iface.empty()) {
        po.cache.active_us = parse_seconds(o.active_timeout, "--active-timeout");
        po.cache.idle_us = parse_seconds(o.idle_timeout, "--idle-timeout");
        probe = std::make_unique<Probe>(po, submit);
        live = std::thread([&] {
            try {
                capture_live(o.iface, "", *probe, live_stop);
            } catch (...) {
                live_error = std::current_exception();
                live_failed = true;
            }
        });
    }
    for (;;) {
        timespec wait{0, 200'000'000};
        const int sig = sigtimedwait(&sigs, nullptr, &wait);
        if (sig == SIGHUP) collector.rotate_now();
        if (sig == SIGTERM || sig == SIGINT || collector.failed() || live_failed) break;
    }
    if (live.joinable()) {
        live_stop = true;
        live.join();
    }
    collector.stop();
    if (live_error) std::rethrow_exception(live_error);
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowcapture", [&] {
        Options o;
        CLI::App app{"flowcapture: collect NetFlow v5/v9, IPFIX and sFlow into a flow store"};
        app.get_formatter()->column_width(28);
        app.add_option("-p,--port", o.ports, "UDP port to listen on (repeatable; default 2055)")
            ->transform(fk::kUdpPort);
        app.add_option("-b,--bind", o.binds,
                       "address to listen on (repeatable; default 0.0.0.0 and ::)");
        app.add_option("-i,--interface", o.iface,
                       "also make flows from packets on IFACE (flowgen)");
        app.add_option("--active-timeout", o.active_timeout, "-i: active timeout (300)");
        app.add_option("--idle-timeout", o.idle_timeout, "-i: idle timeout (15)");
        app.add_option("-l,--store", o.store_dir,
                       "flow store DIR/YYYY/MM/DD/flows-YYYYMMDDHHMM.flows");
        app.add_option("-w,--write", o.output, "write one stream instead ('-' = stdout)");
        app.add_option("-t,--interval", o.interval, "rotation interval (300, 5m, 1h)");
        app.add_option("--max-size", o.max_size, "delete oldest files above this size (e.g. 50G)");
        app.add_option("--max-age", o.max_age, "delete files older than this (e.g. 30d)");
        app.add_option("--exec", o.exec, "command run on each finished file (%f = file)");
        app.add_option("--allow", o.allow, "accept only exporters in CIDR (repeatable)");
        app.add_option("--user", o.user, "drop privileges to USER after opening sockets");
        app.add_option("--rcvbuf", o.rcvbuf, "socket receive buffer (default 64M)");
        app.add_option("--template-timeout", o.template_timeout,
                       "forget templates not refreshed (1800)");
        app.add_option("--log-interval", o.log_interval,
                       "per-exporter log line period (default -t)");
        app.add_option("-z,--zstd", o.zstd_level, "zstd level of the files (default 1)")
            ->transform(fk::kZstdLevel);
        app.add_option("--stats", o.stats_dir, "print the exporter statistics of a store and exit");
        app.add_flag("-q,--quiet", o.quiet, "no start-up or periodic messages");
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        return run(o);
    });
}
