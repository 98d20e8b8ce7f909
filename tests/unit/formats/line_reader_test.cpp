// LineReader: chunks of a few bytes, so that lines, CRLF and UTF-8 characters straddle them,
// give the same lines and line numbers as one chunk holding the whole text; from memory, from a
// file and from gzip of several members.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <functional>

#include "common/error.h"
#include "formats/line_reader.h"
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

}  // namespace
}  // namespace fk
