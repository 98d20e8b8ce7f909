// Recursive-descent parser for the filter language: or > and > not > primitives, as in
// nfdump's grammar.y (not binds tightest, then and, then or; all left associative).
#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/time.h"
#include "filter/filter.h"
#include "filter/lexer.h"
#include "record/names.h"

namespace fk {

using filter::Tok;
using filter::Token;

bool parse_scaled_number(std::string_view t, uint64_t& out) {
    if (t.empty()) return false;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        uint64_t v = 0;
        for (char c : t.substr(2)) {
            const int d = (c >= '0' && c <= '9')   ? c - '0'
                          : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                          : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                   : -1;
            if (d < 0 || v > (UINT64_MAX >> 4)) return false;
            v = v * 16 + static_cast<uint64_t>(d);
        }
        out = v;
        return true;
    }
    uint64_t mult = 1;
    switch (t.back()) {
        case 'k':
        case 'K':
            mult = 1000ull;
            break;
        case 'm':
        case 'M':
            mult = 1000'000ull;
            break;
        case 'g':
        case 'G':
            mult = 1000'000'000ull;
            break;
        case 't':
        case 'T':
            mult = 1000'000'000'000ull;
            break;
        default:
            break;
    }
    if (mult != 1) t.remove_suffix(1);
    if (t.empty()) return false;
    uint64_t whole = 0, frac = 0, frac_div = 1;
    bool dot = false, digits = false;
    for (char c : t) {
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9') return false;
        digits = true;
        if (!dot) {
            const auto digit = static_cast<uint64_t>(c - '0');
            if (whole > (UINT64_MAX - digit) / 10) return false;
            whole = whole * 10 + digit;
        } else if (frac_div < 1000'000'000'000ull) {
            frac = frac * 10 + static_cast<uint64_t>(c - '0');
            frac_div *= 10;
        }
    }
    if (!digits || (dot && mult == 1 && frac != 0)) return false;
    if (whole > UINT64_MAX / mult) return false;
    out = whole * mult + frac * mult / frac_div;
    return true;
}

// The one or two columns a primitive looks at (two: either direction, as `port 80`).
struct Columns {
    Columns(FieldId a) : f{a, a}, n(1) {}  // NOLINT: a single field converts implicitly
    Columns(FieldId a, FieldId b) : f{a, b}, n(2) {}
    FieldId f[2];
    uint8_t n;
};

class FilterParser {
  public:
    FilterParser(std::string_view text, Filter& f)
        : text_(text), t_(filter::tokenize(text)), f_(f) {}

    int parse() {
        if (peek().kind == Tok::kEnd) {
            FilterNode n = node(FilterNode::kConst, 1);
            n.value = 1;
            return add(std::move(n));
        }
        const int n = parse_or();
        if (peek().kind != Tok::kEnd) error(peek(), "unexpected '" + peek().text + "'");
        return n;
    }

