// Evaluation of a compiled filter over a block's columns. Each leaf is one loop over one or
// two columns writing a byte mask; and/or/not combine masks and skip the right side when the
// left side already decides every row.
#include <algorithm>
#include <cstring>

#include "filter/filter.h"
#include "record/names.h"

namespace fk {

namespace {

// Scratch masks, one per tree depth, reused across blocks by each thread.
thread_local std::vector<std::vector<uint8_t>> t_masks;
thread_local std::vector<uint8_t> t_dict_ok;

uint8_t* scratch_mask(unsigned depth, size_t n) {
    if (t_masks.size() <= depth) t_masks.resize(depth + 1);
    auto& m = t_masks[depth];
    if (m.size() < n) m.resize(n);
    return m.data();
}

bool any_set(const uint8_t* m, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (m[i]) return true;
    }
    return false;
}

bool all_set(const uint8_t* m, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (!m[i]) return false;
    }
    return true;
}

template <CmpOp OP, class T>
void cmp_loop(const T* c, size_t n, T v, uint8_t* m, bool or_into) {
    auto test = [v](T x) -> uint8_t {
        if constexpr (OP == CmpOp::kEq) return x == v;
        if constexpr (OP == CmpOp::kNe) return x != v;
        if constexpr (OP == CmpOp::kGt) return x > v;
        if constexpr (OP == CmpOp::kLt) return x < v;
        if constexpr (OP == CmpOp::kGe) return x >= v;
        if constexpr (OP == CmpOp::kLe) return x <= v;
    };
    if (or_into) {
        for (size_t i = 0; i < n; ++i) m[i] |= test(c[i]);
    } else {
        for (size_t i = 0; i < n; ++i) m[i] = test(c[i]);
    }
}

template <class T>
void cmp_column(const T* c, size_t n, CmpOp op, uint64_t value, uint8_t* m, bool or_into) {
    const T v = static_cast<T>(value);
    switch (op) {
        case CmpOp::kEq:
            cmp_loop<CmpOp::kEq>(c, n, v, m, or_into);
            break;
        case CmpOp::kNe:
            cmp_loop<CmpOp::kNe>(c, n, v, m, or_into);
            break;
        case CmpOp::kGt:
            cmp_loop<CmpOp::kGt>(c, n, v, m, or_into);
            break;
        case CmpOp::kLt:
            cmp_loop<CmpOp::kLt>(c, n, v, m, or_into);
            break;
        case CmpOp::kGe:
            cmp_loop<CmpOp::kGe>(c, n, v, m, or_into);
            break;
        case CmpOp::kLe:
            cmp_loop<CmpOp::kLe>(c, n, v, m, or_into);
            break;
    }
}

template <class T>
void in_column(const T* c, size_t n, const std::vector<uint64_t>& set, uint8_t* m, bool or_into) {
    if (!or_into) std::memset(m, 0, n);
    if (set.size() <= 8) {
        for (uint64_t v : set) cmp_loop<CmpOp::kEq>(c, n, static_cast<T>(v), m, true);
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        m[i] |= std::binary_search(set.begin(), set.end(), static_cast<uint64_t>(c[i]));
    }
}

void addr_column(const IpAddr* c, size_t n, const std::vector<Prefix>& prefixes, uint8_t* m,
                 bool or_into) {
    if (!or_into) std::memset(m, 0, n);
    if (prefixes.size() <= 8) {
        for (const Prefix& p : prefixes) {
            const IpAddr mask = IpAddr{~0ull, ~0ull}.masked(p.bits);
            const bool v6_only = p.excludes_v4();
            for (size_t i = 0; i < n; ++i) {
                m[i] |= ((c[i].hi & mask.hi) == p.addr.hi) & ((c[i].lo & mask.lo) == p.addr.lo) &
                        !(v6_only && c[i].is_v4());
            }
        }
        return;
    }
    // Long lists (`ip in [...]` with many entries): binary search per prefix length.
    std::vector<unsigned> lengths;
    for (const Prefix& p : prefixes) lengths.push_back(p.bits);
    std::sort(lengths.begin(), lengths.end());
    lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
    std::vector<std::vector<IpAddr>> by_len(lengths.size());
    for (const Prefix& p : prefixes) {
        const size_t k = static_cast<size_t>(
            std::lower_bound(lengths.begin(), lengths.end(), p.bits) - lengths.begin());
        by_len[k].push_back(p.addr);
    }
    for (auto& v : by_len) std::sort(v.begin(), v.end());
    for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < lengths.size() && !m[i]; ++k) {
            // Shorter than /96, the only prefix holding an IPv4 address excludes IPv4.
            if (lengths[k] < 96 && c[i].is_v4()) continue;
            m[i] = std::binary_search(by_len[k].begin(), by_len[k].end(), c[i].masked(lengths[k]));
        }
    }
}

