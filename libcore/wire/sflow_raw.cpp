#include "wire/sflow_raw.h"

namespace fk::wire::sflow {

bool raw_header(uint32_t, const uint8_t*, size_t, uint32_t, FlowRecord&) {
    return false;
}

}  // namespace fk::wire::sflow
