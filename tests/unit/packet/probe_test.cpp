// The probe on hand-built captures: timeouts, FIN/RST, the flow bound, fragments in any
// order, sampling, shared connection state, capture file formats and their damage.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.h"
#include "packet/threaded_sink.h"
#include "packet_builder.h"
#include "probe_util.h"
#include "record/names.h"
#include "synth/messages.h"
#include "synth/rng.h"
#include "test_util.h"

namespace fk::test {
namespace {

constexpr uint32_t kA = 0x0a000001, kB = 0x0a000002;
constexpr uint64_t kT0 = 1700000000ull * 1000000;
constexpr uint64_t kSec = 1000000;

RunResult run_frames(const std::vector<Frame>& frames, ProbeOptions opts = {}) {
    TempDir dir;
    write_file(dir.file("in.pcap"), pcap_file(frames));
    return run_probe({dir.file("in.pcap")}, opts);
}

Frame udp_frame(uint64_t ts, uint16_t sport = 1000, uint16_t dport = 2000) {
    return {ts, eth_ipv4(kA, kB, 17, udp(sport, dport, Bytes(12, 0)))};
}

TEST(Probe, IdleTimeoutSplitsAFlow) {
    const auto r = run_frames({udp_frame(kT0), udp_frame(kT0 + 10 * kSec),
                               udp_frame(kT0 + 26 * kSec)});  // 16 s idle > 15 s
    ASSERT_EQ(r.recs.size(), 2u);
    EXPECT_EQ(r.recs[0].packets, 2u);
    EXPECT_EQ(r.recs[0].start, kT0);
    EXPECT_EQ(r.recs[0].end, kT0 + 10 * kSec);
    EXPECT_EQ(r.recs[0].bytes, 2u * (20 + 8 + 12));
    EXPECT_EQ(r.recs[0].sampling, 1u);
    EXPECT_EQ(r.recs[1].packets, 1u);
}

TEST(Probe, ActiveTimeoutCutsALongFlow) {
    std::vector<Frame> f;
    for (uint64_t s = 0; s <= 700; s += 10) f.push_back(udp_frame(kT0 + s * kSec));
    ProbeOptions o;
    const auto r = run_frames(f, o);
    ASSERT_EQ(r.recs.size(), 3u);  // 0..290, 300..590, 600..700
    EXPECT_EQ(r.recs[0].packets, 30u);
    EXPECT_EQ(r.recs[1].start, kT0 + 300 * kSec);
    EXPECT_EQ(r.recs[2].packets, 11u);
}

TEST(Probe, FinAndRstEndTcpFlows) {
    const auto pkt = [](uint8_t flags, uint32_t seq) {
        return eth_ipv4(kA, kB, 6, tcp(40000, 80, flags, seq, 1));
    };
    // FIN: the ACK that follows within a second still belongs to the flow; a packet 2 s
    // after it starts a new record. RST ends the flow at once.
    const auto r = run_frames({{kT0, pkt(0x02, 100)},
                               {kT0 + 1, pkt(0x11, 101)},
                               {kT0 + 500000, pkt(0x10, 102)},
                               {kT0 + 2500000, pkt(0x10, 102)},
                               {kT0 + 2500001, pkt(0x14, 102)},
                               {kT0 + 2500002, pkt(0x10, 102)}});
    ASSERT_EQ(r.recs.size(), 3u);
    EXPECT_EQ(r.recs[0].packets, 3u);
    EXPECT_EQ(r.recs[0].flags, 0x13);
    EXPECT_EQ(r.recs[0].end, kT0 + 500000);
    EXPECT_EQ(r.recs[1].packets, 2u);  // ACK, RST
    EXPECT_EQ(r.recs[1].flags, 0x14);
    EXPECT_EQ(r.recs[2].packets, 1u);  // after the RST
}

TEST(Probe, MaxFlowsEvictsTheLeastRecentlySeen) {
    std::vector<Frame> f;
    for (uint16_t p = 0; p < 10; ++p) f.push_back(udp_frame(kT0 + p, 1000 + p));
    f.push_back(udp_frame(kT0 + 20, 1000));  // flow 0 was evicted: a new record
    ProbeOptions o;
    o.cache.max_flows = 4;
    const auto r = run_frames(f, o);
    EXPECT_EQ(r.cache.evicted, 7u);
    EXPECT_EQ(r.cache.peak_flows, 4u);
    EXPECT_EQ(r.recs.size(), 11u);
    uint64_t packets = 0;
    for (const auto& x : r.recs) packets += x.packets;
    EXPECT_EQ(packets, 11u);
}

// One-packet UDP flows, 100 a second from `t`, each from its own port.
std::vector<Frame> udp_flows(uint64_t t, uint16_t first_port, unsigned n) {
    std::vector<Frame> f;
    for (unsigned i = 0; i < n; ++i)
        f.push_back(udp_frame(t + i * kSec / 100, static_cast<uint16_t>(first_port + i)));
    return f;
}

// One packet dated 80 years ahead moved the expiry clock there: the flows held ended at once,
// and no flow expired after it (the whole input stayed in the cache).
TEST(Probe, OnePacketDatedAheadDoesNotStopExpiry) {
    constexpr uint64_t kAhead = kT0 + 80ull * 365 * 86400 * kSec;
    std::vector<Frame> f = udp_flows(kT0, 10000, 6000);  // 60 s
    f.insert(f.begin() + 100, udp_frame(kAhead, 7, 7));
    const auto r = run_frames(f);
    ASSERT_EQ(r.recs.size(), 6001u);
    EXPECT_LT(r.cache.peak_flows, 1600u);  // 15 s of flows; 6001 when the clock jumped
    EXPECT_EQ(r.cache.clock_steps_back, 0u);
    EXPECT_EQ(
        std::count_if(r.recs.begin(), r.recs.end(), [](const Rec& x) { return x.start == kAhead; }),
        1);
}

// Nor does one packet dated at 0 set the clock back: the flows held go on.
TEST(Probe, OnePacketDatedAtZeroEndsNoFlow) {
    std::vector<Frame> f;
    for (uint64_t s = 0; s < 60; ++s) f.push_back(udp_frame(kT0 + s * kSec));
    f.insert(f.begin() + 30, udp_frame(0, 7, 7));
    const auto r = run_frames(f);
    ASSERT_EQ(r.recs.size(), 2u);
    EXPECT_EQ(r.cache.clock_steps_back, 0u);
    const auto& flow = r.recs[0].sport == 1000 ? r.recs[0] : r.recs[1];
    EXPECT_EQ(flow.packets, 60u);
}

// A capture whose clock was set back a day: the flows held end there, and flows expire
// again after it. Expiry waited for the old time to come back (a day).
TEST(Probe, ClockSetBackEndsTheFlowsHeld) {
    std::vector<Frame> f = udp_flows(kT0, 10000, 3000);
    f.push_back(udp_frame(kT0 + 30 * kSec));  // a flow that goes on across the step
    const uint64_t back = kT0 - 86400 * kSec;
    const auto after = udp_flows(back, 20000, 3000);
    f.insert(f.end(), after.begin(), after.end());
    f.push_back(udp_frame(back + 30 * kSec));
    const auto r = run_frames(f);
    EXPECT_EQ(r.cache.clock_steps_back, 1u);
    EXPECT_LT(r.cache.peak_flows, 1600u);
    ASSERT_EQ(r.recs.size(), 6002u);
    const auto across =
        std::count_if(r.recs.begin(), r.recs.end(), [](const Rec& x) { return x.sport == 1000; });
    EXPECT_EQ(across, 2);  // a record on each side of the step
}

Frame fragment(uint64_t ts, uint16_t id, uint16_t frag, const Bytes& body) {
    Bytes f = ether(0x0800);
    append(f, ipv4(kA, kB, 17, body.size(), id, frag));
    append(f, body);
    return {ts, f};
}

TEST(Probe, LaterFragmentsJoinTheFirstFragmentsFlowInAnyOrder) {
    const Bytes first = udp(5353, 9999, Bytes(16, 1));  // 24 bytes: offset 3 (8-byte units)
    const Bytes rest(40, 2);
    // Datagram 1 in order, datagram 2 with its later fragment first.
    const auto r = run_frames({fragment(kT0, 1, 0x2000, first), fragment(kT0 + 1, 1, 3, rest),
                               fragment(kT0 + 2, 2, 3, rest), fragment(kT0 + 3, 2, 0x2000, first)});
    ASSERT_EQ(r.recs.size(), 1u);
    EXPECT_EQ(r.recs[0].sport, 5353);
    EXPECT_EQ(r.recs[0].packets, 4u);
    EXPECT_EQ(r.recs[0].bytes, 2u * (20 + 24) + 2u * (20 + 40));
    EXPECT_EQ(r.recs[0].start, kT0);
}

// IPv6: every fragment names the header after the fragment header (here destination
// options, 60); only the first goes on to UDP. The later fragments joined a flow of their
// own (proto 60, no ports) instead of the datagram's.
TEST(Probe, Ipv6FragmentsWithOptionsAfterTheFragmentHeaderJoinOneFlow) {
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8}, b[16] = {0x20, 0x01, 0x0d, 0xb8};
    a[15] = 1;
    b[15] = 2;
    const auto fragment6 = [&](uint64_t ts, uint32_t id, uint16_t offset_flags, const Bytes& rest) {
        Bytes frag{60, 0};  // next: destination options
        put16(frag, offset_flags);
        put32(frag, id);
        append(frag, rest);
        Bytes pkt = ether(0x86dd);
        append(pkt, ipv6(a, b, 44, frag.size()));
        append(pkt, frag);
        return Frame{ts, pkt};
    };
    Bytes first{17, 0, 1, 4, 0, 0, 0, 0};  // destination options: next UDP, PadN
    append(first, udp(5555, 7777, Bytes(16, 1)));
    const Bytes rest(40, 2);  // first: 8 + 24 bytes = offset 4 (8-byte units)
    const auto r =
        run_frames({fragment6(kT0, 1, 0x0001, first), fragment6(kT0 + 1, 1, 4 << 3, rest),
                    fragment6(kT0 + 2, 2, 4 << 3, rest), fragment6(kT0 + 3, 2, 0x0001, first)});
    ASSERT_EQ(r.recs.size(), 1u);
    EXPECT_EQ(r.recs[0].proto, 17);
    EXPECT_EQ(r.recs[0].sport, 5555);
    EXPECT_EQ(r.recs[0].packets, 4u);
}

// A DNS answer ends its flow, but one in several fragments ends it with its last fragment:
// the rest of the answer counted as a flow of its own, without the name (flowsynth's
// fragmented answers: 1,769 records for 1,180 answers). The next answer is a new record.
TEST(Probe, AFragmentedDnsAnswerIsOneRecord) {
    synth::Rng rng(7);
    uint8_t msg[synth::kMaxMessage];
    const synth::DnsQuestion q{0x1234, "big.example.org", synth::kDnsTxt};
    const size_t n = synth::dns_response(msg, q, synth::kRcodeNoError, 8, 200, rng);
    ASSERT_GT(n, 800u);
    const Bytes dgram = udp(53, 40000, Bytes(msg, msg + n));
    // Three fragments: 400, 400 and the rest (offsets in 8-byte units).
    const Bytes a(dgram.begin(), dgram.begin() + 400), b(dgram.begin() + 400, dgram.begin() + 800),
        c(dgram.begin() + 800, dgram.end());
    const Bytes again = udp(53, 40000, Bytes(msg, msg + 100));
    const auto r = run_frames({fragment(kT0, 9, 0x2000, a),
                               fragment(kT0 + 1, 9, 0x2000 | 50, b),
                               fragment(kT0 + 2, 9, 100, c),
                               {kT0 + 3, eth_ipv4(kA, kB, 17, again)}});
    ASSERT_EQ(r.recs.size(), 2u);
    EXPECT_EQ(r.recs[0].packets, 3u);
    EXPECT_EQ(r.recs[0].bytes, 3u * 20 + dgram.size());
    EXPECT_EQ(r.recs[0].dns_qname, "big.example.org");
    EXPECT_EQ(r.recs[0].end, kT0 + 2);
    EXPECT_EQ(r.recs[1].packets, 1u);
    EXPECT_EQ(r.recs[1].start, kT0 + 3);
}

TEST(Probe, FragmentsWithoutTheirFirstFragmentStillCount) {
    const auto r = run_frames({fragment(kT0, 5, 3, Bytes(40, 0)), udp_frame(kT0 + 40 * kSec)});
    uint64_t portless = 0;
    for (const auto& x : r.recs)
        if (x.proto == 17 && x.sport == 0) portless += x.packets;
    EXPECT_EQ(portless, 1u);
    EXPECT_EQ(r.stats.flow_packets, 2u);
}

// Between each datagram's two fragments, 5,000 later fragments from another host whose first
// fragment never comes. They took the fragment table's entries of the real datagrams, whose
// second fragments then lost their ports: all 20 with 20,000 in between.
TEST(Probe, AFloodOfUnmatchedFragmentsKeepsTheDatagramsPorts) {
    constexpr uint32_t kFlooder = 0x0a090909;
    const Bytes first = udp(5353, 9999, Bytes(16, 1));
    std::vector<Frame> f;
    uint64_t t = kT0;
    uint16_t flood_id = 0;
    for (uint16_t d = 0; d < 20; ++d) {
        f.push_back(fragment(t++, d, 0x2000, first));
        for (int i = 0; i < 5000; ++i) {
            Bytes frame = ether(0x0800);
            append(frame, ipv4(kFlooder, kB, 17, 32, flood_id++, 1));
            append(frame, Bytes(32, 0));
            f.push_back({t++, frame});
        }
        f.push_back(fragment(t++, d, 3, Bytes(40, 2)));
    }
    const auto r = run_frames(f);
    uint64_t with_ports = 0, without = 0;
    for (const auto& x : r.recs) {
        if (x.src != "10.0.0.1") continue;
        (x.sport == 5353 ? with_ports : without) += x.packets;
    }
    EXPECT_EQ(with_ports, 40u);
    EXPECT_EQ(without, 0u);
    EXPECT_EQ(r.stats.flow_packets, 20u * 5002);  // the flood's packets still count
}

TEST(Probe, SystematicSamplingRenormalises) {
    std::vector<Frame> f;
    for (int i = 0; i < 100; ++i) f.push_back(udp_frame(kT0 + i));
    ProbeOptions o;
    o.sample = o.cache.sampling = 10;
    const auto r = run_frames(f, o);
    ASSERT_EQ(r.recs.size(), 1u);
    EXPECT_EQ(r.recs[0].packets, 100u);  // 10 seen, times 10
    EXPECT_EQ(r.recs[0].sampling, 10u);
    EXPECT_EQ(r.stats.sampled_out, 90u);
}

TEST(Probe, RandomSamplingIsRepeatableAndNearTheRate) {
    std::vector<Frame> f;
    for (int i = 0; i < 20000; ++i) f.push_back(udp_frame(kT0 + i));
    ProbeOptions o;
    o.sample = o.cache.sampling = 10;
    o.sample_mode = SampleMode::kRandom;
    const auto a = run_frames(f, o);
    const auto b = run_frames(f, o);
    ASSERT_EQ(a.recs.size(), 1u);
    EXPECT_EQ(a.recs[0].packets, b.recs[0].packets);
    EXPECT_NEAR(static_cast<double>(a.recs[0].packets), 20000.0, 20000.0 * 0.07);
}

TEST(Probe, BothDirectionsShareHandshakeDelays) {
    const auto c2s = [](uint8_t flags, uint32_t seq) {
        return eth_ipv4(kA, kB, 6, tcp(40000, 443, flags, seq, 0));
    };
    const auto s2c = [](uint8_t flags, uint32_t seq, const Bytes& d = {}) {
        return eth_ipv4(kB, kA, 6, tcp(443, 40000, flags, seq, 0, d));
    };
    const auto req = eth_ipv4(kA, kB, 6, tcp(40000, 443, 0x18, 1, 0, Bytes(100, 'q')));
    const auto r = run_frames({{kT0, c2s(0x02, 0)},
                               {kT0 + 700, s2c(0x12, 0)},
                               {kT0 + 900, c2s(0x10, 1)},
                               {kT0 + 1000, req},
                               {kT0 + 1000 + 5000, s2c(0x18, 1, Bytes(50, 'r'))},
                               {kT0 + 9000, req}});  // a retransmission
    ASSERT_EQ(r.recs.size(), 2u);
    for (const auto& x : r.recs) {
        EXPECT_EQ(x.rtt_server, 700u);
        EXPECT_EQ(x.rtt_client, 200u);
        EXPECT_EQ(x.srt, 5000u);
    }
    const Rec& client = r.recs[0].sport == 40000 ? r.recs[0] : r.recs[1];
    EXPECT_EQ(client.retrans, 1u);
}

// srt over UDP: the request (from the higher port) to the first answer after it, on the
// records of both directions (it was set for TCP only).
TEST(Probe, UdpRequestsGetAServerResponseTime) {
    const auto r =
        run_frames({{kT0, eth_ipv4(kA, kB, 17, udp(40000, 161, Bytes(30, 'q')))},
                    {kT0 + 3000, eth_ipv4(kB, kA, 17, udp(161, 40000, Bytes(60, 'a')))},
                    {kT0 + 9000, eth_ipv4(kB, kA, 17, udp(161, 40000, Bytes(60, 'a')))}});
    ASSERT_EQ(r.recs.size(), 2u);
    for (const Rec& x : r.recs) EXPECT_EQ(x.srt, 3000u) << "port " << x.sport;
}

// A repeated FIN is a retransmission (it takes a sequence number); a keep-alive, one byte
// below the next sequence number, is not, as tshark tells them (tcp.analysis.retransmission,
// tcp.analysis.keep_alive). Repeated FINs went uncounted: 48 segments of ../shared/data.
TEST(Probe, RepeatedFinsCountAsRetransmissionsKeepAlivesDoNot) {
    const auto seg = [](uint8_t flags, uint32_t seq, size_t len) {
        return eth_ipv4(kA, kB, 6, tcp(40000, 80, flags, seq, 1, Bytes(len, 'x')));
    };
    const auto r = run_frames({{kT0, seg(0x18, 1, 10)},
                               {kT0 + 100'000, seg(0x10, 10, 1)},   // keep-alive
                               {kT0 + 200'000, seg(0x10, 10, 1)},   // keep-alive
                               {kT0 + 300'000, seg(0x11, 11, 0)},   // FIN
                               {kT0 + 500'000, seg(0x11, 11, 0)},   // FIN again
                               {kT0 + 700'000, seg(0x18, 5, 6)}});  // data again
    ASSERT_EQ(r.recs.size(), 1u);
    EXPECT_EQ(r.recs[0].retrans, 2u);
}

// A Host header of kilobytes (hostile traffic) is kept to kMaxTextBytes, as a record keeps
// it, over TCP and in an SSDP datagram; a host at the limit is kept whole.
TEST(Probe, LongHostIsCutToTheTextLimit) {
    const auto request = [](const std::string& host) {
        const std::string t = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        return Bytes(t.begin(), t.end());
    };
    const std::string longest(kMaxTextBytes, 'h');
    const std::string ssdp = "M-SEARCH * HTTP/1.1\r\nHOST: " + longest + "x\r\n\r\n";
    const auto r = run_frames(
        {{kT0, eth_ipv4(kA, kB, 6, tcp(40000, 80, 0x18, 1, 0, request(longest + "xyz")))},
         {kT0 + 1, eth_ipv4(kA, kB, 6, tcp(40001, 80, 0x18, 1, 0, request(longest)))},
         {kT0 + 2, eth_ipv4(kA, kB, 17, udp(40002, 1900, Bytes(ssdp.begin(), ssdp.end())))}});
    ASSERT_EQ(r.recs.size(), 3u);
    for (const Rec& x : r.recs) EXPECT_EQ(x.http_host, longest) << "port " << x.sport;
}

// A TLS record with a ClientHello for `sni`.
Bytes client_hello(const char* sni, uint64_t seed) {
    uint8_t hello[4096];
    synth::Rng rng(seed);
    synth::ClientHello h;
    h.sni = sni;
    return Bytes(hello, hello + synth::tls_client_hello_record(hello, h, rng));
}

// A TLS hello and an HTTP request sent one byte per segment after a first one that shows what
// they are: parsed again only when a parse can have a new outcome (a hello once the bytes its
// parser asked for are there, a request at a new line, from its first incomplete line), they
// still give their SNI and Host.
TEST(Probe, MessagesInOneByteSegmentsAreRead) {
    const Bytes hello = client_hello("bytewise.example", 5);
    const std::string request = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nHost: lines.example\r\n\r\n";
    std::vector<Frame> frames;
    uint64_t ts = kT0;
    const auto bytewise = [&](uint16_t sport, uint16_t dport, const uint8_t* d, size_t n) {
        constexpr size_t kFirst = 8;
        for (size_t i = 0; i < n; i += i ? 1 : kFirst)
            frames.push_back({ts++, eth_ipv4(kA, kB, 6,
                                             tcp(sport, dport, 0x18, static_cast<uint32_t>(1 + i),
                                                 0, Bytes(d + i, d + i + (i ? 1 : kFirst))))});
    };
    bytewise(40000, 443, hello.data(), hello.size());
    bytewise(40001, 80, reinterpret_cast<const uint8_t*>(request.data()), request.size());
    const auto r = run_frames(frames);
    ASSERT_EQ(r.recs.size(), 2u);
    const Rec& tls = r.recs[0].dport == 443 ? r.recs[0] : r.recs[1];
    const Rec& http = r.recs[0].dport == 443 ? r.recs[1] : r.recs[0];
    EXPECT_EQ(tls.sni, "bytewise.example");
    EXPECT_EQ(http.http_host, "lines.example");
}

// A TLS connection paused for 40 s, longer than the idle timeout: its later records still
// carry the SNI and srt, whether or not other traffic moves the clock past the timeout during
// the pause. (With other traffic the flow was ended and its connection state freed, so the
// later records had none: 54 connections of ../shared/data, 240 records.)
TEST(Probe, AConnectionKeepsItsMetadataAcrossAPause) {
    const Bytes hello = client_hello("pause.example", 7);
    const Bytes reply(100, 0x16);
    for (const bool other_traffic : {false, true}) {
        SCOPED_TRACE(other_traffic ? "with other traffic" : "alone");
        std::vector<Frame> f;
        const auto burst = [&](uint64_t ts, uint32_t seq, const Bytes& client_data) {
            f.push_back({ts, eth_ipv4(kA, kB, 6, tcp(40000, 443, 0x18, seq, 1, client_data))});
            f.push_back({ts + 20'000, eth_ipv4(kB, kA, 6, tcp(443, 40000, 0x18, 1, seq, reply))});
        };
        burst(kT0, 1, hello);
        if (other_traffic)
            for (uint64_t s = 5; s < 40; s += 5) f.push_back(udp_frame(kT0 + s * kSec, 5000));
        burst(kT0 + 40 * kSec, 1 + static_cast<uint32_t>(hello.size()), Bytes(10, 0x17));
        auto r = run_frames(f);
        std::erase_if(r.recs, [](const Rec& x) { return x.proto != 6; });
        ASSERT_EQ(r.recs.size(), 4u);
        for (const Rec& x : r.recs) {
            EXPECT_EQ(x.packets, 1u);
            EXPECT_EQ(x.sni, "pause.example") << "record at " << (x.start - kT0) / kSec << " s";
            EXPECT_EQ(x.srt, 20'000u);
            EXPECT_EQ(x.app, static_cast<uint8_t>(App::tls));
        }
    }
}

TEST(Probe, FilesAreMergedInTimeOrder) {
    TempDir dir;
    write_file(dir.file("a.pcap"), pcap_file({udp_frame(kT0), udp_frame(kT0 + 20 * kSec)}));
    write_file(dir.file("b.pcap"), pcap_file({udp_frame(kT0 + 10 * kSec)}));
    const auto r = run_probe({dir.file("a.pcap"), dir.file("b.pcap")});
    // Merged, no gap exceeds the idle timeout: one flow of three packets.
    ASSERT_EQ(r.recs.size(), 1u);
    EXPECT_EQ(r.recs[0].packets, 3u);
}

TEST(Probe, TruncatedFileKeepsFlowsUpToTheCut) {
    TempDir dir;
    Bytes file = pcap_file({udp_frame(kT0), udp_frame(kT0 + 1, 7), udp_frame(kT0 + 2, 8)});
    const size_t record = 16 + 14 + 20 + 8 + 12;
    file.resize(24 + 2 * record + 10);  // the third record is cut
    write_file(dir.file("cut.pcap"), file);
    const auto r = run_probe({dir.file("cut.pcap")});
    EXPECT_EQ(r.stats.packets, 2u);
    EXPECT_EQ(r.recs.size(), 2u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("byte offset " + std::to_string(24 + 2 * record)),
              std::string::npos);
}

TEST(Probe, GarbageAndUnsupportedLinkTypesAreErrors) {
    TempDir dir;
    write_file(dir.file("junk"), Bytes(100, 'j'));
    EXPECT_THROW(run_probe({dir.file("junk")}), DataError);
    write_file(dir.file("wifi.pcap"), pcap_file({}, 105));
    try {
        run_probe({dir.file("wifi.pcap")});
        FAIL() << "no error";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("unsupported link type 105"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("wifi.pcap"), std::string::npos);
    }
}

// The cache hands its records over in blocks whose columns it keeps sized and overwrites
// from the first row: small blocks, and blocks swapped out by a threaded sink, must carry
// the same records as one big block, with no value left over from an earlier block.
TEST(Probe, RecordsAreTheSameWhateverTheBlockSize) {
    std::vector<Frame> frames;
    for (uint16_t f = 0; f < 40; ++f)
        for (uint16_t p = 0; p <= f % 5; ++p)
            frames.push_back(udp_frame(kT0 + f * 20 * kSec + p, 1000 + f, 2000 + f % 3));
    TempDir dir;
    write_file(dir.file("in.pcap"), pcap_file(frames));
    const auto key = [](const Rec& r) {
        return std::to_string(r.sport) + "/" + std::to_string(r.dport) + "/" +
               std::to_string(r.packets) + "/" + std::to_string(r.bytes) + "/" +
               std::to_string(r.start) + "/" + std::to_string(r.end) + "/" + std::to_string(r.app);
    };
    const auto keys = [&](const std::vector<Rec>& recs) {
        std::vector<std::string> k;
        for (const auto& r : recs) k.push_back(key(r));
        return k;
    };
    const auto whole = run_probe({dir.file("in.pcap")});
    ASSERT_EQ(whole.recs.size(), 40u);
    ProbeOptions small;
    small.block_rows = 3;
    EXPECT_EQ(keys(run_probe({dir.file("in.pcap")}, small).recs), keys(whole.recs));
    CollectSink collected;
    {
        ThreadedSink threaded(collected, 2);
        Probe probe(small, threaded);
        read_captures({dir.file("in.pcap")}, probe);
        threaded.finish();
    }
    EXPECT_EQ(keys(collected.recs), keys(whole.recs));
}

// Classic pcap with the nanosecond magic: the fraction field counts nanoseconds.

TEST(Probe, PcapWithNanosecondMagic) {
    Bytes file = pcap_file({udp_frame(kT0), udp_frame(kT0 + 2 * kSec)});
    file[0] = 0x4d, file[1] = 0x3c, file[2] = 0xb2, file[3] = 0xa1;  // a1b23c4d, little-endian
    const auto frac = [&](size_t record, uint32_t ns) {
        const size_t at = 24 + record * (16 + 14 + 20 + 8 + 12) + 4;
        for (int i = 0; i < 4; ++i) file[at + i] = static_cast<uint8_t>(ns >> (8 * i));
    };
    frac(0, 999999999);  // 999999.999 µs: the fraction is cut, not rounded
    frac(1, 1000);
    TempDir dir;
    write_file(dir.file("ns.pcap"), file);
    const auto r = run_probe({dir.file("ns.pcap")});
    ASSERT_EQ(r.recs.size(), 1u);
    EXPECT_EQ(r.recs[0].start, kT0 + 999999);
    EXPECT_EQ(r.recs[0].end, kT0 + 2 * kSec + 1);
}

// pcapng: section header, an interface in nanoseconds (if_tsresol 9), enhanced packets.

TEST(Probe, PcapngWithNanosecondInterface) {
    Frame f = udp_frame(0);
    f.ts_us = kT0 * 1000 + 123456;  // in the interface's unit: nanoseconds
    const Bytes b = pcapng_file({f}, 9);
    TempDir dir;
    write_file(dir.file("a.pcapng"), b);
    const auto r = run_probe({dir.file("a.pcapng")});
    ASSERT_EQ(r.recs.size(), 1u);
    EXPECT_EQ(r.recs[0].start, kT0 + 123);
    EXPECT_EQ(r.recs[0].dport, 2000);
}

}  // namespace
}  // namespace fk::test
