#include "common/error.h"

#include <cstring>

namespace fk {

std::string errno_text(int err) {
    char buf[256];
    // GNU strerror_r returns the message, which may or may not be buf.
    return std::string(strerror_r(err, buf, sizeof buf));
}

std::string excerpt(std::string_view s, size_t max) {
    std::string out = "'";
    for (size_t i = 0; i < s.size() && i < max; ++i)
        out += s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out += s.size() > max ? "...'" : "'";
    return out;
}

}  // namespace fk
