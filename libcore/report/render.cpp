#include "report/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/error.h"
#include "output/printer.h"

namespace fk {

namespace chart_draw {

uint64_t stacked_max(const Chart& c) {
    uint64_t m = 0;
    for (size_t k = 0; k < c.bins(); ++k) {
        uint64_t sum = 0;
        for (const auto& v : c.values) sum += v[k];
        m = std::max(m, sum);
    }
    return m;
}

uint64_t nice_max(uint64_t v) {
    if (v <= 1) return 1;
    uint64_t p = 1;
    while (p <= v / 10) p *= 10;
    for (uint64_t m : {10, 20, 25, 50, 100}) {
        if (p * m / 10 >= v) return p * m / 10;
    }
    return p * 10;
}

std::string short_number(uint64_t v) {
    static const char* kUnits[] = {"", " k", " M", " G", " T", " P"};
    double d = static_cast<double>(v);
    int u = 0;
    while (d >= 1000 && u < 5) {
        d /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g%s", d, kUnits[u]);  // 1.25 k, 750 k, 2.5 M
    return buf;
}

std::string time_label(uint64_t t, bool date_only) {
    const std::string s = time_string(t, TimeDigits::kSeconds);  // 2025-03-03T10:00:00Z
    return date_only ? s.substr(5, 5) : s.substr(5, 5) + " " + s.substr(11, 5);
}

std::vector<size_t> label_bins(const Chart& c) {
    std::vector<size_t> out;
    const size_t n = c.bins();
    if (n == 0 || c.bin == 0) return out;
    const uint64_t span = c.bin * n;
    uint64_t every = c.bin;
    for (uint64_t m : {1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160}) {
        every = m * 60 * kMicrosPerSecond;
        if (every >= c.bin && every % c.bin == 0 && span / every <= 7) break;
    }
    for (size_t k = 0; k < n; ++k) {
        if ((c.start + k * c.bin) % every == 0) out.push_back(k);
    }
    return out;
}

double YAxis::fraction(double v) const {
    if (!log) return v / hi;
    if (v <= lo) return 0;
    return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
}

std::string YAxis::tick_label(size_t i) const {
    return (i == 0 && log && zeros ? "\u2264 " : "") + axis_number(ticks[i]);
}

YAxis y_axis(const LineChart& c) {
    double max = 0, min_positive = 0;
    bool zeros = false;
    for (const auto& s : c.values) {
        for (double v : s) {
            zeros |= v == 0;
            if (!(v > 0)) continue;
            max = std::max(max, v);
            min_positive = min_positive > 0 ? std::min(min_positive, v) : v;
        }
    }
    YAxis a;
    if (max > 0 && max / min_positive > 100) {
        a.log = true;
        a.zeros = zeros;
        a.lo = std::pow(10.0, std::floor(std::log10(min_positive)));
        a.hi = std::pow(10.0, std::ceil(std::log10(max)));
        for (double t = a.lo; t <= a.hi * 1.001; t *= 10) a.ticks.push_back(t);
        return a;
    }
    a.hi = 1;
    if (max > 0) {
        const double p = std::pow(10.0, std::floor(std::log10(max)));
        a.hi = 10 * p;
        for (double m : {1.0, 2.0, 2.5, 5.0}) {
            if (m * p >= max * (1 - 1e-12)) {
                a.hi = m * p;
                break;
            }
        }
    }
    for (int i = 0; i <= 4; ++i) a.ticks.push_back(a.hi * i / 4);
    return a;
}

std::string heading(const LineChart& c, const YAxis& a) {
    std::string unit = c.y_label;
    if (a.log) unit += unit.empty() ? "log scale" : ", log scale";
    return unit.empty() ? c.title : c.title + " (" + unit + ")";
}

double x_fraction(const LineChart& c, size_t k) {
    if (c.x.size() < 2) return 0.5;
    auto pos = [&](double x) { return c.log_x ? std::log10(x) : x; };
    const double lo = pos(c.x.front()), hi = pos(c.x.back());
    return hi > lo ? (pos(c.x[k]) - lo) / (hi - lo) : 0.5;
}

std::string axis_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, std::fabs(v) >= 1000 ? "%.0f" : "%.3g", v);
    return buf;
}

std::array<double, 3> color(size_t series) {
    static constexpr std::array<double, 3> kColors[] = {
        {0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17}, {0.84, 0.15, 0.16},
        {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.50, 0.50, 0.50}};
    return kColors[std::min<size_t>(series, std::size(kColors) - 1)];
}

std::string color_hex(size_t series) {
    const auto c = color(series);
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<unsigned>(c[0] * 255 + 0.5),
                  static_cast<unsigned>(c[1] * 255 + 0.5), static_cast<unsigned>(c[2] * 255 + 0.5));
    return buf;
}

}  // namespace chart_draw

