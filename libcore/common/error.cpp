#include "common/error.h"

#include <cstring>

namespace fk {

std::string errno_text(int err) {
    char buf[256];
    // GNU strerror_r returns the message, which may or may not be buf.
    return std::string(strerror_r(err, buf, sizeof buf));
}

}  // namespace fk
