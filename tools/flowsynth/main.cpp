// flowsynth: crafts realistic test traffic as a pcap, with a truth sidecar of every flow.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/time.h"
#include "common/tool.h"
#include "synth/generator.h"
#include "synth/scenario.h"

namespace {

struct Cli {
    fk::synth::SynthOptions synth;
    std::string write = "-";
    std::string truth;
    std::string start = "2025-03-03T10:00:00Z";
    std::string duration;
    std::string mix;
    std::string only;
    std::string encap;
    double ipv6_percent = 10;
    bool list = false;
    bool quiet = false;
};

// CLI::Range says "Value abc not in range" of text that is no number at all.
CLI::Validator number_in(double lo, double hi) {
    return CLI::Validator(
        [lo, hi](std::string& s) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            if (s.empty() || *end) return "'" + s + "' is not a number";
            if (!(v >= lo && v <= hi)) {
                char range[64];
                std::snprintf(range, sizeof range, "%g to %g", lo, hi);
                return "'" + s + "' is out of range (" + range + ")";
            }
            return {};
        },
        "X");
}

void print_list() {
    std::printf("Conversation kinds (--mix NAME=WEIGHT, --only NAME):\n");
    const auto defaults = fk::synth::default_mix();
    for (size_t i = 0; i < fk::synth::kKindCount; ++i) {
        const auto k = static_cast<fk::synth::Kind>(i);
        std::printf("  %-13s %5.2f  %s\n", std::string(fk::synth::kind_name(k)).c_str(),
                    defaults[i], std::string(fk::synth::kind_help(k)).c_str());
    }
    std::printf("Encapsulations (--encap NAME=PERCENT): vlan qinq mpls gre vxlan ext6 frag\n");
    std::printf("Scenarios (--scenario NAME[:k=v,...]):\n");
    for (const auto& s : fk::synth::scenario_help()) {
        std::printf("  %-13s %s\n  %-13s   %s\n", std::string(s.name).c_str(),
                    std::string(s.help).c_str(), "", std::string(s.params).c_str());
    }
}

// Output to a file that appears under its name only when complete, or to stdout, or
// straight into a device or FIFO that already exists (never renamed over).
struct Sink {
    std::unique_ptr<fk::AtomicFile> file;
    std::unique_ptr<fk::Output> out;
    int special_fd = -1;
    explicit Sink(const std::string& path) {
        struct stat st;
        if (path == "-") {
            out = std::make_unique<fk::Output>(1, "stdout", 1 << 20);
        } else if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
            special_fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
            if (special_fd < 0) throw fk::DataError("open " + path + ": " + fk::errno_text(errno));
            out = std::make_unique<fk::Output>(special_fd, path, 1 << 20);
        } else {
            file = std::make_unique<fk::AtomicFile>(path);
            out = std::make_unique<fk::Output>(file->fd(), path, 1 << 20);
        }
    }
    ~Sink() {
        if (special_fd >= 0) ::close(special_fd);
    }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;
    void commit() {
        out->flush();
        if (file) file->commit();
    }
};

