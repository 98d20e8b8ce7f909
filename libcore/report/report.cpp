#include "report/report.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>

#include "common/error.h"
#include "filter/filter.h"
#include "format/summary.h"
#include "query/pipeline.h"
#include "record/names.h"

namespace fk {

namespace {

constexpr uint64_t kMinute = 60 * kMicrosPerSecond;
constexpr size_t kMaxSeries = 6;  // chart series drawn separately; the rest is "other"
// Bins a chart has at most: a wider span takes wider bins. Bins are memory in every worker
// and points on the page; a dense array of 5-minute bins over flows from 1971 and 2099 took
// 11 GB.
constexpr uint64_t kMaxBins = 4096;

// Flows, packets and bytes per bin of time and per value of the stacking field (protocol or
// application), filled a block at a time.
class Series {
  public:
    Series(uint64_t origin, uint64_t bin) : origin_(origin), bin_(bin) { col_.fill(-1); }

    void add(FlowBlock& b, const uint8_t* mask, FieldId stack) {
        b.ensure(stack);
        const auto& start = column<FieldId::start>(b);
        const auto& packets = column<FieldId::packets>(b);
        const auto& bytes = column<FieldId::bytes>(b);
        const auto& keys =
            stack == FieldId::app ? column<FieldId::app>(b) : column<FieldId::proto>(b);
        for (size_t i = 0; i < b.size(); ++i) {
            if (!mask[i]) continue;
            at(keys[i], (start[i] - origin_) / bin_).add({1, packets[i], bytes[i]});
        }
    }

    void merge(const Series& o) {
        while (bin_ < o.bin_) coarsen();
        // o's bins are as wide or narrower, by a power of two, from the same origin (and
        // this series may coarsen on the way).
        for (size_t c = 0; c < o.keys_.size(); ++c) {
            for (size_t k = 0; k < o.len_; ++k) {
                const Totals& t = o.cols_[c][k];
                if (t.flows) at(o.keys_[c], (o.lo_ + k) / (bin_ / o.bin_)).add(t);
            }
        }
    }

    uint64_t bin() const { return bin_; }
    uint64_t origin() const { return origin_; }

    // The chart of one metric over the bins [first, first + count) (absolute bin numbers); the
    // largest series by bytes first.
    Chart chart(const std::string& metric, uint64_t first, uint64_t count, bool by_app) const {
        auto value = [&](const Totals& t) {
            return metric == "bytes" ? t.bytes : metric == "packets" ? t.packets : t.flows;
        };
        // Series by bytes in every chart, so that a protocol keeps its colour in all three.
        std::vector<std::pair<uint64_t, size_t>> order;  // bytes, column
        for (size_t c = 0; c < keys_.size(); ++c) {
            uint64_t sum = 0;
            for (const Totals& t : cols_[c]) sum += t.bytes;
            order.emplace_back(sum, c);
        }
        std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : keys_[a.second] < keys_[b.second];
        });
        Chart ch;
        ch.metric = metric;
        ch.bin = bin_;
        ch.start = origin_ + first * bin_;
        const size_t named = order.size() > kMaxSeries ? kMaxSeries - 1 : order.size();
        for (size_t s = 0; s < order.size(); ++s) {
            const size_t c = order[s].second;
            if (s < named) {
                char buf[32];
                const size_t n = by_app ? format_app(buf, keys_[c]) : format_proto(buf, keys_[c]);
                ch.series.push_back(n ? std::string(buf, n) : "none");
                ch.values.emplace_back(count, 0);
            } else if (s == named) {
                ch.series.push_back("other");
                ch.values.emplace_back(count, 0);
            }
            auto& out = ch.values[std::min(s, named)];
            for (size_t k = 0; k < len_; ++k) {
                const uint64_t abs = lo_ + k;
                if (abs >= first && abs < first + count) out[abs - first] += value(cols_[c][k]);
            }
        }
        return ch;
    }

