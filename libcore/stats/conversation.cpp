#include "stats/conversation.h"

#include <algorithm>
#include <array>
#include <tuple>

namespace fk {

namespace {

// A group's key words: proto, src (2 words), sport, dst (2 words), dport.
using Words = std::array<uint64_t, 7>;

Words words_of(const AggTable& t, uint32_t group) {
    Words w;
    std::copy_n(t.key(group), w.size(), w.begin());
    return w;
}

Words reversed(const Words& w) {
    return {w[0], w[4], w[5], w[6], w[1], w[2], w[3]};
}

bool paired_protocol(uint64_t proto) {
    return proto == 6 || proto == 17;
}

Conversation make(const Words& w, const AggValue& from_src, const AggValue& from_dst) {
    Conversation c;
    c.proto = static_cast<uint8_t>(w[0]);
    c.src = {w[1], w[2]};
    c.sport = static_cast<uint16_t>(w[3]);
    c.dst = {w[4], w[5]};
    c.dport = static_cast<uint16_t>(w[6]);
    c.from_src = from_src;
    c.from_dst = from_dst;
    return c;
}

void swap_sides(Conversation& c) {
    std::swap(c.src, c.dst);
    std::swap(c.sport, c.dport);
    std::swap(c.from_src, c.from_dst);
}

auto endpoints(const Conversation& c) {
    return std::tie(c.proto, c.src, c.sport, c.dst, c.dport);
}

}  // namespace

AggValue Conversation::total() const {
    AggValue t = from_src;
    t.add(from_dst, true);
    return t;
}

KeySpec conversation_key() {
    return KeySpec::parse("proto,srcip,srcport,dstip,dstport", false);
}

bool server_to_client(uint16_t sport, uint16_t dport) {
    for (const unsigned bound : {1024u, 32768u, 49152u}) {
        if (sport < bound && dport >= bound) return true;
    }
    return false;
}

std::vector<Conversation> conversations(const AggTable& t, ConversationSide side) {
    const std::vector<uint32_t> groups = t.groups();
    std::vector<Conversation> out;
    out.reserve(groups.size());
    for (uint32_t g : groups) {
        const Words w = words_of(t, g);
        const AggValue& v = t.value(g);
        if (!paired_protocol(w[0])) {
            out.push_back(make(w, v, AggValue{}));
            continue;
        }
        // The reverse direction is a group of the same table.
        const Words r = reversed(w);
        const std::optional<uint32_t> back = t.find(r.data());
        if (!back) {
            out.push_back(make(w, v, AggValue{}));
        } else {
            if (*back < g) continue;  // the pair was made at the other group
            const AggValue& rv = t.value(*back);
            // The direction that started first is the source; on a tie, the lower key, so
            // that the answer does not depend on which group the table lists first.
            const bool reverse_first = rv.first < v.first || (rv.first == v.first && r < w);
            out.push_back(reverse_first ? make(r, rv, v) : make(w, v, rv));
        }
        Conversation& c = out.back();
        if (side == ConversationSide::kGuessClient && server_to_client(c.sport, c.dport))
            swap_sides(c);
    }
    return out;
}

void sort_conversations(std::vector<Conversation>& c, StatOrder order, size_t n) {
    const bool ascending = order == StatOrder::kTstart || order == StatOrder::kTend;
    std::vector<double> values(c.size());
    std::vector<uint32_t> idx(c.size());
    for (uint32_t i = 0; i < c.size(); ++i) {
        idx[i] = i;
        values[i] = c[i].total().order_value(order);
    }
    auto less = [&](uint32_t a, uint32_t b) {
        if (values[a] != values[b])
            return ascending ? values[a] < values[b] : values[a] > values[b];
        return endpoints(c[a]) < endpoints(c[b]);
    };
    const size_t keep = n == 0 ? idx.size() : std::min(n, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(keep), idx.end(), less);
    std::vector<Conversation> sorted;
    sorted.reserve(keep);
    for (size_t i = 0; i < keep; ++i) sorted.push_back(c[idx[i]]);
    c = std::move(sorted);
}

}  // namespace fk
