#include "filter/lexer.h"

#include <algorithm>

#include "common/error.h"

namespace fk::filter {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_punct(char c) {
    return c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '!' || c == '=' ||
           c == '<' || c == '>' || c == '~' || c == '"' || c == '\'' || c == '#' || c == '&' ||
           c == '|';
}

}  // namespace

std::string position(std::string_view text, size_t offset) {
    const size_t last = text.find_last_not_of("\r\n");
    if (last == std::string_view::npos || text.rfind('\n', last) == std::string_view::npos) {
        return "column " + std::to_string(offset);
    }
    const std::string_view before = text.substr(0, std::min(offset - 1, text.size()));
    const size_t nl = before.rfind('\n');
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t column = nl == std::string_view::npos ? offset : offset - 1 - nl;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        const size_t col = i + 1;
        if (is_space(c)) {
            ++i;
            continue;
        }
        if (c == '#') {
            while (i < s.size() && s[i] != '\n') ++i;
            continue;
        }
        if (c == '"' || c == '\'') {
            const size_t end = s.find(c, i + 1);
            if (end == std::string_view::npos) {
                throw UsageError("filter: " + position(s, col) + ": string not terminated");
            }
            out.push_back({Tok::kString, std::string(s.substr(i + 1, end - i - 1)), col});
            i = end + 1;
            continue;
        }
        switch (c) {
            case '(':
                out.push_back({Tok::kLParen, "(", col});
                ++i;
                continue;
            case ')':
                out.push_back({Tok::kRParen, ")", col});
                ++i;
                continue;
            case '[':
                out.push_back({Tok::kLBracket, "[", col});
                ++i;
                continue;
            case ']':
                out.push_back({Tok::kRBracket, "]", col});
                ++i;
                continue;
            case ',':
                out.push_back({Tok::kComma, ",", col});
                ++i;
                continue;
            default:
                break;
        }
        if (c == '&' || c == '|') {
            // nfdump's && and ||; a single one is a typo, not a word character.
            if (i + 1 >= s.size() || s[i + 1] != c) {
                throw UsageError("filter: " + position(s, col) + ": '" + std::string(1, c) +
                                 "' must be doubled ('" + std::string(2, c) + "')");
            }
            out.push_back({Tok::kOp, std::string(2, c), col});
            i += 2;
            continue;
        }
        if (c == '!' && (i + 1 >= s.size() || s[i + 1] != '=')) {
            out.push_back({Tok::kBang, "!", col});
            ++i;
            continue;
        }
        if (c == '=' || c == '<' || c == '>' || c == '!' || c == '~') {
            size_t n = 1;
            if (i + 1 < s.size() && s[i + 1] == '=' && c != '~') n = 2;
            out.push_back({Tok::kOp, std::string(s.substr(i, n)), col});
            i += n;
            continue;
        }
        size_t j = i;
        while (j < s.size() && !is_space(s[j]) && !is_punct(s[j])) ++j;
        out.push_back({Tok::kWord, std::string(s.substr(i, j - i)), col});
        i = j;
    }
    // The end is right after the last token, not after trailing comments and blank lines.
    size_t end = 1;
    if (!out.empty()) {
        const Token& t = out.back();
        end = t.kind == Tok::kString ? s.find(s[t.offset - 1], t.offset) + 2
                                     : t.offset + t.text.size();
    }
    out.push_back({Tok::kEnd, "", end});
    return out;
}

}  // namespace fk::filter