namespace {

std::string pad(const std::string& s, size_t w, bool right) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

void text_table(const Table& t, std::string& out) {
    out += t.title + "\n";
    std::vector<size_t> w(t.columns.size());
    for (size_t c = 0; c < t.columns.size(); ++c) w[c] = t.columns[c].size();
    for (const auto& row : t.rows)
        for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], row[c].text.size());
    for (size_t c = 0; c < t.columns.size(); ++c) {
        const bool right = !t.rows.empty() && t.rows[0][c].number;
        out += (c ? "  " : "") + pad(t.columns[c], w[c], right);
    }
    out += "\n";
    for (const auto& row : t.rows) {
        for (size_t c = 0; c < row.size(); ++c) {
            out += (c ? "  " : "") + pad(row[c].text, w[c], row[c].number);
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += "\n";
    }
    if (!t.note.empty()) out += "(" + t.note + ")\n";
    out += "\n";
}

void csv_table(const Table& t, std::string& out) {
    out += "# " + t.id + ": " + t.title + "\n";
    for (size_t c = 0; c < t.columns.size(); ++c) {
        if (c) out += ',';
        append_csv_field(out, t.columns[c]);
    }
    out += "\n";
    for (const auto& row : t.rows) {
        for (size_t c = 0; c < row.size(); ++c) {
            if (c) out += ',';
            append_csv_field(out, row[c].text);
        }
        out += "\n";
    }
    if (!t.note.empty()) out += "# " + t.note + "\n";
    out += "\n";
}

void json_table(const Table& t, std::string& out) {
    out += "{\"id\":";
    append_json_string(out, t.id);
    out += ",\"title\":";
    append_json_string(out, t.title);
    out += ",\"columns\":[";
    for (size_t c = 0; c < t.columns.size(); ++c) {
        if (c) out += ',';
        append_json_string(out, t.columns[c]);
    }
    out += "],\"rows\":[";
    for (size_t r = 0; r < t.rows.size(); ++r) {
        out += r ? ",\n  {" : "\n  {";
        const auto& row = t.rows[r];
        for (size_t c = 0; c < row.size(); ++c) {
            if (c) out += ',';
            append_json_string(out, t.columns[c]);
            out += ':';
            if (!row[c].number)
                append_json_string(out, row[c].text);
            else if (row[c].text.empty())
                out += "null";
            else  // JSON numbers have no '+' sign
                out += std::string_view(row[c].text).substr(row[c].text[0] == '+' ? 1 : 0);
        }
        out += '}';
    }
    out += "]";
    if (!t.note.empty()) {
        out += ",\"note\":";
        append_json_string(out, t.note);
    }
    out += "}";
}

void html_escape(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
}

