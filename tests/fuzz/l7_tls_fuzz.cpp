// libFuzzer harness for the TLS ClientHello parser: record layer and bare handshake message,
// whole and as a prefix.
#include <cstdlib>
#include <span>

#include "l7/tls.h"

namespace {

void check(fk::l7::Status s, const fk::l7::ClientHello& h, std::span<const uint8_t> in) {
    using fk::l7::Status;
    if (h.alpn().size() > fk::l7::kMaxAlpnText) std::abort();
    if (!h.sni.empty()) {
        auto* p = reinterpret_cast<const uint8_t*>(h.sni.data());
        if (p < in.data() || p + h.sni.size() > in.data() + in.size()) std::abort();
    }
    if (s == Status::need_more && h.needed <= in.size() && h.needed != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> in(data, size);
    fk::l7::ClientHello h;
    for (bool prefix : {false, true}) {
        check(fk::l7::parse_tls_client_hello(in, h, prefix), h, in);
        check(fk::l7::parse_client_hello_message(in, h, prefix), h, in);
    }
    fk::l7::looks_like_client_hello(in);
    return 0;
}
