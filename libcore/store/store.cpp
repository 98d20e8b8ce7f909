#include "store/store.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <tuple>

#include "common/error.h"
#include "common/time.h"

namespace fk {

std::string store_file_path(const std::string& dir, uint64_t slot_start) {
    const uint64_t secs = slot_start / kMicrosPerSecond;
    int64_t y;
    unsigned mo, d;
    civil_from_days(static_cast<int64_t>(secs / 86400), y, mo, d);
    const unsigned sod = static_cast<unsigned>(secs % 86400);
    char buf[96];
    std::snprintf(buf, sizeof buf, "/%04lld/%02u/%02u/flows-%04lld%02u%02u%02u%02u.flows",
                  static_cast<long long>(y), mo, d, static_cast<long long>(y), mo, d, sod / 3600,
                  sod / 60 % 60);
    return dir + buf;
}

namespace {

constexpr std::string_view kPrefix = "flows-", kSuffix = ".flows";

// The digits of "-N" between the time and ".flows"; "" for none, nullopt when malformed.
std::optional<std::string_view> seq_part(std::string_view name) {
    const size_t fixed = kPrefix.size() + 12 + kSuffix.size();
    if (name.size() == fixed) return std::string_view();
    if (name.size() < fixed + 2 || name[kPrefix.size() + 12] != '-') return std::nullopt;
    const std::string_view digits = name.substr(kPrefix.size() + 13, name.size() - fixed - 1);
    if (digits.size() > 6 || digits[0] == '0') return std::nullopt;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    return digits;
}

}  // namespace

unsigned store_file_seq(std::string_view name) {
    const auto digits = seq_part(name);
    if (!digits || digits->empty()) return 0;
    unsigned v = 0;
    for (char c : *digits) v = v * 10 + static_cast<unsigned>(c - '0');
    return v;
}

std::string free_store_path(const std::string& dir, uint64_t slot_start, const std::string& taken) {
    const std::string base = store_file_path(dir, slot_start);
    std::error_code ec;
    const auto free = [&](const std::string& p) {
        return p != taken && !std::filesystem::exists(p, ec);
    };
    if (free(base)) return base;
    const std::string stem = base.substr(0, base.size() - kSuffix.size());
    for (unsigned n = 1;; ++n) {
        const std::string p = stem + "-" + std::to_string(n) + std::string(kSuffix);
        if (free(p)) return p;
    }
}

std::optional<uint64_t> store_file_time(std::string_view name) {
    // flows-YYYYMMDDHHMM.flows or flows-YYYYMMDDHHMM-N.flows
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix) || !seq_part(name)) {
        return std::nullopt;
    }
    const std::string_view digits = name.substr(kPrefix.size(), 12);
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    const std::string iso =
        std::string(digits.substr(0, 4)) + "-" + std::string(digits.substr(4, 2)) + "-" +
        std::string(digits.substr(6, 2)) + "T" + std::string(digits.substr(8, 2)) + ":" +
        std::string(digits.substr(10, 2)) + ":00Z";
    return parse_time(iso);
}

std::vector<std::string> list_flow_files(const std::string& dir, uint64_t from, uint64_t to,
                                         uint64_t margin) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw DataError(dir + ": not a directory");
    struct Stored {
        uint64_t time;
        unsigned seq;
        std::string path;
        bool operator<(const Stored& o) const {
            return std::tie(time, seq, path) < std::tie(o.time, o.seq, o.path);
        }
    };
    std::vector<Stored> stored;
    std::vector<std::string> others;
    const uint64_t lo = from > margin ? from - margin : 0;
    const uint64_t hi = to > UINT64_MAX - margin ? UINT64_MAX : to + margin;
    for (auto it = fs::recursive_directory_iterator(
             dir, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) throw DataError(dir + ": " + ec.message());
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.' || !it->is_regular_file(ec) ||
            !name.ends_with(".flows")) {
            continue;
        }
        if (const auto t = store_file_time(name)) {
            if (*t >= lo && *t <= hi)
                stored.push_back({*t, store_file_seq(name), it->path().string()});
        } else {
            others.push_back(it->path().string());
        }
    }
    std::sort(stored.begin(), stored.end());
    std::sort(others.begin(), others.end());
    std::vector<std::string> out;
    out.reserve(stored.size() + others.size());
    for (auto& s : stored) out.push_back(std::move(s.path));
    for (auto& o : others) out.push_back(std::move(o));
    return out;
}

}  // namespace fk