void html_table(const Table& t, std::string& out) {
    out += "<section id=\"";
    html_escape(out, t.id);
    out += "\"><h2>";
    html_escape(out, t.title);
    out += "</h2>\n<table><thead><tr>";
    for (size_t c = 0; c < t.columns.size(); ++c) {
        const bool right = !t.rows.empty() && t.rows[0][c].number;
        out += right ? "<th class=\"n\">" : "<th>";
        html_escape(out, t.columns[c]);
        out += "</th>";
    }
    out += "</tr></thead><tbody>\n";
    for (const auto& row : t.rows) {
        out += "<tr>";
        for (const auto& cell : row) {
            out += cell.number ? "<td class=\"n\">" : "<td>";
            html_escape(out, cell.text);
            out += "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody></table>";
    if (!t.note.empty()) {
        out += "<p class=\"note\">";
        html_escape(out, t.note);
        out += "</p>";
    }
    out += "</section>\n";
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// The layout both kinds of SVG chart share: a figure W x H, the plot at (left, top), pw x ph,
// the legend to its right.
constexpr double kSvgW = 960, kSvgH = 300, kSvgLeft = 70, kSvgRight = 130, kSvgTop = 30;

// Opens a chart's figure: its id, title (for tools) and heading (drawn).
void svg_open(const std::string& id, const std::string& title, const std::string& heading,
              std::string& out) {
    out += "<figure id=\"";
    html_escape(out, id);
    out += "\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt(kSvgW) + "\" height=\"" +
           fmt(kSvgH) + "\" viewBox=\"0 0 " + fmt(kSvgW) + " " + fmt(kSvgH) +
           "\" role=\"img\">\n<title>";
    html_escape(out, title);
    out += "</title>\n<text x=\"" + fmt(kSvgLeft) + "\" y=\"18\" class=\"ct\">";
    html_escape(out, heading);
    out += "</text>\n";
}

// The plot's frame, the legend of the series and the end of the figure.
void svg_close(const std::vector<std::string>& series, double pw, double ph, std::string& out) {
    using chart_draw::color_hex;
    const double left = kSvgLeft, top = kSvgTop;
    out += "<rect x=\"" + fmt(left) + "\" y=\"" + fmt(top) + "\" width=\"" + fmt(pw) +
           "\" height=\"" + fmt(ph) + "\" fill=\"none\" stroke=\"#333\"/>\n";
    for (size_t s = 0; s < series.size(); ++s) {
        const double y = top + 10 + 18 * static_cast<double>(s);
        out += "<rect x=\"" + fmt(left + pw + 12) + "\" y=\"" + fmt(y - 9) +
               "\" width=\"10\" height=\"10\" fill=\"" + color_hex(s) + "\"/><text x=\"" +
               fmt(left + pw + 28) + "\" y=\"" + fmt(y) + "\" class=\"ax\">";
        html_escape(out, series[s]);
        out += "</text>\n";
    }
    out += "</svg></figure>\n";
}

// A stacked step-area chart: each series a path over its bins, on the ones below it.
void svg_chart(const Chart& c, std::string& out) {
    using namespace chart_draw;
    const double left = kSvgLeft, top = kSvgTop, bottom = 40;
    const double pw = kSvgW - left - kSvgRight, ph = kSvgH - top - bottom;
    const uint64_t ymax = nice_max(stacked_max(c));
    const size_t n = c.bins();
    svg_open(c.id, c.title, c.title, out);
    // Axes and grid.
    for (int i = 0; i <= 4; ++i) {
        const double y = top + ph - ph * i / 4;
        out += "<line x1=\"" + fmt(left) + "\" x2=\"" + fmt(left + pw) + "\" y1=\"" + fmt(y) +
               "\" y2=\"" + fmt(y) + "\" stroke=\"#ddd\"/>";
        out += "<text x=\"" + fmt(left - 6) + "\" y=\"" + fmt(y + 4) +
               "\" text-anchor=\"end\" class=\"ax\">" + short_number(ymax * i / 4) + "</text>\n";
    }
    if (n > 0) {
        const double bw = pw / static_cast<double>(n);
        std::vector<double> base(n, 0);
        for (size_t s = 0; s < c.values.size(); ++s) {
            std::string top_pts, bottom_pts;
            std::vector<double> next(n);
            for (size_t k = 0; k < n; ++k) {
                next[k] = base[k] + static_cast<double>(c.values[s][k]);
                const double x0 = left + bw * static_cast<double>(k), x1 = x0 + bw;
                const double yt = top + ph - ph * next[k] / static_cast<double>(ymax);
                top_pts +=
                    (k ? " L" : "M") + fmt(x0) + " " + fmt(yt) + " L" + fmt(x1) + " " + fmt(yt);
            }
            for (size_t k = n; k-- > 0;) {
                const double x0 = left + bw * static_cast<double>(k), x1 = x0 + bw;
                const double yb = top + ph - ph * base[k] / static_cast<double>(ymax);
                bottom_pts += " L" + fmt(x1) + " " + fmt(yb) + " L" + fmt(x0) + " " + fmt(yb);
            }
            out +=
                "<path d=\"" + top_pts + bottom_pts + " Z\" fill=\"" + color_hex(s) + "\"><title>";
            html_escape(out, c.series[s]);
            out += "</title></path>\n";
            base = std::move(next);
        }
        const auto labels = label_bins(c);
        bool midnight = true;
        for (size_t k : labels) midnight &= (c.start + k * c.bin) % (86400 * kMicrosPerSecond) == 0;
        for (size_t k : labels) {
            const double x = left + bw * static_cast<double>(k);
            out += "<line x1=\"" + fmt(x) + "\" x2=\"" + fmt(x) + "\" y1=\"" + fmt(top + ph) +
                   "\" y2=\"" + fmt(top + ph + 4) + "\" stroke=\"#333\"/><text x=\"" + fmt(x) +
                   "\" y=\"" + fmt(top + ph + 18) + "\" text-anchor=\"middle\" class=\"ax\">" +
                   time_label(c.start + k * c.bin, midnight) + "</text>\n";
        }
    }
    svg_close(c.series, pw, ph, out);
}

// Lines with markers over a (log) x axis, one per series; NaN values leave a gap.
void svg_line_chart(const LineChart& c, std::string& out) {
    using namespace chart_draw;
    const double left = kSvgLeft, top = kSvgTop, bottom = 46;
    const double pw = kSvgW - left - kSvgRight, ph = kSvgH - top - bottom;
    const YAxis ya = y_axis(c);
    auto px = [&](size_t k) { return left + pw * x_fraction(c, k); };
    auto py = [&](double v) { return top + ph - ph * ya.fraction(v); };
    svg_open(c.id, c.title, heading(c, ya), out);

    for (size_t i = 0; i < ya.ticks.size(); ++i) {
        const double y = py(ya.ticks[i]);
        out += "<line x1=\"" + fmt(left) + "\" x2=\"" + fmt(left + pw) + "\" y1=\"" + fmt(y) +
               "\" y2=\"" + fmt(y) + "\" stroke=\"#ddd\"/>";
        out += "<text x=\"" + fmt(left - 6) + "\" y=\"" + fmt(y + 4) +
               "\" text-anchor=\"end\" class=\"ax\">" + ya.tick_label(i) + "</text>\n";
    }
    for (size_t k = 0; k < c.x.size(); ++k) {
        out += "<line x1=\"" + fmt(px(k)) + "\" x2=\"" + fmt(px(k)) + "\" y1=\"" + fmt(top) +
               "\" y2=\"" + fmt(top + ph) + "\" stroke=\"#eee\"/><text x=\"" + fmt(px(k)) +
               "\" y=\"" + fmt(top + ph + 16) +
               "\" text-anchor=\"middle\" class=\"ax\">1:" + axis_number(c.x[k]) + "</text>\n";
    }
    out += "<text x=\"" + fmt(left + pw / 2) + "\" y=\"" + fmt(kSvgH - 6) +
           "\" text-anchor=\"middle\" class=\"ax\">";
    html_escape(out, c.x_label);
    out += "</text>\n";
    for (size_t s = 0; s < c.values.size(); ++s) {
        std::string d, dots;
        bool pen = false;
        for (size_t k = 0; k < c.x.size(); ++k) {
            const double v = c.values[s][k];
            if (std::isnan(v)) {
                pen = false;
                continue;
            }
            d += (pen ? " L" : " M") + fmt(px(k)) + " " + fmt(py(v));
            pen = true;
            dots += "<circle cx=\"" + fmt(px(k)) + "\" cy=\"" + fmt(py(v)) + "\" r=\"3\" fill=\"" +
                    color_hex(s) + "\"><title>";
            html_escape(dots, c.series[s] + " 1:" + axis_number(c.x[k]) + ": " + axis_number(v));
            dots += "</title></circle>";
        }
        out += "<path d=\"" + d + "\" fill=\"none\" stroke-width=\"2\" stroke=\"" + color_hex(s) +
               "\"/>" + dots + "\n";
    }
    svg_close(c.series, pw, ph, out);
}

}  // namespace

ReportFormat parse_report_format(std::string_view t) {
    if (t == "text") return ReportFormat::kText;
    if (t == "csv") return ReportFormat::kCsv;
    if (t == "json") return ReportFormat::kJson;
    if (t == "html") return ReportFormat::kHtml;
    if (t == "pdf") return ReportFormat::kPdf;
    if (t == "png") return ReportFormat::kPng;
    throw UsageError("unknown format '" + std::string(t) + "' (text, csv, json, html, pdf, png)");
}

ReportFormat format_of_path(std::string_view path) {
    const size_t dot = path.rfind('.');
    if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos)
        return ReportFormat::kText;
    const std::string_view ext = path.substr(dot + 1);
    for (std::string_view e : {"csv", "json", "html", "pdf", "png"}) {
        if (ext == e) return parse_report_format(e);
    }
    if (ext == "htm") return ReportFormat::kHtml;
    return ReportFormat::kText;
}

std::string render_text(const Report& r) {
    std::string out = r.title + "\n" + std::string(r.title.size(), '=') + "\n";
    size_t w = 0;
    for (const auto& [k, v] : r.meta) w = std::max(w, k.size());
    for (const auto& [k, v] : r.meta) out += pad(k + ":", w + 1, false) + " " + v + "\n";
    out += "\n";
    for (const auto& t : r.tables) text_table(t, out);
    for (const auto& t : r.chart_tables) text_table(t, out);
    return out;
}

std::string render_csv(const Report& r) {
    std::string out = "# " + r.title + "\n";
    for (const auto& [k, v] : r.meta) out += "# " + k + ": " + v + "\n";
    out += "\n";
    for (const auto& t : r.tables) csv_table(t, out);
    for (const auto& t : r.chart_tables) csv_table(t, out);
    return out;
}

std::string render_json(const Report& r) {
    std::string out = "{\"title\":";
    append_json_string(out, r.title);
    out += ",\n\"meta\":{";
    for (size_t i = 0; i < r.meta.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, r.meta[i].first);
        out += ':';
        append_json_string(out, r.meta[i].second);
    }
    out += "},\n\"tables\":[";
    for (size_t i = 0; i < r.tables.size(); ++i) {
        out += i ? ",\n" : "\n";
        json_table(r.tables[i], out);
    }
    out += "],\n\"charts\":[";
    for (size_t i = 0; i < r.charts.size(); ++i) {
        const Chart& c = r.charts[i];
        out += i ? ",\n{\"id\":" : "\n{\"id\":";
        append_json_string(out, c.id);
        out += ",\"title\":";
        append_json_string(out, c.title);
        out += ",\"metric\":\"" + c.metric + "\",\"start\":\"" +
               time_string(c.start, TimeDigits::kSeconds) +
               "\",\"bin_seconds\":" + std::to_string(c.bin / kMicrosPerSecond) + ",\"series\":[";
        for (size_t s = 0; s < c.series.size(); ++s) {
            out += s ? ",\n  {\"name\":" : "\n  {\"name\":";
            append_json_string(out, c.series[s]);
            out += ",\"values\":[";
            for (size_t k = 0; k < c.bins(); ++k) {
                if (k) out += ',';
                out += std::to_string(c.values[s][k]);
            }
            out += "]}";
        }
        out += "]}";
    }
    out += "],\n\"line_charts\":[";
    for (size_t i = 0; i < r.line_charts.size(); ++i) {
        const LineChart& c = r.line_charts[i];
        out += i ? ",\n{\"id\":" : "\n{\"id\":";
        append_json_string(out, c.id);
        out += ",\"title\":";
        append_json_string(out, c.title);
        out += ",\"x_label\":";
        append_json_string(out, c.x_label);
        out += ",\"y_label\":";
        append_json_string(out, c.y_label);
        out += ",\"x\":[";
        for (size_t k = 0; k < c.x.size(); ++k)
            out += (k ? "," : "") + chart_draw::axis_number(c.x[k]);
        out += "],\"series\":[";
        for (size_t s = 0; s < c.series.size(); ++s) {
            out += s ? ",\n  {\"name\":" : "\n  {\"name\":";
            append_json_string(out, c.series[s]);
            out += ",\"values\":[";
            for (size_t k = 0; k < c.values[s].size(); ++k) {
                const double v = c.values[s][k];
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.6g", v);
                out += (k ? "," : "") + std::string(std::isnan(v) ? "null" : buf);
            }
            out += "]}";
        }
        out += "]}";
    }
    out += "]}\n";
    return out;
}

