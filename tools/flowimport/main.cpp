// flowimport: cloud flow logs, Suricata EVE flow events and nfdump CSV into flowkit flows.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/tool.h"
#include "format/writer.h"
#include "formats/import.h"
#include "record/names.h"

int main(int argc, char** argv) {
    return fk::run_tool("flowimport", [&]() -> int {
        std::vector<std::string> files;
        std::string format, out_path, fields;
        bool ignore_errors = false, quiet = false;
        int level = 3;
        std::string formats;
        for (const auto& f : fk::import_formats()) formats += (formats.empty() ? "" : "|") + f;
        CLI::App app{
            "flowimport: cloud flow logs (AWS, Azure, GCP), Suricata EVE flow events and nfdump\n"
            "CSV into flowkit flows. Reads FILEs (plain or gzip; none or '-': standard input)\n"
            "and writes flows to -w FILE or standard output. See flowimport(1)."};
        app.add_option("files", files, "input files ('-' or none: standard input)");
        app.add_option("--format", format, "input format: " + formats + " (guessed when left out)");
        app.add_option("-w,--write", out_path, "write flows to FILE ('-': standard output)");
        app.add_option("--fields", fields,
                       "AWS: fields of logs without a header (default: version 2's)");
        app.add_flag("--ignore-errors", ignore_errors,
                     "skip malformed lines (counted) instead of stopping");
        app.add_flag("-q,--quiet", quiet, "no summary on standard error");
        app.add_option("-z,--level", level, "zstd level of the output (default 3)")
            ->transform(fk::kZstdLevel);
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        if (files.empty()) {
            // As every reader: a terminal is no input (it would wait for typed flow logs).
            if (fk::is_terminal(STDIN_FILENO))
                throw fk::UsageError("no input: give FILE... or pipe logs in");
            files.push_back("-");
        }
        if (out_path.empty() || out_path == "-") {
            if (fk::is_terminal(STDOUT_FILENO)) {
                throw fk::UsageError(
                    "refusing to write binary flows to a terminal; use -w FILE "
                    "or a pipe (| flowquery)");
            }
            out_path = "-";
        }
        fk::WriterOptions wo;
        wo.zstd_level = level;
        wo.creator = std::string("flowimport ") + FLOWKIT_VERSION;
        auto writer = fk::FlowWriter::open(out_path, wo);
        fk::ImportOptions io;
        io.ignore_errors = ignore_errors;
        io.fields = fields;
        io.warn = [](const std::string& m) { fk::warn(m); };
        fk::ImportStats stats;
        uint64_t accepted = 0, rejected = 0;
        if (!format.empty()) fk::make_importer(format);  // an unknown name is a usage error first
        for (const auto& path : files) {
            fk::LineReader in(path);
            std::string fmt = format;
            if (fmt.empty()) {
                fmt = fk::guess_format(in.peek(4096).substr(0, 4096));
                if (fmt.empty()) {
                    throw fk::UsageError(in.name() + ": cannot tell the format; give --format " +
                                         formats);
                }
            }
            auto importer = fk::make_importer(fmt);
            importer->read(
                in, io,
                [&](const fk::FlowRecord& r) {
                    accepted += r.action == static_cast<uint8_t>(fk::Action::accept);
                    rejected += r.action == static_cast<uint8_t>(fk::Action::reject);
                    writer->append(r);
                },
                stats);
        }
        writer->close();
        if (!quiet) {
            auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
            std::fprintf(
                stderr,
                "flowimport: %zu file(s), %llu records, %llu flows (%llu accept, %llu "
                "reject), %llu NODATA, %llu SKIPDATA, %llu other records without flows, %llu "
                "malformed skipped\n",
                files.size(), u(stats.lines), u(stats.flows), u(accepted), u(rejected),
                u(stats.nodata), u(stats.skipdata), u(stats.ignored), u(stats.skipped));
        }
        return fk::kExitOk;
    });
}
