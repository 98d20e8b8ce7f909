#include "detect/output.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/time.h"
#include "common/tool.h"

namespace fk::detect {

namespace {

int syslog_severity(Severity s) {
    switch (s) {
        case Severity::kCritical:
            return 2;
        case Severity::kHigh:
            return 3;
        case Severity::kMedium:
            return 4;
        case Severity::kLow:
            return 5;
    }
    return 5;
}

uint64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

SyslogSender::SyslogSender(const std::string& target, int facility)
    : target_(target), facility_(facility) {
    char host[256] = "-";
    if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "-");
    host_ = host;
    if (target.starts_with("unix:")) {
        const std::string path = target.substr(5);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        if (path.size() >= sizeof sa.sun_path) throw UsageError("--syslog: socket path too long");
        std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
        for (const int type : {SOCK_DGRAM, SOCK_STREAM}) {
            fd_ = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
            if (fd_ < 0) continue;
            if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
                stream_ = type == SOCK_STREAM;
                return;
            }
            close(fd_);
            fd_ = -1;
        }
        throw DataError("--syslog: cannot connect to " + path + ": " + errno_text(errno));
    }
    bool tcp;
    std::string rest;
    if (target.starts_with("udp://")) {
        tcp = false;
        rest = target.substr(6);
    } else if (target.starts_with("tcp://")) {
        tcp = true;
        rest = target.substr(6);
    } else {
        throw UsageError("--syslog: '" + target +
                         "' is not udp://HOST:PORT, tcp://HOST:PORT or unix:PATH");
    }
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) throw UsageError("--syslog: '" + target + "' has no port");
    std::string h = rest.substr(0, colon);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    const std::string port = rest.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(h.c_str(), port.c_str(), &hints, &res) != 0 || !res)
        throw UsageError("--syslog: cannot resolve " + rest);
    for (addrinfo* a = res; a; a = a->ai_next) {
        fd_ = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd_ < 0) continue;
        if (connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
        close(fd_);
        fd_ = -1;
    }
    freeaddrinfo(res);
    if (fd_ < 0) throw DataError("--syslog: cannot connect to " + rest + ": " + errno_text(errno));
    stream_ = tcp;
}

SyslogSender::~SyslogSender() {
    if (fd_ >= 0) close(fd_);
}

std::string SyslogSender::format(const Event& e, int facility, const std::string& host, int pid) {
    const int pri = facility * 8 + syslog_severity(e.severity);
    // RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
    return "<" + std::to_string(pri) + ">1 " + time_string(e.time, TimeDigits::kMicros) + " " +
           (host.empty() ? "-" : host) + " flowdetect " + std::to_string(pid) + " " + e.method +
           " - " + to_json(e);
}

void SyslogSender::send(const Event& e) {
    std::string msg = format(e, facility_, host_, static_cast<int>(getpid()));
    if (stream_) msg = std::to_string(msg.size()) + " " + msg;
    ++sent_;
    size_t off = 0;
    while (off < msg.size()) {
        const ssize_t n = ::send(fd_, msg.data() + off, msg.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            // A syslog daemon that is down (ICMP port unreachable, a closed connection) costs
            // messages, not the detection: the events still go to the other outputs, and the
            // exit status tells that some were lost.
            lose(errno);
            return;
        }
        if (!stream_) break;
        off += static_cast<size_t>(n);
    }
}

void SyslogSender::finish() {
    if (stream_ || sent_ == 0) return;
    // The ICMP answer to the last datagram comes after its send() returned: wait a moment for
    // it (on a LAN or loopback it is back long before).
    pollfd p{fd_, 0, 0};
    if (::poll(&p, 1, 100) != 1 || !(p.revents & POLLERR)) return;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) lose(err);
}

void SyslogSender::lose(int err) {
    if (lost_++ == 0) warn("--syslog " + target_ + ": " + errno_text(err) + " (messages lost)");
}

ExecAction::ExecAction(std::string command, double rate)
    : command_(std::move(command)), rate_(rate), tokens_(rate < 1 ? 1 : rate) {}

void ExecAction::run(const Event& e) {
    // Token bucket: `rate` per second, bursts up to one second's worth.
    const uint64_t now = mono_ns();
    if (last_ns_)
        tokens_ = std::min(std::max(rate_, 1.0), tokens_ + (now - last_ns_) * 1e-9 * rate_);
    last_ns_ = now;
    if (tokens_ < 1) {
        ++suppressed_;
        return;
    }
    tokens_ -= 1;
    const std::string json = to_json(e) + "\n";
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) throw DataError("--exec: pipe: " + errno_text(errno));
    const pid_t pid = fork();
    if (pid < 0) throw DataError("--exec: fork: " + errno_text(errno));
    if (pid == 0) {
        dup2(p[0], STDIN_FILENO);
        dup2(STDERR_FILENO, STDOUT_FILENO);  // our stdout carries events
        execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(p[0]);
    size_t off = 0;
    while (off < json.size()) {
        const ssize_t n = write(p[1], json.data() + off, json.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;  // the command did not read its input: its business
        }
        off += static_cast<size_t>(n);
    }
    close(p[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ++ran_;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed_;
}

}  // namespace fk::detect
