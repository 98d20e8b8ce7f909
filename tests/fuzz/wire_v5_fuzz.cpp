// Fuzzes the NetFlow v5 decoder with one datagram whose version field is forced (see wire_fuzz.h).
#include "wire_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    std::vector<uint8_t> m(data, data + size);
    m[0] = 0;
    m[1] = 5;
    fk::fuzz::decode_datagram(m);
    return 0;
}
