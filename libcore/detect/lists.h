// Address and domain lists for the blacklist and mining methods.
//   IP lists, format guessed per line: FireHOL ipset / plain ("1.2.3.4" or "10.0.0.0/8"),
//   IPsum ("1.2.3.4<TAB>count": count = score), Suricata iprep ("cidr,category,score").
//   Domain lists: hosts files ("0.0.0.0 name"), plain ("name"), Adblock ("||name^").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "record/ipaddr.h"

namespace fk::detect {

struct IpHit {
    uint32_t score = 0;     // IPsum count or iprep score (0: none given)
    uint16_t list = 0;      // index into IpList::names()
    uint16_t category = 0;  // iprep category
};

class IpList {
  public:
    // Adds the entries of one file; DataError "FILE:LINE: ..." on a line that is no address or
    // prefix, or that is not text.
    void load(const std::string& path);
    // Sorts what was loaded; call before contains().
    void finish();
    void clear();
    size_t size() const { return ranges_.size(); }
    bool empty() const { return ranges_.empty(); }
    const std::vector<std::string>& names() const { return names_; }

    // The entry covering a, or nullptr. Cheap when a is not listed (bitmap of IPv4 /24s).
    const IpHit* find(const IpAddr& a) const {
        if (a.is_v4()) {
            const uint32_t s = a.v4_value() >> 8;
            if (!((v4_bits_[s >> 6] >> (s & 63)) & 1)) return nullptr;
        } else if (!has_v6_) {
            return nullptr;
        }
        return find_slow(a);
    }

  private:
    struct Range {
        IpAddr lo, hi;
        IpHit hit;
    };
    const IpHit* find_slow(const IpAddr& a) const;
    std::vector<Range> ranges_;
    std::vector<IpAddr> max_hi_;  // running maximum of hi, for nested ranges
    std::vector<uint64_t> v4_bits_ = std::vector<uint64_t>((1u << 24) / 64);
    bool has_v6_ = false;
    std::vector<std::string> names_;
};

class DomainList {
  public:
    // Adds the names of one file; DataError "FILE:LINE: ..." on a line that is not text.
    void load(const std::string& path);
    void add(std::string_view name);
    void clear() { names_.clear(); }
    size_t size() const { return names_.size(); }
    // The listed name that equals name or is a parent domain of it (suffix at a label
    // boundary), case-insensitively; empty when none.
    std::string_view match(std::string_view name) const;

  private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_set<std::string, Hash, std::equal_to<>> names_;
};

}  // namespace fk::detect
