#include "detect/lists.h"

#include <algorithm>
#include <charconv>
#include <fstream>

#include "common/error.h"

namespace fk::detect {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

uint32_t to_u32(std::string_view s) {
    uint32_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Lists are text: a control byte (other than tab and CR) means another kind of file, such as a
// pcap given for a list, whose bytes must not be quoted in a message.
bool is_text(std::string_view s) {
    for (const char c : s)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
            return false;
    return true;
}

std::string not_text(const std::string& path, size_t line) {
    return path + ":" + std::to_string(line) + ": binary data, not a text list";
}

}  // namespace

void IpList::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw DataError("cannot read list " + path);
    const auto list = static_cast<uint16_t>(names_.size());
    names_.push_back(path);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!is_text(line)) throw DataError(not_text(path, n));
        std::string_view s = trim(line);
        if (s.empty() || s.front() == '#' || s.front() == ';') continue;
        IpHit hit;
        hit.list = list;
        std::string_view addr = s;
        if (const size_t c = s.find(','); c != std::string_view::npos) {
            // iprep: cidr,category,score
            addr = trim(s.substr(0, c));
            std::string_view rest = s.substr(c + 1);
            const size_t c2 = rest.find(',');
            hit.category = static_cast<uint16_t>(to_u32(trim(rest.substr(0, c2))));
            if (c2 != std::string_view::npos) hit.score = to_u32(trim(rest.substr(c2 + 1)));
        } else if (const size_t w = s.find_first_of(" \t"); w != std::string_view::npos) {
            // IPsum: address, blank, count
            addr = s.substr(0, w);
            hit.score = to_u32(trim(s.substr(w + 1)));
        }
        unsigned len = 128;
        bool has_len = false;
        std::string_view len_text;
        if (const size_t sl = addr.find('/'); sl != std::string_view::npos) {
            len_text = addr.substr(sl + 1);
            has_len = true;
            addr = addr.substr(0, sl);
        }
        const auto ip = parse_ip(addr);
        if (!ip) {
            throw DataError(path + ":" + std::to_string(n) + ": " + excerpt(s) +
                            " is not an address or prefix");
        }
        if (has_len) {
            // A typo here ("/2x", "/") must not list a whole range of addresses.
            const auto [end, ec] =
                std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
            if (len_text.empty() || ec != std::errc() || end != len_text.data() + len_text.size() ||
                len > (ip->is_v4() ? 32u : 128u)) {
                throw DataError(path + ":" + std::to_string(n) + ": '/" + std::string(len_text) +
                                "' is not a prefix length");
            }
        }
        const unsigned bits = has_len ? prefix_bits(ip->is_v4(), len) : 128;
        Range r;
        r.lo = ip->masked(bits);
        r.hi = r.lo;
        if (bits < 128) {
            if (bits <= 64) {
                r.hi.hi |= bits == 0 ? ~0ull : (~0ull >> bits);
                r.hi.lo = ~0ull;
            } else {
                r.hi.lo |= ~0ull >> (bits - 64);
            }
        }
        r.hit = hit;
        ranges_.push_back(r);
    }
}

void IpList::finish() {
    std::sort(ranges_.begin(), ranges_.end(),
              [](const Range& a, const Range& b) { return a.lo < b.lo; });
    max_hi_.resize(ranges_.size());
    std::fill(v4_bits_.begin(), v4_bits_.end(), 0);
    has_v6_ = false;
    IpAddr m;
    for (size_t i = 0; i < ranges_.size(); ++i) {
        const Range& r = ranges_[i];
        if (i == 0 || m < r.hi) m = r.hi;
        max_hi_[i] = m;
        if (r.lo.is_v4() && r.hi.is_v4()) {
            for (uint32_t s = r.lo.v4_value() >> 8; s <= (r.hi.v4_value() >> 8); ++s) {
                v4_bits_[s >> 6] |= 1ull << (s & 63);
                if (s == 0xffffff) break;
            }
        } else {
            has_v6_ = true;
            if (r.lo <= IpAddr::v4(0xffffffff) && IpAddr::v4(0) <= r.hi)
                std::fill(v4_bits_.begin(), v4_bits_.end(), ~0ull);
        }
    }
}

void IpList::clear() {
    ranges_.clear();
    max_hi_.clear();
    names_.clear();
    std::fill(v4_bits_.begin(), v4_bits_.end(), 0);
    has_v6_ = false;
}

const IpHit* IpList::find_slow(const IpAddr& a) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), a,
                               [](const IpAddr& x, const Range& r) { return x < r.lo; });
    // Walk back while an earlier range could still reach a (nested prefixes).
    for (size_t i = static_cast<size_t>(it - ranges_.begin()); i-- > 0;) {
        if (max_hi_[i] < a) return nullptr;
        if (!(ranges_[i].hi < a)) return &ranges_[i].hit;
    }
    return nullptr;
}

void DomainList::add(std::string_view name) {
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    while (!name.empty() && name.front() == '.') name.remove_prefix(1);
    if (!name.empty()) names_.insert(lower(name));
}

void DomainList::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw DataError("cannot read list " + path);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!is_text(line)) throw DataError(not_text(path, n));
        std::string_view s = trim(line);
        if (s.empty() || s.front() == '#' || s.front() == '!' || s.front() == '[') continue;
        if (s.starts_with("||")) {
            // Adblock: ||domain^ (patterns with paths or wildcards are not domains)
            s.remove_prefix(2);
            const size_t end = s.find_first_of("^/$");
            if (end != std::string_view::npos && s[end] != '^') continue;
            s = s.substr(0, end);
        } else if (const size_t w = s.find_first_of(" \t"); w != std::string_view::npos) {
            // hosts file: address, blanks, name(s); the first name is enough here
            std::string_view rest = trim(s.substr(w + 1));
            s = rest.substr(0, rest.find_first_of(" \t#"));
        }
        if (s.find_first_of("*/") != std::string_view::npos) continue;
        if (s == "localhost" || s.empty()) continue;
        add(s);
    }
}

std::string_view DomainList::match(std::string_view name) const {
    if (names_.empty() || name.empty()) return {};
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    char buf[256];
    if (name.size() > sizeof buf) return {};
    for (size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    std::string_view s(buf, name.size());
    for (;;) {
        if (auto it = names_.find(s); it != names_.end()) return *it;
        const size_t dot = s.find('.');
        if (dot == std::string_view::npos) return {};
        s.remove_prefix(dot + 1);
    }
}

}  // namespace fk::detect
