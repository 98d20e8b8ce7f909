#include "sample/evaluate.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <unordered_map>

#include "common/error.h"
#include "common/time.h"
#include "filter/filter.h"
#include "sample/run.h"

namespace fk {

namespace {

// The evaluated flows, column by column (only what the metrics need).
struct EvalData {
    std::vector<uint64_t> packets, bytes;
    std::vector<uint32_t> sampling, src, dst, bin;  // src/dst: host ids; bin: time-bin ids
    std::vector<IpAddr> src_addr, dst_addr;
    std::vector<uint16_t> sport, dport;
    std::vector<uint8_t> proto, event;
    size_t hosts = 0, bins = 0;
    size_t size() const { return bytes.size(); }
};

EvalData load(const EvalOptions& o) {
    const Filter filter = Filter::compile(o.filter);
    const bool has_event = !o.event.empty();
    const Filter event = Filter::compile(o.event);
    if (o.bin_seconds == 0) throw UsageError("--bin must be at least 1 second");
    FlowInput input(o.input);
    EvalData d;
    std::unordered_map<IpAddr, uint32_t, IpAddrHash> host_ids;
    std::unordered_map<uint64_t, uint32_t> bin_ids;
    std::vector<uint8_t> mask, ev;
    FlowBlock b;
    const uint64_t bin_us = o.bin_seconds * kMicrosPerSecond;
    auto host = [&](const IpAddr& a) {
        return host_ids.try_emplace(a, static_cast<uint32_t>(host_ids.size())).first->second;
    };
    while (input.next(b)) {
        mask.resize(b.size());
        ev.assign(b.size(), 0);
        filter.eval(b, mask.data());
        if (has_event) event.eval(b, ev.data());
        for (FieldId f :
             {FieldId::packets, FieldId::bytes, FieldId::sampling, FieldId::start, FieldId::src,
              FieldId::dst, FieldId::sport, FieldId::dport, FieldId::proto}) {
            b.ensure(f);
        }
        for (size_t i = 0; i < b.size(); ++i) {
            if (!mask[i]) continue;
            d.packets.push_back(b.packets[i]);
            d.bytes.push_back(b.bytes[i]);
            d.sampling.push_back(b.sampling[i]);
            d.src.push_back(host(b.src[i]));
            d.dst.push_back(host(b.dst[i]));
            d.src_addr.push_back(b.src[i]);
            d.dst_addr.push_back(b.dst[i]);
            d.sport.push_back(b.sport[i]);
            d.dport.push_back(b.dport[i]);
            d.proto.push_back(b.proto[i]);
            d.event.push_back(ev[i]);
            d.bin.push_back(
                bin_ids.try_emplace(b.start[i] / bin_us, static_cast<uint32_t>(bin_ids.size()))
                    .first->second);
        }
    }
    d.hosts = host_ids.size();
    d.bins = bin_ids.size();
    return d;
}

// The n largest entries of v (descending, ties by id), as ids.
std::vector<uint32_t> top_ids(const std::vector<double>& v, size_t n) {
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < v.size(); ++i)
        if (v[i] > 0) ids.push_back(i);
    auto better = [&](uint32_t a, uint32_t b) { return v[a] != v[b] ? v[a] > v[b] : a < b; };
    if (ids.size() > n) {
        std::nth_element(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(n), ids.end(), better);
        ids.resize(n);
    }
    std::sort(ids.begin(), ids.end(), better);
    return ids;
}

double rel_err(double est, double truth) {
    return truth > 0 ? std::fabs(est - truth) / truth : (est > 0 ? 1.0 : 0.0);
}

}  // namespace

EvalFormat parse_eval_format(const std::string& text) {
    if (text.empty() || text == "text" || text == "line") return EvalFormat::kText;
    if (text == "csv") return EvalFormat::kCsv;
    if (text == "json") return EvalFormat::kJson;
    throw UsageError("-o: the evaluation prints as text, csv or json, not '" + text + "'");
}

