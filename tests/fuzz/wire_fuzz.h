// The body shared by the wire decoder harnesses (v5, v9, IPFIX, sFlow): a datagram, its
// version field already forced by the harness, is decoded twice by one decoder so that
// templates defined by the first pass meet data in the second, then again after held data
// expired. Every column of the block must be as long as the block or be marked all default
// (columns no template wrote are left unfilled), and be as long once made: a decoder that
// misaligns them aborts here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "wire/decoder.h"

namespace fk::fuzz {

inline void check_block(FlowBlock& b) {
    bool ok = true;
    auto check = [&](bool unfilled_ok) {
        for_each_field([&](auto t) {
            using T = decltype(t);
            const auto& c = column<T::id>(b);
            const bool unfilled = unfilled_ok && b.all_default(T::id);
            if constexpr (T::storage == Storage::Str) {
                ok &= unfilled || c.ids.size() == b.size();
                for (uint32_t id : c.ids) ok &= id < c.dict.size();
            } else {
                ok &= unfilled || c.size() == b.size();
            }
        });
    };
    check(true);
    b.ensure_all();
    check(false);
    if (!ok || (!b.empty() && b.t_first() > b.t_last())) std::abort();
}

inline void decode_datagram(const std::vector<uint8_t>& m) {
    DecoderOptions opts;
    opts.template_bytes_total = 1 << 20;
    WireDecoder dec(opts);
    FlowBlock block;
    const IpAddr from = IpAddr::v4(0x7f000001);
    uint64_t now = 1'700'000'000'000'000ull;
    for (int pass = 0; pass < 2; ++pass) {
        dec.decode(m.data(), m.size(), from, now, block);
        check_block(block);
        now += 1'000'000;
    }
    dec.expire(now + 3600ull * 1'000'000);
    dec.decode(m.data(), m.size(), from, now + 3600ull * 1'000'000, block);
    check_block(block);
    dec.drop_held();
    for (const auto& s : dec.stats()) {
        if (s.sets_late + s.sets_dropped != s.sets_held) std::abort();
    }
}

}  // namespace fk::fuzz
