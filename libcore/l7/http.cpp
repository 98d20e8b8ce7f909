#include "l7/http.h"

#include <algorithm>
#include <cstring>

namespace fk::l7 {

namespace {

// Methods are tokens; real ones are upper-case letters with the odd '-' or '_'
// (M-SEARCH, VERSION-CONTROL, BASELINE_CONTROL). Requiring that keeps binary protocols out.
bool method_char(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

std::string_view view(std::span<const uint8_t> d, size_t from, size_t to) {
    return {reinterpret_cast<const char*>(d.data()) + from, to - from};
}

bool lower_equals(std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Matches "HTTP/1.x" at `at`: returns the minor digit, -1 when it cannot match, -2 when the
// input ends before it could tell.
int http_version(std::span<const uint8_t> d, size_t at) {
    static constexpr std::string_view kPrefix = "HTTP/1.";
    for (size_t i = 0; i < kPrefix.size() + 1; ++i) {
        if (at + i >= d.size()) return -2;
        uint8_t c = d[at + i];
        if (i < kPrefix.size() ? c != kPrefix[i] : (c < '0' || c > '9')) return -1;
    }
    return d[at + kPrefix.size()] - '0';
}

// The end of the line starting at `from` (the index of its LF), or npos.
size_t line_end(std::span<const uint8_t> d, size_t from) {
    const void* lf =
        from < d.size() ? std::memchr(d.data() + from, '\n', d.size() - from) : nullptr;
    return lf ? static_cast<size_t>(static_cast<const uint8_t*>(lf) - d.data())
              : std::string_view::npos;
}

Status more(size_t have, size_t& needed) {
    if (have >= kMaxHttpHeader) return Status::invalid;
    needed = have + 1;
    return Status::need_more;
}

}  // namespace

bool looks_like_http_request(std::span<const uint8_t> d) {
    size_t i = 0;
    while (i < d.size() && i <= kMaxHttpMethod && method_char(d[i])) ++i;
    return i > 0 && i <= kMaxHttpMethod && i < d.size() && d[i] == ' ';
}

Status parse_http_request(std::span<const uint8_t> d, HttpRequest& req, size_t resume_at) {
    req = HttpRequest{};
    std::span<const uint8_t> data = d.first(std::min(d.size(), kMaxHttpHeader));
    // Request line: method SP request-target SP HTTP/1.x CRLF. Like tshark, tolerate spaces
    // inside the target (attack tools send them): the version is the end of the line and the
    // target ends at its first space.
    size_t i = 0;
    while (i < data.size() && method_char(data[i])) ++i;
    if (i > kMaxHttpMethod) return Status::not_this;
    if (i == data.size()) return more(d.size(), req.needed);
    if (i == 0 || data[i] != ' ') return Status::not_this;
    size_t method_end = i;
    size_t lf = line_end(data, i);
    size_t stop = lf == std::string_view::npos ? data.size() : lf;
    for (size_t j = i + 1; j < stop; ++j) {
        uint8_t c = data[j];
        bool cr_before_lf = c == '\r' && j + 1 == (lf == std::string_view::npos ? stop : lf);
        if ((c < 0x20 && c != '\t' && !cr_before_lf) || c == 0x7f) {
            return Status::not_this;
        }
    }
    if (lf == std::string_view::npos) return more(d.size(), req.needed);
    size_t content_end = lf > 0 && data[lf - 1] == '\r' ? lf - 1 : lf;
    if (content_end < method_end + 11 || data[content_end - 9] != ' ') return Status::not_this;
    int minor = http_version(data, content_end - 8);
    if (minor < 0) return Status::not_this;
    size_t target_begin = method_end + 1;
    size_t target_end = target_begin;
    while (target_end < content_end - 9 && data[target_end] != ' ') ++target_end;
    if (target_end == target_begin) return Status::not_this;
    req.method = view(data, 0, method_end);
    req.target = view(data, target_begin, target_end);
    req.version_minor = static_cast<uint8_t>(minor);

    // Header fields up to the empty line; the first Host wins.
    size_t line = std::max(lf + 1, resume_at);
    for (;;) {
        size_t end = line_end(data, line);
        if (end == std::string_view::npos) {
            if (data.size() == kMaxHttpHeader) return Status::done;  // cut off: no Host seen
            req.resume_at = line;
            return more(d.size(), req.needed);
        }
        size_t field_end = end > line && data[end - 1] == '\r' ? end - 1 : end;
        if (field_end == line) return Status::done;  // end of the header section
        std::string_view field = view(data, line, field_end);
        size_t colon = field.find(':');
        if (colon != std::string_view::npos && lower_equals(field.substr(0, colon), "host")) {
            req.host = trim(field.substr(colon + 1));
            return Status::done;
        }
        line = end + 1;
    }
}

Status parse_http_response(std::span<const uint8_t> d, HttpResponse& resp) {
    resp = HttpResponse{};
    // Status line: HTTP/1.x SP 3DIGIT (SP reason-phrase) CRLF; a bare LF is tolerated.
    int minor = http_version(d, 0);
    if (minor == -1) return Status::not_this;
    if (minor == -2 || d.size() < 13) {
        resp.needed = 13;
        return Status::need_more;
    }
    if (d[8] != ' ') return Status::not_this;
    uint16_t status = 0;
    for (size_t i = 9; i < 12; ++i) {
        if (d[i] < '0' || d[i] > '9') return Status::not_this;
        status = static_cast<uint16_t>(status * 10 + (d[i] - '0'));
    }
    if (status < 100 || (d[12] != ' ' && d[12] != '\r' && d[12] != '\n')) return Status::not_this;
    resp.status = status;
    resp.version_minor = static_cast<uint8_t>(minor);
    return Status::done;
}

}  // namespace fk::l7
