// --evaluate on a hand-built fixture whose sample is known in advance: hash mode keeps a flow
// exactly when its key hash is below 2^64/N, so the test picks flows by hash and every
// metric below is computed by hand from the kept set.
#include "sample/evaluate.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "format/writer.h"
#include "test_util.h"

namespace fk {
namespace {

constexpr uint64_t kT0 = 1'740'996'000'000'000ull;  // 2025-03-03T10:00:00Z
constexpr uint64_t kSeed = 1;

// A source port for src -> dst (udp/53) whose hash mode 1:2 decision is `keep`.
uint16_t port_with(const IpAddr& src, const IpAddr& dst, bool keep, uint16_t from) {
    for (uint16_t p = from;; ++p) {
        if ((flow_key_hash(src, dst, p, 53, 17, kSeed) < (1ull << 63)) == keep) return p;
    }
}

FlowRecord flow(IpAddr src, IpAddr dst, uint16_t sport, uint64_t start, uint64_t packets,
                uint64_t bytes) {
    FlowRecord r;
    r.src = src;
    r.dst = dst;
    r.sport = sport;
    r.dport = 53;
    r.proto = 17;
    r.start = start;
    r.end = start + 1000;
    r.packets = packets;
    r.bytes = bytes;
    return r;
}

EvalOptions fixture(const test::TempDir& dir) {
    const IpAddr a = *parse_ip("10.0.0.1"), b = *parse_ip("10.0.0.2"), c = *parse_ip("10.0.0.3");
    const IpAddr x = *parse_ip("192.0.2.1"), y = *parse_ip("192.0.2.2");
    auto w = FlowWriter::open(dir.file("f.flows"), WriterOptions{});
    const uint64_t bin1 = kT0 + 300'000'000ull;
    w->append(flow(a, x, port_with(a, x, true, 1000), kT0, 10, 1000));   // K1 kept
    w->append(flow(b, x, port_with(b, x, false, 1000), kT0, 30, 3000));  // D1 dropped
    const uint16_t k2 = port_with(c, y, true, 1000);
    w->append(flow(c, y, k2, bin1, 5, 500));                              // K2 kept
    w->append(flow(c, y, port_with(c, y, false, k2 + 1), bin1, 5, 500));  // D2 dropped
    w->close();
    EvalOptions o;
    o.input.files = {dir.file("f.flows")};
    o.modes = {SampleMode::kHash};
    o.rates = {2};
    o.seed = kSeed;
    o.top_n = 2;
    o.event = "src ip 10.0.0.2 or src ip 10.0.0.3";
    return o;
}

double metric(const EvalReport& r, const std::string& name) {
    for (const auto& m : r.metrics)
        if (m.metric == name) return m.value;
    ADD_FAILURE() << "no metric " << name;
    return -1;
}

TEST(Evaluate, HashModeMetricsByHand) {
    test::TempDir dir;
    const EvalReport r = evaluate(fixture(dir));
    EXPECT_EQ(r.flows, 4u);
    EXPECT_EQ(r.packets, 50u);
    EXPECT_EQ(r.bytes, 5000u);
    EXPECT_EQ(r.bins, 2u);
    EXPECT_EQ(r.event_flows, 3u);
    ASSERT_EQ(r.metrics.size(), 10u);
    EXPECT_DOUBLE_EQ(metric(r, "bytes_err"), 0.4);    // 2 × 1500 of 5000
    EXPECT_DOUBLE_EQ(metric(r, "packets_err"), 0.4);  // 2 × 15 of 50
    EXPECT_DOUBLE_EQ(metric(r, "flows_err"), 0.0);    // 2 × 2 of 4
    // Bin 10:00: 2000 of 4000; bin 10:05: 1000 of 1000.
    EXPECT_DOUBLE_EQ(metric(r, "bin_bytes_err"), 0.25);
    EXPECT_DOUBLE_EQ(metric(r, "bin_bytes_max"), 0.5);
    // True Top-2: x 4000, b 3000. Estimated: a 2000, x 2000 (tie: first seen first).
    // x is found (rank 2 for 1), b is missing (rank 3 for 2).
    EXPECT_DOUBLE_EQ(metric(r, "top_overlap"), 0.5);
    EXPECT_DOUBLE_EQ(metric(r, "top_rank_err"), 1.0);
    // Event: D1, K2, D2; K2 survives; sources b, c (c kept); destinations x, y (y kept).
    EXPECT_NEAR(metric(r, "event_flows"), 1.0 / 3, 1e-12);
    EXPECT_DOUBLE_EQ(metric(r, "event_srcs"), 0.5);
    EXPECT_DOUBLE_EQ(metric(r, "event_dsts"), 0.5);
}

TEST(Evaluate, TidyCsvAndJson) {
    test::TempDir dir;
    EvalOptions o = fixture(dir);
    o.rates = {1, 2};
    const EvalReport r = evaluate(o);
    const std::string csv = format_eval(r, EvalFormat::kCsv);
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "mode,rate,metric,value");
    EXPECT_NE(csv.find("\nhash,1,bytes_err,0\n"), std::string::npos);
    EXPECT_NE(csv.find("\nhash,2,bytes_err,0.4\n"), std::string::npos);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 21);  // header + 2 rates × 10
    const std::string json = format_eval(r, EvalFormat::kJson);
    EXPECT_NE(
        json.find("{\"mode\":\"hash\",\"rate\":2,\"metric\":\"top_overlap\",\"value\":0.5}\n"),
        std::string::npos);
    const std::string text = format_eval(r, EvalFormat::kText);
    EXPECT_EQ(text.substr(0, text.find('\n')),
              "truth: 4 flows, 50 packets, 5000 bytes, 2 time bins, 3 event flows");
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);  // truth, header, 2 rows
}

