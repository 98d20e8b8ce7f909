#include "wire/udp.h"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netdb.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace fk::wire {

Endpoint parse_endpoint(const std::string& text, const std::string& default_host) {
    std::string host = default_host, port;
    if (!text.empty() && text[0] == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw UsageError("'" + text + "': expected [IPv6]:PORT");
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        if (text.find(':') != colon) throw UsageError("'" + text + "': write IPv6 as [ADDR]:PORT");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    } else {
        port = text;
    }
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535) {
        throw UsageError("'" + text + "': bad port");
    }
    if (host.empty()) throw UsageError("'" + text + "': no host");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || !res) throw UsageError("'" + text + "': " + gai_strerror(rc));
    Endpoint e;
    std::memcpy(&e.addr, res->ai_addr, res->ai_addrlen);
    e.len = res->ai_addrlen;
    ::freeaddrinfo(res);
    return e;
}

Endpoint make_endpoint(const IpAddr& a, uint16_t port) {
    Endpoint e;
    if (a.is_v4()) {
        auto* s = reinterpret_cast<sockaddr_in*>(&e.addr);
        s->sin_family = AF_INET;
        s->sin_port = htons(port);
        s->sin_addr.s_addr = htonl(a.v4_value());
        e.len = sizeof(sockaddr_in);
    } else {
        auto* s = reinterpret_cast<sockaddr_in6*>(&e.addr);
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(port);
        a.to_bytes(s->sin6_addr.s6_addr);
        e.len = sizeof(sockaddr_in6);
    }
    return e;
}

IpAddr endpoint_ip(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) {
        return IpAddr::v4(ntohl(reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr));
    }
    if (a.ss_family == AF_INET6) {
        // IPv4-mapped addresses come out as IPv4, which is how IpAddr stores them anyway.
        return IpAddr::v6(reinterpret_cast<const sockaddr_in6&>(a).sin6_addr.s6_addr);
    }
    return {};
}

std::string endpoint_string(const Endpoint& e) {
    const IpAddr ip = endpoint_ip(e.addr);
    const uint16_t port = e.family() == AF_INET
                              ? ntohs(reinterpret_cast<const sockaddr_in&>(e.addr).sin_port)
                              : ntohs(reinterpret_cast<const sockaddr_in6&>(e.addr).sin6_port);
    return ip.is_v4() ? ip_string(ip) + ":" + std::to_string(port)
                      : "[" + ip_string(ip) + "]:" + std::to_string(port);
}

namespace {

// The socket's memory counters (SO_MEMINFO), its drop count among them.
int read_meminfo(int fd, uint32_t (&info)[SK_MEMINFO_VARS]) {
    socklen_t len = sizeof info;
    return ::getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len);
}

}  // namespace

int open_listener(const Endpoint& where, int rcvbuf) {
    const std::string name = endpoint_string(where);
    const int fd = ::socket(where.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw DataError("socket " + name + ": " + errno_text(errno));
    // No SO_REUSEADDR: with it a second collector binds the same port and silently takes the
    // datagrams (Linux gives unicast UDP to the newest socket); without it, it fails to start.
    const int one = 1;
    if (where.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    // Root may exceed net.core.rmem_max; others get what it allows.
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&where.addr), where.len) != 0) {
        const int err = errno;
        ::close(fd);
        throw DataError("bind " + name + ": " + errno_text(err));
    }
    uint32_t info[SK_MEMINFO_VARS];
    if (read_meminfo(fd, info) != 0) {
        const int err = errno;
        ::close(fd);
        throw DataError(name + ": the kernel does not count the socket's drops (SO_MEMINFO): " +
                        errno_text(err));
    }
    return fd;
}

uint32_t socket_drops(int fd) {
    uint32_t info[SK_MEMINFO_VARS] = {};
    read_meminfo(fd, info);
    return info[SK_MEMINFO_DROPS];
}

int receive_buffer(int fd) {
    int v = 0;
    socklen_t len = sizeof v;
    ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len);
    return v;
}

BatchReceiver::BatchReceiver(unsigned batch, size_t max_datagram)
    : batch_(batch),
      max_(max_datagram),
      bufs_(batch * max_datagram),
      hdrs_(batch),
      iovs_(batch),
      addrs_(batch) {}

unsigned BatchReceiver::receive(int fd) {
    for (unsigned i = 0; i < batch_; ++i) {
        iovs_[i] = {bufs_.data() + i * max_, max_};
        msghdr& m = hdrs_[i].msg_hdr;
        m.msg_name = &addrs_[i];
        m.msg_namelen = sizeof(sockaddr_storage);
        m.msg_iov = &iovs_[i];
        m.msg_iovlen = 1;
        m.msg_control = nullptr;
        m.msg_controllen = 0;
        m.msg_flags = 0;
    }
    int n;
    do {
        n = ::recvmmsg(fd, hdrs_.data(), batch_, MSG_DONTWAIT, nullptr);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        throw DataError("recvmmsg: " + errno_text(errno));
    }
    return static_cast<unsigned>(n);
}

}  // namespace fk::wire
