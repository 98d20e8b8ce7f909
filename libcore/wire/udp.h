// UDP endpoints for the collector and the exporter: address parsing, sockets with large
// receive buffers, batched receive (recvmmsg) and the kernel's count of queue drops.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "record/ipaddr.h"

namespace fk::wire {

struct Endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family() const { return addr.ss_family; }
};

// "HOST:PORT", "[IPv6]:PORT" or a bare "PORT" (then on default_host). Names are resolved.
// Throws UsageError naming the text.
Endpoint parse_endpoint(const std::string& text, const std::string& default_host = "");
Endpoint make_endpoint(const IpAddr& a, uint16_t port);
IpAddr endpoint_ip(const sockaddr_storage& a);
std::string endpoint_string(const Endpoint& e);

// A bound, non-blocking UDP socket with a receive buffer of about rcvbuf bytes
// (SO_RCVBUFFORCE when allowed, else as much as rmem_max grants). IPv6 sockets are
// IPv6-only so that an IPv4 socket on the same port can coexist. Throws DataError when the
// kernel cannot report the socket's drops (socket_drops()).
int open_listener(const Endpoint& where, int rcvbuf);
// The receive buffer the kernel actually gave the socket.
int receive_buffer(int fd);
// Datagrams the kernel dropped so far because the socket's receive queue was full (its
// drop counter, which wraps at 2^32), read with SO_MEMINFO: one system call for any number
// of datagrams, rather than SO_RXQ_OVFL's control message on every datagram received.
uint32_t socket_drops(int fd);

// Receives up to `batch` datagrams per call into fixed buffers, without blocking.
class BatchReceiver {
  public:
    explicit BatchReceiver(unsigned batch = 64, size_t max_datagram = 65536);
    // Returns the number of datagrams read (0: nothing waiting). Throws DataError on a
    // socket error other than "nothing to read".
    unsigned receive(int fd);
    const uint8_t* data(unsigned i) const { return bufs_.data() + i * max_; }
    size_t size(unsigned i) const { return hdrs_[i].msg_len; }
    const sockaddr_storage& source(unsigned i) const { return addrs_[i]; }
    bool truncated(unsigned i) const { return hdrs_[i].msg_hdr.msg_flags & MSG_TRUNC; }

  private:
    unsigned batch_;
    size_t max_;
    std::vector<uint8_t> bufs_;
    std::vector<mmsghdr> hdrs_;
    std::vector<iovec> iovs_;
    std::vector<sockaddr_storage> addrs_;
};

}  // namespace fk::wire
