#include "query/query.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <numeric>

#include "common/error.h"
#include "common/io.h"
#include "common/saturate.h"
#include "common/time.h"
#include "filter/filter.h"
#include "format/summary.h"
#include "format/writer.h"
#include "formats/clickhouse.h"
#include "output/printer.h"
#include "query/pipeline.h"
#include "record/print.h"
#include "stats/stat_output.h"

namespace fk {

namespace {

enum class Mode { kText, kFlows, kSummary, kStats, kAggregate };

struct StatRequest {
    KeySpec key;
    std::vector<StatOrder> orders;
};

StatRequest parse_stat(const std::string& text) {
    // KEY[/N]/ORDER/ORDER...: the key parser takes its own /N; what is left are orders.
    std::vector<std::string> segs;
    size_t p = 0;
    for (;;) {
        const size_t k = text.find('/', p);
        segs.push_back(text.substr(p, k == std::string::npos ? std::string::npos : k - p));
        if (k == std::string::npos) break;
        p = k + 1;
    }
    std::string key = segs[0];
    size_t i = 1;
    const char last = key.empty() ? '\0' : key.back();
    if ((last == '4' || last == '6') && segs.size() > 1) key += "/" + segs[i++];
    StatRequest r{KeySpec::parse(key, true), {}};
    for (; i < segs.size(); ++i) r.orders.push_back(parse_stat_order(segs[i]));
    if (r.orders.empty()) r.orders.push_back(StatOrder::kFlows);
    return r;
}

// What one block produced, handed to the consumer in input order.
struct BlockOut {
    std::string text;
    FlowBlock selected;  // matching rows, for flow output and sorting
    Summary matched;
    uint64_t rows = 0;
};

// Orders for sorting plain records with -O.
bool record_less(StatOrder o, const FlowBlock& b, uint32_t x, uint32_t y) {
    auto value = [&](uint32_t i) -> double {
        AggValue v;
        v.flows = 1;
        v.packets = column<FieldId::packets>(b)[i];
        v.bytes = column<FieldId::bytes>(b)[i];
        v.first = column<FieldId::start>(b)[i];
        v.last = column<FieldId::end>(b)[i];
        return v.order_value(o);
    };
    const double a = value(x), c = value(y);
    if (a != c) return (o == StatOrder::kTstart || o == StatOrder::kTend) ? a < c : a > c;
    return x < y;
}

std::string summary_footer(const Summary& m, const FlowInput& in, uint64_t processed, bool raw) {
    char buf[64];
    auto num = [&](uint64_t v) { return std::string(buf, format_count(buf, v, !raw)); };
    const double secs =
        m.last > m.first && !m.empty() ? static_cast<double>(m.last - m.first) / 1e6 : 0;
    // In double: bytes * 8 wraps in 64 bits for counters past 2^61.
    const uint64_t bps = secs > 0 ? sat_whole(static_cast<double>(m.all.bytes) * 8 / secs) : 0;
    const uint64_t pps = secs > 0 ? sat_whole(static_cast<double>(m.all.packets) / secs) : 0;
    const uint64_t bpp = m.all.packets ? m.all.bytes / m.all.packets : 0;
    std::string s = "Summary: total flows: " + std::to_string(m.all.flows) +
                    ", total bytes: " + num(m.all.bytes) +
                    ", total packets: " + num(m.all.packets) + ", avg bps: " + num(bps) +
                    ", avg pps: " + num(pps) + ", avg bpp: " + std::to_string(bpp) + "\n";
    if (!m.empty())
        s += "Time window: " + time_string(m.first) + " - " + time_string(m.last) + "\n";
    s += "Total flows processed: " + std::to_string(in.rows_scanned().value_or(processed)) +
         ", Blocks skipped: " + std::to_string(in.blocks_skipped()) +
         ", Files: " + std::to_string(in.files_opened()) + "\n";
    return s;
}

std::string summary_text(const Summary& s, uint64_t files) {
    std::string out = "Files: " + std::to_string(files) + "\n";
    const std::pair<const char*, const Totals*> classes[] = {
        {"", &s.all}, {"_tcp", &s.tcp}, {"_udp", &s.udp}, {"_icmp", &s.icmp}, {"_other", &s.other}};
    for (const char* what : {"Flows", "Packets", "Bytes"}) {
        for (const auto& [suffix, t] : classes) {
            const uint64_t v = what[0] == 'F' ? t->flows : what[0] == 'P' ? t->packets : t->bytes;
            out += std::string(what) + suffix + ": " + std::to_string(v) + "\n";
        }
    }
    out +=
        "First: " + (s.empty() ? std::string("-") : time_string(s.first, TimeDigits::kLossless)) +
        "\n";
    out += "Last: " + (s.empty() ? std::string("-") : time_string(s.last, TimeDigits::kLossless)) +
           "\n";
    return out;
}

}  // namespace

int verify_inputs(const InputSpec& spec, int out_fd) {
    FlowInput input(spec);
    Output out(out_fd, "<stdout>");
    FlowBlock b;
    Summary total;
    uint64_t blocks = 0;
    const std::string* last_file = nullptr;
    while (input.next(b)) {
        if (b.origin_file() != last_file) {
            out.write("file " + *b.origin_file() + "\n");
            last_file = b.origin_file();
        }
        b.ensure_all();
        total.add(b);
        out.write("block " + std::to_string(blocks++) + " offset " +
                  std::to_string(b.origin_offset()) + " bytes " +
                  std::to_string(b.encoded().size()) + " records " + std::to_string(b.size()) +
                  " first " + time_string(b.t_first()) + " last " + time_string(b.t_last()) + "\n");
    }
    out.write("ok: " + std::to_string(input.files_opened()) + " file(s), " +
              std::to_string(blocks) + " block(s), " + std::to_string(total.all.flows) +
              " flows, " + std::to_string(input.blocks_skipped()) + " block(s) skipped\n");
    out.flush();
    return kExitOk;
}

int run_query(const QueryOptions& o, int out_fd) {
    const Filter filter = Filter::compile(o.filter);
    Mode mode;
    if (!o.write_path.empty())
        mode = Mode::kFlows;
    else if (o.summary)
        mode = Mode::kSummary;
    else if (!o.stats.empty())
        mode = Mode::kStats;
    else if (!o.aggregate.empty() || o.conversations)
        mode = Mode::kAggregate;
    else
        mode = Mode::kText;
    if (mode == Mode::kFlows && o.write_path == "-" && is_terminal(out_fd)) {
        throw UsageError(
            "refusing to write binary flows to a terminal; use -o line for text, "
            "or redirect to a file or a pipe");
    }

    std::vector<StatRequest> stat_requests;
    for (const auto& s : o.stats) stat_requests.push_back(parse_stat(s));
    std::unique_ptr<KeySpec> agg_spec;
    if (mode == Mode::kAggregate) {
        agg_spec = std::make_unique<KeySpec>(o.conversations ? conversation_key()
                                                             : KeySpec::parse(o.aggregate, false));
    }
    const bool sort_records = !o.order.empty() && (mode == Mode::kText || mode == Mode::kFlows);
    const StatOrder order = o.order.empty() ? StatOrder::kFlows : parse_stat_order(o.order);

    TableFormat table_format = TableFormat::kText;
    std::unique_ptr<RecordPrinter> printer;
    if (mode == Mode::kText) {
        printer = std::make_unique<RecordPrinter>(RecordPrinter::create(
            o.format.empty() ? "line" : o.format, PrinterOptions{o.raw_numbers}));
    } else if (mode == Mode::kStats || mode == Mode::kAggregate) {
        if (o.format == "csv")
            table_format = TableFormat::kCsv;
        else if (o.format == "json")
            table_format = TableFormat::kJson;
        else if (!o.format.empty() && o.format != "line" && o.format != "long" &&
                 o.format != "extended") {
            throw UsageError("statistics print as line, csv or json, not '" + o.format + "'");
        }
    }

    // -c needs the exact first N matches in input order: evaluate sequentially.
    const unsigned threads = o.count ? 1 : std::max(1u, o.threads);
    // On ClickHouse the filter runs in the server too: only matching rows travel.
    InputSpec in_spec = o.input;
    if (!in_spec.clickhouse.empty() && !filter.matches_everything())
        in_spec.clickhouse_where = filter.to_sql();
    // Statistics, aggregation and -I are GROUP BYs in the server; only the groups travel (into
    // the same tables and printers).
    const bool server_groups =
        !in_spec.clickhouse.empty() &&
        (mode == Mode::kStats || mode == Mode::kAggregate || mode == Mode::kSummary) &&
        o.count == 0 && o.start_from == 0 && o.start_to == UINT64_MAX && !o.nfdump_window;
    in_spec.clickhouse_count_only = server_groups;
    FlowInput input(in_spec);

    // -I over whole files without a filter reads only the files' indexes, like nfdump -I.
    if (mode == Mode::kSummary && filter.matches_everything() && o.start_from == 0 &&
        o.start_to == UINT64_MAX && !o.nfdump_window) {
        if (auto s = input.index_summaries()) {
            Output out(out_fd, "<stdout>");
            out.write(summary_text(*s, input.paths().size()));
            out.flush();
            return kExitOk;
        }
    }

    // Tables keyed by hash are one for all workers (sharded: worker 0's); the others are one
    // per worker, merged into worker 0's at the end.
    unsigned shards = 1;
    while (shards < 4 * threads) shards *= 2;
    auto table_for = [&](const KeySpec& key, unsigned w) -> std::unique_ptr<AggTable> {
        const bool shared = threads > 1 && AggTable::shardable(key);
        if (shared && w > 0) return nullptr;
        return std::make_unique<AggTable>(key, shared ? shards : 1);
    };
    std::vector<std::vector<std::unique_ptr<AggTable>>> stat_tables(threads);
    std::vector<std::unique_ptr<AggTable>> agg_tables(threads);
    for (unsigned w = 0; w < threads; ++w) {
        for (const auto& r : stat_requests) stat_tables[w].push_back(table_for(r.key, w));
        if (agg_spec) agg_tables[w] = table_for(*agg_spec, w);
    }
    auto table = [](std::unique_ptr<AggTable>& own,
                    std::unique_ptr<AggTable>& shared) -> AggTable& {
        return own ? *own : *shared;
    };
    const bool row_window = o.start_from != 0 || o.start_to != UINT64_MAX || o.nfdump_window;
    uint64_t remaining = o.count;

    auto work = [&](FlowBlock& b, unsigned w, BlockOut& out) {
        out.text.clear();
        out.selected.clear();
        out.matched = Summary{};
        out.rows = b.size();
        thread_local std::vector<uint8_t> mask;
        mask.resize(b.size());
        filter.eval(b, mask.data());
        if (row_window) {
            b.ensure(FieldId::start);
            b.ensure(FieldId::end);
            const auto& s = column<FieldId::start>(b);
            const auto& e = column<FieldId::end>(b);
            for (size_t i = 0; i < b.size(); ++i) {
                mask[i] &= s[i] >= o.start_from && s[i] < o.start_to &&
                           (!o.nfdump_window || (s[i] > o.t_after && e[i] < o.t_before));
            }
        }
        if (o.count) {
            for (size_t i = 0; i < b.size(); ++i) {
                if (!mask[i]) continue;
                if (remaining == 0)
                    mask[i] = 0;
                else
                    --remaining;
            }
        }
        if (std::find(mask.begin(), mask.end(), 1) == mask.end()) return;
        switch (mode) {
            case Mode::kText:
                if (sort_records) {
                    out.selected.append_selected(b, mask.data());
                } else {
                    printer->print(b, mask.data(), out.text);
                }
                break;
            case Mode::kFlows:
                out.selected.append_selected(b, mask.data());
                break;
            case Mode::kStats:
                for (size_t k = 0; k < stat_tables[w].size(); ++k)
                    table(stat_tables[w][k], stat_tables[0][k]).add(b, mask.data());
                break;
            case Mode::kAggregate:
                table(agg_tables[w], agg_tables[0]).add(b, mask.data());
                break;
            case Mode::kSummary:
                break;
        }
        if (mode == Mode::kSummary)
            out.matched.add(b, mask.data());
        else
            out.matched.add_all(b, mask.data());
    };

    Output text_out(out_fd, "<stdout>");
    std::unique_ptr<FlowWriter> writer;
    if (mode == Mode::kFlows) {
        WriterOptions wo;
        wo.zstd_level = o.zstd_level;
        wo.creator = std::string("flowquery ") + FLOWKIT_VERSION;
        writer = o.write_path.empty() || o.write_path == "-"
                     ? std::make_unique<FlowWriter>(out_fd, "<stdout>", wo)
                     : FlowWriter::open(o.write_path, wo);
    }
    if (printer && !o.quiet && !sort_records) text_out.write(printer->header());

    Summary matched;
    uint64_t processed = 0;
    FlowBlock sorted_rows;
    bool output_failed = false;
    auto consume = [&](BlockOut& out) {
        processed += out.rows;
        matched.merge(out.matched);
        try {
            if (sort_records) {
                sorted_rows.append_range(out.selected, 0, out.selected.size());
            } else if (mode == Mode::kText) {
                text_out.write(out.text);
            } else if (mode == Mode::kFlows && !out.selected.empty()) {
                writer->write(out.selected);
            }
        } catch (...) {
            output_failed = true;
            throw;
        }
        return !(o.count && remaining == 0 && threads == 1);
    };
    // A data error in the input (corrupt, truncated) after some flows were read ends the
    // reading, not the run: what was read is still written, summed and ranked below, then the
    // error is reported, so that nothing read before the fault is lost. A failed write ends
    // the run at once: a full disk must not put a partial file in place of an earlier one.
    std::exception_ptr data_error;
    try {
        run_blocks<BlockOut>(input, threads, work, consume);
    } catch (const DataError&) {
        if (processed == 0 || output_failed) throw;
        data_error = std::current_exception();
    }
    if (server_groups) {
        const ClickHouse ch(in_spec.clickhouse);
        matched = clickhouse_summary(ch, in_spec.clickhouse_table, in_spec.clickhouse_where);
        auto server_table = [&](AggTable& t) {
            clickhouse_aggregate(ch, in_spec.clickhouse_table, in_spec.clickhouse_where, t);
            t.total_flows = matched.all.flows;
            t.total_packets = matched.all.packets;
            t.total_bytes = matched.all.bytes;
        };
        for (auto& t : stat_tables[0]) server_table(*t);
        if (agg_tables[0]) server_table(*agg_tables[0]);
    }

    if (sort_records) {
        sorted_rows.ensure_all();
        std::vector<uint32_t> idx(sorted_rows.size());
        std::iota(idx.begin(), idx.end(), 0);
        std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
            return record_less(order, sorted_rows, a, b);
        });
        if (o.limit_n && idx.size() > o.limit_n) idx.resize(o.limit_n);
        FlowBlock ordered;
        ordered.append_rows(sorted_rows, idx.data(), idx.size());

