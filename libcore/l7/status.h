// The outcome every L7 parser reports. Parsers are pure functions over a byte span: they do
// not allocate, do not throw, never read outside the span, and keep no state between calls
// (the QUIC reader keeps its reassembly state in an object the caller owns).
#pragma once
#include <cstdint>

namespace fk::l7 {

enum class Status : uint8_t {
    done,       // recognised; the result's fields are filled
    need_more,  // a correct prefix: call again with the same bytes plus more (result.needed
                // says how many in total, when the format tells)
    not_this,   // these bytes are not this protocol, or not the message the parser reads
    invalid,    // started like this protocol, then broke its rules or the parser's limits
                // (lying lengths, compression loops, oversized names)
};

}  // namespace fk::l7
