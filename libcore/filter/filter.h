// The filter language (man 7 flowkit-filter): nfdump 1.7's syntax for every field flowkit has,
// plus the L7 fields. A filter is compiled once into a tree of column operations and evaluated
// a block at a time: each leaf runs one tight loop over one or two columns, and a leaf's
// column is decoded only when evaluation reaches it.
#pragma once
#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "record/flow_block.h"

namespace fk {

enum class CmpOp : uint8_t { kEq, kNe, kGt, kLt, kGe, kLe };

// a OP b.
template <class T>
constexpr bool compare(T a, CmpOp op, T b) {
    switch (op) {
        case CmpOp::kEq:
            return a == b;
        case CmpOp::kNe:
            return a != b;
        case CmpOp::kGt:
            return a > b;
        case CmpOp::kLt:
            return a < b;
        case CmpOp::kGe:
            return a >= b;
        case CmpOp::kLe:
            return a <= b;
    }
    return false;
}

// Derived values computed from several columns.
enum class Derived : uint8_t { kDuration, kBps, kPps, kBpp };

struct Prefix {
    IpAddr addr;    // already masked
    unsigned bits;  // of 128

    // IPv4 is stored mapped into ::ffff:0:0/96, so an IPv6 prefix shorter than that (`::/0`)
    // holds every IPv4 address; written as IPv6, it must select IPv6 addresses only.
    constexpr bool excludes_v4() const { return bits < 96 && IpAddr::v4(0).masked(bits) == addr; }
};

// A predicate on text, evaluated once per dictionary entry of a block.
struct TextMatcher {
    enum Kind : uint8_t { kExact, kGlob, kRegex, kAnyOf } kind = kExact;
    std::vector<std::string> patterns;  // lower case for exact / glob / any-of
    std::shared_ptr<const std::regex> regex;
    bool matches(std::string_view s) const;
};

struct FilterNode {
    enum Kind : uint8_t {
        kAnd,
        kOr,
        kNot,
        kConst,    // value != 0: matches everything
        kCmp,      // integer column(s) op value
        kIn,       // integer column(s) in set
        kBits,     // (column & value) == value; != 0 when any; == value when exact
        kAddr,     // address column(s) within any of prefixes
        kDerived,  // derived op value
        kText,     // string column matches
        kFamily,   // IPv4 (value 4) or IPv6 (value 6) by src
        kIcmp,     // proto is ICMP/ICMPv6 and (dport >> shift) & 0xff op value
    } kind;
    int left = -1, right = -1;
    FieldId fields[2] = {};
    uint8_t nfields = 0;
    CmpOp op = CmpOp::kEq;
    bool exact = false;  // kBits: equality instead of all-set
    bool any = false;    // kBits: any bit set instead of all (under an odd number of nots)
    Derived derived = Derived::kDuration;
    uint8_t shift = 0;  // kIcmp
    uint64_t value = 0;
    double real = 0;            // kDerived
    std::vector<uint64_t> set;  // kIn, sorted
    std::vector<Prefix> prefixes;
    TextMatcher text;
    size_t column = 0;       // where it was written, for messages
    uint8_t on_default = 0;  // the leaf's answer for a zero / empty value
};

class Filter {
  public:
    // Compiles text; throws UsageError("filter: column N: ...") when it is not valid. An empty
    // text matches every flow.
    static Filter compile(std::string_view text);
    Filter();

    // mask[i] = 1 for each row of b that matches, 0 otherwise (b.size() bytes). Decodes only
    // the columns the evaluation needs.
    void eval(FlowBlock& b, uint8_t* mask) const;
    // Whether a single record matches (slow path, for tests and small inputs).
    bool matches(const FlowRecord& r) const;
    bool matches_everything() const;
    // Columns the filter may read.
    const FieldSet& fields() const { return fields_; }
    // The compiled tree in a readable form (flowquery -X).
    std::string dump() const;
    // The same condition in ClickHouse SQL over the flow table of formats/clickhouse.h (one
    // column per field, by its name): it selects the rows eval() selects.
    std::string to_sql() const;

  private:
    void eval_node(int node, FlowBlock& b, uint8_t* mask, unsigned depth) const;
    std::string dump_node(int node) const;
    std::string sql_node(int node) const;
    std::vector<FilterNode> nodes_;
    int root_ = -1;
    FieldSet fields_;
    friend class FilterParser;
};

// Parses a number with an optional k/m/g/t suffix (powers of ten), decimal or 0x hex.
bool parse_scaled_number(std::string_view text, uint64_t& out);

}  // namespace fk