EvalReport evaluate(const EvalOptions& o) {
    if (o.runs == 0) throw UsageError("--runs must be at least 1");
    if (o.top_n == 0) throw UsageError("--top must be at least 1");
    for (uint64_t r : o.rates)
        if (r == 0) throw UsageError("--rates: a rate must be at least 1");
    const EvalData d = load(o);
    const size_t n = d.size();
    const bool has_event = !o.event.empty();
    EvalReport rep;
    rep.bins = d.bins;

    // The truth.
    std::vector<double> bin_true(d.bins, 0), host_true(d.hosts, 0);
    std::vector<uint8_t> ev_src_true(d.hosts, 0), ev_dst_true(d.hosts, 0);
    for (size_t i = 0; i < n; ++i) {
        rep.packets += d.packets[i];
        rep.bytes += d.bytes[i];
        const double x = static_cast<double>(d.bytes[i]);
        bin_true[d.bin[i]] += x;
        host_true[d.src[i]] += x;
        host_true[d.dst[i]] += x;
        if (d.event[i]) {
            ++rep.event_flows;
            ev_src_true[d.src[i]] = ev_dst_true[d.dst[i]] = 1;
        }
    }
    rep.flows = n;
    const auto ev_srcs = std::count(ev_src_true.begin(), ev_src_true.end(), 1);
    const auto ev_dsts = std::count(ev_dst_true.begin(), ev_dst_true.end(), 1);
    const std::vector<uint32_t> top_true = top_ids(host_true, o.top_n);
    std::vector<uint32_t> rank_est(d.hosts, 0);  // 1-based rank in the estimate's Top-N

    const size_t fit_n = std::min(n, kSmartFitFlows);
    const std::span<const uint64_t> fit_bytes(d.bytes.data(), fit_n);
    constexpr size_t kChunk = 65536;
    std::vector<uint64_t> hashes;
    std::vector<double> bin_est(d.bins), host_est(d.hosts);
    std::vector<uint8_t> ev_src(d.hosts), ev_dst(d.hosts);
    SampleResult res;

    const size_t configs = o.modes.size() * o.rates.size();
    size_t done = 0;
    for (SampleMode mode : o.modes) {
        for (uint64_t rate : o.rates) {
            if (o.progress) o.progress(done++, configs, mode, rate);
            double m_bytes = 0, m_packets = 0, m_flows = 0, m_bin = 0, m_bin_max = 0;
            double m_overlap = 0, m_rank = 0, m_ev = 0, m_ev_src = 0, m_ev_dst = 0;
            for (unsigned run = 0; run < o.runs; ++run) {
                SampleConfig c{mode, rate, o.seed + run, o.threshold};
                if (mode == SampleMode::kSmart && c.threshold == 0)
                    c.threshold = smart_threshold(fit_bytes, rate);
                Sampler sampler(c);
                if (mode == SampleMode::kHash) {
                    hashes.resize(n);
                    for (size_t i = 0; i < n; ++i) {
                        hashes[i] = flow_key_hash(d.src_addr[i], d.dst_addr[i], d.sport[i],
                                                  d.dport[i], d.proto[i], c.seed);
                    }
                }
                std::fill(bin_est.begin(), bin_est.end(), 0.0);
                std::fill(host_est.begin(), host_est.end(), 0.0);
                std::fill(ev_src.begin(), ev_src.end(), 0);
                std::fill(ev_dst.begin(), ev_dst.end(), 0);
                double e_bytes = 0, e_packets = 0, e_flows = 0;
                uint64_t ev_kept = 0;
                for (size_t base = 0; base < n; base += kChunk) {
                    SampleInput in;
                    in.n = std::min(kChunk, n - base);
                    in.packets = d.packets.data() + base;
                    in.bytes = d.bytes.data() + base;
                    in.sampling = d.sampling.data() + base;
                    in.key_hash = mode == SampleMode::kHash ? hashes.data() + base : nullptr;
                    sampler.sample(in, res);
                    for (size_t j = 0; j < res.size(); ++j) {
                        const size_t i = base + res.rows[j];
                        const double x = static_cast<double>(res.bytes[j]);
                        e_bytes += x;
                        e_packets += static_cast<double>(res.packets[j]);
                        e_flows += res.weight[j];
                        bin_est[d.bin[i]] += x;
                        host_est[d.src[i]] += x;
                        host_est[d.dst[i]] += x;
                        if (d.event[i]) {
                            ++ev_kept;
                            ev_src[d.src[i]] = ev_dst[d.dst[i]] = 1;
                        }
                    }
                }
                m_bytes += rel_err(e_bytes, static_cast<double>(rep.bytes));
                m_packets += rel_err(e_packets, static_cast<double>(rep.packets));
                m_flows += rel_err(e_flows, static_cast<double>(n));
                double bin_sum = 0, bin_max = 0;
                size_t bins_used = 0;
                for (size_t k = 0; k < d.bins; ++k) {
                    if (bin_true[k] <= 0) continue;
                    const double e = rel_err(bin_est[k], bin_true[k]);
                    bin_sum += e;
                    bin_max = std::max(bin_max, e);
                    ++bins_used;
                }
                m_bin += bins_used ? bin_sum / static_cast<double>(bins_used) : 0;
                m_bin_max += bin_max;
                const std::vector<uint32_t> top = top_ids(host_est, o.top_n);
                for (size_t r = 0; r < top.size(); ++r)
                    rank_est[top[r]] = static_cast<uint32_t>(r + 1);
                size_t found = 0;
                double rank_sum = 0;
                for (size_t r = 0; r < top_true.size(); ++r) {
                    const uint32_t h = top_true[r];
                    const double re = rank_est[h] ? rank_est[h] : static_cast<double>(o.top_n + 1);
                    if (rank_est[h]) ++found;
                    rank_sum += std::fabs(re - static_cast<double>(r + 1));
                }
                for (uint32_t h : top) rank_est[h] = 0;
                if (!top_true.empty()) {
                    m_overlap += static_cast<double>(found) / static_cast<double>(top_true.size());
                    m_rank += rank_sum / static_cast<double>(top_true.size());
                } else {
                    m_overlap += 1;
                }
                if (has_event && rep.event_flows) {
                    m_ev += static_cast<double>(ev_kept) / static_cast<double>(rep.event_flows);
                    m_ev_src += static_cast<double>(std::count(ev_src.begin(), ev_src.end(), 1)) /
                                static_cast<double>(ev_srcs);
                    m_ev_dst += static_cast<double>(std::count(ev_dst.begin(), ev_dst.end(), 1)) /
                                static_cast<double>(ev_dsts);
                }
            }
            const double runs = o.runs;
            auto add = [&](const char* name, double sum) {
                rep.metrics.push_back({mode, rate, name, sum / runs});
            };
            add("bytes_err", m_bytes);
            add("packets_err", m_packets);
            add("flows_err", m_flows);
            add("bin_bytes_err", m_bin);
            add("bin_bytes_max", m_bin_max);
            add("top_overlap", m_overlap);
            add("top_rank_err", m_rank);
            if (has_event && rep.event_flows) {
                add("event_flows", m_ev);
                add("event_srcs", m_ev_src);
                add("event_dsts", m_ev_dst);
            }
        }
    }
    return rep;
}

