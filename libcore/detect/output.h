// Where events go: JSON Lines or text on a stream, syslog (RFC 5424) over UDP, TCP (octet
// counting, RFC 6587) or a unix socket, and an action command run per event with the event's
// JSON on its standard input, at most `rate` commands per second (the rest are counted).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "common/io.h"
#include "detect/event.h"

namespace fk::detect {

class SyslogSender {
  public:
    // target: udp://HOST:PORT, tcp://HOST:PORT or unix:PATH (datagram, else stream).
    explicit SyslogSender(const std::string& target, int facility = 4);
    ~SyslogSender();
    // A message that cannot be sent is counted in lost() (with a warning at the first) and
    // the run goes on: the events still reach the other outputs.
    void send(const Event& e);
    // After the last send: a datagram target that answered late that nothing listens (ICMP
    // port unreachable) lost messages too.
    void finish();
    uint64_t sent() const { return sent_; }
    uint64_t lost() const { return lost_; }
    const std::string& target() const { return target_; }
    // The RFC 5424 message of an event (no framing).
    static std::string format(const Event& e, int facility, const std::string& host, int pid);

  private:
    std::string target_;
    int fd_ = -1;
    bool stream_ = false;
    int facility_;
    std::string host_;
    uint64_t sent_ = 0, lost_ = 0;
    void lose(int err);
};

class ExecAction {
  public:
    ExecAction(std::string command, double rate);
    void run(const Event& e);
    uint64_t ran() const { return ran_; }
    uint64_t suppressed() const { return suppressed_; }
    uint64_t failed() const { return failed_; }

  private:
    std::string command_;
    double rate_, tokens_;
    uint64_t last_ns_ = 0;
    uint64_t ran_ = 0, suppressed_ = 0, failed_ = 0;
};

}  // namespace fk::detect
