// HTTP requests in every capture of ../shared/data compared with tshark's
// (truth/http-hosts.tsv), and response status codes with tshark's http.response.code
// (http-responses.tsv beside this test).
#include <gtest/gtest.h>

#include <map>

#include "capture.h"
#include "l7/http.h"
#include "test_util.h"
#include "truth.h"

namespace fk::l7 {
namespace {

// (src port, dst port, method, host); ports are 0 for SSDP over UDP, which the truth lists
// without ports.
using Request = std::tuple<uint16_t, uint16_t, std::string, std::string>;
using Counts = std::map<Request, int>;

struct HttpCollector {
    struct Direction {
        test::TcpStream stream;
        size_t next_segment = 0;
        bool waiting = false;
        size_t at = 0;
    };
    std::map<test::FlowKey, Direction> tcp;
    Counts requests;
    std::map<std::tuple<uint16_t, uint16_t, uint16_t>, int> responses;

    void packet(const test::Packet& p) {
        if (p.proto == 17) {
            HttpRequest req;
            if (parse_http_request(p.payload, req) == Status::done) {
                ++requests[{0, 0, std::string(req.method), std::string(req.host)}];
            }
            return;
        }
        Direction& d = tcp[test::key_of(p)];
        d.stream.add(p);
        auto starts_message = [](std::span<const uint8_t> s) {
            return looks_like_http_request(s) || (s.size() >= 5 && s[0] == 'H' && s[4] == '/');
        };
        test::scan_segments(
            d.stream, d.next_segment, d.waiting, d.at, starts_message,
            [&](std::span<const uint8_t> s) {
                HttpRequest req;
                Status st = parse_http_request(s, req);
                if (st == Status::done) {
                    ++requests[{p.sport, p.dport, std::string(req.method), std::string(req.host)}];
                }
                if (st != Status::not_this) return st == Status::need_more;
                HttpResponse resp;
                st = parse_http_response(s, resp);
                if (st == Status::done) ++responses[{p.sport, p.dport, resp.status}];
                return st == Status::need_more;
            });
    }
};

TEST(HttpTruth, SameRequestsAndResponsesAsTshark) {
    std::string data = test::data_dir();
    if (data.empty()) GTEST_SKIP() << "no ../shared/data";
    auto rows = test::read_truth(data + "/truth/http-hosts.tsv");
    auto response_rows = test::read_truth(test::beside_this_test("http-responses.tsv"));
    ASSERT_FALSE(rows.empty());
    ASSERT_FALSE(response_rows.empty());
    size_t total = 0, with_host = 0, statuses = 0;
    for (const auto& [file, file_rows] : test::by_file(rows)) {
        SCOPED_TRACE(file);
        Counts expected;
        for (const auto& r : file_rows) {
            uint16_t sp = r.at("src_port").empty() ? 0 : std::stoi(r.at("src_port"));
            uint16_t dp = r.at("dst_port").empty() ? 0 : std::stoi(r.at("dst_port"));
            ++expected[{sp, dp, r.at("method"), r.at("host")}];
            with_host += !r.at("host").empty();
        }
        HttpCollector c;
        ASSERT_TRUE(test::for_each_packet(data + "/" + file, [&](auto& p) { c.packet(p); }));
        for (const auto& [req, n] : expected) {
            EXPECT_EQ(c.requests[req], n) << std::get<0>(req) << ">" << std::get<1>(req) << " "
                                          << std::get<2>(req) << " '" << std::get<3>(req) << "'";
        }
        for (const auto& [req, n] : c.requests) {
            // Exception: SSDP NOTIFY over UDP is a request to flowkit; tshark files it as
            // http.notification, not http.request, so the truth does not list it.
            if (std::get<0>(req) == 0 && std::get<2>(req) == "NOTIFY") continue;
            EXPECT_TRUE(expected.count(req) || n == 0)
                << "flowkit only: " << std::get<0>(req) << ">" << std::get<1>(req) << " "
                << std::get<2>(req) << " '" << std::get<3>(req) << "'";
        }
        std::map<std::tuple<uint16_t, uint16_t, uint16_t>, int> expected_status;
        for (const auto& r : response_rows) {
            if (r.at("file") != file) continue;
            ++expected_status[{static_cast<uint16_t>(std::stoi(r.at("sport"))),
                               static_cast<uint16_t>(std::stoi(r.at("dport"))),
                               static_cast<uint16_t>(std::stoi(r.at("status")))}];
        }
        EXPECT_EQ(c.responses, expected_status);
        total += file_rows.size();
        for (const auto& [k, n] : expected_status) statuses += n;
    }
    std::printf("compared %zu requests (%zu with Host), %zu responses\n", total, with_host,
                statuses);
}

}  // namespace
}  // namespace fk::l7
