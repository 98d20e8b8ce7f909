// flowreport: the reports network teams send every morning — Top-N tables, traffic charts,
// daily/weekly/monthly summaries and comparisons — as text, CSV, JSON, HTML, PDF or PNG.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/time.h"
#include "common/tool.h"
#include "query/pipeline.h"
#include "query/profiles.h"
#include "report/render.h"
#include "report/sampling.h"

namespace {

uint64_t when(const std::string& text, const char* opt, uint64_t now) {
    if (const auto t = fk::parse_time(text)) return *t;
    if (const auto t = fk::parse_relative_time(text, now)) return *t;
    throw fk::UsageError(std::string(opt) + ": '" + text +
                         "' is neither an ISO time (2025-03-03T10:00Z) nor relative (-1h, -2d)");
}

fk::TopSpec parse_top(const std::string& text) {
    const size_t slash = text.rfind('/');
    fk::TopSpec t;
    t.key = text;
    if (slash != std::string::npos) {
        const std::string tail = text.substr(slash + 1);
        if (!tail.empty() && !std::isdigit(static_cast<unsigned char>(tail[0]))) {
            t.order = fk::parse_stat_order(tail);
            t.key = text.substr(0, slash);
        }
    }
    return t;
}

// flowreport sampling [-r FILE]: the rows flowsample --evaluate wrote (-o csv or json) from
// one file or standard input.
fk::Report sampling(const fk::ReportOptions& o) {
    if (!o.input.dirs.empty() || o.input.files.size() > 1 || !o.filter.empty())
        throw fk::UsageError(
            "sampling reads one flowsample --evaluate table: -r FILE or standard input, no "
            "filter");
    const std::string path = o.input.files.empty() ? "-" : o.input.files[0];
    if (path == "-" && fk::is_terminal(STDIN_FILENO))
        throw fk::UsageError(
            "sampling: pipe flowsample --evaluate -o csv into it, or give -r FILE");
    const std::string name = path == "-" ? "<stdin>" : path;
    return fk::sampling_report(fk::parse_eval(fk::read_file_text(path), name), name);
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowreport", [&]() -> int {
        fk::ReportOptions o;
        std::string kind = "summary", format, last, period, from, to, now_text;
        std::string profiles_file, bin, shift, labels;
        std::vector<std::string> stats, out_paths;
        bool no_previous = false, strict = false;
        CLI::App app{
            "flowreport: Top-N tables, traffic charts, summaries and comparisons of flows,\n"
            "as text, csv, json, html, pdf or png. Reads -r FILE, -R DIR or standard input;\n"
            "see man flowreport."};
        app.get_formatter()->column_width(24);
        app.add_option("kind", kind, "top | chart | summary (default) | compare | sampling");
        app.add_option("filter", o.filter, "filter expression (man 7 flowkit-filter)");
        app.add_option("-r,--read", o.input.files, "read a flow file (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-R,--read-dir", o.input.dirs, "read the flow files below DIR")
            ->allow_extra_args(false);
        app.add_option("--last", last, "the span before now: 1d, 1w, 12h, 1M (calendar month)");
        app.add_option("--period", period, "yesterday | last-week | last-month | today");
        app.add_option("--from", from, "flows starting at or after TIME (ISO, or -1h, -2d)");
        app.add_option("--to", to, "flows starting before TIME");
        app.add_option("--now", now_text, "take TIME as now (re-runs, tests)");
        app.add_option("--profile", o.profile, "AND the filter of profile NAME");
        app.add_option("--profiles", profiles_file, "profiles file (name = filter per line)");
        app.add_option("-o,--format", format,
                       "text|csv|json|html|pdf|png (default: -w's extension, else text)");
        app.add_option("-w,--write", out_paths, "write the report to FILE (repeatable)")
            ->allow_extra_args(false);
        app.add_option("-n,--top", o.top_n, "rows per Top-N table (default 10)")
            ->transform(fk::kAtLeastOne)
            ->option_text("N");
        app.add_option("-s,--stat", stats, "table KEY[/ORDER] instead of the default set")
            ->allow_extra_args(false);
        app.add_option("--bin", bin, "chart bin width (default 5m; 1h beyond 3 days)");
        app.add_option("--stack", o.stack, "chart series: proto (default) or app");
        app.add_flag("--no-previous", no_previous, "summary: no change against the period before");
        app.add_option("--with", o.other_input.files, "compare: the second data set (FILE|DIR)")
            ->allow_extra_args(false);
        app.add_option("--shift", shift, "compare: second period SPAN earlier (1d, 1w)");
        app.add_option("--labels", labels, "compare: names of the data sets (default A,B)");
        app.add_flag("--strict", strict, "fail on a corrupt block instead of skipping it");
        app.add_option("-T,--threads", o.threads, "worker threads (default: all cores)")
            ->transform(fk::kAtLeastOne);
        o.threads = fk::usable_cpus();
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        for (int i = 0; i < argc; ++i) o.command += (i ? " " : "") + std::string(argv[i]);
        o.kind = fk::parse_report_kind(kind);
        o.input.ignore_errors = !strict;
        o.other_input.ignore_errors = !strict;
        o.other_inputs = !o.other_input.files.empty();
        o.previous = !no_previous;
        for (const auto& s : stats) o.tops.push_back(parse_top(s));
        if (!bin.empty()) {
            const auto b = fk::parse_duration(bin);
            if (!b || *b < fk::kMicrosPerSecond)
                throw fk::UsageError("--bin: '" + bin + "' is not a duration of 1s or more");
            o.bin = *b;
        }
        if (!shift.empty()) {
            const auto s = fk::parse_duration(shift);
            if (!s || *s == 0) throw fk::UsageError("--shift: '" + shift + "' is not a span");
            o.shift = *s;
        }
        if (!labels.empty()) {
            const size_t comma = labels.find(',');
            if (comma == std::string::npos || comma == 0 || comma + 1 == labels.size())
                throw fk::UsageError("--labels: two names, as 'this week,last week'");
            o.label_a = labels.substr(0, comma);
            o.label_b = labels.substr(comma + 1);
        }

        const uint64_t now = now_text.empty() ? fk::now_micros() : when(now_text, "--now", 0);
        if (!last.empty() + !period.empty() + (!from.empty() || !to.empty()) > 1)
            throw fk::UsageError("give one of --last, --period or --from/--to");
        if (!last.empty()) {
            const auto r = fk::last_period(last, now);
            if (!r) throw fk::UsageError("--last: '" + last + "' is not a span (1d, 1w, 1M)");
            o.period = *r;
            o.period_label = "last " + last;
        } else if (!period.empty()) {
            const auto r = fk::calendar_period(period, now);
            if (!r) throw fk::UsageError("--period: yesterday, last-week, last-month or today");
            o.period = *r;
            auto day = [](uint64_t t) {
                return fk::time_string(t, fk::TimeDigits::kSeconds).substr(0, 10);
            };
            const bool one_day = r->to - r->from <= 86400 * fk::kMicrosPerSecond;
            o.period_label =
                period + " (" + day(r->from) + (one_day ? "" : " to " + day(r->to - 1)) + ")";
        } else {
            if (!from.empty()) o.period.from = when(from, "--from", now);
            if (!to.empty()) o.period.to = when(to, "--to", now);
            if (o.period.from >= o.period.to) throw fk::UsageError("--from must be before --to");
        }
        if (!o.profile.empty())
            o.filter = fk::filter_with_profile(o.profile, profiles_file, o.filter);
        // One report, written in each -w file's format (one pass for a PDF and a CSV).
        if (out_paths.empty()) out_paths.push_back("-");
        std::vector<fk::ReportFormat> formats;
        for (const auto& path : out_paths) {
            const bool out = path == "-";
            formats.push_back(!format.empty() ? fk::parse_report_format(format)
                              : out           ? fk::ReportFormat::kText
                                              : fk::format_of_path(path));
            const bool binary = formats.back() == fk::ReportFormat::kPdf ||
                                formats.back() == fk::ReportFormat::kPng;
            if (binary && out && fk::is_terminal(STDOUT_FILENO))
                throw fk::UsageError("refusing to write a PDF or PNG to a terminal; use -w FILE");
        }

        const fk::Report report =
            o.kind == fk::ReportKind::kSampling ? sampling(o) : fk::build_report(o);
        for (size_t i = 0; i < out_paths.size(); ++i) {
            const std::string bytes = fk::render(report, formats[i]);
            if (out_paths[i] == "-") {
                fk::write_all(STDOUT_FILENO, bytes.data(), bytes.size(), "<stdout>");
            } else {
                fk::AtomicFile file(out_paths[i]);
                fk::write_all(file.fd(), bytes.data(), bytes.size(), out_paths[i]);
                file.commit();
            }
        }
        if (report.empty) {
            fk::warn("no flows in the period (" +
                     (o.period_label.empty() ? std::string("all input") : o.period_label) +
                     "): the report shows zeros");
        }
        return fk::kExitOk;
    });
}