std::string format_eval(const EvalReport& r, EvalFormat f) {
    std::string out;
    char buf[256];
    auto num = [&](double v) {
        std::snprintf(buf, sizeof buf, "%.6g", v);
        return std::string(buf);
    };
    if (f == EvalFormat::kCsv) {
        out = "mode,rate,metric,value\n";
        for (const auto& m : r.metrics) {
            out += std::string(sample_mode_name(m.mode)) + "," + std::to_string(m.rate) + "," +
                   m.metric + "," + num(m.value) + "\n";
        }
        return out;
    }
    if (f == EvalFormat::kJson) {
        for (const auto& m : r.metrics) {
            out += "{\"mode\":\"" + std::string(sample_mode_name(m.mode)) +
                   "\",\"rate\":" + std::to_string(m.rate) + ",\"metric\":\"" + m.metric +
                   "\",\"value\":" + num(m.value) + "}\n";
        }
        return out;
    }
    std::snprintf(buf, sizeof buf,
                  "truth: %llu flows, %llu packets, %llu bytes, %llu time bins, %llu event "
                  "flows\n",
                  static_cast<unsigned long long>(r.flows),
                  static_cast<unsigned long long>(r.packets),
                  static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.bins),
                  static_cast<unsigned long long>(r.event_flows));
    out += buf;
    // One line per mode and rate, one column per metric (in the order they were produced).
    std::vector<std::string> names;
    for (const auto& m : r.metrics) {
        if (std::find(names.begin(), names.end(), m.metric) != names.end()) break;
        names.push_back(m.metric);
    }
    std::snprintf(buf, sizeof buf, "%-7s %6s", "mode", "rate");
    out += buf;
    for (const auto& n : names) {
        std::snprintf(buf, sizeof buf, " %13s", n.c_str());
        out += buf;
    }
    out += "\n";
    for (size_t i = 0; i < r.metrics.size(); i += names.size()) {
        std::snprintf(buf, sizeof buf, "%-7s %6llu",
                      std::string(sample_mode_name(r.metrics[i].mode)).c_str(),
                      static_cast<unsigned long long>(r.metrics[i].rate));
        out += buf;
        for (size_t k = 0; k < names.size() && i + k < r.metrics.size(); ++k) {
            std::snprintf(buf, sizeof buf, " %13.4f", r.metrics[i + k].value);
            out += buf;
        }
        out += "\n";
    }
    return out;
}