bool glob(std::string_view p, std::string_view s) {
    size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
    while (si < s.size()) {
        if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
            ++pi;
            ++si;
        } else if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

// Rates are whole numbers, truncated, and 0 for flows of zero duration, as nfdump computes
// them, so that `pps > 10` selects the same flows in both tools.
double derived_value(Derived d, uint64_t start, uint64_t end, uint64_t packets, uint64_t bytes) {
    const uint64_t us = end > start ? end - start : 0;
    switch (d) {
        case Derived::kDuration:
            return static_cast<double>(us) / 1e6;
        case Derived::kBps:
            return us ? static_cast<double>(static_cast<unsigned __int128>(bytes) * 8'000'000 / us)
                      : 0;
        case Derived::kPps:
            return us ? static_cast<double>(static_cast<unsigned __int128>(packets) * 1'000'000 /
                                            us)
                      : 0;
        case Derived::kBpp:
            return packets ? static_cast<double>(bytes / packets) : 0;
    }
    return 0;
}

}  // namespace

bool TextMatcher::matches(std::string_view s) const {
    if (kind == kRegex) return std::regex_search(s.begin(), s.end(), *regex);
    thread_local std::string low;
    low.assign(s);
    for (auto& c : low) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    for (const auto& p : patterns) {
        if (kind == kExact ? low == p : glob(p, low)) return true;
    }
    return false;
}

void Filter::eval(FlowBlock& b, uint8_t* mask) const {
    if (b.empty()) return;
    eval_node(root_, b, mask, 0);
}

void Filter::eval_node(int id, FlowBlock& b, uint8_t* m, unsigned depth) const {
    const FilterNode& n = nodes_[static_cast<size_t>(id)];
    const size_t rows = b.size();
    switch (n.kind) {
        case FilterNode::kAnd: {
            eval_node(n.left, b, m, depth + 1);
            if (!any_set(m, rows)) return;
            uint8_t* r = scratch_mask(depth, rows);
            eval_node(n.right, b, r, depth + 1);
            for (size_t i = 0; i < rows; ++i) m[i] &= r[i];
            return;
        }
        case FilterNode::kOr: {
            eval_node(n.left, b, m, depth + 1);
            if (all_set(m, rows)) return;
            uint8_t* r = scratch_mask(depth, rows);
            eval_node(n.right, b, r, depth + 1);
            for (size_t i = 0; i < rows; ++i) m[i] |= r[i];
            return;
        }
        case FilterNode::kNot:
            eval_node(n.left, b, m, depth + 1);
            for (size_t i = 0; i < rows; ++i) m[i] ^= 1;
            return;
        case FilterNode::kConst:
            std::memset(m, n.value ? 1 : 0, rows);
            return;
        case FilterNode::kCmp:
        case FilterNode::kIn:
        case FilterNode::kBits:
        case FilterNode::kAddr:
        case FilterNode::kText:
            for (unsigned k = 0; k < n.nfields; ++k) {
                const FieldId f = n.fields[k];
                const bool or_into = k > 0;
                if (b.all_default(f)) {
                    // Every value is zero / empty: the answer is known without decoding.
                    if (or_into) {
                        if (n.on_default) std::memset(m, 1, rows);
                    } else {
                        std::memset(m, n.on_default, rows);
                    }
                    continue;
                }
                b.ensure(f);
                visit_field(f, [&](auto t) {
                    using T = decltype(t);
                    const auto& col = column<T::id>(b);
                    if constexpr (T::storage == Storage::Str) {
                        auto& ok = t_dict_ok;
                        ok.resize(col.dict.size());
                        for (uint32_t d = 0; d < col.dict.size(); ++d) {
                            ok[d] = n.text.matches(col.dict.get(d));
                        }
                        for (size_t i = 0; i < rows; ++i) {
                            const uint8_t v = ok[col.ids[i]];
                            m[i] = or_into ? (m[i] | v) : v;
                        }
                    } else if constexpr (T::storage == Storage::Addr) {
                        addr_column(col.data(), rows, n.prefixes, m, or_into);
                    } else {
                        using V = typename T::value_type;
                        if (n.kind == FilterNode::kIn) {
                            in_column<V>(col.data(), rows, n.set, m, or_into);
                        } else if (n.kind == FilterNode::kBits) {
                            const V v = static_cast<V>(n.value);
                            for (size_t i = 0; i < rows; ++i) {
                                const uint8_t hit = n.exact ? col[i] == v
                                                    : n.any ? (col[i] & v) != 0
                                                            : (col[i] & v) == v;
                                m[i] = or_into ? (m[i] | hit) : hit;
                            }
                        } else {
                            cmp_column<V>(col.data(), rows, n.op, n.value, m, or_into);
                        }
                    }
                });
            }
            return;
        case FilterNode::kDerived: {
            b.ensure(FieldId::start);
            b.ensure(FieldId::end);
            b.ensure(FieldId::packets);
            b.ensure(FieldId::bytes);
            const auto& s = column<FieldId::start>(b);
            const auto& e = column<FieldId::end>(b);
            const auto& p = column<FieldId::packets>(b);
            const auto& by = column<FieldId::bytes>(b);
            for (size_t i = 0; i < rows; ++i) {
                m[i] = compare(derived_value(n.derived, s[i], e[i], p[i], by[i]), n.op, n.real);
            }
            return;
        }
        case FilterNode::kFamily: {
            // A flow without any address (layer 2, such as GOOSE) is neither; :: is a real
            // IPv6 source (duplicate address detection).
            b.ensure(FieldId::src);
            b.ensure(FieldId::dst);
            const auto& src = column<FieldId::src>(b);
            const auto& dst = column<FieldId::dst>(b);
            for (size_t i = 0; i < rows; ++i) {
                const bool v4 = src[i].is_v4();
                m[i] = n.value == 4 ? v4 : (!v4 && !(src[i].is_zero() && dst[i].is_zero()));
            }
            return;
        }
        case FilterNode::kIcmp: {
            b.ensure(FieldId::proto);
            b.ensure(FieldId::dport);
            const auto& proto = column<FieldId::proto>(b);
            const auto& dport = column<FieldId::dport>(b);
            for (size_t i = 0; i < rows; ++i) {
                m[i] = (proto[i] == 1 || proto[i] == 58) &&
                       compare<uint64_t>((dport[i] >> n.shift) & 0xff, n.op, n.value);
            }
            return;
        }
    }
}

