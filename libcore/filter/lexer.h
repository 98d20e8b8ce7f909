// Tokens of the filter language (man 7 flowkit-filter), each with the column it starts at so
// that errors can point at the offending word.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fk::filter {

enum class Tok {
    kWord,    // keyword, number, address, name: anything unquoted
    kString,  // 'quoted' or "quoted"
    kLParen,
    kRParen,
    kLBracket,
    kRBracket,
    kComma,
    kBang,  // !
    kOp,    // = == != > < >= <= ~ && ||
    kEnd,
};

struct Token {
    Tok kind;
    std::string text;  // words and strings as written (strings without quotes)
    size_t offset;     // 1-based, in the whole text; position() makes it readable
};

// Splits text into tokens; `#` starts a comment to the end of the line. Throws UsageError
// ("column N: ...") on an unterminated string or a lone & or |.
std::vector<Token> tokenize(std::string_view text);

// Where 1-based offset lies in text, for messages: "column N" when text is one line (a final
// newline does not count), else "line L, column C", since a filter file may hold many lines.
std::string position(std::string_view text, size_t offset);

}  // namespace fk::filter
