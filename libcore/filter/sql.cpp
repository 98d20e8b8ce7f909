// The compiled filter tree as a ClickHouse SQL condition (flowquery --clickhouse). Each leaf
// becomes the expression that computes what its loop in eval.cpp computes, over the columns of
// the flow table (formats/clickhouse.h): integers as they are, addresses as FixedString(16) in
// network order (IPv4 mapped), text as String.
#include <cstdio>

#include "filter/filter.h"

namespace fk {

namespace {

std::string col(FieldId f) {
    return "`" + std::string(field_info(f).name) + "`";
}

const char* sql_op(CmpOp op) {
    static const char* const ops[] = {"=", "!=", ">", "<", ">=", "<="};
    return ops[static_cast<int>(op)];
}

std::string quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string fixed16(const IpAddr& a) {
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a.hi),
                  static_cast<unsigned long long>(a.lo));
    return std::string("toFixedString(unhex('") + hex + "'), 16)";
}

// Whether an address column holds IPv4 (mapped into ::ffff:0:0/96).
std::string is_v4(const std::string& column) {
    return "(substring(" + column + ", 1, 12) = unhex('00000000000000000000FFFF'))";
}

// A glob of the filter language (* and ?) as a LIKE pattern.
std::string like_pattern(std::string_view glob) {
    std::string out;
    for (char c : glob) {
        if (c == '*')
            out += '%';
        else if (c == '?')
            out += '_';
        else if (c == '%' || c == '_' || c == '\\')
            out += std::string("\\") + c;
        else
            out += c;
    }
    return out;
}

// The masked truncation eval.cpp applies: value cast to the column's type.
uint64_t as_column_type(FieldId f, uint64_t v) {
    switch (field_info(f).storage) {
        case Storage::U8:
            return static_cast<uint8_t>(v);
        case Storage::U16:
            return static_cast<uint16_t>(v);
        case Storage::U32:
            return static_cast<uint32_t>(v);
        default:
            return v;
    }
}

// floor(x * k / d) without the 64-bit overflow of x * k (eval.cpp computes it in 128 bits):
// (x div d) * k + ((x mod d) * k) div d, exact while d * k fits in 64 bits.
std::string scaled_div(const std::string& x, uint64_t k, const std::string& d) {
    const std::string ks = std::to_string(k);
    return "(intDiv(" + x + ", " + d + ") * " + ks + " + intDiv((" + x + " % " + d + ") * " + ks +
           ", " + d + "))";
}

std::string real(double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17g", v);
    return b;
}

}  // namespace

std::string Filter::to_sql() const {
    return sql_node(root_);
}

std::string Filter::sql_node(int id) const {
    const FilterNode& n = nodes_[static_cast<size_t>(id)];
    auto per_field = [&](auto&& leaf) {
        std::string s;
        for (unsigned k = 0; k < n.nfields; ++k) {
            if (k) s += " OR ";
            s += "(" + leaf(n.fields[k]) + ")";
        }
        return n.nfields > 1 ? "(" + s + ")" : s;
    };
    switch (n.kind) {
        case FilterNode::kAnd:
            return "(" + sql_node(n.left) + " AND " + sql_node(n.right) + ")";
        case FilterNode::kOr:
            return "(" + sql_node(n.left) + " OR " + sql_node(n.right) + ")";
        case FilterNode::kNot:
            return "(NOT " + sql_node(n.left) + ")";
        case FilterNode::kConst:
            return n.value ? "1" : "0";
        case FilterNode::kCmp:
            return per_field([&](FieldId f) {
                return col(f) + " " + sql_op(n.op) + " " +
                       std::to_string(as_column_type(f, n.value));
            });
        case FilterNode::kIn:
            return per_field([&](FieldId f) {
                std::string s = col(f) + " IN (";
                for (size_t i = 0; i < n.set.size(); ++i)
                    s += (i ? ", " : "") + std::to_string(as_column_type(f, n.set[i]));
                return s + ")";
            });
        case FilterNode::kBits:
            return per_field([&](FieldId f) {
                const std::string v = std::to_string(as_column_type(f, n.value));
                if (n.exact) return col(f) + " = " + v;
                return "bitAnd(" + col(f) + ", " + v + (n.any ? ") != 0" : ") = " + v);
            });
        case FilterNode::kAddr:
            return per_field([&](FieldId f) {
                std::string s;
                for (size_t i = 0; i < n.prefixes.size(); ++i) {
                    const Prefix& p = n.prefixes[i];
                    // A prefix is the range from its first to its last address; FixedString
                    // compares byte by byte, that is in address order.
                    const IpAddr mask = IpAddr{~0ull, ~0ull}.masked(p.bits);
                    const IpAddr last{p.addr.hi | ~mask.hi, p.addr.lo | ~mask.lo};
                    s += (i ? " OR " : "") + std::string("(") + col(f) + " BETWEEN " +
                         fixed16(p.addr) + " AND " + fixed16(last) +
                         (p.excludes_v4() ? " AND NOT " + is_v4(col(f)) : "") + ")";
                }
                return s.empty() ? std::string("0") : s;
            });
        case FilterNode::kDerived: {
            const std::string us = "if(`end` > `start`, `end` - `start`, 0)";
            // if() evaluates both branches: divisors must never be zero.
            const std::string div = "greatest(" + us + ", 1)";
            std::string v;
            switch (n.derived) {
                case Derived::kDuration:
                    v = "(" + us + " / 1000000.0)";
                    break;
                case Derived::kBps:
                    v = "if(" + us + " = 0, 0, " + scaled_div("`bytes`", 8000000, div) + ")";
                    break;
                case Derived::kPps:
                    v = "if(" + us + " = 0, 0, " + scaled_div("`packets`", 1000000, div) + ")";
                    break;
                case Derived::kBpp:
                    v = "if(`packets` = 0, 0, intDiv(`bytes`, greatest(`packets`, 1)))";
                    break;
            }
            return "toFloat64(" + v + ") " + sql_op(n.op) + " " + real(n.real);
        }
        case FilterNode::kText:
            return per_field([&](FieldId f) {
                const std::string low = "lower(" + col(f) + ")";
                std::string s;
                if (n.text.kind == TextMatcher::kRegex) {
                    return "match(" + col(f) + ", " + quote("(?i)" + n.text.patterns.at(0)) + ")";
                }
                for (size_t i = 0; i < n.text.patterns.size(); ++i) {
                    const auto& p = n.text.patterns[i];
                    s += i ? " OR " : "";
                    s += n.text.kind == TextMatcher::kExact
                             ? low + " = " + quote(p)
                             : low + " LIKE " + quote(like_pattern(p));
                }
                return s.empty() ? std::string("0") : s;
            });
        case FilterNode::kFamily: {
            const std::string v4 = is_v4("`src`");
            if (n.value == 4) return "(" + v4 + ")";
            const std::string zero = fixed16(IpAddr{0, 0});
            return "(NOT (" + v4 + ") AND NOT (`src` = " + zero + " AND `dst` = " + zero + "))";
        }
        case FilterNode::kIcmp:
            return "(`proto` IN (1, 58) AND bitAnd(bitShiftRight(`dport`, " +
                   std::to_string(n.shift) + "), 255) " + sql_op(n.op) + " " +
                   std::to_string(n.value) + ")";
    }
    return "0";
}

}  // namespace fk
