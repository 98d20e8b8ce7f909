#include "report/sampling.h"

#include "report/render.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fk {

namespace {

// What each metric of flowsample --evaluate is, in the report's words; percent: a fraction
// shown ×100.
struct MetricInfo {
    const char* name;
    const char* title;
    const char* column;
    bool percent;
};
constexpr MetricInfo kMetrics[] = {
    {"bytes_err", "Relative error of total bytes", "bytes err %", true},
    {"packets_err", "Relative error of total packets", "packets err %", true},
    {"flows_err", "Relative error of the flow count", "flows err %", true},
    {"bin_bytes_err", "Mean relative error of bytes per time bin", "bin err %", true},
    {"bin_bytes_max", "Worst time bin's relative error of bytes", "worst bin %", true},
    {"top_overlap", "Share of the true Top-N hosts found", "top-N found %", true},
    {"top_rank_err", "Mean rank error of the true Top-N hosts", "rank err", false},
    {"event_flows", "Share of the event's flows kept", "event flows %", true},
    {"event_srcs", "Share of the event's sources still seen", "event srcs %", true},
    {"event_dsts", "Share of the event's targets still seen", "event dsts %", true},
};

const MetricInfo* info(const std::string& metric) {
    for (const auto& m : kMetrics) {
        if (metric == m.name) return &m;
    }
    return nullptr;
}

template <class T>
size_t index_of(std::vector<T>& v, const T& x) {
    auto it = std::find(v.begin(), v.end(), x);
    if (it == v.end()) it = v.insert(v.end(), x);
    return static_cast<size_t>(it - v.begin());
}

}  // namespace

Report sampling_report(const EvalReport& e, const std::string& source) {
    // Modes, rates and metrics in the order of the rows (flowsample's order).
    std::vector<SampleMode> modes;
    std::vector<uint64_t> rates;
    std::vector<std::string> metrics;
    for (const auto& m : e.metrics) {
        index_of(modes, m.mode);
        index_of(rates, m.rate);
        index_of(metrics, m.metric);
    }
    std::sort(rates.begin(), rates.end());
    // value[metric][mode][rate]; NaN where the input has no row.
    const double none = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::vector<std::vector<double>>> value(
        metrics.size(),
        std::vector<std::vector<double>>(modes.size(), std::vector<double>(rates.size(), none)));
    for (const auto& m : e.metrics) {
        const MetricInfo* mi = info(m.metric);
        value[index_of(metrics, m.metric)][index_of(modes, m.mode)][index_of(rates, m.rate)] =
            mi && mi->percent ? m.value * 100 : m.value;
    }

    Report r;
    r.empty = false;
    r.title = "Sampling cost";
    r.meta.emplace_back("input", source + " (flowsample --evaluate)");
    std::string mode_list, rate_list;
    for (SampleMode m : modes)
        mode_list += (mode_list.empty() ? "" : ", ") + std::string(sample_mode_name(m));
    for (uint64_t x : rates) rate_list += (rate_list.empty() ? "1:" : ", 1:") + std::to_string(x);
    r.meta.emplace_back("modes", mode_list);
    r.meta.emplace_back("rates", rate_list);

    Table t;
    t.id = "sampling";
    t.title = "Errors by mode and rate";
    t.columns = {"mode", "rate"};
    for (const auto& name : metrics) {
        const MetricInfo* mi = info(name);
        t.columns.push_back(mi ? mi->column : name);
    }
    for (size_t mo = 0; mo < modes.size(); ++mo) {
        for (size_t ra = 0; ra < rates.size(); ++ra) {
            std::vector<Cell> row{{std::string(sample_mode_name(modes[mo])), false},
                                  {"1:" + std::to_string(rates[ra]), false}};
            for (size_t me = 0; me < metrics.size(); ++me) {
                const double v = value[me][mo][ra];
                row.push_back({std::isnan(v) ? "" : chart_draw::axis_number(v), true});
            }
            t.rows.push_back(std::move(row));
        }
    }
    r.tables.push_back(std::move(t));

    for (size_t me = 0; me < metrics.size(); ++me) {
        const MetricInfo* mi = info(metrics[me]);
        LineChart c;
        c.id = "sampling-" + metrics[me];
        c.title = mi ? mi->title : metrics[me];
        c.x_label = "sampling rate 1:N";
        c.y_label = mi && mi->percent ? "%" : mi ? "ranks" : "";
        c.log_x = rates.front() > 0;
        for (uint64_t x : rates) c.x.push_back(static_cast<double>(x));
        for (size_t mo = 0; mo < modes.size(); ++mo) {
            c.series.emplace_back(sample_mode_name(modes[mo]));
            c.values.push_back(value[me][mo]);
        }
        r.line_charts.push_back(std::move(c));
    }
    return r;
}

}  // namespace fk