namespace {

SampleMode mode_at(std::string_view name, const std::string& where) {
    for (SampleMode m :
         {SampleMode::kFlow, SampleMode::kPacket, SampleMode::kSmart, SampleMode::kHash}) {
        if (sample_mode_name(m) == name) return m;
    }
    throw DataError(where + ": unknown sampling mode '" + std::string(name) + "'");
}

template <class T>
bool parse_number(std::string_view s, T& v) {
    return !s.empty() &&
           std::from_chars(s.data(), s.data() + s.size(), v).ptr == s.data() + s.size();
}

}  // namespace

EvalReport parse_eval(std::string_view text, const std::string& source) {
    EvalReport r;
    simdjson::ondemand::parser parser;
    size_t line_no = 0;
    bool header = false;
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        const std::string where = source + ":" + std::to_string(line_no);
        EvalMetric m{};
        if (line.front() == '{') {
            simdjson::padded_string padded(line);
            simdjson::ondemand::document doc;
            std::string_view mode, metric;
            if (parser.iterate(padded).get(doc) || doc["mode"].get_string().get(mode) ||
                doc["rate"].get_uint64().get(m.rate) || doc["metric"].get_string().get(metric) ||
                doc["value"].get_double().get(m.value))
                throw DataError(where + ": not a row of flowsample --evaluate -o json");
            m.mode = mode_at(mode, where);
            m.metric = metric;
        } else if (line == "mode,rate,metric,value") {
            header = true;
            continue;
        } else {
            std::vector<std::string_view> cells;
            for (size_t from = 0;;) {
                const size_t comma = line.find(',', from);
                cells.push_back(line.substr(from, comma - from));
                if (comma == std::string_view::npos) break;
                from = comma + 1;
            }
            if (!header || cells.size() != 4 || !parse_number(cells[1], m.rate) ||
                !parse_number(cells[3], m.value))
                throw DataError(
                    where + ": not a row of flowsample --evaluate -o csv (mode,rate,metric,value)");
            m.mode = mode_at(cells[0], where);
            m.metric = cells[2];
        }
        r.metrics.push_back(std::move(m));
    }
    if (r.metrics.empty())
        throw DataError(source + ": no flowsample --evaluate rows (made with -o csv or -o json?)");
    return r;
}

}  // namespace fk