    bool empty() const { return len_ == 0; }
    uint64_t lo() const { return lo_; }
    uint64_t hi() const { return lo_ + len_; }

  private:
    // Twice as wide bins: each pair of bins added into one.
    void coarsen() {
        const uint64_t lo = lo_ / 2;
        const size_t len = len_ == 0 ? 0 : static_cast<size_t>((lo_ + len_ - 1) / 2 - lo + 1);
        for (auto& c : cols_) {
            std::vector<Totals> wide(len);
            for (size_t k = 0; k < len_; ++k) wide[(lo_ + k) / 2 - lo].add(c[k]);
            c = std::move(wide);
        }
        lo_ = lo;
        len_ = len;
        bin_ *= 2;
    }

    // The totals of key in bin abs (of the current width), coarsening first when the span
    // would pass kMaxBins (abs then names a narrower bin: it is halved along).
    Totals& at(uint8_t key, uint64_t abs) {
        while (len_ > 0 && std::max(abs, lo_ + len_ - 1) - std::min(abs, lo_) >= kMaxBins) {
            coarsen();
            abs /= 2;
        }
        if (len_ == 0) {
            lo_ = abs;
            len_ = 1;
            for (auto& c : cols_) c.assign(1, Totals{});
        } else if (abs < lo_) {
            const size_t grow = lo_ - abs;
            for (auto& c : cols_) c.insert(c.begin(), grow, Totals{});
            lo_ = abs;
            len_ += grow;
        } else if (abs >= lo_ + len_) {
            len_ = abs - lo_ + 1;
            for (auto& c : cols_) c.resize(len_);
        }
        if (col_[key] < 0) {
            col_[key] = static_cast<int>(keys_.size());
            keys_.push_back(key);
            cols_.emplace_back(len_);
        }
        return cols_[col_[key]][abs - lo_];
    }

    uint64_t origin_, bin_;
    uint64_t lo_ = 0;
    size_t len_ = 0;
    std::array<int, 256> col_;
    std::vector<uint8_t> keys_;
    std::vector<std::vector<Totals>> cols_;
};

// What one period of one data set adds up to: the totals, a table per distinct key, and
// (when charted) the series.
struct Collector {
    Summary summary;
    std::vector<AggTable> tables;
    std::unique_ptr<Series> series;
    uint64_t rows = 0;  // rows read (all periods of the pass)

    void merge(Collector& o) {
        summary.merge(o.summary);
        for (size_t i = 0; i < tables.size(); ++i) tables[i].merge(o.tables[i]);
        if (series) series->merge(*o.series);
        rows += o.rows;
    }
};

struct Period {
    TimeRange range;
    std::vector<Collector> workers;  // one per thread, merged into [0] at the end
};

struct PassResult {
    uint64_t files = 0, blocks_read = 0, blocks_skipped = 0;
    size_t paths = 0;
};

std::string key_title(const std::string& key) {
    if (key == "ip") return "hosts";
    if (key == "srcip") return "source hosts";
    if (key == "dstip") return "destination hosts";
    if (key == "port") return "ports";
    if (key == "dstport") return "destination ports";
    if (key == "srcport") return "source ports";
    if (key == "proto") return "protocols";
    if (key == "app") return "applications";
    if (key == "sni") return "SNIs";
    if (key == "http_host") return "HTTP hosts";
    return key;
}

std::string pct(uint64_t part, uint64_t total) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f",
                  total ? 100.0 * static_cast<double>(part) / static_cast<double>(total) : 0.0);
    return buf;
}

// (now - before) / before in percent, one decimal; "" when before is zero.
std::string change(uint64_t now, uint64_t before) {
    if (before == 0) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f",
                  (static_cast<double>(now) - static_cast<double>(before)) * 100.0 /
                      static_cast<double>(before));
    return buf;
}

Cell num(uint64_t v) {
    return {std::to_string(v), true};
}
Cell numtext(std::string s) {
    return {std::move(s), true};
}

