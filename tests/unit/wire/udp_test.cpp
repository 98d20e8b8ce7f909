// The kernel's queue drops are counted: a listener with a tiny receive buffer is sent more
// than it can queue; what it receives plus what socket_drops() reports is what was sent.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "wire/udp.h"

namespace fk::wire {
namespace {

TEST(Udp, QueueDropsAreCounted) {
    const int fd = open_listener(parse_endpoint("127.0.0.1:0"), 4096);
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen), 0);
    EXPECT_EQ(socket_drops(fd), 0u);
    const int tx = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(tx, 0);
    const std::vector<uint8_t> payload(1000, 0x5a);
    constexpr unsigned kSent = 500;
    for (unsigned i = 0; i < kSent; ++i) {
        ASSERT_EQ(::sendto(tx, payload.data(), payload.size(), 0,
                           reinterpret_cast<const sockaddr*>(&bound), blen),
                  static_cast<ssize_t>(payload.size()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    BatchReceiver rx(16);
    unsigned got = 0;
    for (unsigned n; (n = rx.receive(fd)) > 0;) {
        for (unsigned i = 0; i < n; ++i) EXPECT_EQ(rx.size(i), payload.size());
        got += n;
    }
    const uint32_t dropped = socket_drops(fd);
    EXPECT_GT(got, 0u);
    EXPECT_GT(dropped, 0u) << "a 4 KiB buffer cannot queue 500 KB";
    EXPECT_EQ(got + dropped, kSent);
    ::close(tx);
    ::close(fd);
}

}  // namespace
}  // namespace fk::wire
