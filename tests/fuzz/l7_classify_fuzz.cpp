// libFuzzer harness for the application classifier: the first 5 bytes choose the IP
// protocol and the ports, the rest is the payload.
#include <cstdlib>
#include <span>

#include "l7/classify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 5) return 0;
    uint8_t proto = (data[0] & 1) ? fk::l7::kIpProtoUdp : fk::l7::kIpProtoTcp;
    auto sport = static_cast<uint16_t>(data[1] << 8 | data[2]);
    auto dport = static_cast<uint16_t>(data[3] << 8 | data[4]);
    auto c = fk::l7::classify(proto, sport, dport, std::span(data + 5, size - 5));
    if (c.evidence == fk::l7::Evidence::none && c.app != fk::App::none) std::abort();
    return 0;
}
