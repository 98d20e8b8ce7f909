// The kernel's queue drops are counted: a listener with a tiny receive buffer is sent more
// than it can queue; what it receives plus what socket_drops() reports is what was sent.
// The collector's pause after a trickle fits the buffer.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "wire/collector.h"
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

// Hand-computed: a quarter of the buffer at 1000 bytes per microsecond, 1-30 ms.
TEST(Udp, CollectorPauseFitsTheSmallestBuffer) {
    EXPECT_EQ(fk::receive_pause_micros(size_t{128} << 20), 30000u);  // --rcvbuf 64M
    EXPECT_EQ(fk::receive_pause_micros(size_t{64} << 20), 16777u);   // --rcvbuf 32M

    EXPECT_EQ(fk::receive_pause_micros(size_t{8} << 20), 2097u);  // --rcvbuf 4M
    EXPECT_EQ(fk::receive_pause_micros(4'000'000), 1000u);
    EXPECT_EQ(fk::receive_pause_micros(3'999'999), 0u);
    EXPECT_EQ(fk::receive_pause_micros(212'992), 0u);  // Linux's default buffer
    for (size_t buffer = 1 << 16; buffer <= size_t{1} << 31; buffer += buffer / 3) {
        EXPECT_LE(uint64_t{fk::receive_pause_micros(buffer)} * 1000, buffer / 4) << buffer;
    }
}

}  // namespace
}  // namespace fk::wire
