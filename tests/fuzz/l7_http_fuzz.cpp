// libFuzzer harness for the HTTP/1.x request and response parsers.
#include <cstdlib>
#include <span>
#include <string_view>

#include "l7/http.h"

namespace {

void inside(std::string_view v, std::span<const uint8_t> in) {
    if (v.empty()) return;
    auto* p = reinterpret_cast<const uint8_t*>(v.data());
    if (p < in.data() || p + v.size() > in.data() + in.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> in(data, size);
    fk::l7::HttpRequest req;
    if (fk::l7::parse_http_request(in, req) == fk::l7::Status::done) {
        inside(req.method, in);
        inside(req.target, in);
        inside(req.host, in);
        if (req.method.empty() || req.method.size() > fk::l7::kMaxHttpMethod) std::abort();
    }
    fk::l7::HttpResponse resp;
    if (fk::l7::parse_http_response(in, resp) == fk::l7::Status::done &&
        (resp.status < 100 || resp.status > 999)) {
        std::abort();
    }
    fk::l7::looks_like_http_request(in);
    return 0;
}
