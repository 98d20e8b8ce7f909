// build_report over hand-written flows: every expected number below was summed by hand.
#include "report/report.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/time.h"
#include "format/writer.h"
#include "record/ipaddr.h"
#include "report/render.h"
#include "test_util.h"

namespace fk {
namespace {

uint64_t t(const char* iso) {
    return *parse_time(iso);
}

FlowRecord flow(const char* start, const char* src, const char* dst, uint8_t proto, uint16_t dport,
                uint64_t packets, uint64_t bytes) {
    FlowRecord r;
    r.start = t(start);
    r.end = r.start + 2 * kMicrosPerSecond;
    r.src = *parse_ip(src);
    r.dst = *parse_ip(dst);
    r.proto = proto;
    r.sport = 40000;
    r.dport = dport;
    r.packets = packets;
    r.bytes = bytes;
    return r;
}

// Three flows on 2026-03-02, one the day before, one the day after.
std::string write_fixture(const test::TempDir& dir) {
    const std::string path = dir.file("day.flows");
    auto w = FlowWriter::open(path, {});
    FlowRecord r1 = flow("2026-03-02T00:01:00Z", "10.0.0.1", "10.0.0.2", 6, 443, 10, 1000);
    r1.sni = "a.example";
    w->append(r1);
    w->append(flow("2026-03-02T00:07:00Z", "10.0.0.1", "10.0.0.3", 17, 53, 2, 200));
    FlowRecord r3 = flow("2026-03-02T00:12:00Z", "10.0.0.4", "10.0.0.2", 6, 80, 5, 3000);
    r3.http_host = "h.example";
    w->append(r3);
    w->append(flow("2026-03-01T12:00:00Z", "10.0.0.1", "10.0.0.2", 6, 443, 4, 500));
    w->append(flow("2026-03-03T00:00:00Z", "10.0.0.9", "10.0.0.2", 6, 443, 99, 99999));
    w->close();
    return path;
}

const Table& table(const Report& r, const std::string& id) {
    for (const auto& t : r.tables)
        if (t.id == id) return t;
    ADD_FAILURE() << "no table " << id;
    static Table none;
    return none;
}

std::vector<std::string> row(const Table& t, size_t i) {
    std::vector<std::string> out;
    for (const auto& c : t.rows.at(i)) out.push_back(c.text);
    return out;
}

ReportOptions yesterday(const std::string& path) {
    ReportOptions o;
    o.input.files = {path};
    o.period = *calendar_period("yesterday", t("2026-03-03T06:00:00Z"));
    o.threads = 2;
    return o;
}

TEST(Report, SummaryTotalsAndChangeAgainstThePreviousDay) {
    test::TempDir dir;
    const Report r = build_report(yesterday(write_fixture(dir)));
    EXPECT_FALSE(r.empty);
    const Table& totals = table(r, "totals");
    // class, flows, packets, bytes, previous x3, change % x3
    EXPECT_EQ(row(totals, 0), (std::vector<std::string>{"all", "3", "17", "4200", "1", "4", "500",
                                                        "+200.0", "+325.0", "+740.0"}));
    EXPECT_EQ(row(totals, 1)[0], "tcp");
    EXPECT_EQ(row(totals, 1)[3], "4000");
    EXPECT_EQ(row(totals, 2)[3], "200");
    EXPECT_EQ(row(totals, 2)[9], "");  // no UDP the day before: no change
}

TEST(Report, TopHostsCountBothDirectionsLikeFlowquery) {
    test::TempDir dir;
    const Report r = build_report(yesterday(write_fixture(dir)));
    const Table& ip = table(r, "top-ip-bytes");
    ASSERT_EQ(ip.rows.size(), 4u);
    // rank, ip, flows, %, packets, %, bytes, %, previous, change
    EXPECT_EQ(row(ip, 0), (std::vector<std::string>{"1", "10.0.0.2", "2", "66.7", "15", "88.2",
                                                    "4000", "95.2", "500", "+700.0"}));
    EXPECT_EQ(row(ip, 1)[1], "10.0.0.4");
    EXPECT_EQ(row(ip, 2)[1], "10.0.0.1");
    EXPECT_EQ(row(ip, 2)[6], "1200");
    EXPECT_EQ(row(ip, 3)[1], "10.0.0.3");
    const Table& flows = table(r, "top-ip-flows");
    EXPECT_EQ(row(flows, 0)[1], "10.0.0.1");  // 2 flows, ties broken by key: .1 before .2
    EXPECT_EQ(row(flows, 0)[2], "2");
    // Flows without an SNI are left out of the SNI table.
    const Table& sni = table(r, "top-sni-bytes");
    ASSERT_EQ(sni.rows.size(), 1u);
    EXPECT_EQ(row(sni, 0)[1], "a.example");
    EXPECT_EQ(row(sni, 0)[7], "23.8");  // 1000 of 4200 bytes
    EXPECT_EQ(row(table(r, "top-http_host-bytes"), 0)[1], "h.example");
    EXPECT_EQ(
        row(table(r, "top-proto-bytes"), 1),
        (std::vector<std::string>{"2", "udp", "1", "33.3", "2", "11.8", "200", "4.8", "0", ""}));
}

TEST(Report, ChartBinsByProtocol) {
    test::TempDir dir;
    const Report r = build_report(yesterday(write_fixture(dir)));
    ASSERT_EQ(r.charts.size(), 3u);
    const Chart& bytes = r.charts[0];
    EXPECT_EQ(bytes.metric, "bytes");
    EXPECT_EQ(bytes.start, t("2026-03-02T00:00:00Z"));
    EXPECT_EQ(bytes.bins(), 288u);
    ASSERT_EQ(bytes.series, (std::vector<std::string>{"tcp", "udp"}));
    EXPECT_EQ(bytes.values[0][0], 1000u);
    EXPECT_EQ(bytes.values[1][1], 200u);
    EXPECT_EQ(bytes.values[0][2], 3000u);
    uint64_t sum = 0;
    for (const auto& s : bytes.values)
        for (uint64_t v : s) sum += v;
    EXPECT_EQ(sum, 4200u);
    EXPECT_EQ(r.charts[2].values[0][2], 1u);  // flows
}

TEST(Report, CompareShiftedPeriod) {
    test::TempDir dir;
    ReportOptions o = yesterday(write_fixture(dir));
    o.kind = ReportKind::kCompare;
    o.shift = 86400 * kMicrosPerSecond;
    const Report r = build_report(o);
    const Table& totals = table(r, "totals");
    EXPECT_EQ(totals.columns[1], "flows A");
    EXPECT_EQ(totals.columns[4], "flows B");
    EXPECT_EQ(row(totals, 0), (std::vector<std::string>{"all", "3", "17", "4200", "1", "4", "500",
                                                        "+200.0", "+325.0", "+740.0"}));
    const Table& ip = table(r, "compare-ip-bytes");
    // key, flows A, flows B, change, packets A, B, change, bytes A, B, change
    EXPECT_EQ(row(ip, 0), (std::vector<std::string>{"10.0.0.2", "2", "1", "+100.0", "15", "4",
                                                    "+275.0", "4000", "500", "+700.0"}));
    EXPECT_EQ(row(ip, 3)[1], "1");
    EXPECT_EQ(row(ip, 3)[2], "0");
    EXPECT_EQ(row(ip, 3)[3], "");  // 10.0.0.3: nothing to compare with
}

TEST(Report, EmptyPeriodStillSaysWhatItCovers) {
    test::TempDir dir;
    ReportOptions o = yesterday(write_fixture(dir));
    o.period = *calendar_period("yesterday", t("2026-06-01T06:00:00Z"));
    const Report r = build_report(o);
    EXPECT_TRUE(r.empty);
    EXPECT_EQ(row(table(r, "totals"), 0)[1], "0");
    EXPECT_EQ(table(r, "totals").note, "no flows in this period");
    const std::string text = render_text(r);
    EXPECT_NE(text.find("2026-05-31T00:00:00Z to 2026-06-01T00:00:00Z"), std::string::npos);
}

TEST(Report, FormatsCarryTheSameNumbers) {
    test::TempDir dir;
    const Report r = build_report(yesterday(write_fixture(dir)));
    for (ReportFormat f :
         {ReportFormat::kText, ReportFormat::kCsv, ReportFormat::kJson, ReportFormat::kHtml}) {
        const std::string s = render(r, f);
        EXPECT_NE(s.find("4200"), std::string::npos);
        EXPECT_NE(s.find("740.0"), std::string::npos);
        EXPECT_NE(s.find("10.0.0.2"), std::string::npos);
    }
    EXPECT_NE(render_csv(r).find("2,10.0.0.4,1,33.3,5,29.4,3000,71.4,0,\n"), std::string::npos);
    EXPECT_NE(render_json(r).find("{\"rank\":1,\"ip\":\"10.0.0.2\",\"flows\":2,\"flows %\":66.7"),
              std::string::npos);
    // JSON numbers carry no '+'; an unknown change is null.
    EXPECT_NE(render_json(r).find("\"bytes change %\":740.0}"), std::string::npos);
    EXPECT_NE(render_json(r).find("\"bytes previous\":0,\"bytes change %\":null}"),
              std::string::npos);
    const std::string pdf = render_pdf(r);
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
    const std::string png = render_png(r);
    EXPECT_EQ(png.substr(1, 3), "PNG");
}

TEST(Report, UnknownKeyIsAUsageError) {
    test::TempDir dir;
    ReportOptions o = yesterday(write_fixture(dir));
    o.tops = {{"nosuchkey", StatOrder::kBytes}};
    EXPECT_THROW(build_report(o), UsageError);
}

}  // namespace
}  // namespace fk