bool Filter::matches(const FlowRecord& r) const {
    FlowBlock b;
    b.append(r);
    uint8_t m = 0;
    eval(b, &m);
    return m != 0;
}

std::string Filter::dump() const {
    return dump_node(root_) + "\n";
}

std::string Filter::dump_node(int id) const {
    const FilterNode& n = nodes_[static_cast<size_t>(id)];
    static const char* const ops[] = {"==", "!=", ">", "<", ">=", "<="};
    auto fields = [&]() {
        std::string s(field_info(n.fields[0]).name);
        if (n.nfields == 2) s = "(" + s + "|" + std::string(field_info(n.fields[1]).name) + ")";
        return s;
    };
    switch (n.kind) {
        case FilterNode::kAnd:
            return "(" + dump_node(n.left) + " and " + dump_node(n.right) + ")";
        case FilterNode::kOr:
            return "(" + dump_node(n.left) + " or " + dump_node(n.right) + ")";
        case FilterNode::kNot:
            return "not " + dump_node(n.left);
        case FilterNode::kConst:
            return n.value ? "true" : "false";
        case FilterNode::kCmp:
            return fields() + " " + ops[static_cast<int>(n.op)] + " " + std::to_string(n.value);
        case FilterNode::kIn: {
            std::string s = fields() + " in [";
            for (size_t i = 0; i < n.set.size(); ++i)
                s += (i ? " " : "") + std::to_string(n.set[i]);
            return s + "]";
        }
        case FilterNode::kBits:
            return fields() +
                   (n.exact ? " == "
                    : n.any ? " has any "
                            : " has ") +
                   std::to_string(n.value);
        case FilterNode::kAddr: {
            std::string s = fields() + " in [";
            for (size_t i = 0; i < n.prefixes.size(); ++i) {
                const auto& p = n.prefixes[i];
                const unsigned len = p.addr.is_v4() && p.bits >= 96 ? p.bits - 96 : p.bits;
                s += (i ? " " : "") + ip_string(p.addr) + "/" + std::to_string(len);
            }
            return s + "]";
        }
        case FilterNode::kDerived: {
            static const char* const names[] = {"duration", "bps", "pps", "bpp"};
            return std::string(names[static_cast<int>(n.derived)]) + " " +
                   ops[static_cast<int>(n.op)] + " " + std::to_string(n.real);
        }
        case FilterNode::kText: {
            static const char* const kinds[] = {"==", "glob", "~", "in"};
            std::string s = fields() + " " + kinds[n.text.kind];
            for (const auto& p : n.text.patterns) s += " \"" + p + "\"";
            return s;
        }
        case FilterNode::kFamily:
            return "ipv" + std::to_string(n.value);
        case FilterNode::kIcmp:
            return std::string("icmp ") + (n.shift ? "type " : "code ") +
                   ops[static_cast<int>(n.op)] + " " + std::to_string(n.value);
    }
    return "?";
}

}  // namespace fk
