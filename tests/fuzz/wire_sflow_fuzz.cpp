// Fuzzes the sFlow v5 decoder with one datagram whose version field is forced (see wire_fuzz.h).
#include "wire_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    std::vector<uint8_t> m(data, data + size);
    m[0] = m[1] = m[2] = 0;
    m[3] = 5;
    fk::fuzz::decode_datagram(m);
    return 0;
}
