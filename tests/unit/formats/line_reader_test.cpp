// LineReader, and every importer reading through it a chunk at a time: chunks of a few bytes,
// so that lines, headers, CRLF and UTF-8 characters straddle them, give the same lines, line
// numbers, records, counts and messages as one chunk holding the whole text; from memory, from a
// file and from gzip of several members.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "formats/import.h"
#include "formats/line_reader.h"
#include "record/ipaddr.h"
#include "samples.h"
#include "test_util.h"

namespace fk {
namespace {

// Chunk sizes from the smallest (2) to one that holds every text here.
const std::vector<size_t> kChunks = {2, 3, 4, 5, 7, 8, 11, 16, 31, 64, 100, 257, 4096};

// text as gzip members of at most `member` bytes of text each (cat a.gz b.gz ...).
std::string gzip(std::string_view text, size_t member = SIZE_MAX) {
    std::string out;
    do {
        const std::string_view part = text.substr(0, member);
        text.remove_prefix(part.size());
        z_stream z{};
        EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        const size_t at = out.size();
        out.resize(at + deflateBound(&z, static_cast<uLong>(part.size())));
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.data()));
        z.avail_in = static_cast<uInt>(part.size());
        z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
        z.avail_out = static_cast<uInt>(out.size() - at);
        EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
        out.resize(out.size() - z.avail_out);
        deflateEnd(&z);
    } while (!text.empty());
    return out;
}

