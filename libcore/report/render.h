// Renderers of a Report: text, CSV, JSON, HTML (one self-contained page: tables and inline SVG
// charts) and, with cairo, PDF and PNG. Every format prints the same numbers: exact integers,
// percentages with one decimal.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.h"

namespace fk {

enum class ReportFormat { kText, kCsv, kJson, kHtml, kPdf, kPng };
// "text", "csv", "json", "html", "pdf", "png"; UsageError otherwise.
ReportFormat parse_report_format(std::string_view text);
// The format a file name's extension asks for; kText when it names none.
ReportFormat format_of_path(std::string_view path);

std::string render_text(const Report& r);
// Comment lines ("# ...") say what the report covers and name each table; each table is a
// header line and rows, tables separated by an empty line.
std::string render_csv(const Report& r);
std::string render_json(const Report& r);
std::string render_html(const Report& r);
// A4 landscape pages: the totals and charts, then the tables.
std::string render_pdf(const Report& r);
// One image, 1200 pixels wide, as tall as the report.
std::string render_png(const Report& r);

std::string render(const Report& r, ReportFormat f);

// Shared by the SVG and cairo drawings of charts.
namespace chart_draw {
// Largest stacked total of any bin (0 for an empty chart).
uint64_t stacked_max(const Chart& c);
// A round axis maximum at or above v (1, 2, 2.5 or 5 times a power of ten; 1 for 0).
uint64_t nice_max(uint64_t v);
// 1500000 → "1.5 M" (SI, 1000-based), for axis labels only.
std::string short_number(uint64_t v);
// "11-26 14:05" (or "11-26" when every label falls on midnight).
std::string time_label(uint64_t t, bool date_only);
// The bins that get a time label: at most about seven, on round times (every 10 min, hour,
// 6 h, day ...), whatever the bin width and period.
std::vector<size_t> label_bins(const Chart& c);
// Line charts: where x[k] lies across the plot, 0 to 1 (log scale when log_x).
double x_fraction(const LineChart& c, size_t k);
// The y axis of a line chart: linear from 0 to a round maximum, or, for values spread over
// more than two decades, logarithmic from the decade below the smallest positive value (where
// zeros are drawn) to the decade above the largest.
struct YAxis {
    bool log = false;
    double lo = 0, hi = 1;
    bool zeros = false;  // log: some values are 0, drawn on the floor
    std::vector<double> ticks;
    // Where v lies up the plot, 0 to 1.
    double fraction(double v) const;
    // The label of ticks[i]: "≤ 0.01" for a floor that holds zeros.
    std::string tick_label(size_t i) const;
};
YAxis y_axis(const LineChart& c);
// "Relative error of total bytes (%, log scale)".
std::string heading(const LineChart& c, const YAxis& a);

// An axis, marker or table number: 3 significant digits, whole numbers from 1000 up.

std::string axis_number(double v);
// Series colours as RGB.

std::array<double, 3> color(size_t series);
std::string color_hex(size_t series);
}  // namespace chart_draw

}  // namespace fk
