// The network flowsynth pretends to watch: an enterprise edge with thousands of clients,
// internal resolvers and servers, an OT/ICS segment, and hundreds of Internet servers with
// names; and the background mix of conversations between them.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "synth/conversation.h"
#include "synth/rng.h"

namespace fk::synth {

using MixWeights = std::array<double, kKindCount>;

// The default background: mostly DNS and TLS, some HTTP, a little of everything else.
MixWeights default_mix();
// Parses "dns=40,https=30,..." into weights (kinds left out get 0). Throws UsageError.
MixWeights parse_mix(std::string_view spec);

// Percentages of conversations carried in each encapsulation (--encap).
struct WrapShares {
    double vlan = 0, qinq = 0, mpls = 0, gre = 0, vxlan = 0;
    double ext6 = 0;  // of IPv6 conversations: extension headers
    double frag = 0;  // of DNS conversations: large answers in IP fragments
};
WrapShares parse_wraps(std::string_view spec);

struct TrafficOptions {
    uint64_t seed = 1;
    uint64_t start = 0;  // time of the first conversation, microseconds
    double rate = 500;   // new background conversations per second
    unsigned clients = 4000;
    unsigned servers = 400;
    double ipv6 = 0.10;  // share of IPv6 among the conversations that can use it
    MixWeights mix = default_mix();
    WrapShares wraps;
};

// Addresses, MACs, names and ephemeral ports of every host.
class Population {
  public:
    explicit Population(const TrafficOptions& options);

    unsigned clients() const { return static_cast<unsigned>(client_port_.size()); }

    void client(Endpoint& ep, unsigned i, bool v6) const;
    void server(Endpoint& ep, unsigned i, bool v6) const;
    // An internal host: 10.0.<net>.<host> (and 2001:db8:10:<net>::<host>).
    static void internal(Endpoint& ep, unsigned net, unsigned host, bool v6);
    // An OT host: 172.16.<net>.<host>.
    static void ot(Endpoint& ep, unsigned net, unsigned host);
    // An address that is no host of this network (scanners, floods): a.b.c.d.
    static void external(Endpoint& ep, uint32_t v4, uint64_t mac_seed);
    static uint64_t gateway_mac() { return 0x001c73000001ull; }

    // The next ephemeral port of client i (counting up, as most stacks do).
    uint16_t ephemeral(unsigned i);
    // The same for a host outside the client range, by its address (OT masters, attackers).
    uint16_t ephemeral_of(const Endpoint& host);
    // The registered domain of server i ("bluefinstack.net").
    std::string server_domain(unsigned i) const;
    // A host name under server i's domain ("www.bluefinstack.net").
    std::string server_host(unsigned i, Rng& rng) const;

    unsigned pick_client(Rng& rng) const { return static_cast<unsigned>(client_pick_.pick(rng)); }
    unsigned pick_server(Rng& rng) const { return static_cast<unsigned>(server_pick_.pick(rng)); }

  private:
    std::vector<uint16_t> client_port_;
    std::unordered_map<uint64_t, uint16_t> other_port_;
    WeightedPick client_pick_;
    WeightedPick server_pick_;
};

// Sets up what every conversation needs: id, own random stream, kind, timing defaults.
void init_conversation(Conversation& c, uint64_t id, Rng& parent, Kind kind);
// Fills the kind's application parameters, server choice, ports and script length the way
// the background does; scenarios start from this and change what they need.
void fill_background(Conversation& c, Population& pop, const TrafficOptions& options);

// The source of background conversations: Poisson arrivals at the configured rate.
class Background {
  public:
    Background(const TrafficOptions& options, Population& pop);
    uint64_t next_start() const { return next_; }
    // Fills c as the conversation arriving at next_start() and draws the next arrival.
    void make(Conversation& c, uint64_t id);
    bool empty() const { return pick_.empty(); }

  private:
    const TrafficOptions& options_;
    Population& pop_;
    Rng rng_;
    WeightedPick pick_;
    uint64_t next_;
};

}  // namespace fk::synth
