// HTTP/1.x: the method and Host header of a request, the status code of a response
// (RFC 9112). HTTP/2 and HTTP/3 are binary and encrypted in practice; they are not read here.
//
// How a probe calls it, for a TCP flow:
//   - Requests: the client→server byte stream from its first byte, in sequence order:
//     parse_http_request(stream, req). need_more: the request line or the Host header is not
//     complete yet; buffer more client bytes (req.needed is a lower bound, as HTTP has no
//     length up front) up to kMaxHttpHeader, then call again. A request whose header section
//     is cut off at kMaxHttpHeader bytes is reported without Host; a request line longer
//     than that is invalid.
//   - Responses: the server→client stream from its first byte: parse_http_response(stream,
//     resp); the status line is short, so need_more only happens on tiny first segments.
//   - Later requests of a keep-alive connection start at segment boundaries in practice; a
//     probe that wants only the first request stops after the first done.
//   - CONNECT: after the proxy's 200 the tunnel usually carries TLS; look for a ClientHello at
//     the start of the next client segments (l7/tls.h).
// Strings point into the input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "l7/status.h"

namespace fk::l7 {

// Request line and headers are read up to this many bytes; longer ones are cut off there.
constexpr size_t kMaxHttpHeader = 16384;
constexpr size_t kMaxHttpMethod = 24;

struct HttpRequest {
    std::string_view method;    // "GET", "POST", "CONNECT", ...
    std::string_view target;    // request-target as sent: "/index.html", "host:443", ...
    std::string_view host;      // Host header value without surrounding spaces; empty if absent
    uint8_t version_minor = 0;  // HTTP/1.0 or HTTP/1.1
    size_t needed = 0;          // with need_more: a lower bound of the bytes to call again with
    // With need_more after the request line: where the first incomplete header line starts.
    // The lines before it hold no Host and no end; a call on the same stream grown longer
    // can resume there.
    size_t resume_at = 0;
};

struct HttpResponse {
    uint16_t status = 0;  // 100..999
    uint8_t version_minor = 0;
    size_t needed = 0;
};

// True when the bytes can start an HTTP/1.x request line: a method token and a space.
bool looks_like_http_request(std::span<const uint8_t> data);

// resume_at: an earlier need_more's req.resume_at for the same stream, grown since.
Status parse_http_request(std::span<const uint8_t> data, HttpRequest& req, size_t resume_at = 0);
Status parse_http_response(std::span<const uint8_t> data, HttpResponse& resp);

}  // namespace fk::l7
