// Text forms of field values, shared by every output format.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/time.h"
#include "record/flow_block.h"

namespace fk {

struct PrintStyle {
    TimeDigits time_digits = TimeDigits::kMillis;
};

// Longest text any single value prints as: a text value, which blocks keep to kMaxTextBytes
// (a 255-byte DNS name is far from the longest: an HTTP Host may take them all).
constexpr size_t kMaxValueText = kMaxTextBytes;

// Writes the text of field f of row i into out (at least kMaxValueText bytes). The column must
// be decoded (b.ensure(f)).
size_t format_field(char* out, const FlowBlock& b, FieldId f, size_t i, const PrintStyle& style);

// Writes the text of value v of integer field f.
size_t format_int_field(char* out, FieldId f, uint64_t v, const PrintStyle& style);

// A number with nfdump's scaling when style.scale_numbers ("1.2 M", "3.4 G").
size_t format_count(char* out, uint64_t v, bool scale);
size_t format_double(char* out, double v, int decimals);
// Microseconds as seconds with 3 (rounded) or 6 decimals: 1500 → "0.002" / "0.001500".
size_t format_seconds(char* out, uint64_t micros, int decimals);

}  // namespace fk