// A threshold of 1 byte keeps every flow in smart mode: nothing is lost at any rate.
TEST(Evaluate, SmartWithTinyThresholdLosesNothing) {
    test::TempDir dir;
    EvalOptions o = fixture(dir);
    o.modes = {SampleMode::kSmart};
    o.rates = {1000};
    o.threshold = 1;
    const EvalReport r = evaluate(o);
    for (const auto& m : r.metrics) {
        const bool share =
            m.metric.find("err") == std::string::npos && m.metric.find("max") == std::string::npos;
        EXPECT_DOUBLE_EQ(m.value, share ? 1.0 : 0.0) << m.metric;
    }
}

// flowreport reads the CSV and JSON back: the same rows, in the same order, with the values
// flowsample printed (6 significant digits).
TEST(Evaluate, ParseBackCsvAndJson) {
    test::TempDir dir;
    EvalOptions o = fixture(dir);
    o.rates = {1, 2, 4};
    const EvalReport r = evaluate(o);
    for (EvalFormat f : {EvalFormat::kCsv, EvalFormat::kJson}) {
        const EvalReport back = parse_eval(format_eval(r, f), "t");
        ASSERT_EQ(back.metrics.size(), r.metrics.size());
        for (size_t i = 0; i < r.metrics.size(); ++i) {
            EXPECT_EQ(back.metrics[i].mode, r.metrics[i].mode);
            EXPECT_EQ(back.metrics[i].rate, r.metrics[i].rate);
            EXPECT_EQ(back.metrics[i].metric, r.metrics[i].metric);
            EXPECT_NEAR(back.metrics[i].value, r.metrics[i].value, 1e-6 * r.metrics[i].value);
        }
    }
}

TEST(Evaluate, ParseErrorsNameTheLine) {
    auto error = [](std::string_view text) {
        try {
            parse_eval(text, "e.csv");
        } catch (const DataError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(
        error("mode,rate,metric,value\nflow,10,bytes_err,0.5\nflow,x,bytes_err,1\n").substr(0, 9),
        "e.csv:3: ");
    EXPECT_EQ(error("flow,10,bytes_err,0.5\n").substr(0, 9), "e.csv:1: ");  // no header
    EXPECT_EQ(error("mode,rate,metric,value\nbogus,10,bytes_err,0.5\n"),
              "e.csv:2: unknown sampling mode 'bogus'");
    EXPECT_EQ(error("{\"mode\":\"flow\",\"rate\":10}\n").substr(0, 9), "e.csv:1: ");
    EXPECT_EQ(error("truth: 4 flows, 50 packets\n").substr(0, 9), "e.csv:1: ");  // -o text
    EXPECT_EQ(error("mode,rate,metric,value\n"),
              "e.csv: no flowsample --evaluate rows (made with -o csv or -o json?)");
}

TEST(Evaluate, Errors) {
    test::TempDir dir;
    EvalOptions o = fixture(dir);
    o.runs = 0;
    EXPECT_THROW(evaluate(o), UsageError);
    o = fixture(dir);
    o.rates = {0};
    EXPECT_THROW(evaluate(o), UsageError);
    EXPECT_THROW(parse_eval_format("pdf"), UsageError);
}

}  // namespace
}  // namespace fk
