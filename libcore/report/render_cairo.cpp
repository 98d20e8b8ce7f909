// PDF and PNG of a report, drawn with cairo: the same layout on A4 landscape pages (points) or
// on one tall image (the page width scaled to 1200 pixels).
#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "common/error.h"
#include "report/render.h"

#if defined(__SANITIZE_ADDRESS__)
#define FLOWKIT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOWKIT_ASAN 1
#endif
#endif
#ifdef FLOWKIT_ASAN
// fontconfig (under cairo's text) keeps its configuration for the life of the process and
// never frees it; LeakSanitizer reads this when a program that draws reports exits.
extern "C" const char* __lsan_default_suppressions() {
    return "leak:libfontconfig.so\n";
}
#endif

namespace fk {

namespace {

constexpr double kPageW = 842, kPageH = 595, kMargin = 36;
constexpr double kFont = 7.5, kRow = 11, kChartH = 210;
constexpr double kPngWidth = 1200;

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int n) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), n);
    return CAIRO_STATUS_SUCCESS;
}

class Layout {
  public:
    // page_break: null draws on one surface of unlimited height (measuring or PNG).
    Layout(cairo_t* cr, std::function<void()> page_break)
        : cr_(cr), page_break_(std::move(page_break)) {
        cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               CAIRO_FONT_WEIGHT_NORMAL);
    }

    double y() const { return y_; }

    void report(const Report& r) {
        font(14, true);
        need(24);
        text(kMargin, y_ + 14, r.title);
        y_ += 24;
        font(kFont, false);
        for (const auto& [k, v] : r.meta) {
            need(kRow);
            font(kFont, true);
            text(kMargin, y_ + 8, k + ":");
            font(kFont, false);
            text(kMargin + 130, y_ + 8, v.size() > 150 ? v.substr(0, 147) + "..." : v);
            y_ += kRow;
        }
        y_ += 8;
        size_t t = 0;
        if (!r.tables.empty() && r.tables[0].id == "totals") table(r.tables[t++]);
        for (const auto& c : r.charts) chart(c);
        for (const auto& c : r.line_charts) line_chart(c);
        for (; t < r.tables.size(); ++t) table(r.tables[t]);
    }

  private:
    void font(double size, bool bold) {
        cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr_, size);
    }
    double width(const std::string& s) {
        cairo_text_extents_t e;
        cairo_text_extents(cr_, s.c_str(), &e);
        return e.x_advance;
    }
    void text(double x, double y, const std::string& s) {
        cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
        cairo_move_to(cr_, x, y);
        cairo_show_text(cr_, s.c_str());
    }
    void text_right(double x, double y, const std::string& s) { text(x - width(s), y, s); }
    // Starts a new page when h does not fit on this one; true when it did.
    bool need(double h) {
        if (!page_break_ || y_ + h <= kPageH - kMargin) return false;
        page_break_();
        y_ = kMargin;
        return true;
    }

    void table(const Table& t) {
        double size = kFont;
        std::vector<double> w;
        const double avail = kPageW - 2 * kMargin;
        // Column widths at the font size; a smaller font when the table is too wide.
        for (;;) {
            w.assign(t.columns.size(), 0);
            font(size, true);
            for (size_t c = 0; c < t.columns.size(); ++c) w[c] = width(t.columns[c]);
            font(size, false);
            for (const auto& row : t.rows)
                for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], width(row[c].text));
            double total = 0;
            for (double& x : w) total += (x += 10);
            if (total <= avail || size <= 4.5) break;
            size -= 0.5;
        }
        need(20 + 2 * kRow);
        font(10, true);
        text(kMargin, y_ + 12, t.title);
        y_ += 18;
        auto header = [&] {
            font(size, true);
            double x = kMargin;
            for (size_t c = 0; c < t.columns.size(); ++c) {
                const bool right = !t.rows.empty() && t.rows[0][c].number;
                if (right)
                    text_right(x + w[c] - 10, y_ + 8, t.columns[c]);
                else
                    text(x, y_ + 8, t.columns[c]);
                x += w[c];
            }
            cairo_set_source_rgb(cr_, 0.6, 0.6, 0.6);
            cairo_set_line_width(cr_, 0.5);
            cairo_move_to(cr_, kMargin, y_ + kRow - 0.5);
            cairo_line_to(cr_, x - 10, y_ + kRow - 0.5);
            cairo_stroke(cr_);
            y_ += kRow;
        };
        header();
        for (const auto& row : t.rows) {
            if (need(kRow)) header();
            font(size, false);
            double x = kMargin;
            for (size_t c = 0; c < row.size(); ++c) {
                if (row[c].number)
                    text_right(x + w[c] - 10, y_ + 8, row[c].text);
                else
                    text(x, y_ + 8, row[c].text);
                x += w[c];
            }
            y_ += kRow;
        }
        if (!t.note.empty()) {
            need(kRow);
            font(kFont, false);
            text(kMargin, y_ + 8, "(" + t.note + ")");
            y_ += kRow;
        }
        y_ += 10;
    }

    void chart(const Chart& c) {
        using namespace chart_draw;
        need(kChartH + 10);
        const double left = kMargin + 50, top = y_ + 22, pw = kPageW - 2 * kMargin - 50 - 100,
                     ph = kChartH - 22 - 28;
        font(10, true);
        text(kMargin, y_ + 12, c.title);
        font(kFont, false);
        const uint64_t ymax = nice_max(stacked_max(c));
        cairo_set_line_width(cr_, 0.5);
        for (int i = 0; i <= 4; ++i) {
            const double yy = top + ph - ph * i / 4;
            cairo_set_source_rgb(cr_, 0.85, 0.85, 0.85);
            cairo_move_to(cr_, left, yy);
            cairo_line_to(cr_, left + pw, yy);
            cairo_stroke(cr_);
            text_right(left - 5, yy + 3, short_number(ymax * i / 4));
        }
        const size_t n = c.bins();
        if (n > 0) {
            const double bw = pw / static_cast<double>(n);
            std::vector<double> base(n, 0);
            for (size_t s = 0; s < c.values.size(); ++s) {
                std::vector<double> next(n);
                for (size_t k = 0; k < n; ++k) {
                    next[k] = base[k] + static_cast<double>(c.values[s][k]);
                    const double x0 = left + bw * static_cast<double>(k);
                    const double yt = top + ph - ph * next[k] / static_cast<double>(ymax);
                    if (k == 0)
                        cairo_move_to(cr_, x0, yt);
                    else
                        cairo_line_to(cr_, x0, yt);
                    cairo_line_to(cr_, x0 + bw, yt);
                }
                for (size_t k = n; k-- > 0;) {
                    const double x0 = left + bw * static_cast<double>(k);
                    const double yb = top + ph - ph * base[k] / static_cast<double>(ymax);
                    cairo_line_to(cr_, x0 + bw, yb);
                    cairo_line_to(cr_, x0, yb);
                }
                cairo_close_path(cr_);
                const auto col = color(s);
                cairo_set_source_rgb(cr_, col[0], col[1], col[2]);
                cairo_fill(cr_);
                base = std::move(next);
            }
            const auto labels = label_bins(c);
            bool midnight = true;
            for (size_t k : labels)
                midnight &= (c.start + k * c.bin) % (86400 * kMicrosPerSecond) == 0;
            for (size_t k : labels) {
                const double x = left + bw * static_cast<double>(k);
                const std::string label = time_label(c.start + k * c.bin, midnight);
                text(x - width(label) / 2, top + ph + 12, label);
            }
        }
        frame_and_legend(c.series, left, top, pw, ph);
    }

    // The plot's frame and the legend of the series right of it, for both kinds of chart;
    // the chart's height is used up.
    void frame_and_legend(const std::vector<std::string>& series, double left, double top,
                          double pw, double ph) {
        cairo_set_source_rgb(cr_, 0.2, 0.2, 0.2);
        cairo_rectangle(cr_, left, top, pw, ph);
        cairo_stroke(cr_);
        for (size_t s = 0; s < series.size(); ++s) {
            const double yy = top + 4 + 14 * static_cast<double>(s);
            const auto col = chart_draw::color(s);
            cairo_set_source_rgb(cr_, col[0], col[1], col[2]);
            cairo_rectangle(cr_, left + pw + 10, yy, 8, 8);
            cairo_fill(cr_);
            text(left + pw + 22, yy + 7, series[s]);
        }
        y_ += kChartH + 10;
    }

    void line_chart(const LineChart& c) {
        using namespace chart_draw;
        need(kChartH + 10);
        const double left = kMargin + 50, top = y_ + 22, pw = kPageW - 2 * kMargin - 50 - 100,
                     ph = kChartH - 22 - 34;
        font(10, true);
        const YAxis ya = y_axis(c);
        text(kMargin, y_ + 12, heading(c, ya));
        font(kFont, false);

        auto px = [&](size_t k) { return left + pw * x_fraction(c, k); };
        auto py = [&](double v) { return top + ph - ph * ya.fraction(v); };
        cairo_set_line_width(cr_, 0.5);
        for (size_t i = 0; i < ya.ticks.size(); ++i) {
            const double yy = py(ya.ticks[i]);
            cairo_set_source_rgb(cr_, 0.85, 0.85, 0.85);
            cairo_move_to(cr_, left, yy);
            cairo_line_to(cr_, left + pw, yy);
            cairo_stroke(cr_);
            text_right(left - 5, yy + 3, ya.tick_label(i));
        }
        for (size_t k = 0; k < c.x.size(); ++k) {
            cairo_set_source_rgb(cr_, 0.92, 0.92, 0.92);
            cairo_move_to(cr_, px(k), top);
            cairo_line_to(cr_, px(k), top + ph);
            cairo_stroke(cr_);
            const std::string label = "1:" + axis_number(c.x[k]);
            text(px(k) - width(label) / 2, top + ph + 12, label);
        }
        text(left + pw / 2 - width(c.x_label) / 2, top + ph + 26, c.x_label);
        cairo_set_line_width(cr_, 1.5);
        for (size_t s = 0; s < c.values.size(); ++s) {
            const auto col = color(s);
            cairo_set_source_rgb(cr_, col[0], col[1], col[2]);
            bool pen = false;
            for (size_t k = 0; k < c.x.size(); ++k) {
                const double v = c.values[s][k];
                if (std::isnan(v)) {
                    pen = false;
                    continue;
                }
                if (pen)
                    cairo_line_to(cr_, px(k), py(v));
                else
                    cairo_move_to(cr_, px(k), py(v));
                pen = true;
            }
            cairo_stroke(cr_);
            for (size_t k = 0; k < c.x.size(); ++k) {
                if (std::isnan(c.values[s][k])) continue;
                cairo_new_sub_path(cr_);
                cairo_arc(cr_, px(k), py(c.values[s][k]), 2.2, 0, 2 * M_PI);
            }
            cairo_fill(cr_);
        }
        cairo_set_line_width(cr_, 0.5);
        frame_and_legend(c.series, left, top, pw, ph);
    }

    cairo_t* cr_;
    std::function<void()> page_break_;
    double y_ = kMargin;
};

