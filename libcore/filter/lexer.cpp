#include "filter/lexer.h"

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
                throw UsageError("filter: column " + std::to_string(col) +
                                 ": string not terminated");
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
                throw UsageError("filter: column " + std::to_string(col) + ": '" +
                                 std::string(1, c) + "' must be doubled ('" + std::string(2, c) +
                                 "')");
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
    out.push_back({Tok::kEnd, "", s.size() + 1});
    return out;
}

}  // namespace fk::filter
