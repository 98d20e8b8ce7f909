// Pieces the importers share: number and address parsing that report a malformed record, and
// the JSON document walk (simdjson) of the JSON formats.
#pragma once
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "formats/import.h"
#include "record/ipaddr.h"

namespace fk::imp {

// A malformed record; the importer adds the file and line.
struct LineError {
    std::string what;
};

std::string_view trim(std::string_view s);

// A decimal number of at most max (a port, a protocol number): LineError naming what when it
// is not one, or larger.
uint64_t to_u64(std::string_view s, const char* what, uint64_t max = UINT64_MAX);
// v seconds (unit 10^6) or milliseconds (10^3) in microseconds; LineError when that overflows.
uint64_t to_micros(uint64_t v, uint64_t unit, const char* what);
IpAddr to_ip(std::string_view s, const char* what);

// Reports a malformed record: DataError "name:line: what", or (under --ignore-errors) counts
// it as skipped and warns.
void malformed(const std::string& name, size_t line, const std::string& what,
               const ImportOptions& opts, ImportStats& stats);

// Counts the '\n' in text[from, to) into line, then sets from = to (for byte offset → line).
inline void advance_lines(std::string_view text, size_t& from, size_t to, size_t& line) {
    for (size_t i = from; i < to && i < text.size(); ++i) line += text[i] == '\n';
    if (to > from) from = to;
}

// Whether a stream of JSON documents starts with an object or array: not a cut line, which may
// begin with a scalar ("10.0.0.1",...) or not parse, and is no document of these formats.
inline bool object_or_array(simdjson::simdjson_result<simdjson::dom::element> first) {
    simdjson::dom::element e;
    return !first.get(e) && (e.is_object() || e.is_array());
}

// Whether the documents of the unread text of `in` start broken (see for_each_json), told by
// their first document: read from the first n bytes on until that document ends.
bool starts_broken(LineReader& in, simdjson::dom::parser& parser, size_t n);

// The JSON documents of a file: JSON Lines (one document per line), or, when the first line is
// not a whole document, the file parsed as a sequence of (pretty-printed) documents; but when
// that sequence is broken at its first document and the second line is an object or array of
// its own, JSON Lines whose first line is broken (cut off by tail -c).
// JSON Lines are read a chunk at a time; a sequence of documents is read whole.
// f(element, line) runs for every document; a top-level array gives each of its elements.
// A malformed line or document, an incomplete last document, or an exception LineError from f,
// goes to malformed().
template <class F>
void for_each_json(LineReader& in, const ImportOptions& opts, ImportStats& stats, F&& f) {
    const std::string& name = in.name();
    simdjson::dom::parser parser;
    std::vector<char> buf;
    // Copies line into buf with simdjson's padding and parses it.
    auto parse_line = [&](std::string_view line, simdjson::dom::element& doc) {
        if (buf.size() < line.size() + simdjson::SIMDJSON_PADDING)
            buf.resize(line.size() + simdjson::SIMDJSON_PADDING);
        std::copy(line.begin(), line.end(), buf.begin());
        return parser.parse(buf.data(), line.size(), false).get(doc);
    };
    const std::string_view head = in.peek_lines(2);
    const size_t first = head.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return;
    const size_t eol = head.find('\n', first);
    simdjson::dom::element probe;
    // JSON Lines when the first line is a document of its own; otherwise whole documents.
    if (parse_line(trim(head.substr(first, eol == std::string_view::npos ? eol : eol - first)),
                   probe)) {
        const size_t second =
            eol == std::string_view::npos ? eol : head.find_first_not_of(" \t\r\n", eol);
        const size_t eol2 = second == std::string_view::npos ? second : head.find('\n', second);
        const bool second_is_doc =
            second != std::string_view::npos &&
            !parse_line(
                trim(head.substr(second, eol2 == std::string_view::npos ? eol2 : eol2 - second)),
                probe) &&
            (probe.is_object() || probe.is_array());
        // Whole documents are read whole, but JSON Lines with a broken first line are read a
        // chunk at a time: the first document tells them. The whole input decides again, as
        // simdjson may fail on it at the start for an error anywhere in it.
        if (!second_is_doc || !starts_broken(in, parser, head.size())) {
            const std::string_view text = in.rest();
            const simdjson::padded_string padded(text);
            simdjson::dom::document_stream docs;
            if (auto err =
                    parser.parse_many(padded, std::max<size_t>(padded.size(), 1 << 16)).get(docs)) {
                throw DataError(name + ": not JSON: " + simdjson::error_message(err));
            }
            auto it = docs.begin();
            const bool broken_start =
                it != docs.end() ? !object_or_array(*it) : docs.truncated_bytes() != 0;
            // Else JSON Lines with a broken first line: read line by line below.
            if (!broken_start || !second_is_doc) {
                size_t line = 1, pos = 0;
                for (; it != docs.end(); ++it) {
                    advance_lines(text, pos, it.current_index(), line);
                    simdjson::dom::element doc;
                    if (auto err = (*it).get(doc)) {
                        malformed(name, line,
                                  std::string("not JSON: ") + simdjson::error_message(err), opts,
                                  stats);
                        return;  // a stream cannot resynchronise after a broken document
                    }
                    try {
                        if (doc.is_array()) {
                            for (auto e : doc.get_array()) f(e, line);
                        } else {
                            f(doc, line);
                        }
                    } catch (const LineError& e) {
                        malformed(name, line, e.what, opts, stats);
                    }
                }
                // parse_many stops without an error before a last document the input ends
                // inside of (a blob cut short); its bytes are left over.
                if (const size_t cut = docs.truncated_bytes()) {
                    const size_t at = text.size() - cut;
                    advance_lines(text, pos, at, line);
                    malformed(name, line,
                              "incomplete JSON document from byte offset " + std::to_string(at) +
                                  " to the end of the input",
                              opts, stats);
                }
                return;
            }
        }
    }
    std::string_view line;
    while (in.next_line(line)) {
        line = trim(line);
        if (line.empty()) continue;
        simdjson::dom::element doc;
        if (auto err = parse_line(line, doc)) {
            ++stats.lines;
            malformed(name, in.line_number(),
                      std::string("not JSON: ") + simdjson::error_message(err), opts, stats);
            continue;
        }
        try {
            f(doc, in.line_number());
        } catch (const LineError& e) {
            malformed(name, in.line_number(), e.what, opts, stats);
        }
    }
}

// Field access that reports what is missing or has the wrong type.
simdjson::dom::element member(simdjson::dom::element obj, std::string_view key);
std::string_view str_member(simdjson::dom::element obj, std::string_view key);
// An unsigned number of at most max that may be written as a JSON number or as a decimal
// string (GCP).
uint64_t num_member(simdjson::dom::element obj, std::string_view key, uint64_t max = UINT64_MAX);
// Absent members: nullopt-like defaults.
bool has_member(simdjson::dom::element obj, std::string_view key);
uint64_t time_member(simdjson::dom::element obj, std::string_view key);

}  // namespace fk::imp
