#include "sample/sampler.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "common/error.h"

namespace fk {

namespace {

uint64_t sat_mul(uint64_t a, uint64_t b) {
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

uint32_t sat_rate(uint64_t v) {
    return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v);
}

// round(a * b / c) without overflow for 64-bit operands (c > 0), saturated.
uint64_t mul_div_round(uint64_t a, uint64_t b, uint64_t c) {
    const unsigned __int128 q = (static_cast<unsigned __int128>(a) * b + c / 2) / c;
    return q > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(q);
}

}  // namespace

SampleMode parse_sample_mode(std::string_view text, std::string_view option) {
    if (text == "flow") return SampleMode::kFlow;
    if (text == "packet") return SampleMode::kPacket;
    if (text == "smart") return SampleMode::kSmart;
    if (text == "hash") return SampleMode::kHash;
    throw UsageError(std::string(option) + ": '" + std::string(text) +
                     "' is not flow, packet, smart or hash");
}

std::string_view sample_mode_name(SampleMode m) {
    switch (m) {
        case SampleMode::kFlow:
            return "flow";
        case SampleMode::kPacket:
            return "packet";
        case SampleMode::kSmart:
            return "smart";
        case SampleMode::kHash:
            return "hash";
    }
    return "?";
}

void SampleResult::clear() {
    rows.clear();
    packets.clear();
    bytes.clear();
    sampling.clear();
    weight.clear();
}

Sampler::Sampler(const SampleConfig& c)
    : c_(c), rng_(c.seed), binom_(1.0 / static_cast<double>(c.rate ? c.rate : 1)) {
    if (c_.rate == 0) throw UsageError("--rate must be at least 1");
    // P(hash < limit) = limit / 2^64 = 1/N up to 2^-64.
    hash_limit_ = c_.rate == 1 ? UINT64_MAX : UINT64_MAX / c_.rate + 1;
}

void Sampler::set_threshold(uint64_t z) {
    c_.threshold = z;
}

void Sampler::sample(const SampleInput& in, SampleResult& out) {
    out.clear();
    const uint64_t n_rate = c_.rate;
    auto keep = [&](size_t i, uint64_t packets, uint64_t bytes, uint64_t rate, double weight) {
        out.rows.push_back(static_cast<uint32_t>(i));
        out.packets.push_back(packets);
        out.bytes.push_back(bytes);
        out.sampling.push_back(sat_rate(rate));
        out.weight.push_back(weight);
    };
    const double rate_d = static_cast<double>(n_rate);
    for (size_t i = 0; i < in.n; ++i) {
        if (in.mask && !in.mask[i]) continue;
        const uint64_t s = in.sampling && in.sampling[i] > 1 ? in.sampling[i] : 1;
        const uint64_t packets = in.packets[i], bytes = in.bytes[i];
        if (n_rate == 1) {
            keep(i, packets, bytes, s, 1.0);
            continue;
        }
        switch (c_.mode) {
            case SampleMode::kFlow:
                if (rng_.below(n_rate) == 0)
                    keep(i, sat_mul(packets, n_rate), sat_mul(bytes, n_rate), sat_mul(s, n_rate),
                         rate_d);
                break;
            case SampleMode::kHash:
                if (in.key_hash[i] < hash_limit_)
                    keep(i, sat_mul(packets, n_rate), sat_mul(bytes, n_rate), sat_mul(s, n_rate),
                         rate_d);
                break;
            case SampleMode::kPacket: {
                // The packets the input saw (its counters are already multiplied by s), thinned
                // 1:N; bytes follow at the flow's mean packet size.
                const uint64_t seen = std::max<uint64_t>(1, (packets + s / 2) / s);
                const uint64_t k = binom_(rng_, seen);
                if (k == 0) break;
                const uint64_t scale = sat_mul(s, n_rate);
                keep(i, sat_mul(k, scale), sat_mul(mul_div_round(k, bytes, seen), n_rate), scale,
                     rate_d);
                break;
            }
            case SampleMode::kSmart: {
                const uint64_t z = c_.threshold;
                if (bytes >= z) {
                    keep(i, packets, bytes, s, 1.0);
                } else if (bytes > 0 &&
                           rng_.uniform() * static_cast<double>(z) < static_cast<double>(bytes)) {
                    // Kept with p = x/z: bytes become x/p = z; packets n/p, rounded at random
                    // so that they stay unbiased too.
                    const double inv_p = static_cast<double>(z) / static_cast<double>(bytes);
                    const double np = static_cast<double>(packets) * inv_p;
                    const double fl = std::floor(np);
                    const uint64_t pk =
                        static_cast<uint64_t>(fl) + (rng_.uniform() < np - fl ? 1 : 0);
                    keep(i, pk, z, sat_mul(s, static_cast<uint64_t>(std::llround(inv_p))), inv_p);
                }
                break;
            }
        }
    }
}

void Sampler::sample(FlowBlock& b, const uint8_t* mask, SampleResult& out) {
    b.ensure(FieldId::packets);
    b.ensure(FieldId::bytes);
    b.ensure(FieldId::sampling);
    SampleInput in;
    in.n = b.size();
    in.packets = column<FieldId::packets>(b).data();
    in.bytes = column<FieldId::bytes>(b).data();
    in.sampling = column<FieldId::sampling>(b).data();
    in.mask = mask;
    if (c_.mode == SampleMode::kHash) {
        flow_key_hashes(b, c_.seed, hashes_);
        in.key_hash = hashes_.data();
    }
    sample(in, out);
}

uint64_t flow_key_hash(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
                       uint8_t proto, uint64_t seed) {
    uint64_t h = mix64(seed ^ 0x6A09E667F3BCC909ull);
    for (uint64_t w : {src.hi, src.lo, dst.hi, dst.lo,
                       (uint64_t{sport} << 24) | (uint64_t{dport} << 8) | proto}) {
        h = mix64(h + w + 0x9E3779B97F4A7C15ull);
    }
    return h;
}

void flow_key_hashes(FlowBlock& b, uint64_t seed, std::vector<uint64_t>& out) {
    for (FieldId f : {FieldId::src, FieldId::dst, FieldId::sport, FieldId::dport, FieldId::proto}) {
        b.ensure(f);
    }
    const auto& src = column<FieldId::src>(b);
    const auto& dst = column<FieldId::dst>(b);
    const auto& sport = column<FieldId::sport>(b);
    const auto& dport = column<FieldId::dport>(b);
    const auto& proto = column<FieldId::proto>(b);
    out.resize(b.size());
    for (size_t i = 0; i < b.size(); ++i)
        out[i] = flow_key_hash(src[i], dst[i], sport[i], dport[i], proto[i], seed);
}

uint64_t smart_threshold(std::span<const uint64_t> bytes, uint64_t rate) {
    std::vector<uint64_t> x;
    x.reserve(bytes.size());
    for (uint64_t v : bytes)
        if (v > 0) x.push_back(v);
    if (x.empty()) return 1;
    std::sort(x.begin(), x.end(), std::greater<>());
    const double target = static_cast<double>(bytes.size()) / static_cast<double>(rate);
    if (rate <= 1 || target >= static_cast<double>(x.size())) return x.back();
    // With the k largest flows kept for sure, the rest give Σrest/z = target - k; the first
    // k for which that z separates the two groups is the solution (f(z) is monotone).
    double rest = 0;
    for (uint64_t v : x) rest += static_cast<double>(v);
    for (size_t k = 0; k < x.size(); ++k) {
        if (target - static_cast<double>(k) <= 0) break;
        const double z = rest / (target - static_cast<double>(k));
        if (static_cast<double>(x[k]) <= z && (k == 0 || static_cast<double>(x[k - 1]) >= z))
            return std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(z)));
        rest -= static_cast<double>(x[k]);
    }
    return x.back();
}

void apply_sample(FlowBlock& b, const SampleResult& r, FlowBlock& out) {
    out.clear();
    FlowRecord rec;
    for (size_t j = 0; j < r.size(); ++j) {
        // Through a record, so the output block knows which columns hold values.
        b.record(r.rows[j], rec);
        rec.packets = r.packets[j];
        rec.bytes = r.bytes[j];
        rec.sampling = r.sampling[j];
        out.append(rec);
    }
}

}  // namespace fk
