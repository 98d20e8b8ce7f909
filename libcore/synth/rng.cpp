#include "synth/rng.h"

#include <algorithm>

namespace fk::synth {

WeightedPick::WeightedPick(std::span<const double> weights) {
    double sum = 0;
    for (double w : weights) sum += w > 0 ? w : 0;
    if (sum <= 0) return;
    const size_t n = weights.size();
    slots_.resize(n);
    std::vector<double> scaled(n);
    std::vector<size_t> small, large;
    for (size_t i = 0; i < n; ++i) {
        scaled[i] = (weights[i] > 0 ? weights[i] : 0) * static_cast<double>(n) / sum;
        (scaled[i] < 1.0 ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
        const size_t s = small.back(), l = large.back();
        small.pop_back();
        slots_[s] = {scaled[s], l};
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) {
            large.pop_back();
            small.push_back(l);
        }
    }
    // What is left is full up to rounding; a weightless index never keeps its slot.
    size_t some_weighted = 0;
    while (!(weights[some_weighted] > 0)) ++some_weighted;
    for (size_t i : large) slots_[i] = {1.0, i};
    for (size_t i : small) slots_[i] = weights[i] > 0 ? Slot{1.0, i} : Slot{0.0, some_weighted};
}

std::vector<double> zipf_weights(size_t n, double s) {
    std::vector<double> w(n);
    for (size_t i = 0; i < n; ++i) w[i] = 1.0 / std::pow(static_cast<double>(i + 1), s);
    return w;
}

}  // namespace fk::synth
