// Fuzzes the NetFlow v9 decoder: the input is one datagram (its version field forced), decoded
// twice by one decoder so that templates defined by the first pass meet data in the second,
// then again after held data expired. Every column of the block must stay as long as the
// block: a decoder that misaligns them aborts here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "wire/decoder.h"

namespace {

void check(fk::FlowBlock& b) {
    bool ok = true;
    fk::for_each_field([&](auto t) {
        using T = decltype(t);
        const auto& c = fk::column<T::id>(b);
        if constexpr (T::storage == fk::Storage::Str) {
            ok &= c.ids.size() == b.size();
            for (uint32_t id : c.ids) ok &= id < c.dict.size();
        } else {
            ok &= c.size() == b.size();
        }
    });
    if (!ok || (!b.empty() && b.t_first() > b.t_last())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    std::vector<uint8_t> m(data, data + size);
    m[0] = 0;
    m[1] = 9;
    fk::DecoderOptions opts;
    opts.template_bytes_total = 1 << 20;
    fk::WireDecoder dec(opts);
    fk::FlowBlock block;
    const fk::IpAddr from = fk::IpAddr::v4(0x7f000001);
    uint64_t now = 1'700'000'000'000'000ull;
    for (int pass = 0; pass < 2; ++pass) {
        dec.decode(m.data(), m.size(), from, now, block);
        check(block);
        now += 1'000'000;
    }
    dec.expire(now + 3600ull * 1'000'000);
    dec.decode(m.data(), m.size(), from, now + 3600ull * 1'000'000, block);
    check(block);
    dec.drop_held();
    for (const auto& s : dec.stats()) {
        if (s.sets_late + s.sets_dropped != s.sets_held) std::abort();
    }
    return 0;
}
