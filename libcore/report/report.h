// flowreport's engine: one pass over the flows of a period feeds every table and chart of a
// report (Top-N tables through the same AggTable flowquery -s uses, so the numbers agree),
// and the result is a format-neutral Report that the renderers (render.h) print.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/time.h"
#include "query/input.h"
#include "stats/aggregate.h"

namespace fk {

// kSampling charts flowsample --evaluate's rows (report/sampling.h), not flows.
enum class ReportKind { kTop, kChart, kSummary, kCompare, kSampling };
// "top", "chart", "summary", "compare", "sampling"; UsageError otherwise.
ReportKind parse_report_kind(std::string_view text);

// One cell: the text every format prints, and whether it is a number (right-aligned, unquoted
// in JSON). An empty numeric cell means "no value" (a change against zero): JSON null.
struct Cell {
    std::string text;
    bool number = false;
};

struct Table {
    std::string id;     // "top-ip-bytes", "totals" ...: stable names for CSV and JSON
    std::string title;  // "Top 10 hosts by bytes"
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;
    std::string note;  // printed under the table ("no flows in this period")
};

// Traffic over time: one value per series and bin, series stacked in the drawings.
struct Chart {
    std::string id;                             // "chart-bytes"
    std::string title;                          // "Bytes per 5 min by protocol"
    std::string metric;                         // "bytes", "packets", "flows"
    uint64_t start = 0;                         // first bin's start, us
    uint64_t bin = 0;                           // bin width, us
    std::vector<std::string> series;            // names, largest first ("other" last)
    std::vector<std::vector<uint64_t>> values;  // [series][bin]
    size_t bins() const { return values.empty() ? 0 : values[0].size(); }
};

// A value against a numeric x (flowsample's error against the sampling rate): one line with
// markers per series, x on a log scale when log_x. NaN values are gaps.
struct LineChart {
    std::string id;       // "sampling-bytes_err"
    std::string title;    // "Relative error of total bytes"
    std::string x_label;  // "sampling rate 1:N"
    std::string y_label;  // "%"
    bool log_x = true;
    std::vector<double> x;
    std::vector<std::string> series;
    std::vector<std::vector<double>> values;  // [series][x]
};

struct Report {
    std::string title;
    // What the report covers: period, profile, filter, inputs, flows read, skipped blocks.
    std::vector<std::pair<std::string, std::string>> meta;
    std::vector<Table> tables;
    std::vector<Chart> charts;
    std::vector<LineChart> line_charts;

    // Tables that are the charts' numbers (text, CSV and JSON print them; HTML, PDF and PNG
    // draw the charts instead).
    std::vector<Table> chart_tables;
    bool empty = true;  // no flow matched in the (first) period
};

// One Top-N table: a flowquery -s key ("ip", "port", "proto", "app", "sni", "http_host" ...)
// and an order.
struct TopSpec {
    std::string key;
    StatOrder order = StatOrder::kBytes;
};

struct ReportOptions {
    ReportKind kind = ReportKind::kSummary;
    InputSpec input;
    std::string filter;   // profile already combined in
    std::string profile;  // its name, for the title ("" = none)
    TimeRange period;     // flows starting in [from, to); {0, MAX}: everything
    std::string period_label;
    std::vector<TopSpec> tops;  // empty: the default set of the kind
    size_t top_n = 10;
    uint64_t bin = 0;             // chart bin width, us; 0: 5 min (1 h beyond 3 days)
    std::string stack = "proto";  // chart series: "proto" or "app"
    bool previous = true;         // summary: the change against the previous period
    // compare: the second data set. Its inputs (none: the same as the first) and how far its
    // period lies before the first one (0: the same period).
    InputSpec other_input;
    bool other_inputs = false;
    uint64_t shift = 0;
    std::string label_a = "A", label_b = "B";
    unsigned threads = 1;
    std::string command;  // the command line, for the report's record
};

// The default Top-N tables of summary and top reports: hosts by bytes, flows and packets,
// ports, protocols, applications, SNIs and HTTP hosts (each by bytes).
std::vector<TopSpec> default_tops();

// Reads the inputs once (both periods of a summary or compare in the same pass when they
// share inputs) and builds the report (of flows: not kSampling). Throws UsageError /
// DataError like the tools expect.

Report build_report(const ReportOptions& o);

}  // namespace fk
