// DNS queries (also mDNS and LLMNR) in every capture of ../shared/data compared with
// tshark's (truth/dns-queries.tsv): the same (transport, ports, name, type) for every query
// message, counted; and the response codes of the responses (dns-responses.tsv beside this
// test, made with tshark).
#include <gtest/gtest.h>

#include <map>

#include "capture.h"
#include "l7/dns.h"
#include "test_util.h"
#include "truth.h"

namespace fk::l7 {
namespace {

using Query = std::tuple<std::string, uint16_t, uint16_t, std::string, uint16_t>;

// qname() text back to the label bytes, then shown as tshark shows them: the root as
// "<Root>", and invalid UTF-8 replaced by U+FFFD, one per lead byte with the continuation
// bytes (0x80-0xbf) that follow it, as tshark 4.0 does (it does not single out surrogates).
std::string as_tshark_shows(std::string_view text) {
    if (text == ".") return "<Root>";
    std::string raw;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            raw += text[i];
        } else if (i + 1 < text.size() && (text[i + 1] < '0' || text[i + 1] > '9')) {
            raw += text[++i];
        } else {
            raw += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 3))));
            i += 3;
        }
    }
    std::string out;
    const std::string kReplacement = "\xef\xbf\xbd";
    for (size_t i = 0; i < raw.size();) {
        auto b = static_cast<uint8_t>(raw[i]);
        // Lead bytes announce 2 to 6 bytes (5 and 6 are the obsolete forms, never valid).
        size_t n = b < 0x80          ? 1
                   : (b >> 5) == 6   ? 2
                   : (b >> 4) == 14  ? 3
                   : (b >> 3) == 30  ? 4
                   : (b >> 2) == 62  ? 5
                   : (b >> 1) == 126 ? 6
                                     : 0;
        if (n == 1) {
            out += raw[i++];
            continue;
        }
        if (n == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        size_t good = 1;
        while (good < n && i + good < raw.size() &&
               (static_cast<uint8_t>(raw[i + good]) >> 6) == 2) {
            ++good;
        }
        if (good == n && n <= 4) {
            out += raw.substr(i, n);
        } else {
            out += kReplacement;
        }
        i += good;
    }
    return out;
}

struct DnsCollector {
    struct Direction {
        test::TcpStream stream;
        size_t parsed = 0;  // stream offset of the next message
    };
    std::map<test::FlowKey, Direction> tcp;
    std::map<Query, int> queries;
    std::map<std::tuple<uint16_t, uint16_t, uint16_t, uint8_t>, int> responses;

    static bool dns_port(uint16_t p) { return p == 53 || p == 5353 || p == 5355; }

    void add(const std::string& transport, const test::Packet& p, const DnsMessage& m) {
        if (!m.has_question) return;
        uint16_t sport = transport == "udp" ? p.outer_sport : p.sport;
        uint16_t dport = transport == "udp" ? p.outer_dport : p.dport;
        if (m.response) {
            ++responses[{sport, dport, m.qtype, m.rcode}];
            return;
        }
        ++queries[{transport, sport, dport, as_tshark_shows(m.qname()), m.qtype}];
    }

    void packet(const test::Packet& p) {
        if (!dns_port(p.sport) && !dns_port(p.dport)) return;
        DnsMessage m;
        if (p.proto == 17) {
            if (parse_dns(p.payload, m) == Status::done) add("udp", p, m);
            return;
        }
        Direction& d = tcp[test::key_of(p)];
        d.stream.add(p);
        // Messages follow each other in the stream, each with its length prefix.
        for (;;) {
            std::span<const uint8_t> rest = std::span(d.stream.bytes).subspan(d.parsed);
            if (rest.size() < 2) return;
            size_t len = size_t{rest[0]} << 8 | rest[1];
            if (rest.size() < 2 + len) return;
            if (parse_dns_tcp(rest, m) == Status::done) add("tcp", p, m);
            d.parsed += 2 + len;
        }
    }
};

TEST(DnsTruth, SameQueriesAndResponsesAsTshark) {
    std::string data = test::data_dir();
    if (data.empty()) GTEST_SKIP() << "no ../shared/data";
    auto rows = test::read_truth(data + "/truth/dns-queries.tsv");
    ASSERT_FALSE(rows.empty());
    auto response_rows = test::read_truth(test::beside_this_test("dns-responses.tsv"));
    size_t total = 0, responses = 0;
    for (const auto& [file, file_rows] : test::by_file(rows)) {
        SCOPED_TRACE(file);
        std::map<Query, int> expected;
        for (const auto& r : file_rows) {
            ++expected[{r.at("transport"), static_cast<uint16_t>(std::stoi(r.at("src_port"))),
                        static_cast<uint16_t>(std::stoi(r.at("dst_port"))), r.at("query_name"),
                        static_cast<uint16_t>(std::stoi(r.at("query_type")))}];
        }
        DnsCollector c;
        ASSERT_TRUE(test::for_each_packet(data + "/" + file, [&](auto& p) { c.packet(p); }));
        for (const auto& [q, n] : expected) {
            EXPECT_EQ(c.queries[q], n)
                << std::get<0>(q) << " " << std::get<1>(q) << ">" << std::get<2>(q) << " '"
                << std::get<3>(q) << "' " << std::get<4>(q);
        }
        for (const auto& [q, n] : c.queries) {
            EXPECT_TRUE(n == 0 || expected.count(q))
                << "flowkit only: " << std::get<0>(q) << " " << std::get<1>(q) << ">"
                << std::get<2>(q) << " '" << std::get<3>(q) << "' " << std::get<4>(q);
        }
        std::map<std::tuple<uint16_t, uint16_t, uint16_t, uint8_t>, int> expected_responses;
        for (const auto& r : response_rows) {
            if (r.at("file") != file) continue;
            ++expected_responses[{static_cast<uint16_t>(std::stoi(r.at("sport"))),
                                  static_cast<uint16_t>(std::stoi(r.at("dport"))),
                                  static_cast<uint16_t>(std::stoi(r.at("qtype"))),
                                  static_cast<uint8_t>(std::stoi(r.at("rcode")))}];
            ++responses;
        }
        EXPECT_EQ(c.responses, expected_responses);
        total += file_rows.size();
    }
    std::printf("compared %zu queries, %zu responses\n", total, responses);
}

}  // namespace
}  // namespace fk::l7