std::string render_html(const Report& r) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>";
    html_escape(out, r.title);
    out +=
        "</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em;color:#222}\n"
        "h1{font-size:1.5em}h2{font-size:1.1em;margin-top:1.5em}\n"
        "table{border-collapse:collapse;font-size:.9em}\n"
        "th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}\n"
        "th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
        "dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:bold}\n"
        "dd{margin:0}.note{color:#a00}figure{margin:1em 0}\n"
        ".ct{font:bold 14px sans-serif}.ax{font:11px sans-serif}\n"
        "</style></head><body>\n<h1>";
    html_escape(out, r.title);
    out += "</h1>\n<dl>\n";
    for (const auto& [k, v] : r.meta) {
        out += "<dt>";
        html_escape(out, k);
        out += "</dt><dd>";
        html_escape(out, v);
        out += "</dd>\n";
    }
    out += "</dl>\n";
    size_t t = 0;
    if (!r.tables.empty() && r.tables[0].id == "totals") html_table(r.tables[t++], out);
    for (const auto& c : r.charts) svg_chart(c, out);
    for (const auto& c : r.line_charts) svg_line_chart(c, out);
    for (; t < r.tables.size(); ++t) html_table(r.tables[t], out);
    out += "</body></html>\n";
    return out;
}

std::string render(const Report& r, ReportFormat f) {
    switch (f) {
        case ReportFormat::kText:
            return render_text(r);
        case ReportFormat::kCsv:
            return render_csv(r);
        case ReportFormat::kJson:
            return render_json(r);
        case ReportFormat::kHtml:
            return render_html(r);
        case ReportFormat::kPdf:
            return render_pdf(r);
        case ReportFormat::kPng:
            return render_png(r);
    }
    return {};
}

}  // namespace fk