namespace fk {
namespace {

TEST(ChartDraw, AxisScale) {
    using namespace chart_draw;
    EXPECT_EQ(nice_max(0), 1u);
    EXPECT_EQ(nice_max(7), 10u);
    EXPECT_EQ(nice_max(11), 20u);
    EXPECT_EQ(nice_max(3800), 5000u);
    EXPECT_EQ(nice_max(2100000), 2500000u);
    EXPECT_EQ(nice_max(1000), 1000u);
    EXPECT_EQ(short_number(1250), "1.25 k");
    EXPECT_EQ(short_number(750000), "750 k");
    EXPECT_EQ(short_number(2500000), "2.5 M");
    EXPECT_EQ(short_number(999), "999");
    EXPECT_EQ(time_label(*parse_time("2026-03-02T10:05:00Z"), false), "03-02 10:05");
    EXPECT_EQ(time_label(*parse_time("2026-03-02T00:00:00Z"), true), "03-02");
    Chart day;  // 288 bins of 5 min from midnight: a label every 6 h
    day.start = *parse_time("2026-03-02T00:00:00Z");
    day.bin = 300 * kMicrosPerSecond;
    day.values.assign(1, std::vector<uint64_t>(288));
    EXPECT_EQ(label_bins(day), (std::vector<size_t>{0, 72, 144, 216}));
    Chart week = day;  // 168 bins of 1 h: a label every day
    week.bin = 3600 * kMicrosPerSecond;
    week.values.assign(1, std::vector<uint64_t>(168));
    EXPECT_EQ(label_bins(week), (std::vector<size_t>{0, 24, 48, 72, 96, 120, 144}));
    Chart hour = day;  // 12 bins of 5 min from 10:00: every 10 min
    hour.start = *parse_time("2026-03-02T10:00:00Z");
    hour.values.assign(1, std::vector<uint64_t>(12));
    EXPECT_EQ(label_bins(hour), (std::vector<size_t>{0, 2, 4, 6, 8, 10}));
}

}  // namespace
}  // namespace fk