  private:
    const Token& peek(size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
    const Token& take() { return t_[std::min(i_++, t_.size() - 1)]; }
    [[noreturn]] void error(const Token& t, const std::string& what) const {
        throw UsageError("filter: " + filter::position(text_, t.offset) + ": " + what);
    }
    static std::string lower(std::string s) {
        for (auto& c : s) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return s;
    }
    bool peek_word(std::string_view w, size_t ahead = 0) const {
        return peek(ahead).kind == Tok::kWord && lower(peek(ahead).text) == w;
    }
    bool accept_word(std::string_view w) {
        if (!peek_word(w)) return false;
        ++i_;
        return true;
    }
    int add(FilterNode n) {
        f_.nodes_.push_back(std::move(n));
        return static_cast<int>(f_.nodes_.size() - 1);
    }
    FilterNode node(FilterNode::Kind k, size_t column) {
        FilterNode n{};
        n.kind = k;
        n.column = column;
        return n;
    }
    int binary(FilterNode::Kind k, int l, int r) {
        FilterNode n = node(k, 0);
        n.left = l;
        n.right = r;
        return add(std::move(n));
    }

    // `and` or `&&`; `or` or `||`.
    bool peek_connective(std::string_view word, std::string_view op, size_t ahead = 0) const {
        return peek_word(word, ahead) || (peek(ahead).kind == Tok::kOp && peek(ahead).text == op);
    }
    bool peek_and(size_t ahead = 0) const { return peek_connective("and", "&&", ahead); }
    bool peek_or(size_t ahead = 0) const { return peek_connective("or", "||", ahead); }

    int parse_or() {
        int l = parse_and();
        while (peek_or()) {
            ++i_;
            l = binary(FilterNode::kOr, l, parse_and());
        }
        return l;
    }
    int parse_and() {
        int l = parse_not();
        while (peek_and()) {
            ++i_;
            l = binary(FilterNode::kAnd, l, parse_not());
        }
        return l;
    }
    int parse_not() {
        if (accept_word("not") || (peek().kind == Tok::kBang && ++i_)) {
            const int operand = parse_not();
            flip_flag_tests(operand);
            return binary(FilterNode::kNot, operand, -1);
        }
        return parse_primary();
    }
    // nfdump 1.7 reads `flags XY` under an odd number of nots as "none of X Y set", so that
    // `flags S and not flags AF` is "SYN without ACK or FIN": the leaf tests "any of X Y" and
    // the not around it negates that. Each not flips every non-exact flags test below it.
    void flip_flag_tests(int id) {
        FilterNode& n = f_.nodes_[static_cast<size_t>(id)];
        if (n.kind == FilterNode::kBits && !n.exact) n.any = !n.any;
        if (n.left >= 0) flip_flag_tests(n.left);
        if (n.right >= 0) flip_flag_tests(n.right);
    }
    int parse_primary() {
        if (peek().kind == Tok::kLParen) {
            ++i_;
            const int n = parse_or();
            if (peek().kind != Tok::kRParen) error(peek(), "expected ')'");
            ++i_;
            return n;
        }
        if (peek().kind != Tok::kWord) {
            error(peek(), peek().kind == Tok::kEnd ? "expression expected at the end"
                                                   : "unexpected '" + peek().text + "'");
        }
        return parse_term();
    }

    // Comparison operator, symbolic or as a word; kEq when none is written.
    CmpOp parse_op() {
        const Token& t = peek();
        if (t.kind == Tok::kOp) {
            static const std::pair<std::string_view, CmpOp> ops[] = {
                {"=", CmpOp::kEq}, {"==", CmpOp::kEq}, {"!=", CmpOp::kNe}, {">", CmpOp::kGt},
                {"<", CmpOp::kLt}, {">=", CmpOp::kGe}, {"<=", CmpOp::kLe}};
            for (const auto& [s, op] : ops) {
                if (t.text == s) {
                    ++i_;
                    return op;
                }
            }
            error(t, "operator '" + t.text + "' does not apply here");
        }
        if (t.kind == Tok::kWord) {
            static const std::pair<std::string_view, CmpOp> words[] = {
                {"eq", CmpOp::kEq}, {"ne", CmpOp::kNe}, {"gt", CmpOp::kGt},
                {"lt", CmpOp::kLt}, {"ge", CmpOp::kGe}, {"le", CmpOp::kLe}};
            const std::string w = lower(t.text);
            for (const auto& [s, op] : words) {
                if (w == s) {
                    ++i_;
                    return op;
                }
            }
        }
        return CmpOp::kEq;
    }

    const Token& value_token(const char* what) {
        const Token& t = peek();
        if (t.kind != Tok::kWord && t.kind != Tok::kString) {
            error(t, std::string(what) + " expected" +
                         (t.kind == Tok::kEnd ? " at the end" : ", found '" + t.text + "'"));
        }
        ++i_;
        return t;
    }

    // Items of `in [a b, c]`; the '[' is the current token.
    std::vector<Token> parse_list() {
        std::vector<Token> items;
        ++i_;
        while (peek().kind != Tok::kRBracket) {
            if (peek().kind == Tok::kComma) {
                ++i_;
                continue;
            }
            if (peek().kind != Tok::kWord && peek().kind != Tok::kString) {
                error(peek(), "list not closed with ']'");
            }
            items.push_back(take());
        }
        ++i_;
        if (items.empty()) error(peek(), "empty list");
        return items;
    }
    bool at_in_list() const { return peek_word("in") && peek(1).kind == Tok::kLBracket; }

    uint64_t int_value(const FieldInfo& f, const Token& t) {
        std::optional<uint64_t> v;
        uint64_t n;
        switch (f.format) {
            case Format::Proto:
                v = parse_proto(t.text);
                break;
            case Format::TcpFlags:
                v = parse_tcp_flags(t.text);
                break;
            case Format::App:
                v = parse_app(lower(t.text));
                break;
            case Format::TlsVer:
                v = parse_tls_version(lower(t.text));
                break;
            case Format::Action:
                v = parse_action(t.text);
                break;
            case Format::Tunnel:
                v = parse_tunnel(t.text);
                break;
            case Format::DnsRcode:
                v = parse_dns_rcode(t.text);
                break;
            case Format::Mac:
                v = parse_mac(t.text);
                break;
            case Format::Time:
                v = parse_time(t.text);
                break;
            case Format::Bool: {
                const std::string w = lower(t.text);
                if (w == "1" || w == "yes" || w == "true") v = 1;
                if (w == "0" || w == "no" || w == "false") v = 0;
                break;
            }
            default:
                if (parse_scaled_number(t.text, n)) v = n;
        }
        if (!v) error(t, "'" + t.text + "' is not a valid " + keyword_ + " value");
        uint64_t max = UINT64_MAX;
        switch (f.storage) {
            case Storage::U8:
                max = 0xff;
                break;
            case Storage::U16:
                max = 0xffff;
                break;
            case Storage::U32:
                max = 0xffffffff;
                break;
            default:
                break;
        }
        if (*v > max) error(t, "'" + t.text + "' is out of range for " + keyword_);
        return *v;
    }

    // One or two integer fields compared with a value, or tested against a list.
    int int_term(Columns cols, size_t col) {
        const FieldInfo& f = field_info(cols.f[0]);
        FilterNode n = node(FilterNode::kCmp, col);
        for (unsigned i = 0; i < cols.n; ++i) n.fields[n.nfields++] = cols.f[i];
        if (at_in_list()) {
            ++i_;
            n.kind = FilterNode::kIn;
            for (const Token& t : parse_list()) n.set.push_back(int_value(f, t));
            std::sort(n.set.begin(), n.set.end());
            n.set.erase(std::unique(n.set.begin(), n.set.end()), n.set.end());
            return add(std::move(n));
        }
        n.op = parse_op();
        n.value = int_value(f, value_token("a value"));
        // Either side != v is "neither side is v", as `not port 80`: read as "one side is not
        // v", `port != 80` would match nearly every flow.
        if (n.op == CmpOp::kNe && n.nfields == 2) {
            n.op = CmpOp::kEq;
            return binary(FilterNode::kNot, add(std::move(n)), -1);
        }
        // A flow without a DNS answer has no response code: `dns_rcode < 3` or `!= 0` are
        // about answers, and the stored 0 would satisfy them.
        if (f.format == Format::DnsRcode &&
            (n.op == CmpOp::kLt || n.op == CmpOp::kLe || n.op == CmpOp::kNe)) {
            FilterNode answered = n;
            answered.op = CmpOp::kNe;
            answered.value = 0;
            return binary(FilterNode::kAnd, add(std::move(n)), add(std::move(answered)));
        }
        return add(std::move(n));
    }

    Prefix parse_prefix(const Token& t, bool allow_mask_word) {
        std::string_view text = t.text;
        const size_t slash = text.find('/');
        const std::string_view written = text.substr(0, slash);
        const auto addr = parse_ip(written);
        if (!addr) error(t, "'" + std::string(written) + "' is not an IP address");
        // The notation decides how the length counts: of 32 bits for IPv4, of all 128 for
        // IPv6, where ::ffff:0:0/96 holds every IPv4 address (IPv4-mapped, as stored).
        const bool v4 = written.find(':') == std::string_view::npos;
        unsigned len = v4 ? 32 : 128;
        if (slash != std::string_view::npos) {
            uint64_t l;
            if (!parse_scaled_number(text.substr(slash + 1), l) || l > (v4 ? 32u : 128u)) {
                error(t, "bad prefix length in '" + t.text + "'");
            }
            len = static_cast<unsigned>(l);
        } else if (allow_mask_word && v4 && peek().kind == Tok::kWord) {
            // nfdump's `net 10.0.0.0 255.0.0.0`
            if (const auto m = parse_ip(peek().text); m && m->is_v4()) {
                const uint32_t mask = m->v4_value();
                len = static_cast<unsigned>(__builtin_popcount(mask));
                if (mask != (len == 0 ? 0u : ~0u << (32 - len))) error(peek(), "bad netmask");
                ++i_;
            }
        }
        const unsigned bits = prefix_bits(v4, len);
        return {addr->masked(bits), bits};
    }

    int addr_term(Columns cols, size_t col, bool net) {
        FilterNode n = node(FilterNode::kAddr, col);
        for (unsigned i = 0; i < cols.n; ++i) n.fields[n.nfields++] = cols.f[i];
        if (at_in_list()) {
            ++i_;
            for (const Token& t : parse_list()) n.prefixes.push_back(parse_prefix(t, false));
        } else {
            if (peek().kind == Tok::kOp && (peek().text == "=" || peek().text == "==")) ++i_;
            n.prefixes.push_back(parse_prefix(value_token("an address"), net));
        }
        return add(std::move(n));
    }

    int text_term(FieldId id, size_t col) {
        FilterNode n = node(FilterNode::kText, col);
        n.fields[n.nfields++] = id;
        bool negate = false;
        if (at_in_list()) {
            ++i_;
            n.text.kind = TextMatcher::kAnyOf;
            for (const Token& t : parse_list()) n.text.patterns.push_back(lower(t.text));
            return add(std::move(n));
        }
        if (peek().kind == Tok::kOp) {
            const Token& op = take();
            if (op.text == "~") {
                const Token& re = value_token("a regular expression");
                n.text.kind = TextMatcher::kRegex;
                n.text.patterns.push_back(re.text);  // for to_sql()
                try {
                    n.text.regex = std::make_shared<const std::regex>(
                        re.text, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
                } catch (const std::regex_error& e) {
                    error(re, std::string("bad regular expression: ") + e.what());
                }
                return add(std::move(n));
            }
            if (op.text == "!=")
                negate = true;
            else if (op.text != "=" && op.text != "==")
                error(op, "strings compare with = != ~");
        }
        const std::string v = lower(value_token("a text value").text);
        n.text.kind =
            v.find_first_of("*?") == std::string::npos ? TextMatcher::kExact : TextMatcher::kGlob;
        n.text.patterns.push_back(v);
        const int leaf = add(std::move(n));
        return negate ? binary(FilterNode::kNot, leaf, -1) : leaf;
    }

    int derived_term(Derived d, size_t col) {
        FilterNode n = node(FilterNode::kDerived, col);
        n.derived = d;
        n.op = parse_op();
        const Token& t = value_token("a number");
        uint64_t v;
        if (d == Derived::kDuration) {
            // Milliseconds as in nfdump (`duration > 1000` is a second), or with a unit: 1.5s,
            // 500ms. Kept in seconds, as evaluation computes durations.
            std::string s = lower(t.text);
            double unit = 1e-3;
            if (s.ends_with("ms")) {
                s.resize(s.size() - 2);
            } else if (s.ends_with('s')) {
                s.pop_back();
                unit = 1;
            }
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            if (s.empty() || end != s.c_str() + s.size() || !(v >= 0) || std::isinf(v))
                error(t, "'" + t.text + "' is not a duration (milliseconds, or 1.5s, 500ms)");
            n.real = v * unit;
        } else {
            if (!parse_scaled_number(t.text, v)) error(t, "'" + t.text + "' is not a number");
            n.real = static_cast<double>(v);
        }
        return add(std::move(n));
    }

    // nfdump's `client latency`, `server latency`, `app latency`: milliseconds (a fraction
    // allowed, as 0.5) against the microseconds of rtt_client, rtt_server and srt.
    int latency_term(FieldId f, size_t col) {
        FilterNode n = node(FilterNode::kCmp, col);
        n.fields[n.nfields++] = f;
        n.op = parse_op();
        const Token& t = value_token("milliseconds");
        char* end = nullptr;
        const double ms = std::strtod(t.text.c_str(), &end);
        if (t.text.empty() || end != t.text.c_str() + t.text.size() || !(ms >= 0) ||
            ms * 1000 > 0xffffffff) {
            error(t, "'" + t.text + "' is not a latency in milliseconds");
        }
        n.value = static_cast<uint64_t>(std::llround(ms * 1000));
        return add(std::move(n));
    }

    int family_term(uint64_t family, size_t col) {
        FilterNode n = node(FilterNode::kFamily, col);
        n.value = family;
        return add(std::move(n));
    }

    enum class Dir { kEither, kSrc, kDst, kIn, kOut };

    int generic_term(const FieldInfo& f, size_t col) {
        if (f.storage == Storage::Str) return text_term(f.id, col);
        if (f.storage == Storage::Addr) return addr_term(f.id, col, true);
        if (f.format == Format::Bool &&
            (is_connective(peek()) || (peek().kind != Tok::kWord && peek().kind != Tok::kOp))) {
            FilterNode n = node(FilterNode::kCmp, col);
            n.fields[n.nfields++] = f.id;
            n.op = CmpOp::kNe;
            n.value = 0;
            return add(std::move(n));
        }
        if (f.format == Format::TcpFlags) return flags_term(col);
        return int_term(f.id, col);
    }

    bool is_connective(const Token& t) const {
        if (t.kind == Tok::kOp) return t.text == "&&" || t.text == "||";
        const std::string w = lower(t.text);
        return t.kind == Tok::kWord && (w == "and" || w == "or" || w == "not");
    }

    int flags_term(size_t col) {
        FilterNode n = node(FilterNode::kBits, col);
        n.fields[n.nfields++] = FieldId::flags;
        if (peek().kind == Tok::kOp) {
            const Token& op = take();
            if (op.text != "=" && op.text != "==") error(op, "flags take = (exact) or nothing");
            n.exact = true;
        }
        const Token& t = value_token("TCP flags");
        const auto v = parse_tcp_flags(t.text);
        if (!v) error(t, "'" + t.text + "' is not a set of TCP flags (F S R P A U E C X)");
        n.value = *v;
        return add(std::move(n));
    }

    // A direction qualifier, then the term: `src port 80`, `in if 3`, and as in nfdump
    // `src or dst port 80` (either side, as without a qualifier) and `src and dst port 80`
    // (both sides: the term is read once for each).
    int parse_term() {
        const size_t col = peek().offset;
        const std::string k = lower(peek().text);
        if (k == "src" || k == "dst") {
            const bool pair =
                (peek_and(1) || peek_or(1)) && peek_word(k == "src" ? "dst" : "src", 2);
            const size_t q = pair ? 3 : 1;
            static const char* const qualified[] = {"ip",   "host", "net", "port", "as",
                                                    "vlan", "mask", "tos", "mac",  "if"};
            if (peek(q).kind == Tok::kWord &&
                std::find(std::begin(qualified), std::end(qualified), lower(peek(q).text)) !=
                    std::end(qualified)) {
                const bool both = pair && peek_and(1);
                i_ += q;
                if (!pair) return term(k == "src" ? Dir::kSrc : Dir::kDst, col);
                if (!both) return term(Dir::kEither, col);
                const size_t start = i_;
                const int src = term(Dir::kSrc, col);
                i_ = start;
                return binary(FilterNode::kAnd, src, term(Dir::kDst, col));
            }
        } else if ((k == "in" || k == "out") && peek_word("if", 1)) {
            ++i_;
            return term(k == "in" ? Dir::kIn : Dir::kOut, col);
        } else if ((k == "in" || k == "out") &&
                   (peek_word("packets", 1) || peek_word("bytes", 1))) {
            // nfdump's in/out counters: a flowkit record is one direction, its own counters
            // are nfdump's "in"; the other direction is another record.
            if (k == "out") {
                error(peek(), "'out " + lower(peek(1).text) +
                                  "' would be the reverse direction's, which is a record of its "
                                  "own here (flowquery -b pairs them): use '" +
                                  lower(peek(1).text) + "' on it");
            }
            ++i_;
            return term(Dir::kEither, col);
        } else if ((k == "in" || k == "out") && (peek_word("src", 1) || peek_word("dst", 1)) &&
                   peek_word("mac", 2)) {
            // nfdump's in/out src/dst mac: one MAC pair a record here.
            ++i_;
            const bool src = lower(take().text) == "src";
            return term(src ? Dir::kSrc : Dir::kDst, col);
        }
        return term(Dir::kEither, col);
    }

    // The term whose keyword is the current token; col is where its qualifier started.
    int term(Dir dir, size_t col) {
        const Token& first = take();
        std::string k = lower(first.text);
        keyword_ = k;
        auto pick = [&](FieldId s, FieldId d) -> Columns {
            if (dir == Dir::kSrc || dir == Dir::kIn) return s;
            if (dir == Dir::kDst || dir == Dir::kOut) return d;
            return {s, d};
        };
        if (k == "any") {
            FilterNode n = node(FilterNode::kConst, col);
            n.value = 1;
            return add(std::move(n));
        }
        if (k == "ipv4" || k == "inet") return family_term(4, col);
        if (k == "ipv6" || k == "inet6") return family_term(6, col);
        if (k == "ip" || k == "host")
            return addr_term(pick(FieldId::src, FieldId::dst), col, false);
        if (k == "net") return addr_term(pick(FieldId::src, FieldId::dst), col, true);
        if (k == "port") return int_term(pick(FieldId::sport, FieldId::dport), col);
        if (k == "as") return int_term(pick(FieldId::src_as, FieldId::dst_as), col);
        if (k == "if") return int_term(pick(FieldId::in_if, FieldId::out_if), col);
        if (k == "mask") return int_term(pick(FieldId::src_mask, FieldId::dst_mask), col);
        if (k == "mac") return int_term(pick(FieldId::src_mac, FieldId::dst_mac), col);
        if (k == "vlan") return int_term(FieldId::vlan, col);
        if (k == "tos") return int_term(FieldId::tos, col);
        if (k == "flags") return flags_term(col);
        if (k == "duration") return derived_term(Derived::kDuration, col);
        if (k == "bps") return derived_term(Derived::kBps, col);
        if (k == "pps") return derived_term(Derived::kPps, col);
        if (k == "bpp") return derived_term(Derived::kBpp, col);
        if (k == "flows") {
            // Each record is one flow.
            const CmpOp op = parse_op();
            uint64_t v;
            const Token& t = value_token("a number");
            if (!parse_scaled_number(t.text, v)) error(t, "'" + t.text + "' is not a number");
            FilterNode n = node(FilterNode::kConst, col);
            n.value = compare<uint64_t>(1, op, v);
            return add(std::move(n));
        }
        if (k == "icmp" && (peek_word("type") || peek_word("code"))) {
            k = "icmp-" + lower(take().text);
        }
        if (k == "icmp-type" || k == "icmp-code") {
            FilterNode n = node(FilterNode::kIcmp, col);
            n.shift = k == "icmp-type" ? 8 : 0;
            n.op = parse_op();
            const Token& t = value_token("a number");
            if (!parse_scaled_number(t.text, n.value) || n.value > 255) {
                error(t, "'" + t.text + "' is not an ICMP type or code");
            }
            return add(std::move(n));
        }
        if ((k == "client" || k == "server" || k == "app") && peek_word("latency")) {
            ++i_;
            return latency_term(k == "client"   ? FieldId::rtt_client
                                : k == "server" ? FieldId::rtt_server
                                                : FieldId::srt,
                                col);
        }
        if ((k == "first" || k == "last") && accept_word("seen")) {
            return int_term(k == "first" ? FieldId::start : FieldId::end, col);
        }
        if (k == "router" || k == "exporter") {
            accept_word("ip");
            return addr_term(FieldId::exporter, col, true);
        }
        if (k == "next" || k == "nexthop") {
            if (!accept_word("ip")) accept_word("hop");
            return addr_term(FieldId::next_hop, col, true);
        }
        if (k == "src" || k == "dst") {
            return addr_term(k == "src" ? FieldId::src : FieldId::dst, col, true);
        }
        if (const FieldInfo* f = find_field(k)) return generic_term(*f, col);
        error(first, "unknown keyword '" + first.text + "'");
    }

    std::string_view text_;
    std::string keyword_;  // of the term being read, as written: `port`, not sport and dport
    std::vector<Token> t_;
    size_t i_ = 0;
    Filter& f_;
};

Filter::Filter() {
    FilterNode n{};
    n.kind = FilterNode::kConst;
    n.value = 1;
    nodes_.push_back(n);
    root_ = 0;
}

Filter Filter::compile(std::string_view text) {
    Filter f;
    f.nodes_.clear();
    FilterParser p(text, f);
    f.root_ = p.parse();
    // Each column leaf's answer for a zero / empty value, used for columns a block does not
    // store: evaluate the leaf on one default row.
    FlowBlock zero_row;
    zero_row.append(FlowRecord{});
    for (auto& n : f.nodes_) {
        if (n.nfields == 0) continue;
        Filter leaf;
        leaf.nodes_ = {n};
        leaf.nodes_[0].nfields = 1;
        leaf.eval(zero_row, &n.on_default);
    }
    for (const auto& n : f.nodes_) {
        for (unsigned i = 0; i < n.nfields; ++i) f.fields_.set(static_cast<unsigned>(n.fields[i]));
        switch (n.kind) {
            case FilterNode::kDerived:
                f.fields_.set(static_cast<unsigned>(FieldId::start));
                f.fields_.set(static_cast<unsigned>(FieldId::end));
                f.fields_.set(static_cast<unsigned>(FieldId::packets));
                f.fields_.set(static_cast<unsigned>(FieldId::bytes));
                break;
            case FilterNode::kFamily:
                f.fields_.set(static_cast<unsigned>(FieldId::src));
                break;
            case FilterNode::kIcmp:
                f.fields_.set(static_cast<unsigned>(FieldId::proto));
                f.fields_.set(static_cast<unsigned>(FieldId::dport));
                break;
            default:
                break;
        }
    }
    return f;
}

bool Filter::matches_everything() const {
    const FilterNode& n = nodes_[static_cast<size_t>(root_)];
    return n.kind == FilterNode::kConst && n.value != 0;
}

}  // namespace fk
