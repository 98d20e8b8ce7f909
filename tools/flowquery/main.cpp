// flowquery: filter, print, sort, Top-N statistics and aggregation over flow files and streams.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <ctime>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/time.h"
#include "common/tool.h"
#include "filter/filter.h"
#include "query/pipeline.h"
#include "query/profiles.h"
#include "query/query.h"

namespace {

// nfdump's -t: "YYYY/MM/dd.hh:mm:ss[-YYYY/MM/dd.hh:mm:ss]" in local time.
uint64_t local_time(const std::string& text) {
    fk::LocalZone zone;
    const auto t = zone.parse(text);
    if (!t) throw fk::UsageError("-t: '" + text + "' is not a time (YYYY/MM/dd.hh:mm:ss)");
    return *t;
}

uint64_t when(const std::string& text, const char* opt) {
    if (const auto t = fk::parse_time(text)) return *t;
    if (const auto t = fk::parse_relative_time(text, fk::now_micros())) return *t;
    throw fk::UsageError(std::string(opt) + ": '" + text +
                         "' is neither an ISO time (2025-03-03T10:00Z) nor relative (-1h, -2d)");
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowquery", [&]() -> int {
        fk::QueryOptions o;
        std::string filter_file, window, from, to, profile, profiles_file;
        size_t n = 0;
        bool n_set = false, check_only = false, dump_filter = false, aggregate_5tuple = false;
        bool ipv6_full = false, verify = false, bidir = false, bidir_guess = false;
        CLI::App app{
            "flowquery: filter, print, sort, Top-N statistics and aggregation of flows.\n"
            "Reads -r FILE, -R DIR or standard input; see man flowquery, man 7 flowkit-filter."};
        app.get_formatter()->column_width(26);
        app.add_option("filter", o.filter, "filter expression (man 7 flowkit-filter)");
        app.add_option("-r,--read", o.input.files,
                       "read a flow file (repeatable; a directory: all files)")
            ->allow_extra_args(false);
        app.add_option("-R,--read-dir", o.input.dirs,
                       "read every flow file below DIR in time order")
            ->allow_extra_args(false);
        app.add_option("--clickhouse", o.input.clickhouse,
                       "query a ClickHouse table (http://HOST:PORT) instead of files");
        app.add_option("--clickhouse-table", o.input.clickhouse_table,
                       "table of --clickhouse (default flows)");
        app.add_option("-f,--filter-file", filter_file, "read the filter from a file");
        app.add_option("-w,--write", o.write_path, "write matching flows to FILE ('-': stdout)");
        app.add_option("-o,--output", o.format, "line|long|extended|csv[:FIELDS]|json|fmt:FORMAT");
        app.add_flag("-I,--summary", o.summary,
                     "print totals (flows, packets, bytes per protocol)");
        app.add_option("-s,--stat", o.stats, "Top-N statistic KEY[/ORDER...] (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-A,--aggregate", o.aggregate, "aggregate flows by keys: srcip,dstport,...");
        app.add_flag("-a", aggregate_5tuple, "aggregate by proto,srcip,srcport,dstip,dstport");
        app.add_flag("-b", bidir, "conversations: -a with both directions as one");
        app.add_flag("-B", bidir_guess, "-b with the client as source (guessed from the ports)");
        app.add_option("-O,--order", o.order,
                       "sort by flows|packets|bytes|bps|pps|bpp|tstart|tend");
        app.add_option("-n,--top", n, "Top-N count for -s (default 10); output limit otherwise")
            ->transform(fk::kWholeNumber);
        app.add_option("-c,--count", o.count, "stop after N matching flows")
            ->transform(fk::kAtLeastOne);
        app.add_option("-t,--window", window,
                       "nfdump window YYYY/MM/dd.hh:mm:ss[-...] (local time)");
        app.add_option("--from", from, "flows starting at or after TIME (ISO, or -1h, -2d)");
        app.add_option("--to", to, "flows starting before TIME");
        app.add_option("--profile", profile, "AND the filter of profile NAME");
        app.add_option("--profiles", profiles_file, "profiles file (name = filter per line)");
        app.add_flag("-q,--quiet", o.quiet, "no header, no summary lines");
        app.add_flag("-N,--raw-numbers", o.raw_numbers, "print plain numbers (no 1.2 M)");
        app.add_flag("-6", ipv6_full, "full IPv6 addresses (always the case; for nfdump habits)");
        app.add_flag("--ignore-errors", o.input.ignore_errors,
                     "skip corrupt blocks with a warning");
        app.add_option("-T,--threads", o.threads, "worker threads (default: all cores)")
            ->transform(fk::kAtLeastOne);
        app.add_option("-z,--level", o.zstd_level, "zstd level of -w output (default 3)")
            ->transform(fk::kZstdLevel);
        app.add_flag("-v,--verify", verify, "list and check every block of the input, then exit");
        app.add_flag("-Z,--check", check_only, "check the filter syntax and exit");
        app.add_flag("-X,--dump-filter", dump_filter, "print the compiled filter and exit");
        o.threads = fk::usable_cpus();
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        (void)ipv6_full;
        n_set = app.count("-n") > 0;
        if (!filter_file.empty()) {
            if (!o.filter.empty())
                throw fk::UsageError("give the filter either as text or with -f");
            o.filter = fk::read_file_text(filter_file);
        }
        if (!profile.empty()) o.filter = fk::filter_with_profile(profile, profiles_file, o.filter);
        if (check_only || dump_filter) {
            const fk::Filter f = fk::Filter::compile(o.filter);
            if (dump_filter) std::fputs(f.dump().c_str(), stdout);
            return fk::kExitOk;
        }
        if (verify) return fk::verify_inputs(o.input, STDOUT_FILENO);
        if (aggregate_5tuple) {
            if (!o.aggregate.empty()) throw fk::UsageError("-a and -A exclude each other");
            o.aggregate = "proto,srcip,srcport,dstip,dstport";
        }
        if (bidir && bidir_guess) throw fk::UsageError("-b and -B exclude each other");
        if (bidir || bidir_guess) {
            o.conversations =
                bidir ? fk::ConversationSide::kFirstSeen : fk::ConversationSide::kGuessClient;
        }
        // One answer a run: the others would be dropped without a word.
        if (!o.stats.empty() + !o.aggregate.empty() + o.summary + o.conversations.has_value() +
                !o.write_path.empty() >
            1)
            throw fk::UsageError("-s, -A (-a), -b (-B), -I and -w exclude each other");
        if (n_set) {
            o.top_n = n;
            o.limit_n = n;
        }
        if (!window.empty()) {
            const size_t dash = window.find('-');
            o.t_after = local_time(window.substr(0, dash));
            if (dash != std::string::npos) o.t_before = local_time(window.substr(dash + 1));
            o.nfdump_window = true;
            o.input.from = o.t_after;
            o.input.to = o.t_before;
        }
        if (!from.empty()) o.start_from = o.input.from = when(from, "--from");
        if (!to.empty()) {
            o.start_to = when(to, "--to");
            o.input.to = o.start_to;
        }
        if (o.start_from >= o.start_to) throw fk::UsageError("--from must be before --to");
        // SIGTERM/SIGINT on live input (flowcapture -w - | flowquery ...) end the input: the
        // flows read are answered for, and -w keeps them.
        fk::catch_stop_signals();
        int status = fk::run_query(o, STDOUT_FILENO);
        if (fk::stop_signal()) {
            const bool stream =
                o.input.dirs.empty() && o.input.clickhouse.empty() &&
                (o.input.files.empty() || (o.input.files.size() == 1 && o.input.files[0] == "-"));
            status = std::max(status, fk::report_stop(stream, "the answer is for the flows read"));
        }
        return status;
    });
}