void write_file(const std::string& path, std::string_view data) {
    std::ofstream out(path, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// "number:line|" for every line.
std::string lines_of(LineReader& in) {
    std::string s;
    std::string_view line;
    while (in.next_line(line))
        s += std::to_string(in.line_number()) + ":" + std::string(line) + "|";
    return s;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

TEST(LineReader, LinesAcrossChunks) {
    const std::string text =
        "\xEF\xBB\xBF"
        "first\r\nsecond\n\n" +
        std::string(100, 'x') + "\r\nh\xC3\xA9llo \xE2\x9C\x93\nlast";
    const std::string want =
        "1:first|2:second|3:|4:" + std::string(100, 'x') + "|5:h\xC3\xA9llo \xE2\x9C\x93|6:last|";
    test::TempDir dir;
    write_file(dir.file("plain"), text);
    write_file(dir.file("gz"), gzip(text, 7));
    for (size_t chunk : kChunks) {
        LineReader mem(text, "in", chunk);
        EXPECT_EQ(lines_of(mem), want) << chunk;
        LineReader plain(dir.file("plain"), chunk);
        EXPECT_EQ(lines_of(plain), want) << chunk;
        LineReader gz(dir.file("gz"), chunk);
        EXPECT_EQ(lines_of(gz), want) << chunk;
    }
    LineReader ends_with_newline("a\n\nb\n", "in", 2);
    EXPECT_EQ(lines_of(ends_with_newline), "1:a|2:|3:b|");
    LineReader empty("", "in", 2);
    EXPECT_EQ(lines_of(empty), "");
    LineReader one_newline("\n", "in", 2);
    EXPECT_EQ(lines_of(one_newline), "1:|");
    LineReader bom_only("\xEF\xBB\xBF", "in", 2);
    EXPECT_EQ(lines_of(bom_only), "");
}

TEST(LineReader, PeekReadsWholeLinesAhead) {
    const std::string text = "\n  \nab\ncd\n\nef\ngh";
    for (size_t chunk : kChunks) {
        LineReader in(gzip(text, 3), "in", chunk);
        EXPECT_EQ(in.peek(1), "\n") << chunk;
        // The 6th byte is the b of "ab".
        EXPECT_EQ(in.peek(6), "\n  \nab\n") << chunk;
        EXPECT_EQ(in.peek_lines(1), "\n  \nab\n") << chunk;
        EXPECT_EQ(in.peek_lines(2), "\n  \nab\ncd\n") << chunk;
        EXPECT_EQ(in.peek(100), text) << chunk;
        EXPECT_EQ(in.peek_lines(9), text) << chunk;
        std::string_view line;
        ASSERT_TRUE(in.next_line(line));
        ASSERT_TRUE(in.next_line(line));
        EXPECT_EQ(in.peek_lines(1), "ab\n") << chunk;
        EXPECT_EQ(in.rest(), "ab\ncd\n\nef\ngh") << chunk;
        EXPECT_EQ(lines_of(in), "3:ab|4:cd|5:|6:ef|7:gh|") << chunk;
    }
    LineReader bom("\xEF\xBB\xBFx\n", "in", 2);
    EXPECT_EQ(bom.peek(10), "x\n");
}

// The messages of gzip errors name the file and the offset in the compressed input.
TEST(LineReader, GzipErrors) {
    const std::string gz = gzip("hello\nworld\n");
    const std::string cut = gz.substr(0, gz.size() - 5);
    const std::string want = "x: truncated gzip data at input offset " + std::to_string(cut.size());
    EXPECT_EQ(error_of([&] { gunzip(cut, "x"); }), want);
    for (size_t chunk : kChunks) {
        EXPECT_EQ(error_of([&] {
                      LineReader in(cut, "x", chunk);
                      lines_of(in);
                  }),
                  want)
            << chunk;
    }
    const std::string garbage = gz + "not gzip";
    const std::string bad = error_of([&] { gunzip(garbage, "x"); });
    EXPECT_TRUE(bad.starts_with("x: gzip: incorrect header check at input offset ")) << bad;
    EXPECT_EQ(error_of([&] {
                  LineReader in(garbage, "x", 2);
                  lines_of(in);
              }),
              bad);
    EXPECT_EQ(error_of([] { LineReader in("/nonexistent/x.log"); }),
              "open /nonexistent/x.log: No such file or directory");
}

// --- importers -----------------------------------------------------------------------------

// What an import gives: every field of every flow, the counts, the warnings and the error.
struct Outcome {
    std::vector<std::string> flows;
    std::string stats;
    std::vector<std::string> warnings;
    std::string error;
    bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
    os << o.flows.size() << " flows, " << o.stats << ", error '" << o.error << "'";
    for (const auto& w : o.warnings) os << "\n  " << w;
    return os;
}

std::string fields_of(const FlowRecord& r) {
    std::ostringstream s;
    for_each_field([&](auto t) {
        const auto& v = decltype(t)::get(r);
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, IpAddr>) {
            s << ip_string(v) << ' ';
        } else if constexpr (std::is_same_v<T, std::string_view>) {
            s << v << ' ';
        } else {
            s << +v << ' ';
        }
    });
    return s.str();
}

Outcome run(const std::string& format, LineReader& in, bool ignore_errors) {
    Outcome o;
    ImportOptions opts;
    opts.ignore_errors = ignore_errors;
    opts.warn = [&](const std::string& m) { o.warnings.push_back(m); };
    ImportStats st;
    try {
        make_importer(format)->read(
            in, opts, [&](const FlowRecord& r) { o.flows.push_back(fields_of(r)); }, st);
    } catch (const DataError& e) {
        o.error = e.what();
    }
    o.stats = std::to_string(st.lines) + " lines " + std::to_string(st.flows) + " flows " +
              std::to_string(st.skipped) + " skipped " + std::to_string(st.ignored) + " ignored " +
              std::to_string(st.nodata) + " nodata " + std::to_string(st.skipdata) + " skipdata";
    return o;
}

// The outcome of text read whole, after checking that every chunk size and gzip give it too.
Outcome same_in_chunks(const std::string& format, const std::string& text, bool ignore_errors) {
    LineReader whole(text, "in");
    const Outcome want = run(format, whole, ignore_errors);
    const std::string gz = gzip(text, 5);
    for (size_t chunk : kChunks) {
        LineReader in(text, "in", chunk);
        EXPECT_EQ(run(format, in, ignore_errors), want) << format << ", chunk " << chunk;
        LineReader in_gz(gz, "in", chunk);
        EXPECT_EQ(run(format, in_gz, ignore_errors), want) << format << " gzip, chunk " << chunk;
    }
    return want;
}

// Both with and without --ignore-errors; returns the outcome of the former.
Outcome check(const std::string& format, const std::string& text) {
    same_in_chunks(format, text, false);
    return same_in_chunks(format, text, true);
}

TEST(ChunkedImport, AwsHeadersCrlfAndMalformedLines) {
    const std::string text =
        "\xEF\xBB\xBFversion account-id interface-id srcaddr dstaddr srcport dstport protocol "
        "packets bytes start end action log-status\r\n"
        "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 8400 1418530010 1418530070 "
        "ACCEPT OK\r\n"
        "2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA\n"
        "\n"
        "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 x 40 1 2 ACCEPT OK\n"
        "version srcaddr dstaddr packets\n"
        "2 10.0.0.3 10.0.0.4 7\n"
        "2 10.0.0.5 10.0.0.6\n"
        "2 2001:db8::1 2001:db8::2 9";
    const Outcome o = check("aws", text);
    EXPECT_EQ(o.flows.size(), 3u);
    EXPECT_EQ(o.stats, "6 lines 3 flows 2 skipped 0 ignored 1 nodata 0 skipdata");
    ASSERT_EQ(o.warnings.size(), 2u);
    EXPECT_EQ(o.warnings[0], "in:5: packets: 'x' is not a number; skipped");
    EXPECT_EQ(o.warnings[1], "in:8: 3 fields, the header has 4; skipped");
    const std::string headerless =
        "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 8400 "
        "1418530010 1418530070 REJECT OK\n";
    EXPECT_EQ(check("aws", headerless + headerless).flows.size(), 2u);
}

TEST(ChunkedImport, AwsCloudWatch) {
    const std::string line =
        R"({"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 8400 1418530010 1418530070 ACCEPT OK"}]})"
        "\n";
    EXPECT_EQ(check("aws", line + line).flows.size(), 2u);
}

TEST(ChunkedImport, NfcsvConcatenatedCrlfAndMalformedRows) {
    std::ifstream f(std::string(FLOWKIT_DEFAULT_SRC) + "/tests/data/nfdump-sample.csv");
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string one = ss.str();
    std::string crlf;
    for (char c : one) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    // A row of bad numbers after the first file's header line.
    const size_t row = one.find('\n') + 1;
    const std::string bad = one.substr(0, row) + "2020-02-07 22:05:20,x\n" + one.substr(row);
    const Outcome o = check("nfcsv", one + crlf + bad);
    EXPECT_EQ(o.flows.size(), 18u);
    ASSERT_EQ(o.warnings.size(), 1u);
    const size_t lines = static_cast<size_t>(std::count(one.begin(), one.end(), '\n'));
    EXPECT_TRUE(o.warnings[0].starts_with("in:" + std::to_string(2 * lines + 2) + ": "))
        << o.warnings[0];
}

const std::string kEveFlow =
    R"({"event_type":"flow","src_ip":"10.0.0.1","src_port":5,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":2,"bytes_toserver":60,"bytes_toclient":120,"start":"2021-05-13T10:41:48Z"}})"
    "\n";

