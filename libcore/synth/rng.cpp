#include "synth/rng.h"

#include <algorithm>

namespace fk::synth {

WeightedPick::WeightedPick(std::span<const double> weights) {
    cumulative_.reserve(weights.size());
    double sum = 0;
    for (double w : weights) {
        sum += w > 0 ? w : 0;
        cumulative_.push_back(sum);
    }
}

size_t WeightedPick::pick(Rng& rng) const {
    const double x = rng.uniform() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
    const size_t i = static_cast<size_t>(it - cumulative_.begin());
    return i < cumulative_.size() ? i : cumulative_.size() - 1;
}

std::vector<double> zipf_weights(size_t n, double s) {
    std::vector<double> w(n);
    for (size_t i = 0; i < n; ++i) w[i] = 1.0 / std::pow(static_cast<double>(i + 1), s);
    return w;
}

}  // namespace fk::synth