int run(Cli& cli) {
    if (cli.list) {
        print_list();
        return 0;
    }
    auto& o = cli.synth;
    const auto start = fk::parse_time(cli.start);
    if (!start) throw fk::UsageError("--start: not a time: " + cli.start);
    o.traffic.start = *start;
    if (!cli.duration.empty()) {
        const auto d = fk::parse_duration(cli.duration);
        if (!d || *d == 0) throw fk::UsageError("--duration: not a duration: " + cli.duration);
        o.duration = *d;
    }
    if (o.packets == 0 && o.duration == 0) throw fk::UsageError("--packets 0 needs --duration");
    if (!cli.mix.empty() && !cli.only.empty())
        throw fk::UsageError("--mix and --only exclude each other");
    if (!cli.mix.empty()) o.traffic.mix = fk::synth::parse_mix(cli.mix);
    if (!cli.only.empty()) o.traffic.mix = fk::synth::parse_mix(cli.only + "=1");
    if (!cli.encap.empty()) o.traffic.wraps = fk::synth::parse_wraps(cli.encap);
    o.traffic.ipv6 = cli.ipv6_percent / 100.0;
    if (cli.write == "-" && fk::is_terminal(1)) {
        throw fk::UsageError("refusing to write a pcap to a terminal; use -w FILE or a pipe");
    }
    if (!cli.quiet && fk::is_terminal(2)) {
        const auto began = std::chrono::steady_clock::now();
        o.progress = [began, total = o.packets](uint64_t done) {
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
            const double rate = done / (s > 0 ? s : 1e-9);
            std::fprintf(stderr, "\rflowsynth: %.1fM packets, %.2f Mpps", done / 1e6, rate / 1e6);
            if (total) std::fprintf(stderr, ", %.0f s left  ", (total - done) / rate);
        };
    }
    Sink pcap(cli.write);
    std::optional<Sink> truth;
    if (!cli.truth.empty()) truth.emplace(cli.truth);
    const auto summary = fk::synth::synthesize(o, *pcap.out, truth ? truth->out.get() : nullptr);
    pcap.commit();
    if (truth) truth->commit();
    for (const auto& w : summary.warnings) fk::warn(w);
    if (!cli.quiet && fk::is_terminal(2)) {
        std::fprintf(stderr, "\rflowsynth: %llu packets, %llu conversations, %s .. %s\n",
                     static_cast<unsigned long long>(summary.packets),
                     static_cast<unsigned long long>(summary.conversations),
                     fk::time_string(summary.first).c_str(), fk::time_string(summary.last).c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowsynth", [&] {
        Cli cli;
        CLI::App app{"flowsynth: craft realistic network traffic (and attacks) as a pcap"};
        app.name("flowsynth");
        app.get_formatter()->column_width(28);
        app.add_option("-n,--packets", cli.synth.packets, "packets to write (default 100000)")
            ->transform(fk::kWholeNumber)
            ->option_text("N");
        app.add_option("-d,--duration", cli.duration, "stop after this much traffic time (90, 5m)")
            ->option_text("T");
        app.add_option("-s,--seed", cli.synth.traffic.seed, "random seed (default 1)")
            ->transform(fk::kWholeNumber)
            ->option_text("S");
        app.add_option("-w,--write", cli.write, "pcap file (default: stdout, never a terminal)")
            ->option_text("FILE");
        app.add_option("--snaplen", cli.synth.snaplen, "bytes kept of each packet (default 65535)")
            ->transform(fk::whole_number_in(14, 262144))
            ->option_text("N");
        app.add_option("--truth", cli.truth, "TSV of every unidirectional flow crafted")
            ->option_text("FILE");
        app.add_option("--start", cli.start, "first packet (default 2025-03-03T10:00:00Z)")
            ->option_text("TIME");
        app.add_option("--rate", cli.synth.traffic.rate,
                       "background conversations per second (500)")
            ->check(number_in(0.001, 1e7))
            ->option_text("R");
        app.add_option("--clients", cli.synth.traffic.clients, "client hosts (default 4000)")
            ->transform(fk::whole_number_in(1, 1000000))
            ->option_text("N");
        app.add_option("--servers", cli.synth.traffic.servers, "Internet servers (default 400)")
            ->transform(fk::whole_number_in(1, 1000000))
            ->option_text("N");
        app.add_option("--ipv6", cli.ipv6_percent, "percent IPv6 where possible (default 10)")
            ->check(number_in(0, 100))
            ->option_text("PCT");
        app.add_option("--mix", cli.mix, "background kinds and weights: dns=40,https=30,...")
            ->option_text("K=W,..");
        app.add_option("--only", cli.only, "background of one kind only (see --list)")
            ->option_text("KIND");
        app.add_option("--encap", cli.encap, "percent encapsulated: vlan=5,gre=1,ext6=50,...")
            ->option_text("E=PCT,..");
        app.add_option("--scenario", cli.synth.scenarios,
                       "attack scenario (repeatable, see --list)")
            ->option_text("NAME[:k=v,..]");
        app.add_flag("--list", cli.list, "list kinds, encapsulations and scenarios");
        app.add_flag("-q,--quiet", cli.quiet, "no progress or summary on stderr");
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        return run(cli);
    });
}
