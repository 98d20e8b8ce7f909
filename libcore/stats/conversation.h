// nfdump's -b and -B: the flows of both directions between two endpoints as one conversation.
// Conversations are made from a 5-tuple aggregation (conversation_key()) once the input is read,
// so that worker threads, shards and ClickHouse's GROUP BY fill that table as for -A, and the
// pairing costs one lookup per group, not per flow.
#pragma once
#include <cstdint>
#include <vector>

#include "record/ipaddr.h"
#include "stats/aggregate.h"

namespace fk {

// Which endpoint a conversation shows as its source.
enum class ConversationSide : uint8_t {
    kFirstSeen,    // -b: the sender of the flow that started first
    kGuessClient,  // -B: the client, guessed from the ports as nfdump does
};

struct Conversation {
    uint8_t proto = 0;
    IpAddr src, dst;
    uint16_t sport = 0, dport = 0;
    AggValue from_src;  // flows src -> dst
    AggValue from_dst;  // flows dst -> src
    AggValue total() const;
};

// The key conversations() reads: proto,srcip,srcport,dstip,dstport.
KeySpec conversation_key();

// The groups of a conversation_key() table as conversations. TCP and UDP flows are paired with
// their reverse; other protocols stay one direction each (an ICMP answer has another type than
// its request), as in nfdump.
std::vector<Conversation> conversations(const AggTable& five_tuple, ConversationSide side);

// -B: whether a TCP or UDP flow from sport to dport goes from server to client. nfdump's rule:
// the server's port is in a lower one of the ranges 0-1023, 1024-32767, 32768-49151, 49152-.
bool server_to_client(uint16_t sport, uint16_t dport);

// The first n (0: all) in order, on the sums of both directions: descending for counters,
// ascending for times, ties by endpoints so that any number of threads prints the same.
void sort_conversations(std::vector<Conversation>& c, StatOrder order, size_t n);

}  // namespace fk