uint64_t metric(const AggValue& v, StatOrder o) {
    switch (o) {
        case StatOrder::kPackets:
            return v.packets;
        case StatOrder::kBytes:
            return v.bytes;
        default:
            return v.flows;
    }
}

std::string range_text(const TimeRange& r) {
    if (r.from == 0 && r.to == UINT64_MAX) return "all flows of the input";
    const std::string from = r.from ? time_string(r.from, TimeDigits::kSeconds) : "the beginning";
    const std::string to = r.to != UINT64_MAX ? time_string(r.to, TimeDigits::kSeconds) : "the end";
    return from + " to " + to;
}

// Group g of table a in table b (same key spec), by key: words for numbers and addresses, the
// text for strings (each table numbers its strings itself). Linear in b; used for the few
// rows of a Top-N table.
std::vector<int64_t> find_groups(const AggTable& a, const std::vector<uint32_t>& groups,
                                 const AggTable& b) {
    std::vector<int64_t> found(groups.size(), -1);
    const auto& parts = a.spec().parts;
    auto same = [&](uint32_t ga, uint32_t gb) {
        const uint64_t* ka = a.key(ga);
        const uint64_t* kb = b.key(gb);
        unsigned w = 0;
        for (const auto& p : parts) {
            const bool str = field_info(p.field).storage == Storage::Str;
            const unsigned n = field_info(p.field).storage == Storage::Addr ? 2 : 1;
            if (str) {
                if (a.key_string(ka[w]) != b.key_string(kb[w])) return false;
            } else {
                for (unsigned k = 0; k < n; ++k)
                    if (ka[w + k] != kb[w + k]) return false;
            }
            w += n;
        }
        return true;
    };
    for (uint32_t gb : b.groups()) {
        for (size_t i = 0; i < groups.size(); ++i) {
            if (found[i] < 0 && same(groups[i], gb)) found[i] = gb;
        }
    }
    return found;
}

std::string key_of(const AggTable& t, uint32_t g) {
    std::string k;
    for (size_t p = 0; p < t.spec().parts.size(); ++p) k += (p ? "," : "") + t.key_text(g, p);
    return k;
}

Table top_table(const TopSpec& spec, const AggTable& t, const AggTable* prev, size_t n) {
    Table tab;
    const std::string order(stat_order_name(spec.order));
    tab.id = "top-" + spec.key + "-" + order;
    const auto groups = t.top(spec.order, n);
    tab.title = "Top " + std::to_string(n) + " " + key_title(spec.key) + " by " + order;
    tab.columns = {"rank",    spec.key,    "flows", "flows %",
                   "packets", "packets %", "bytes", "bytes %"};
    std::vector<int64_t> before;
    if (prev) {
        tab.columns.push_back(order + " previous");
        tab.columns.push_back(order + " change %");
        before = find_groups(t, groups, *prev);
    }
    for (size_t r = 0; r < groups.size(); ++r) {
        const AggValue& v = t.value(groups[r]);
        std::vector<Cell> row{num(r + 1),     {key_of(t, groups[r]), false},
                              num(v.flows),   numtext(pct(v.flows, t.total_flows)),
                              num(v.packets), numtext(pct(v.packets, t.total_packets)),
                              num(v.bytes),   numtext(pct(v.bytes, t.total_bytes))};
        if (prev) {
            const uint64_t was =
                before[r] >= 0 ? metric(prev->value(static_cast<uint32_t>(before[r])), spec.order)
                               : 0;
            row.push_back(num(was));
            row.push_back(numtext(change(metric(v, spec.order), was)));
        }
        tab.rows.push_back(std::move(row));
    }
    if (groups.empty()) tab.note = "no flows with a value";
    return tab;
}

