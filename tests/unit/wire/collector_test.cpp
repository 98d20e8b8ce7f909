#include "wire/collector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "common/error.h"
#include "common/time.h"
#include "wire/exporter.h"

namespace fk {
namespace {

// A UDP port on 127.0.0.1 that nothing was bound to a moment ago.
unsigned free_port() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// Takes `good` blocks, then fails every write, as a store on a full disk does.
class FailingSink : public BlockSink {
  public:
    explicit FailingSink(size_t good) : good_(good) {}
    void rotate(uint64_t, const CaptureStats&) override {}
    void write(FlowBlock& b) override {
        if (writes == good_) throw DataError("write x.flows: No space left on device");
        ++writes;
        rows += b.size();
    }
    void finish(const CaptureStats& s) override {
        ++finishes;
        for (const auto& e : s.exporters) flows += e.flows;
    }

    size_t writes = 0, rows = 0, finishes = 0;
    uint64_t flows = 0;

  private:
    size_t good_;
};

// A store that fails still gets finish() with the exporters' counts (to keep its last whole
// blocks and the statistics), and stop() reports the write error itself.
TEST(Collector, FinishesTheSinkAfterAWriteError) {
    for (const bool write_inline : {false, true}) {
        SCOPED_TRACE(write_inline ? "writing on the receiving thread" : "with a writer thread");
        const unsigned port = free_port();
        CollectorOptions co;
        co.listen = {"127.0.0.1:" + std::to_string(port)};
        co.block_rows = 64;
        co.write_inline = write_inline;
        Collector collector(co);
        FailingSink sink(2);
        collector.start(sink);
        {
            FlowExporter ex("127.0.0.1:" + std::to_string(port));
            const uint64_t now = now_micros();
            for (uint32_t i = 0; i < 2000; ++i) {
                FlowRecord r;
                r.start = r.end = now;
                r.src = IpAddr::v4(0x0a000000 + i);
                r.dst = IpAddr::v4(0xc0a80001);
                r.sport = static_cast<uint16_t>(1024 + i);
                r.dport = 443;
                r.proto = 6;
                r.packets = 1;
                r.bytes = 100;
                ex.add(r);
            }
        }
        for (int wait = 0; wait < 500 && !collector.failed(); ++wait) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ASSERT_TRUE(collector.failed()) << "the third block was never written";
        try {
            collector.stop();
            ADD_FAILURE() << "stop() did not report the write error";
        } catch (const DataError& e) {
            EXPECT_STREQ(e.what(), "write x.flows: No space left on device");
        }
        EXPECT_EQ(sink.writes, 2u);
        EXPECT_GE(sink.rows, 2 * co.block_rows);  // a block ends after a whole datagram
        EXPECT_EQ(sink.finishes, 1u);
        // The counts cover the block that failed too.
        EXPECT_GE(sink.flows, sink.rows + co.block_rows);
    }
}

class CountingSink : public BlockSink {
  public:
    void rotate(uint64_t, const CaptureStats&) override {}
    void write(FlowBlock&) override {}
    void finish(const CaptureStats& s) override { refused = s.sources_refused; }
    uint64_t refused = 0;
};

// Runs a collector of options co on a free loopback port while each of `exporters`
// observation domains sends it one empty IPFIX message (a new exporter each), `pause` apart;
// returns what it wrote on stderr.
std::string run_exporters(CollectorOptions co, CountingSink& sink, uint8_t exporters,
                          std::chrono::microseconds pause = {}) {
    const unsigned port = free_port();
    co.listen = {"127.0.0.1:" + std::to_string(port)};
    Collector collector(co);
    testing::internal::CaptureStderr();
    collector.start(sink);
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<uint16_t>(port));
    for (uint8_t domain = 1; domain <= exporters; ++domain) {
        const uint8_t msg[16] = {0, 10, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, domain};
        ::sendto(fd, msg, sizeof msg, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        std::this_thread::sleep_for(pause);
    }
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    collector.stop();
    return testing::internal::GetCapturedStderr();
}

// Exporters past the limit lose everything they send: said once on stderr, since with -w
// nothing else would show it.
TEST(Collector, SaysOnceThatExportersAreOverTheLimit) {
    CollectorOptions co;
    co.decoder.max_sources = 2;
    CountingSink sink;
    const std::string err = run_exporters(co, sink, 6);
    EXPECT_EQ(sink.refused, 4u);
    const std::string said = "more than 2 exporters";
    const size_t at = err.find(said);
    EXPECT_NE(at, std::string::npos) << err;
    EXPECT_EQ(err.find(said, at + 1), std::string::npos) << err;
}

// Exporters past the first hundred by flows share one log line: 16,384 of them made 49,000
// lines an interval.
TEST(Collector, LogsAHundredExportersAndSumsTheRest) {
    CollectorOptions co;
    co.log_interval = 3600ull * 1000000;  // only the lines at stop
    CountingSink sink;
    const std::string err = run_exporters(co, sink, 130, std::chrono::microseconds(200));
    size_t lines = 0;
    for (size_t at = err.find("exporter 127.0.0.1"); at != std::string::npos;
         at = err.find("exporter 127.0.0.1", at + 1))
        ++lines;
    EXPECT_EQ(lines, 100u) << err;
    EXPECT_NE(err.find("30 more exporters: 30 datagrams, 0 flows"), std::string::npos) << err;
}

}  // namespace
}  // namespace fk
