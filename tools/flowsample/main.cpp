// flowsample: sample flows (flow, packet, smart or hash sampling, renormalised), or evaluate
// what each mode and rate costs on unsampled flows.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/tool.h"
#include "filter/filter.h"
#include "query/pipeline.h"
#include "sample/evaluate.h"
#include "sample/events.h"
#include "sample/run.h"

namespace {

template <class T, class Parse>
std::vector<T> parse_list(const std::string& text, const char* opt, Parse parse) {
    std::vector<T> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.empty()) throw fk::UsageError(std::string(opt) + ": empty item in '" + text + "'");
        out.push_back(parse(item));
    }
    if (out.empty()) throw fk::UsageError(std::string(opt) + ": empty list");
    return out;
}

uint64_t number(const std::string& text, const char* opt) {
    uint64_t v;
    if (!fk::parse_scaled_number(text, v))
        throw fk::UsageError(std::string(opt) + ": '" + text + "' is not a number");
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowsample", [&]() -> int {
        fk::SampleRunOptions o;
        std::string mode = "flow", rate, threshold, rates, modes, format, events_path;
        fk::EvalOptions e;
        bool eval = false, verbose = false, quiet = false;
        CLI::App app{
            "flowsample: sample flows with renormalised counters, or --evaluate what a\n"
            "sampling rate costs. Reads -r FILE, -R DIR or standard input; see man flowsample."};
        app.get_formatter()->column_width(24);
        app.add_option("filter", o.filter,
                       "only flows matching this filter (man 7 flowkit-filter)");
        app.add_option("-r,--read", o.input.files, "read a flow file (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-R,--read-dir", o.input.dirs, "read every flow file below DIR")
            ->allow_extra_args(false);
        app.add_option("-w,--write", o.write_path, "write sampled flows to FILE (default stdout)");
        app.add_option("-m,--mode", mode, "flow|packet|smart|hash (default flow)");
        app.add_option("-n,--rate", rate, "1:N sampling rate (required unless --evaluate)");
        app.add_option("-s,--seed", o.config.seed, "random seed / hash key (default 1)");
        app.add_option("--threshold", threshold,
                       "smart: z in bytes (default: fitted so that ~1/N of flows stay)");
        app.add_option("-z,--level", o.zstd_level, "zstd level of the output (default 3)")
            ->transform(fk::kZstdLevel);
        app.add_option("-T,--threads", o.threads, "decoding threads (default: all cores)")
            ->transform(fk::kAtLeastOne);
        app.add_flag("-v,--verbose", verbose, "print flows in/out (and z) on stderr");
        app.add_flag("-q,--quiet", quiet, "no progress of --evaluate on stderr");
        app.add_flag("--ignore-errors", o.input.ignore_errors,
                     "skip corrupt blocks with a warning");
        auto* ev = app.add_option_group("evaluation");
        ev->add_flag("-e,--evaluate", eval, "print the error table instead of sampling");
        ev->add_option("--rates", rates, "rates to evaluate (default 1,10,100,1000,4000,8000)");
        ev->add_option("--modes", modes, "modes to evaluate (default flow,packet,smart,hash)");
        ev->add_option("--runs", e.runs, "seeds per mode and rate, errors averaged (default 1)");
        ev->add_option("--event", e.event, "filter of the flows of a small event (scan, ...)");
        ev->add_option("--events", events_path,
                       "flowdetect's events (JSON Lines): their filters define the event");
        ev->add_option("--bin", e.bin_seconds, "time bin in seconds (default 300)");
        ev->add_option("--top", e.top_n, "Top-N hosts compared (default 10)");
        ev->add_option("-o,--output", format, "text|csv|json (csv, json: one row per metric)");
        o.threads = fk::usable_cpus();
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        o.config.mode = fk::parse_sample_mode(mode);
        if (!threshold.empty()) {
            o.config.threshold = number(threshold, "--threshold");
            if (o.config.threshold == 0) throw fk::UsageError("--threshold must be at least 1");
        }
        if (eval) {
            if (app.count("--mode") || !rate.empty() || !o.write_path.empty())
                throw fk::UsageError("--evaluate takes --modes and --rates, and writes no flows");
            e.input = o.input;
            e.filter = o.filter;
            e.seed = o.config.seed;
            e.threshold = o.config.threshold;
            if (!rates.empty())
                e.rates = parse_list<uint64_t>(
                    rates, "--rates", [](const std::string& s) { return number(s, "--rates"); });
            if (!modes.empty())
                e.modes = parse_list<fk::SampleMode>(modes, "--modes", [](const std::string& s) {
                    return fk::parse_sample_mode(s, "--modes");
                });
            const fk::EvalFormat f = fk::parse_eval_format(format);
            if (!events_path.empty()) {
                const std::string detected = fk::event_filter_from_events(events_path);
                if (detected.empty()) fk::warn("no events in " + events_path);
                e.event = e.event.empty() || detected.empty() ? e.event + detected
                                                              : "(" + e.event + ") or " + detected;
            }
            fk::Filter::compile(e.event);  // a bad event filter is a usage error before reading
            if (!quiet && fk::is_terminal(STDERR_FILENO)) {
                e.progress = [](size_t done, size_t total, fk::SampleMode m, uint64_t rate) {
                    std::fprintf(stderr, "\rflowsample: %zu/%zu %s 1:%llu      ", done + 1, total,
                                 std::string(fk::sample_mode_name(m)).c_str(),
                                 static_cast<unsigned long long>(rate));
                };
            }
            const fk::EvalReport r = fk::evaluate(e);
            if (e.progress) std::fputs("\r\033[K", stderr);
            fk::Output out(STDOUT_FILENO, "<stdout>");
            out.write(fk::format_eval(r, f));
            out.flush();
            return fk::kExitOk;
        }
        if (!rates.empty() || !modes.empty() || !format.empty() || !e.event.empty() ||
            !events_path.empty())
            throw fk::UsageError("--rates, --modes, --event(s) and -o belong to --evaluate");

        if (rate.empty()) throw fk::UsageError("give the sampling rate: --rate N (1:N)");
        o.config.rate = number(rate, "--rate");
        if (o.config.rate == 0) throw fk::UsageError("--rate must be at least 1");
        const fk::SampleRunStats s = fk::run_sample(o, STDOUT_FILENO);
        if (verbose) {
            std::fprintf(stderr, "flowsample: %s 1:%llu: %llu flows in, %llu out", mode.c_str(),
                         static_cast<unsigned long long>(o.config.rate),
                         static_cast<unsigned long long>(s.flows_in),
                         static_cast<unsigned long long>(s.flows_out));
            if (o.config.mode == fk::SampleMode::kSmart)
                std::fprintf(stderr, ", z %llu bytes",
                             static_cast<unsigned long long>(s.threshold));
            std::fputc('\n', stderr);
        }
        return fk::kExitOk;
    });
}