// Rows of a over rows of b, side by side: a's Top-N, then b's Top-N rows a has not.
Table compare_table(const TopSpec& spec, const AggTable& a, const AggTable& b, size_t n,
                    const std::string& la, const std::string& lb) {
    Table tab;
    const std::string order(stat_order_name(spec.order));
    tab.id = "compare-" + spec.key + "-" + order;
    tab.title = "Top " + std::to_string(n) + " " + key_title(spec.key) + " by " + order + ", " +
                la + " against " + lb;
    tab.columns = {spec.key};
    for (const char* m : {"flows", "packets", "bytes"}) {
        tab.columns.push_back(std::string(m) + " " + la);
        tab.columns.push_back(std::string(m) + " " + lb);
        tab.columns.push_back(std::string(m) + " change %");
    }
    const auto ga = a.top(spec.order, n);
    const auto gb = b.top(spec.order, n);
    const auto a_in_b = find_groups(a, ga, b);
    const auto b_in_a = find_groups(b, gb, a);
    auto row = [&](const std::string& key, const AggValue* va, const AggValue* vb) {
        std::vector<Cell> r{{key, false}};
        const AggValue zero{0, 0, 0, 0, 0};
        if (!va) va = &zero;
        if (!vb) vb = &zero;
        for (StatOrder m : {StatOrder::kFlows, StatOrder::kPackets, StatOrder::kBytes}) {
            r.push_back(num(metric(*va, m)));
            r.push_back(num(metric(*vb, m)));
            r.push_back(numtext(change(metric(*va, m), metric(*vb, m))));
        }
        tab.rows.push_back(std::move(r));
    };
    for (size_t i = 0; i < ga.size(); ++i) {
        row(key_of(a, ga[i]), &a.value(ga[i]),
            a_in_b[i] >= 0 ? &b.value(static_cast<uint32_t>(a_in_b[i])) : nullptr);
    }
    for (size_t i = 0; i < gb.size(); ++i) {
        if (b_in_a[i] >= 0) {
            const auto it = std::find(ga.begin(), ga.end(), static_cast<uint32_t>(b_in_a[i]));
            if (it != ga.end()) continue;
            row(key_of(b, gb[i]), &a.value(static_cast<uint32_t>(b_in_a[i])), &b.value(gb[i]));
        } else {
            row(key_of(b, gb[i]), nullptr, &b.value(gb[i]));
        }
    }
    if (tab.rows.empty()) tab.note = "no flows with a value";
    return tab;
}

