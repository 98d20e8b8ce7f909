// ClickHouseWriter against a stand-in ClickHouse on loopback that records every request: each
// INSERT holds at most the batch's rows however the blocks are cut, and the rows arrive
// whole and in order.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "formats/clickhouse.h"

namespace fk {
namespace {

// Answers each HTTP request (one per connection, as ClickHouse::open sends them) with 200: the
// list of every field for the writer's question about the table's columns (so that it adds
// none), nothing for the rest. Keeps the bodies of the INSERTs.
class FakeClickHouse {
  public:
    FakeClickHouse() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
            ::listen(listen_fd_, 4) != 0 ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            ADD_FAILURE() << "cannot listen on 127.0.0.1";
        }
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeClickHouse() {
        // Wakes the accept() of serve().
        ::shutdown(listen_fd_, SHUT_RDWR);
        thread_.join();
        ::close(listen_fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<std::string> inserts() const {
        const std::lock_guard lock(mutex_);
        return inserts_;
    }

  private:
    void serve() {
        for (;;) {
            const int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) return;
            answer(fd);
            ::close(fd);
        }
    }

    void answer(int fd) {
        std::string req;
        char buf[1 << 16];
        size_t body_at = std::string::npos, body_len = 0;
        while (body_at == std::string::npos || req.size() < body_at + body_len) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return;
            req.append(buf, static_cast<size_t>(n));
            if (body_at == std::string::npos && req.find("\r\n\r\n") != std::string::npos) {
                body_at = req.find("\r\n\r\n") + 4;
                const size_t cl = req.find("Content-Length: ");
                body_len = cl < body_at ? std::stoul(req.substr(cl + 16)) : 0;
            }
        }
        const std::string body = req.substr(body_at, body_len);
        std::string reply;
        if (req.starts_with("POST /?query=INSERT")) {
            const std::lock_guard lock(mutex_);
            inserts_.push_back(body);
        } else if (body.find("system.columns") != std::string::npos) {
            for (const auto& f : all_fields()) reply += std::string(f.name) + "\n";
        }
        const std::string head =
            "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(reply.size()) +
            "\r\nConnection: close\r\n\r\n";
        const std::string out = head + reply;
        for (size_t at = 0; at < out.size();) {
            const ssize_t n = ::send(fd, out.data() + at, out.size() - at, MSG_NOSIGNAL);
            if (n <= 0) return;
            at += static_cast<size_t>(n);
        }
    }

    int listen_fd_ = -1;
    uint16_t port_ = 0;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<std::string> inserts_;
};

// n rows without strings (so that every row is as long in RowBinary), told apart by their
// ports and counters.
FlowBlock rows(uint32_t first, uint32_t n) {
    FlowBlock b;
    for (uint32_t i = first; i < first + n; ++i) {
        FlowRecord r;
        r.start = 1'700'000'000'000'000ull + i;
        r.end = r.start + 5;
        r.src = IpAddr::v4(0x0a000001);
        r.dst = IpAddr::v4(0x0a000002);
        r.sport = static_cast<uint16_t>(1000 + i);
        r.dport = 443;
        r.proto = 6;
        r.packets = i + 1;
        r.bytes = 100 * (i + 1);
        r.sampling = 1;
        b.append(r);
    }
    return b;
}

TEST(ClickHouseWriter, EachInsertHoldsAtMostTheBatchAcrossBlocks) {
    FakeClickHouse server;
    std::vector<FlowBlock> blocks;
    blocks.push_back(rows(0, 20));  // three batches of 7 begin in it
    blocks.push_back(rows(20, 5));
    blocks.push_back(rows(25, 7));
    blocks.push_back(rows(32, 1));
    std::string want;
    for (auto& b : blocks) append_rowbinary(b, 0, b.size(), want);
    FlowBlock one = rows(0, 1);
    std::string one_row;
    append_rowbinary(one, 0, 1, one_row);
    {
        const ClickHouse ch(server.url());
        ClickHouseWriter w(ch, "flows", 7);
        for (auto& b : blocks) w.add(b);
        w.flush();
        EXPECT_EQ(w.rows(), 33u);
        EXPECT_EQ(w.inserts(), 5u);  // ceil(33 / 7)
    }
    const auto inserts = server.inserts();
    ASSERT_EQ(inserts.size(), 5u);
    std::string got;
    for (size_t i = 0; i < inserts.size(); ++i) {
        // 7, 7, 7, 7, then the 5 left at the flush.
        EXPECT_EQ(inserts[i].size(), (i < 4 ? 7 : 5) * one_row.size()) << "INSERT " << i;
        got += inserts[i];
    }
    EXPECT_EQ(got, want);
}

TEST(ClickHouseWriter, BlocksSmallerThanTheBatchShareAnInsert) {
    FakeClickHouse server;
    FlowBlock a = rows(0, 3), b = rows(3, 4);
    {
        const ClickHouse ch(server.url());
        ClickHouseWriter w(ch, "flows", 500000);
        w.add(a);
        w.add(b);
        w.flush();
        EXPECT_EQ(w.inserts(), 1u);
    }
    const auto inserts = server.inserts();
    ASSERT_EQ(inserts.size(), 1u);
    std::string want;
    append_rowbinary(a, 0, a.size(), want);
    append_rowbinary(b, 0, b.size(), want);
    EXPECT_EQ(inserts[0], want);
}

}  // namespace
}  // namespace fk