TEST(ChunkedImport, EveJsonLines) {
    const std::string text =
        kEveFlow +
        R"({"event_type":"alert","alert":{"signature":"h\u00e9llo h)"
        "\xC3\xA9llo \xE2\x9C\x93\"}}\r\n"
        "\n" +
        kEveFlow + "{\"event_type\":\"flow\",\"src_ip\":\n" +
        R"({"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"BOGUS","flow":{}})"
        "\r\n" +
        kEveFlow.substr(0, kEveFlow.size() - 1);
    const Outcome o = check("eve", text);
    EXPECT_EQ(o.flows.size(), 6u);
    EXPECT_EQ(o.stats, "6 lines 6 flows 2 skipped 1 ignored 0 nodata 0 skipdata");
    ASSERT_EQ(o.warnings.size(), 2u);
    EXPECT_TRUE(o.warnings[0].starts_with("in:5: not JSON")) << o.warnings[0];
    EXPECT_EQ(o.warnings[1], "in:6: proto: 'BOGUS'; skipped");
}

// A file cut by tail -c: its first line is malformed, the rest read a chunk at a time.
TEST(ChunkedImport, EveBrokenFirstLine) {
    for (size_t cut : {1, 30, 120}) {
        const Outcome o = check("eve", kEveFlow.substr(cut) + kEveFlow + "\n" + kEveFlow);
        EXPECT_EQ(o.flows.size(), 4u) << cut;
        ASSERT_EQ(o.warnings.size(), 1u) << cut;
        EXPECT_TRUE(o.warnings[0].starts_with("in:1: not JSON")) << o.warnings[0];
    }
}

const std::string kGcpEntry =
    R"({"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","protocol":17,"src_port":5,"dest_port":53},"packets_sent":"1","bytes_sent":"70","start_time":"2025-01-01T00:00:00Z","end_time":"2025-01-01T00:00:01Z"},"logName":"projects/p/logs/compute.googleapis.com%2Fvpc_flows"})";

TEST(ChunkedImport, GcpJsonLinesAndDocuments) {
    const std::string other = R"({"logName":"projects/p/logs/cloudaudit.googleapis.com"})";
    EXPECT_EQ(check("gcp", kGcpEntry + "\n" + other + "\n" + kGcpEntry + "\n").stats,
              "3 lines 2 flows 0 skipped 1 ignored 0 nodata 0 skipdata");
    // An array with one entry per line: the first line is no document, the second is one.
    EXPECT_EQ(check("gcp", "[\n" + kGcpEntry + "\n]\n").flows.size(), 1u);
    // Pretty-printed, then one cut short: its offset and line in the whole text.
    std::string pretty;
    for (char c : kGcpEntry) pretty += c == ',' ? std::string(",\n  ") : std::string(1, c);
    const std::string text = pretty + "\n\n" + pretty.substr(0, 100);
    const Outcome o = check("gcp", text);
    EXPECT_EQ(o.flows.size(), 1u);
    ASSERT_EQ(o.warnings.size(), 1u);
    const size_t lines = static_cast<size_t>(std::count(pretty.begin(), pretty.end(), '\n'));
    EXPECT_EQ(o.warnings[0],
              "in:" + std::to_string(lines + 3) + ": incomplete JSON document from byte offset " +
                  std::to_string(pretty.size() + 2) + " to the end of the input; skipped");
}

TEST(ChunkedImport, AzureBlob) {
    const std::string doc = test::kAzureBlobWithBadTuple;
    const Outcome o = check("azure", doc + doc);
    EXPECT_EQ(o.flows.size(), 4u);
    ASSERT_EQ(o.warnings.size(), 2u);
    EXPECT_EQ(o.warnings[1], "in:9: protocol 'X' (T or U); skipped");
}

}  // namespace
}  // namespace fk
