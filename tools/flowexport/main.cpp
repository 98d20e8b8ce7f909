// flowexport: flows out to other systems: a collector as IPFIX or NetFlow v9 over UDP, JSON
// Lines, or a ClickHouse table. See man/flowexport.1.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "common/cli.h"
#include "common/error.h"
#include "common/io.h"
#include "common/tool.h"
#include "format/reader.h"
#include "formats/clickhouse.h"
#include "output/printer.h"
#include "query/input.h"
#include "wire/exporter.h"

namespace {

using namespace fk;

struct Options {
    std::vector<std::string> files;
    std::string dir;
    std::string ipfix;
    std::string v9;
    bool json = false;
    std::string clickhouse;
    std::string table = "flows";
    size_t batch = 500000;
    std::string out_path;
    double rate = 0;
    uint64_t repeat = 1;
    uint32_t domain = 0;
    size_t mtu = 1400;
    unsigned template_refresh = 60;
    std::string fields;
    bool millis_only = false;
    bool quiet = false;
};

// --fields a,b,c: canonical field names, as in flowquery -o csv:FIELDS.
FieldSet field_names(const std::string& list) {
    FieldSet set;
    size_t at = 0;
    while (at <= list.size()) {
        const size_t comma = std::min(list.find(',', at), list.size());
        const std::string name = list.substr(at, comma - at);
        const FieldInfo* f = find_field(name);
        if (!f) throw UsageError("--fields: unknown field '" + name + "'");
        set.set(static_cast<unsigned>(f->id));
        at = comma + 1;
    }
    return set;
}

// The files to read, listed as every reader lists them: -r FILE or DIR, -R DIR (never standard
// input, even when DIR holds no flow file), standard input when neither is given.
std::vector<std::string> input_paths(const Options& o) {
    InputSpec spec;
    spec.files = o.files;
    if (!o.dir.empty()) spec.dirs.push_back(o.dir);
    return FlowInput(spec).paths();
}

// JSON Lines: the records exactly as `flowquery -o json` prints them.
int run_json(const Options& o) {
    const auto inputs = input_paths(o);
    const RecordPrinter printer = RecordPrinter::create("json");
    std::unique_ptr<AtomicFile> file;
    if (!o.out_path.empty() && o.out_path != "-") file = std::make_unique<AtomicFile>(o.out_path);
    Output out(file ? file->fd() : STDOUT_FILENO, file ? o.out_path : "<stdout>");
    FlowBlock block;
    std::string text;
    uint64_t flows = 0;
    for (const auto& in : inputs) {
        FlowReader reader(in, ReaderOptions{});
        while (reader.next(block)) {
            text.clear();
            printer.print(block, nullptr, text);
            out.write(text);
            flows += block.size();
        }
    }
    out.flush();
    if (file) file->commit();
    if (!o.quiet)
        std::fprintf(stderr, "flowexport: %llu flows as JSON Lines\n",
                     static_cast<unsigned long long>(flows));
    return kExitOk;
}

// ClickHouse: creates the table when missing, then inserts in batches.
int run_clickhouse(const Options& o) {
    const auto inputs = input_paths(o);
    const ClickHouse ch(o.clickhouse);
    ClickHouseWriter w(ch, o.table, o.batch);
    FlowBlock block;
    for (const auto& in : inputs) {
        FlowReader reader(in, ReaderOptions{});
        while (reader.next(block)) w.add(block);
    }
    w.flush();
    if (!o.quiet)
        std::fprintf(stderr, "flowexport: %llu flows into %s on %s in %llu insert(s)\n",
                     static_cast<unsigned long long>(w.rows()), o.table.c_str(), ch.where().c_str(),
                     static_cast<unsigned long long>(w.inserts()));
    return kExitOk;
}

int run(const Options& o) {
    const int targets = !o.ipfix.empty() + !o.v9.empty() + o.json + !o.clickhouse.empty();
    if (targets != 1)
        throw UsageError(
            "give one of --ipfix HOST:PORT, --v9 HOST:PORT, --json and --clickhouse URL (try "
            "--help)");
    if (o.json) return run_json(o);
    if (!o.clickhouse.empty()) return run_clickhouse(o);
    if (!o.out_path.empty()) throw UsageError("-w goes with --json only");
    if (o.rate < 0) throw UsageError("--rate must not be negative");
    const auto inputs = input_paths(o);
    ExportOptions eo;
    eo.protocol = o.v9.empty() ? ExportProtocol::Ipfix : ExportProtocol::NetflowV9;
    eo.domain = o.domain;
    eo.max_datagram = o.mtu;
    eo.rate = o.rate;
    eo.template_refresh = o.template_refresh;
    if (!o.fields.empty()) eo.only = field_names(o.fields);
    eo.millis_only = o.millis_only;
    if (o.repeat == 0) throw UsageError("--repeat must be at least 1");
    eo.keep_sent = o.repeat > 1;
    FlowExporter exporter(o.v9.empty() ? o.ipfix : o.v9, eo);
    FlowBlock block;
    for (const auto& in : inputs) {
        FlowReader reader(in, ReaderOptions{});
        while (reader.next(block)) exporter.add(block);
    }
    if (o.repeat > 1) exporter.resend(o.repeat - 1);
    exporter.finish();
    const ExportCounters& c = exporter.counters();
    const std::string problem = exporter.problem();
    // A problem is an error: shown with -q too, in the summary's line.
    if (!o.quiet || !problem.empty()) {
        std::fprintf(stderr, "flowexport: %llu flows in %llu datagrams (%llu template sets)%s%s\n",
                     static_cast<unsigned long long>(c.flows),
                     static_cast<unsigned long long>(c.datagrams),
                     static_cast<unsigned long long>(c.template_sets), problem.empty() ? "" : "; ",
                     problem.c_str());
    }
    return problem.empty() ? kExitOk : kExitData;
}

}  // namespace

