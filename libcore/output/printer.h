// Output formats for flow records: line, long, extended, csv, json (JSON Lines) and nfdump's
// fmt: strings. The named text formats are fmt: strings themselves, so one engine prints all.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "record/flow_block.h"
#include "record/print.h"

namespace fk {

struct PrinterOptions {
    bool raw_numbers = false;  // -N: no "1.2 M" scaling in text formats
};

class RecordPrinter {
  public:
    // spec: line | long | extended | csv | csv:FIELD,... | json | fmt:FORMAT. Throws UsageError
    // for unknown formats or tokens.
    static RecordPrinter create(const std::string& spec, PrinterOptions opts = {});

    // The header line ("" when the format has none), with its newline.
    std::string header() const;
    // Appends the rows of b whose mask byte is set (all rows when mask is null).
    void print(FlowBlock& b, const uint8_t* mask, std::string& out) const;
    // Columns the format reads.
    const FieldSet& fields() const { return fields_; }
    // Text tables (line, long, extended, fmt) end with nfdump's summary lines.
    bool is_table() const { return kind_ == Kind::kTable; }

    enum class Item : uint8_t {
        kLiteral,
        kField,
        kDuration,
        kBps,
        kPps,
        kBpp,
        kFlows,
        kSrcAddrPort,
        kDstAddrPort,
        kDstPort,  // as in kDstAddrPort: ICMP type.code
    };
    struct Column {
        Item item;
        FieldId field = FieldId::start;
        int width = 0;     // negative: left aligned
        std::string text;  // literal text, or the header
    };

  private:
    enum class Kind { kTable, kCsv, kJson };
    void print_table_row(const FlowBlock& b, size_t i, std::string& out) const;
    void print_csv_row(const FlowBlock& b, size_t i, std::string& out) const;
    void print_json_row(const FlowBlock& b, size_t i, std::string& out) const;

    Kind kind_ = Kind::kTable;
    std::vector<Column> columns_;
    FieldSet fields_;
    PrinterOptions opts_;
};

// Appends s as a JSON string (quoted, escaped; invalid UTF-8 bytes as \u00XX).
void append_json_string(std::string& out, std::string_view s);
// Appends s as a CSV field, quoted when it holds a comma, quote or line break.
void append_csv_field(std::string& out, std::string_view s);

// "10.0.0.1:443", "[2001:db8::1]:443"; ICMP's port as type.code. out holds at least
// kMaxValueText + 8 bytes.
size_t format_address_port(char* out, const IpAddr& a, uint16_t port, uint8_t proto);

}  // namespace fk
