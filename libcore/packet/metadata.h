// Application metadata from the first payload packets of a connection, with the parsers of
// libcore/l7: the application by payload signature (port second), the TLS ClientHello (also when it
// spans several TCP segments), the QUIC Initial (decrypted, for its ClientHello), the first
// HTTP/1.x request and its response status, and DNS over UDP and TCP. Only connections whose
// message spans segments get a buffer. The results go into the connection's Conn, so the records of
// both directions carry them.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "packet/decode.h"
#include "packet/flow_cache.h"

namespace fk {

namespace l7 {
struct DnsMessage;
}

class Metadata {
  public:
    Metadata();
    // One packet of entry `idx` (already accounted in the cache). True when the flow should
    // end with this packet: DNS over UDP makes one record per message, so that every
    // question reaches a record (as nfpcapd does).
    bool packet(FlowCache& cache, uint32_t idx, const PacketView& v) {
        FlowCache::Entry& e = cache.entry(idx);
        if (!e.conn || v.payload_cap == 0) return false;
        Conn& c = *cache.conn_of(e);
        if (c.l7_state == kDone && c.class_tries == kClassified) return false;
        return inspect(cache, e, c, v);
    }

    enum : uint8_t {
        kIdle = 0,         // looking at the first payload packets
        kTlsBuffering,     // a ClientHello spans client segments
        kHttpBuffering,    // an HTTP request header spans client segments
        kDnsTcpBuffering,  // a DNS-over-TCP question spans client segments
        kQuic,             // QUIC Initials being read
        kWaitResponse,     // request read, the server's first payload will give the status
        kDone,
    };

    // Conn::class_tries once the application is known (or the classifier gave up).
    static constexpr uint8_t kClassified = 0xff;

  private:
    void classify(const FlowCache::Entry& e, Conn& c, const PacketView& v,
                  const l7::DnsMessage* dns);
    bool inspect(FlowCache& cache, FlowCache::Entry& e, Conn& c, const PacketView& v);
    void start(FlowCache& cache, FlowCache::Entry& e, Conn& c, const PacketView& v);
    void client_segment(FlowCache& cache, Conn& c, const PacketView& v);
    bool parse_client(Conn& c, std::span<const uint8_t> stream, bool prefix_only);
    void response(FlowCache& cache, Conn& c, const PacketView& v);
    bool dns_datagram(Conn& c, const l7::DnsMessage& m);

    void quic_datagram(FlowCache& cache, Conn& c, const PacketView& v);
    void buffer(FlowCache& cache, Conn& c, const PacketView& v, uint8_t state);
    void finish(FlowCache& cache, Conn& c);
    std::vector<uint8_t> scratch_;  // QUIC decryption, shared by all connections
};

}  // namespace fk