int main(int argc, char** argv) {
    return fk::run_tool("flowexport", [&] {
        Options o;
        CLI::App app{
            "flowexport: send flows to a collector as IPFIX or NetFlow v9, insert them into\n"
            "ClickHouse, or write them as JSON Lines. See man flowexport."};
        app.get_formatter()->column_width(28);
        app.add_option("-r,--read", o.files, "flow file to read (repeatable; default stdin)");
        app.add_option("-R,--read-dir", o.dir, "read every flow file below DIR, in time order");
        app.add_option("--ipfix", o.ipfix, "send IPFIX to HOST:PORT ([IPv6]:PORT)");
        app.add_option("--v9", o.v9, "send NetFlow v9 to HOST:PORT");
        app.add_flag("--json", o.json, "write JSON Lines (as flowquery -o json) to stdout or -w");
        app.add_option("-w,--write", o.out_path, "with --json: write to FILE instead of stdout");
        app.add_option("--clickhouse", o.clickhouse,
                       "insert into ClickHouse at http://HOST:PORT[/?params]");
        app.add_option("--table", o.table, "ClickHouse table, created if missing (flows)");
        app.add_option("--batch", o.batch, "rows per ClickHouse INSERT (500000)");
        app.add_option("--rate", o.rate, "at most this many flows per second (default: no limit)");
        app.add_option("--repeat", o.repeat, "send the input N times, encoded once (load tests)");
        app.add_option("--domain", o.domain, "observation domain / source id (default 0)");
        app.add_option("--mtu", o.mtu, "bytes per export datagram (default 1400)");
        app.add_option("--template-refresh", o.template_refresh,
                       "seconds between template re-sends (60)");
        app.add_option("--fields", o.fields,
                       "send only these fields (and times, addresses, ports, proto, counters)");
        app.add_flag("--millis", o.millis_only,
                     "IPFIX times in milliseconds only, without flowkit's microseconds");

        app.add_flag("-q,--quiet", o.quiet, "no summary on stderr");
        if (const auto done = fk::parse_command_line(app, argc, argv)) return *done;
        if (o.batch == 0) throw fk::UsageError("--batch must be at least 1 row");
        return run(o);
    });
}
