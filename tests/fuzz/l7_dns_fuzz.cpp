// libFuzzer harness for the DNS parsers: a datagram, a TCP stream prefix, and the name
// decoder at the first offsets of the input.
#include <cstdlib>
#include <span>

#include "l7/dns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fk::l7;
    std::span<const uint8_t> in(data, size);
    DnsMessage m;
    if (parse_dns(in, m) == Status::done && m.qname().size() > kMaxDnsNameText) std::abort();
    Status s = parse_dns_tcp(in, m);
    if (s == Status::need_more && (m.needed <= size || m.needed > kMaxDnsTcpPrefix)) std::abort();
    DnsName name;
    for (size_t off = 0; off < size && off < 64; ++off) {
        if (decode_dns_name(in, off, name) == Status::done &&
            (name.text().empty() || name.wire_end > size)) {
            std::abort();
        }
    }
    return 0;
}
