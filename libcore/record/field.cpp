#include "record/field.h"

#include <array>

namespace fk {

namespace {

constexpr std::array<FieldInfo, kMaxFieldId> kFields = {{
#define FK_FIELD(id, name, st, fmt, width, pen, ie, ie6, help) \
    {FieldId::name, #name, Storage::st, Format::fmt, width, pen, ie, ie6, help},
#include "record/fields.def"
#undef FK_FIELD
}};

// Ids must be 1..N without gaps so that all_fields()[id - 1] is the field.
constexpr bool ids_are_dense() {
    for (unsigned i = 0; i < kFields.size(); ++i) {
        if (static_cast<unsigned>(kFields[i].id) != i + 1) return false;
    }
    return true;
}
static_assert(ids_are_dense(), "fields.def ids must run 1, 2, 3 ... without gaps");

}  // namespace

std::span<const FieldInfo> all_fields() {
    return kFields;
}

const FieldInfo* find_field(std::string_view name) {
    for (const auto& f : kFields) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

}  // namespace fk
