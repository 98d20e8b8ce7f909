// Application metadata from the first payload packets of a connection, with the parsers of
// libcore/l7: the TLS ClientHello (also when it spans several TCP segments: only those
// connections get a buffer) and the QUIC Initial (decrypted, for its ClientHello). The
// results go into the connection's Conn, so both directions' records carry them.
#pragma once
#include <cstdint>
#include <vector>

#include "packet/decode.h"
#include "packet/flow_cache.h"

namespace fk {

class Metadata {
  public:
    Metadata();
    // One packet of entry `idx` (already accounted in the cache).
    void packet(FlowCache& cache, uint32_t idx, const PacketView& v) {
        FlowCache::Entry& e = cache.entry(idx);
        if (!e.conn || v.payload_cap == 0) return;
        Conn& c = *cache.conn_of(e);
        if (c.l7_state == kDone) return;
        inspect(cache, e, c, v);
    }

    static constexpr uint8_t kIdle = 0, kTlsBuffering = 1, kQuic = 2, kDone = 3;

  private:
    void inspect(FlowCache& cache, FlowCache::Entry& e, Conn& c, const PacketView& v);
    void tls_segment(FlowCache& cache, FlowCache::Entry& e, Conn& c, const PacketView& v);
    void quic_datagram(FlowCache& cache, Conn& c, const PacketView& v);
    void finish(FlowCache& cache, Conn& c);
    std::vector<uint8_t> scratch_;  // QUIC decryption, shared by all connections
};

}  // namespace fk
