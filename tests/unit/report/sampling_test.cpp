// flowreport sampling: the report of flowsample --evaluate's rows, from hand-written rows.
#include "report/sampling.h"

#include <gtest/gtest.h>

#include <cmath>

#include "report/render.h"

namespace fk {
namespace {

EvalReport rows() {
    EvalReport e;
    // Out of rate order, and one row missing (packet 1:100 top_overlap).
    for (auto [mode, rate, metric, value] :
         std::initializer_list<std::tuple<SampleMode, uint64_t, const char*, double>>{
             {SampleMode::kFlow, 100, "bytes_err", 0.25},
             {SampleMode::kFlow, 100, "top_overlap", 0.5},
             {SampleMode::kFlow, 10, "bytes_err", 0.0005},
             {SampleMode::kFlow, 10, "top_overlap", 0.9},
             {SampleMode::kPacket, 10, "bytes_err", 0},
             {SampleMode::kPacket, 10, "top_overlap", 1},
             {SampleMode::kPacket, 100, "bytes_err", 0.125},
             {SampleMode::kFlow, 10, "top_rank_err", 1.5}}) {
        e.metrics.push_back({mode, rate, metric, value});
    }
    return e;
}

TEST(SamplingReport, TableOfModesAndRates) {
    const Report r = sampling_report(rows(), "e.csv");
    ASSERT_EQ(r.tables.size(), 1u);
    const Table& t = r.tables[0];
    EXPECT_EQ(t.columns, (std::vector<std::string>{"mode", "rate", "bytes err %", "top-N found %",
                                                   "rank err"}));
    ASSERT_EQ(t.rows.size(), 4u);  // flow and packet × 1:10 and 1:100, rates sorted
    auto cells = [&](size_t row) {
        std::vector<std::string> out;
        for (const auto& c : t.rows[row]) out.push_back(c.text);
        return out;
    };
    EXPECT_EQ(cells(0), (std::vector<std::string>{"flow", "1:10", "0.05", "90", "1.5"}));
    EXPECT_EQ(cells(1), (std::vector<std::string>{"flow", "1:100", "25", "50", ""}));
    EXPECT_EQ(cells(2), (std::vector<std::string>{"packet", "1:10", "0", "100", ""}));
    EXPECT_EQ(cells(3), (std::vector<std::string>{"packet", "1:100", "12.5", "", ""}));
    EXPECT_EQ(r.meta[2].second, "1:10, 1:100");
}

TEST(SamplingReport, OneChartPerMetric) {
    const Report r = sampling_report(rows(), "e.csv");
    ASSERT_EQ(r.line_charts.size(), 3u);
    const LineChart& bytes = r.line_charts[0];
    EXPECT_EQ(bytes.id, "sampling-bytes_err");
    EXPECT_EQ(bytes.y_label, "%");
    EXPECT_EQ(bytes.x, (std::vector<double>{10, 100}));
    EXPECT_EQ(bytes.series, (std::vector<std::string>{"flow", "packet"}));
    EXPECT_EQ(bytes.values[0], (std::vector<double>{0.05, 25}));
    EXPECT_EQ(bytes.values[1], (std::vector<double>{0, 12.5}));
    EXPECT_TRUE(std::isnan(r.line_charts[1].values[1][1]));  // the missing row is a gap
    EXPECT_EQ(r.line_charts[2].y_label, "ranks");
    const std::string json = render_json(r);
    EXPECT_NE(json.find("{\"name\":\"packet\",\"values\":[100,null]}"), std::string::npos);
}

TEST(SamplingReport, AxesLinearOrLogarithmic) {
    LineChart c;
    c.x = {1, 10, 100, 8000};
    EXPECT_DOUBLE_EQ(chart_draw::x_fraction(c, 0), 0);
    EXPECT_DOUBLE_EQ(chart_draw::x_fraction(c, 2), 2 / std::log10(8000.0));
    EXPECT_DOUBLE_EQ(chart_draw::x_fraction(c, 3), 1);
    // Within two decades: linear from 0 to a round maximum.
    c.values = {{0, 1.2, 3.1, 40}};
    chart_draw::YAxis a = chart_draw::y_axis(c);
    EXPECT_FALSE(a.log);
    EXPECT_DOUBLE_EQ(a.hi, 50);
    EXPECT_EQ(a.ticks, (std::vector<double>{0, 12.5, 25, 37.5, 50}));
    EXPECT_DOUBLE_EQ(a.fraction(25), 0.5);
    // Spread over more: decades from below the smallest positive value; zero on the floor.
    c.values = {{0, 0.05, 3.1, 1246}};
    a = chart_draw::y_axis(c);
    EXPECT_TRUE(a.log);
    EXPECT_DOUBLE_EQ(a.lo, 0.01);
    EXPECT_DOUBLE_EQ(a.hi, 10000);
    EXPECT_EQ(a.ticks.size(), 7u);
    EXPECT_DOUBLE_EQ(a.fraction(0), 0);
    EXPECT_NEAR(a.fraction(1), 2.0 / 6, 1e-12);
    EXPECT_EQ(a.tick_label(0), "\u2264 0.01");
    EXPECT_EQ(a.tick_label(6), "10000");

    c.title = "Relative error";
    c.y_label = "%";
    EXPECT_EQ(chart_draw::heading(c, a), "Relative error (%, log scale)");
}

}  // namespace
}  // namespace fk
