// flowimport: foreign flow records (nfdump CSV, ...) into flowkit flows.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "common/error.h"
#include "common/io.h"
#include "common/mapped_file.h"
#include "common/tool.h"
#include "format/writer.h"
#include "formats/import.h"

int main(int argc, char** argv) {
    return fk::run_tool("flowimport", [&]() -> int {
        std::vector<std::string> files;
        std::string format, out_path;
        bool ignore_errors = false, quiet = false;
        int level = 3;
        std::string formats;
        for (const auto& f : fk::import_formats()) formats += (formats.empty() ? "" : "|") + f;
        CLI::App app{
            "flowimport: foreign flow records into flowkit flows.\n"
            "Reads FILEs (or standard input) and writes flows to -w FILE or standard output."};
        app.add_option("files", files, "input files ('-' or none: standard input)");
        app.add_option("--format", format, "input format: " + formats + " (guessed when left out)");
        app.add_option("-w,--write", out_path, "write flows to FILE ('-': standard output)");
        app.add_flag("--ignore-errors", ignore_errors,
                     "skip malformed lines (counted) instead of stopping");
        app.add_flag("-q,--quiet", quiet, "no summary on standard error");
        app.add_option("-z,--level", level, "zstd level of the output (default 3)");
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp& e) {
            std::exit(app.exit(e));
        } catch (const CLI::ParseError& e) {
            throw fk::UsageError(e.what());
        }
        if (files.empty()) files.push_back("-");
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
        io.warn = [](const std::string& m) { fk::warn(m); };
        fk::ImportStats stats;
        for (const auto& path : files) {
            fk::MappedFile in(path);
            std::string fmt = format;
            if (fmt.empty()) {
                fmt = fk::guess_format(in.view().substr(0, 4096));
                if (fmt.empty()) {
                    throw fk::UsageError(in.name() + ": cannot tell the format; give --format " +
                                         formats);
                }
            }
            auto importer = fk::make_importer(fmt);
            importer->import(
                in.view(), in.name(), io, [&](const fk::FlowRecord& r) { writer->append(r); },
                stats);
        }
        writer->close();
        if (!quiet) {
            std::fprintf(stderr, "flowimport: %llu flows from %zu file(s), %llu line(s) skipped\n",
                         static_cast<unsigned long long>(stats.flows), files.size(),
                         static_cast<unsigned long long>(stats.skipped));
        }
        return fk::kExitOk;
    });
}
