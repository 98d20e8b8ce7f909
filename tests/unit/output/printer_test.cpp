// Text values print whole: blocks keep up to kMaxTextBytes of one (an HTTP Host may be that
// long), and every output format printed only the first 512 bytes, without a mark, while
// filters and statistics saw the whole value.
#include <gtest/gtest.h>

#include <string>

#include "output/printer.h"

namespace fk {
namespace {

TEST(Printer, TextValuesPrintWhole) {
    const std::string host = std::string(kMaxTextBytes - 12, 'h') + ".example.org";
    ASSERT_EQ(host.size(), kMaxTextBytes);
    FlowRecord r;
    r.http_host = host;
    FlowBlock b;
    b.append(r);
    for (const char* spec : {"csv:http_host", "fmt:%{http_host}"}) {
        std::string out;
        RecordPrinter::create(spec).print(b, nullptr, out);
        EXPECT_NE(out.find(host), std::string::npos) << spec;
    }
    std::string json;
    RecordPrinter::create("json").print(b, nullptr, json);
    EXPECT_NE(json.find("\"http_host\":\"" + host + "\""), std::string::npos);
}

}  // namespace
}  // namespace fk