Table totals_table(const Summary& s, const Summary* prev) {
    Table t;
    t.id = "totals";
    t.title = "Totals";
    t.columns = {"class", "flows", "packets", "bytes"};
    if (prev) {
        for (const char* m : {"flows", "packets", "bytes"})
            t.columns.push_back(std::string(m) + " previous");
        for (const char* m : {"flows", "packets", "bytes"})
            t.columns.push_back(std::string(m) + " change %");
    }
    const std::pair<const char*, const Totals Summary::*> classes[] = {{"all", &Summary::all},
                                                                       {"tcp", &Summary::tcp},
                                                                       {"udp", &Summary::udp},
                                                                       {"icmp", &Summary::icmp},
                                                                       {"other", &Summary::other}};
    for (const auto& [name, member] : classes) {
        const Totals& v = s.*member;
        std::vector<Cell> row{{name, false}, num(v.flows), num(v.packets), num(v.bytes)};
        if (prev) {
            const Totals& p = prev->*member;
            row.push_back(num(p.flows));
            row.push_back(num(p.packets));
            row.push_back(num(p.bytes));
            row.push_back(numtext(change(v.flows, p.flows)));
            row.push_back(numtext(change(v.packets, p.packets)));
            row.push_back(numtext(change(v.bytes, p.bytes)));
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

Table chart_table(const Chart& c) {
    Table t;
    t.id = c.id;
    t.title = c.title;
    t.columns.push_back("bin start");
    for (const auto& s : c.series) t.columns.push_back(s);
    t.columns.push_back("total");
    for (size_t k = 0; k < c.bins(); ++k) {
        std::vector<Cell> row{{time_string(c.start + k * c.bin, TimeDigits::kSeconds), false}};
        uint64_t sum = 0;
        for (const auto& v : c.values) {
            row.push_back(num(v[k]));
            sum += v[k];
        }
        row.push_back(num(sum));
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string bin_text(uint64_t bin) {
    const uint64_t s = bin / kMicrosPerSecond;
    if (s % 86400 == 0) return std::to_string(s / 86400) + " d";
    if (s % 3600 == 0) return std::to_string(s / 3600) + " h";
    if (s % 60 == 0) return std::to_string(s / 60) + " min";
    return std::to_string(s) + " s";
}

// One pass over `input` feeding the periods' collectors (rows starting in a period go to it).
PassResult run_pass(const ReportOptions& o, const InputSpec& spec, const Filter& filter,
                    std::vector<Period*> periods, bool charts, FieldId stack) {
    InputSpec in = spec;
    in.from = UINT64_MAX;
    in.to = 0;
    for (const Period* p : periods) {
        in.from = std::min(in.from, p->range.from);
        in.to = std::max(in.to, p->range.to);
    }
    FlowInput input(in);
    struct Nothing {};
    std::vector<std::vector<uint8_t>> masks(o.threads), sub(o.threads);
    auto work = [&](FlowBlock& b, unsigned w, Nothing&) {
        auto& mask = masks[w];
        auto& m = sub[w];
        mask.resize(b.size());
        m.resize(b.size());
        filter.eval(b, mask.data());
        b.ensure(FieldId::start);
        const auto& start = column<FieldId::start>(b);
        bool first = true;
        for (Period* p : periods) {
            Collector& c = p->workers[w];
            if (first) c.rows += b.size();
            first = false;
            bool any = false;
            for (size_t i = 0; i < b.size(); ++i) {
                m[i] = mask[i] && start[i] >= p->range.from && start[i] < p->range.to;
                any |= m[i];
            }
            if (!any) continue;
            c.summary.add(b, m.data());
            for (auto& t : c.tables) t.add(b, m.data());
            if (charts && c.series) c.series->add(b, m.data(), stack);
        }
    };
    run_blocks<Nothing>(input, o.threads, work, [](Nothing&) { return true; });
    for (Period* p : periods) {
        for (size_t w = 1; w < p->workers.size(); ++w) p->workers[0].merge(p->workers[w]);
    }
    return {input.files_opened(), input.blocks_read(), input.blocks_skipped(),
            input.paths().size()};
}

}  // namespace

ReportKind parse_report_kind(std::string_view text) {
    if (text == "top") return ReportKind::kTop;
    if (text == "chart") return ReportKind::kChart;
    if (text == "summary") return ReportKind::kSummary;
    if (text == "compare") return ReportKind::kCompare;
    if (text == "sampling") return ReportKind::kSampling;
    throw UsageError("unknown report '" + std::string(text) +
                     "' (top, chart, summary, compare, sampling)");
}

std::vector<TopSpec> default_tops() {
    return {{"ip", StatOrder::kBytes},    {"ip", StatOrder::kFlows},
            {"ip", StatOrder::kPackets},  {"port", StatOrder::kBytes},
            {"proto", StatOrder::kBytes}, {"app", StatOrder::kBytes},
            {"sni", StatOrder::kBytes},   {"http_host", StatOrder::kBytes}};
}

Report build_report(const ReportOptions& o) {
    if (o.kind == ReportKind::kSampling)
        throw UsageError("a sampling report reads flowsample --evaluate's rows, not flows");

    const Filter filter = Filter::compile(o.filter);
    const bool want_tops = o.kind != ReportKind::kChart;
    const bool want_charts = o.kind == ReportKind::kChart || o.kind == ReportKind::kSummary;
    const bool bounded = o.period.from != 0 && o.period.to != UINT64_MAX;
    const bool two =
        (o.kind == ReportKind::kSummary && o.previous && bounded) || o.kind == ReportKind::kCompare;
    if (o.kind == ReportKind::kCompare && !o.other_inputs && o.shift == 0) {
        throw UsageError("compare needs a second data set: --with FILE|DIR and/or --shift SPAN");
    }
    if (o.kind == ReportKind::kCompare && o.shift && !bounded) {
        throw UsageError("compare --shift needs a period (--last, --period or --from/--to)");
    }
    const FieldId stack = o.stack == "app" ? FieldId::app : FieldId::proto;
    if (o.stack != "app" && o.stack != "proto")
        throw UsageError("--stack: 'proto' or 'app', not '" + o.stack + "'");

    std::vector<TopSpec> tops = o.tops.empty() ? default_tops() : o.tops;
    if (!want_tops) tops.clear();
    // One table per distinct key: ip by bytes, flows and packets share one.
    std::vector<std::string> keys;
    std::vector<size_t> table_of;
    for (const auto& t : tops) {
        auto it = std::find(keys.begin(), keys.end(), t.key);
        if (it == keys.end()) {
            KeySpec::parse(t.key, true);  // UsageError for an unknown key, before reading
            keys.push_back(t.key);
            it = keys.end() - 1;
        }
        table_of.push_back(static_cast<size_t>(it - keys.begin()));
    }
    uint64_t bin = o.bin;
    if (bin == 0) {
        bin = bounded && o.period.to - o.period.from > 3 * 86400 * kMicrosPerSecond ? 60 * kMinute
                                                                                    : 5 * kMinute;
        // A long period: wider bins (the same widths the chart would coarsen to).
        while (bounded && (o.period.to - o.period.from / bin * bin) / bin > kMaxBins) bin *= 2;
    } else if (bounded && want_charts && (o.period.to - o.period.from) / bin > kMaxBins) {
        throw UsageError("--bin " + bin_text(bin) + " over " + range_text(o.period) +
                         " would make more than " + std::to_string(kMaxBins) +
                         " bins; give a wider one");
    }

    const unsigned threads = std::max(1u, o.threads);
    auto make_period = [&](TimeRange r, bool charts) {
        auto p = std::make_unique<Period>();
        p->range = r;
        for (unsigned w = 0; w < threads; ++w) {
            Collector c;
            for (const auto& k : keys) c.tables.emplace_back(KeySpec::parse(k, true));
            if (charts) c.series = std::make_unique<Series>(r.from / bin * bin, bin);
            p->workers.push_back(std::move(c));
        }
        return p;
    };
    ReportOptions opt = o;
    opt.threads = threads;
    auto cur = make_period(o.period, want_charts);
    std::unique_ptr<Period> other;
    TimeRange other_range = o.period;
    if (o.kind == ReportKind::kSummary && two) other_range = previous_period(o.period);
    if (o.kind == ReportKind::kCompare && o.shift) {
        other_range = {o.period.from - std::min(o.period.from, o.shift), o.period.to - o.shift};
    }
    if (two) other = make_period(other_range, false);

    PassResult pass, pass_b;
    if (two && o.kind == ReportKind::kCompare && o.other_inputs) {
        pass = run_pass(opt, o.input, filter, {cur.get()}, want_charts, stack);
        pass_b = run_pass(opt, o.other_input, filter, {other.get()}, false, stack);
    } else if (two) {
        pass = run_pass(opt, o.input, filter, {cur.get(), other.get()}, want_charts, stack);
    } else {
        pass = run_pass(opt, o.input, filter, {cur.get()}, want_charts, stack);
    }
    for (const PassResult* x : {&pass, &pass_b}) {
        if (x->blocks_read == 0 && x->blocks_skipped > 0) {
            throw DataError(std::string("no block of the ") +
                            (x == &pass_b ? "--with inputs" : "inputs") + " could be read (" +
                            std::to_string(x->blocks_skipped) + " skipped): nothing to report");
        }
    }
    Collector& c = cur->workers[0];
    Collector* p = other ? &other->workers[0] : nullptr;

    Report r;
    r.empty = c.summary.empty();
    static const char* kKinds[] = {"Top-N report", "Traffic chart", "Traffic summary",
                                   "Comparison"};
    r.title = std::string(kKinds[static_cast<int>(o.kind)]);
    if (!o.profile.empty()) r.title += ", profile " + o.profile;
    if (!o.period_label.empty()) r.title += ", " + o.period_label;
    r.meta.emplace_back("period", range_text(o.period));
    if (o.kind == ReportKind::kSummary && p)
        r.meta.emplace_back("previous period", range_text(other_range));
    if (o.kind == ReportKind::kCompare) {
        r.meta.emplace_back("data set " + o.label_a, "the inputs, " + range_text(o.period));
        r.meta.emplace_back("data set " + o.label_b,
                            std::string(o.other_inputs ? "--with inputs" : "the inputs") + ", " +
                                range_text(other_range));
    }
    r.meta.emplace_back("profile", o.profile.empty() ? "(none)" : o.profile);
    r.meta.emplace_back("filter", o.filter.empty() ? "(all flows)" : o.filter);
    const uint64_t opened = pass.files + pass_b.files, listed = pass.paths + pass_b.paths;
    r.meta.emplace_back(
        "input files",
        std::to_string(opened) +
            (listed > opened ? " (" + std::to_string(listed - opened) + " more could not be read)"
                             : ""));
    r.meta.emplace_back("flows read", std::to_string(c.rows + (p && o.other_inputs ? p->rows : 0)));
    r.meta.emplace_back("flows reported", std::to_string(c.summary.all.flows));
    r.meta.emplace_back("blocks skipped (unreadable)",
                        std::to_string(pass.blocks_skipped + pass_b.blocks_skipped));
    if (!c.summary.empty()) {
        r.meta.emplace_back("first flow", time_string(c.summary.first, TimeDigits::kSeconds));
        r.meta.emplace_back("last flow end", time_string(c.summary.last, TimeDigits::kSeconds));
    }
    if (!o.command.empty()) r.meta.emplace_back("command", o.command);

    if (o.kind == ReportKind::kSummary || o.kind == ReportKind::kCompare) {
        Table t = totals_table(c.summary, p ? &p->summary : nullptr);
        if (o.kind == ReportKind::kCompare) {
            t.title = "Totals, " + o.label_a + " against " + o.label_b;
            for (size_t i = 1; i <= 3; ++i) t.columns[i] += " " + o.label_a;
            for (auto& col : t.columns) {
                if (col.ends_with(" previous"))
                    col = col.substr(0, col.size() - 9) + " " + o.label_b;
            }
        }
        if (c.summary.empty()) t.note = "no flows in this period";
        r.tables.push_back(std::move(t));
    }
    if (want_charts && c.series) {
        // The series may have coarsened its bins (a span past kMaxBins).
        bin = c.series->bin();
        uint64_t first = c.series->lo(), count = c.series->hi() - c.series->lo();
        if (bounded) {
            first = 0;
            count = (o.period.to - c.series->origin() + bin - 1) / bin;
        } else if (c.series->empty()) {
            count = 0;
        }
        for (const char* m : {"bytes", "packets", "flows"}) {
            Chart ch = c.series->chart(m, first, count, stack == FieldId::app);
            ch.id = std::string("chart-") + m;
            ch.title = std::string(1, static_cast<char>(m[0] - 32)) + (m + 1) + " per " +
                       bin_text(bin) + " by " +
                       (stack == FieldId::app ? "application" : "protocol");
            r.chart_tables.push_back(chart_table(ch));
            r.charts.push_back(std::move(ch));
        }
    }
    for (size_t i = 0; i < tops.size(); ++i) {
        const AggTable& t = c.tables[table_of[i]];
        if (o.kind == ReportKind::kCompare) {
            r.tables.push_back(
                compare_table(tops[i], t, p->tables[table_of[i]], o.top_n, o.label_a, o.label_b));
        } else {
            r.tables.push_back(
                top_table(tops[i], t, p ? &p->tables[table_of[i]] : nullptr, o.top_n));
        }
    }
    return r;
}

}  // namespace fk