        if (mode == Mode::kFlows) {
            writer->write(ordered);
        } else {
            std::string text = o.quiet ? "" : printer->header();
            printer->print(ordered, nullptr, text);
            text_out.write(text);
        }
    }
    switch (mode) {
        case Mode::kFlows:
            writer->close();
            break;
        case Mode::kText:
            if (printer->is_table() && !o.quiet) {
                text_out.write(summary_footer(matched, input, processed, o.raw_numbers));
            }
            break;
        case Mode::kSummary:
            text_out.write(summary_text(matched, input.files_opened()));
            break;
        case Mode::kStats: {
            const StatPrintOptions po{table_format, o.raw_numbers, o.quiet};
            for (size_t k = 0; k < stat_requests.size(); ++k) {
                for (unsigned w = 1; w < threads; ++w) {
                    if (stat_tables[w][k]) stat_tables[0][k]->merge(*stat_tables[w][k]);
                }
                for (StatOrder so : stat_requests[k].orders) {
                    text_out.write(format_top(*stat_tables[0][k], so, o.top_n, po));
                    if (table_format == TableFormat::kText) text_out.write("\n");
                }
            }
            if (table_format == TableFormat::kText && !o.quiet) {
                text_out.write(summary_footer(matched, input, processed, o.raw_numbers));
            }
            break;
        }
        case Mode::kAggregate: {
            for (unsigned w = 1; w < threads; ++w) {
                if (agg_tables[w]) agg_tables[0]->merge(*agg_tables[w]);
            }
            const StatPrintOptions po{table_format, o.raw_numbers, o.quiet};
            const StatOrder agg_order = o.order.empty() ? StatOrder::kTstart : order;
            if (o.conversations) {
                auto c = conversations(*agg_tables[0], *o.conversations);
                sort_conversations(c, agg_order, o.limit_n);
                text_out.write(format_conversations(c, po));
            } else {
                text_out.write(format_aggregated(*agg_tables[0], agg_order, o.limit_n, po));
            }
            break;
        }
    }
    text_out.flush();
    if (data_error) std::rethrow_exception(data_error);
    return kExitOk;
}

}  // namespace fk
