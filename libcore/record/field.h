// The field table (fields.def) turned into types: field ids, per-field metadata, the flow
// record struct, and compile-time traits that let generic code reach any field's column.
#pragma once
#include <bitset>
#include <cstdint>
#include <span>
#include <string_view>

#include "record/ipaddr.h"

namespace fk {

// How a field is stored: in the record struct, in a block column, and in files.
enum class Storage : uint8_t { U8 = 1, U16 = 2, U32 = 3, U64 = 4, Addr = 5, Str = 6 };

// How a field's values are printed and parsed; the number is stored in file schemas.
enum class Format : uint8_t {
    Num,       // decimal
    Hex,       // 0x88b8
    Time,      // ISO 8601 UTC
    Addr,      // IPv4 / IPv6
    Proto,     // tcp, udp, icmp ... or the number
    TcpFlags,  // nfdump style "...AP.SF"
    App,       // application name (record/names.h)
    TlsVer,    // 1.2, 1.3 ...
    Bool,      // 0 / 1
    Action,    // accept / reject
    Mac,       // aa:bb:cc:dd:ee:ff
    Tunnel,    // gre, vxlan ...
    Str,       // text from the block dictionary
    DnsRcode,  // decimal response code, stored plus one (record/names.h)
};

// Formats whose printed values are numbers (unquoted in JSON).
constexpr bool prints_as_number(Format f) {
    return f == Format::Num || f == Format::DnsRcode;
}

enum class FieldId : uint8_t {
#define FK_FIELD(id, name, ...) name = id,
#include "record/fields.def"
#undef FK_FIELD
};

constexpr unsigned kMaxFieldId = 0
#define FK_FIELD(id, ...) +1
#include "record/fields.def"
#undef FK_FIELD
    ;
// Room for fields added later; file schemas may name ids up to this.
constexpr unsigned kFieldSlots = 128;
static_assert(kMaxFieldId < kFieldSlots);

using FieldSet = std::bitset<kFieldSlots>;

struct FieldInfo {
    FieldId id;
    std::string_view name;
    Storage storage;
    Format format;
    uint8_t width;
    uint32_t ipfix_pen;
    uint16_t ipfix_id;
    uint16_t ipfix_id_v6;
    std::string_view help;
};

// All fields in id order (index = id - 1).
std::span<const FieldInfo> all_fields();
inline const FieldInfo& field_info(FieldId id) {
    return all_fields()[static_cast<unsigned>(id) - 1];
}
// By canonical name; nullptr when there is none.
const FieldInfo* find_field(std::string_view name);
constexpr bool is_integer(Storage s) {
    return s != Storage::Addr && s != Storage::Str;
}

template <Storage S>
struct StorageTraits;
template <>
struct StorageTraits<Storage::U8> {
    using value_type = uint8_t;
};
template <>
struct StorageTraits<Storage::U16> {
    using value_type = uint16_t;
};
template <>
struct StorageTraits<Storage::U32> {
    using value_type = uint32_t;
};
template <>
struct StorageTraits<Storage::U64> {
    using value_type = uint64_t;
};
template <>
struct StorageTraits<Storage::Addr> {
    using value_type = IpAddr;
};
template <>
struct StorageTraits<Storage::Str> {
    // In a record, text points into a dictionary or buffer that outlives it.
    using value_type = std::string_view;
};

// One unidirectional flow, as a fixed-size struct. Absent fields are zero / empty.
struct FlowRecord {
#define FK_FIELD(id, name, st, ...) StorageTraits<Storage::st>::value_type name{};
#include "record/fields.def"
#undef FK_FIELD
};

// Compile-time facts about field F; FieldTraits<F>::get(r) is the member of a record.
template <FieldId F>
struct FieldTraits;
#define FK_FIELD(id_, name_, st, fmt, ...)                                    \
    template <>                                                               \
    struct FieldTraits<FieldId::name_> {                                      \
        static constexpr FieldId id = FieldId::name_;                         \
        static constexpr Storage storage = Storage::st;                       \
        static constexpr Format format = Format::fmt;                         \
        using value_type = StorageTraits<Storage::st>::value_type;            \
        static value_type& get(FlowRecord& r) { return r.name_; }             \
        static const value_type& get(const FlowRecord& r) { return r.name_; } \
    };
#include "record/fields.def"
#undef FK_FIELD

// Calls f(FieldTraits<F>{}) for the field with the given id; returns false for unknown ids.
template <class Fn>
bool visit_field(FieldId id, Fn&& f) {
    switch (id) {
#define FK_FIELD(id_, name_, ...)         \
    case FieldId::name_:                  \
        f(FieldTraits<FieldId::name_>{}); \
        return true;
#include "record/fields.def"
#undef FK_FIELD
    }
    return false;
}

// Calls f(FieldTraits<F>{}) for every field, in id order.
template <class Fn>
void for_each_field(Fn&& f) {
#define FK_FIELD(id_, name_, ...) f(FieldTraits<FieldId::name_>{});
#include "record/fields.def"
#undef FK_FIELD
}

}  // namespace fk
