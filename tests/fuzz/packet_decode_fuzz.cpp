// Fuzzes the packet path: the first byte picks the link type, the rest is a frame that goes
// through the decoder, the flow cache and the TLS/QUIC metadata readers, a few times over
// with shifted timestamps so that flows are found again, expire and are flushed.
#include <cstddef>
#include <cstdint>

#include "packet/probe.h"

namespace {

class NullSink : public fk::FlowSink {
  public:
    void write(fk::FlowBlock&) override {}
};

const uint32_t kLinks[] = {fk::kLinkEthernet, fk::kLinkLinuxSll, fk::kLinkLinuxSll2,
                           fk::kLinkRaw,      fk::kLinkNull,     fk::kLinkLoop,
                           fk::kLinkPpp,      fk::kLinkIpv4,     fk::kLinkIpv6};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    NullSink sink;
    fk::ProbeOptions opts;
    opts.cache.max_flows = 4;
    fk::Probe probe(opts, sink);
    fk::RawPacket p;
    p.link = kLinks[data[0] % (sizeof(kLinks) / sizeof(kLinks[0]))];
    p.data = data + 1;
    p.caplen = static_cast<uint32_t>(size - 1);
    for (unsigned i = 0; i < 3; ++i) {
        p.ts_us = 1700000000ull * 1000000 + i * 20000000ull;
        p.wirelen = p.caplen + (data[size - 1] & 1) * i * 1000;
        probe.packet(p);
    }
    probe.finish();
    return 0;
}