void check(cairo_status_t s, const char* what) {
    if (s != CAIRO_STATUS_SUCCESS)
        throw DataError(std::string("cairo: ") + what + ": " + cairo_status_to_string(s));
}

}  // namespace

std::string render_pdf(const Report& r) {
    std::string out;
    cairo_surface_t* surface =
        cairo_pdf_surface_create_for_stream(append_bytes, &out, kPageW, kPageH);
    cairo_t* cr = cairo_create(surface);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, r.title.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                   "flowreport " FLOWKIT_VERSION);
    Layout layout(cr, [&] { cairo_show_page(cr); });
    layout.report(r);
    cairo_show_page(cr);
    const cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    const cairo_status_t fin = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    check(st, "drawing the PDF");
    check(fin, "writing the PDF");
    return out;
}

std::string render_png(const Report& r) {
    // Measure the height on a recording surface, then draw on an image that tall.
    cairo_surface_t* rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr);
    cairo_t* mcr = cairo_create(rec);
    Layout measure(mcr, nullptr);
    measure.report(r);
    const double height = measure.y() + kMargin;
    cairo_destroy(mcr);
    cairo_surface_destroy(rec);

    const double scale = kPngWidth / kPageW;
    const int w = static_cast<int>(kPngWidth);
    const int h = static_cast<int>(height * scale + 1);
    cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t* cr = cairo_create(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    Layout layout(cr, nullptr);
    layout.report(r);
    std::string out;
    const cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    const cairo_status_t wr = cairo_surface_write_to_png_stream(img, append_bytes, &out);
    cairo_surface_destroy(img);
    check(st, "drawing the PNG");
    check(wr, "writing the PNG");
    return out;
}

}  // namespace fk
