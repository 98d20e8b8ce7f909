// Parser throughput on the real payloads of ../shared/data. A measurement, not a check, so
// it is disabled in the normal run:
//   FLOWKIT_DATA=../shared/data build/unit_l7 --gtest_also_run_disabled_tests
//       --gtest_filter='*Throughput*'
#include <gtest/gtest.h>

#include <time.h>

#include <filesystem>
#include <vector>

#include "capture.h"
#include "l7/classify.h"
#include "l7/dns.h"
#include "l7/http.h"
#include "l7/quic.h"
#include "l7/tls.h"
#include "test_util.h"
#include "truth.h"

namespace fk::l7 {
namespace {

struct Sample {
    uint8_t proto;
    uint16_t sport, dport;
    std::vector<uint8_t> payload;
};

std::vector<Sample> all_payloads(const std::string& data) {
    std::vector<Sample> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(data + "/pcap")) {
        if (!e.is_regular_file()) continue;
        test::for_each_packet(e.path().string(), [&](const test::Packet& p) {
            if (!p.payload.empty()) {
                out.push_back({p.proto, p.sport, p.dport, {p.payload.begin(), p.payload.end()}});
            }
        });
    }
    return out;
}

template <typename Fn>
void measure(const char* what, const std::vector<const Sample*>& samples, Fn fn) {
    if (samples.empty()) return;
    size_t bytes = 0;
    for (auto* s : samples) bytes += s->payload.size();
    // Enough rounds for about a quarter of a second.
    size_t rounds = std::max<size_t>(1, 2000000 / samples.size());
    unsigned sink = 0;
    // CPU time of this thread: the machine is shared, wall time would count the others.
    auto cpu = [] {
        timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    };
    double t0 = cpu();
    for (size_t r = 0; r < rounds; ++r) {
        for (auto* s : samples) sink += fn(*s);
    }
    double secs = cpu() - t0;
    double calls = static_cast<double>(rounds * samples.size());
    std::printf("%-28s %7zu payloads  %8.1f ns/call  %7.2f M calls/s  %7.0f MB/s  (%u)\n", what,
                samples.size(), secs * 1e9 / calls, calls / secs / 1e6,
                static_cast<double>(bytes) * static_cast<double>(rounds) / secs / 1e6, sink % 10);
}

TEST(DISABLED_Throughput, ParsersOnRealPayloads) {
    std::string data = test::data_dir();
    if (data.empty()) GTEST_SKIP() << "no ../shared/data";
    auto samples = all_payloads(data);
    std::vector<const Sample*> every, hellos, initials, requests, responses, dns;
    for (const auto& s : samples) {
        every.push_back(&s);
        if (s.proto == 6 && looks_like_client_hello(s.payload)) hellos.push_back(&s);
        if (s.proto == 17 && looks_like_quic_initial(s.payload)) initials.push_back(&s);
        if (s.proto == 6 && looks_like_http_request(s.payload)) requests.push_back(&s);
        if (s.proto == 6 && s.payload.size() > 5 && s.payload[0] == 'H' && s.payload[4] == '/') {
            responses.push_back(&s);
        }
        if (s.proto == 17 && (s.sport == 53 || s.dport == 53 || s.sport == 5353)) dns.push_back(&s);
    }
    measure("classify (every payload)", every, [](const Sample& s) {
        return static_cast<unsigned>(classify(s.proto, s.sport, s.dport, s.payload).app);
    });
    measure("tls client hello", hellos, [](const Sample& s) {
        ClientHello h;
        return static_cast<unsigned>(parse_tls_client_hello(s.payload, h)) + h.sni.size();
    });
    std::vector<uint8_t> scratch(quic::kMaxInitialPlaintext);
    measure("quic initial (decrypt+hello)", initials, [&](const Sample& s) {
        QuicInitialReader r;
        return static_cast<unsigned>(r.feed(s.payload, scratch)) + r.hello().sni.size();
    });
    measure("http request", requests, [](const Sample& s) {
        HttpRequest req;
        return static_cast<unsigned>(parse_http_request(s.payload, req)) + req.host.size();
    });
    measure("http response", responses, [](const Sample& s) {
        HttpResponse resp;
        return static_cast<unsigned>(parse_http_response(s.payload, resp)) + resp.status;
    });
    measure("dns message", dns, [](const Sample& s) {
        DnsMessage m;
        return static_cast<unsigned>(parse_dns(s.payload, m)) + m.qname().size();
    });
}

}  // namespace
}  // namespace fk::l7
