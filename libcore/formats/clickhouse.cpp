#include "formats/clickhouse.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace fk {

namespace {

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

void send_all(int fd, std::string_view data, const std::string& where) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw DataError("clickhouse " + where + ": send: " + std::strerror(errno));
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace

ClickHouse::ClickHouse(const std::string& url) {
    std::string_view u = url;
    if (!u.starts_with("http://"))
        throw UsageError("--clickhouse: '" + url + "' is not http://HOST:PORT[/?params]");
    u.remove_prefix(7);
    const size_t slash = u.find_first_of("/?");
    std::string_view hostport = u.substr(0, slash);
    if (slash != std::string_view::npos) {
        const size_t q = u.find('?', slash);
        if (q != std::string_view::npos) params_ = std::string(u.substr(q + 1));
    }
    std::string_view port;
    if (hostport.starts_with("[")) {
        const size_t close = hostport.find(']');
        if (close == std::string_view::npos)
            throw UsageError("--clickhouse: bad host in '" + url + "'");
        host_ = std::string(hostport.substr(1, close - 1));
        if (close + 1 < hostport.size() && hostport[close + 1] == ':')
            port = hostport.substr(close + 2);
    } else {
        const size_t colon = hostport.rfind(':');
        host_ = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
    }
    if (!port.empty()) {
        const std::string p(port);
        char* end = nullptr;
        const unsigned long v = std::strtoul(p.c_str(), &end, 10);
        if (*end || v == 0 || v > 65535)
            throw UsageError("--clickhouse: bad port in '" + url + "'");
        port_ = static_cast<uint16_t>(v);
    }
    if (host_.empty()) throw UsageError("--clickhouse: no host in '" + url + "'");
    where_ = std::string(hostport);
}

ClickHouseResponse ClickHouse::open(std::string_view sql, std::string_view body) const {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(port_);
    if (const int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &res); rc != 0)
        throw DataError("clickhouse " + where_ + ": " + ::gai_strerror(rc));
    int fd = -1, err = 0;
    for (addrinfo* a = res; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        err = errno;
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0)
        throw DataError("clickhouse " + where_ + ": connect: " + std::strerror(err ? err : EINVAL));
    ClickHouseResponse r(fd, where_);
    // The query goes in the URL when data follows in the body, else as the body. A SELECT
    // that fails midway would otherwise answer 200 with the error after partial rows:
    // wait_end_of_query makes it a clean error status.
    std::string target = "/?" + (params_.empty() ? "" : params_ + "&");
    std::string_view payload = body;
    std::string sql_body;
    if (body.empty()) {
        target += "wait_end_of_query=1";
        sql_body = sql;
        payload = sql_body;
    } else {
        target += "query=" + url_encode(sql);
    }
    const std::string head = "POST " + target + " HTTP/1.1\r\nHost: " + where_ +
                             "\r\nContent-Length: " + std::to_string(payload.size()) +
                             "\r\nConnection: close\r\n\r\n";
    send_all(fd, head, where_);
    send_all(fd, payload, where_);
    r.read_head();
    return r;
}

std::string ClickHouse::query(std::string_view sql, std::string_view body) const {
    ClickHouseResponse r = open(sql, body);
    std::string out;
    char buf[1 << 16];
    while (const size_t n = r.read(buf, sizeof buf)) out.append(buf, n);
    return out;
}

ClickHouseResponse::ClickHouseResponse(int fd, std::string where)
    : fd_(fd), where_(std::move(where)) {}

ClickHouseResponse::ClickHouseResponse(ClickHouseResponse&& o) noexcept
    : fd_(o.fd_),
      where_(std::move(o.where_)),
      raw_(std::move(o.raw_)),
      pos_(o.pos_),
      chunked_(o.chunked_),
      chunk_left_(o.chunk_left_),
      done_(o.done_) {
    o.fd_ = -1;
}

ClickHouseResponse::~ClickHouseResponse() {
    if (fd_ >= 0) ::close(fd_);
}

bool ClickHouseResponse::fill() {
    if (pos_ > 0 && pos_ == raw_.size()) {
        raw_.clear();
        pos_ = 0;
    }
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw DataError("clickhouse " + where_ + ": recv: " + std::strerror(errno));
        }
        if (n == 0) return false;
        raw_.append(buf, static_cast<size_t>(n));
        return true;
    }
}

std::string ClickHouseResponse::line() {
    for (;;) {
        const size_t eol = raw_.find("\r\n", pos_);
        if (eol != std::string::npos) {
            std::string l = raw_.substr(pos_, eol - pos_);
            pos_ = eol + 2;
            return l;
        }
        if (!fill()) throw DataError("clickhouse " + where_ + ": truncated HTTP response");
    }
}

void ClickHouseResponse::read_head() {
    const std::string status_line = line();
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12)
        throw DataError("clickhouse " + where_ + ": not an HTTP response");
    const int status = std::atoi(status_line.c_str() + 9);
    for (std::string h = line(); !h.empty(); h = line()) {
        for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (h.starts_with("transfer-encoding:") && h.find("chunked") != std::string::npos)
            chunked_ = true;
    }
    if (status != 200) {
        std::string body;
        char buf[4096];
        while (const size_t n = read(buf, sizeof buf)) body.append(buf, n);
        while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
        throw DataError("clickhouse " + where_ + ": HTTP " + std::to_string(status) + ": " + body);
    }
}

size_t ClickHouseResponse::read(char* out, size_t n) {
    while (!done_) {
        if (chunked_ && chunk_left_ == 0) {
            const std::string size = line();
            chunk_left_ = std::strtoull(size.c_str(), nullptr, 16);
            if (chunk_left_ == 0) {
                done_ = true;
                break;
            }
        }
        if (pos_ == raw_.size() && !fill()) {
            if (chunked_) throw DataError("clickhouse " + where_ + ": truncated chunk");
            done_ = true;
            break;
        }
        size_t take = std::min(n, raw_.size() - pos_);
        if (chunked_) take = std::min(take, chunk_left_);
        std::memcpy(out, raw_.data() + pos_, take);
        pos_ += take;
        if (chunked_) {
            chunk_left_ -= take;
            if (chunk_left_ == 0 && !line().empty())
                throw DataError("clickhouse " + where_ + ": bad chunk end");
        }
        return take;
    }
    return 0;
}

namespace {

const char* sql_type(Storage s) {
    switch (s) {
        case Storage::U8:
            return "UInt8";
        case Storage::U16:
            return "UInt16";
        case Storage::U32:
            return "UInt32";
        case Storage::U64:
            return "UInt64";
        case Storage::Addr:
            return "FixedString(16)";
        case Storage::Str:
            return "String";
    }
    return "String";
}

void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

template <class T>
void put_le(std::string& out, T v) {
    char b[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i)
        b[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    out.append(b, sizeof(T));
}

void put_addr(std::string& out, const IpAddr& a) {
    char b[16];
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<char>(a.hi >> (56 - 8 * i));
        b[8 + i] = static_cast<char>(a.lo >> (56 - 8 * i));
    }
    out.append(b, 16);
}

}  // namespace

std::string clickhouse_columns() {
    std::string s;
    for (const auto& f : all_fields()) s += (s.empty() ? "`" : ", `") + std::string(f.name) + "`";
    return s;
}

std::string clickhouse_create_table(const std::string& table) {
    std::string s = "CREATE TABLE IF NOT EXISTS " + table + " (";
    for (const auto& f : all_fields())
        s += "`" + std::string(f.name) + "` " + sql_type(f.storage) + ", ";
    // start in seconds, for people's SQL and the day partitions. A plain column (written by
    // append_rowbinary) rather than MATERIALIZED, which 18.16 cannot insert through a
    // Distributed table.
    s += "`time` DateTime) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(`time`) ORDER BY "
         "(`time`, `start`)";
    return s;
}

void append_rowbinary(FlowBlock& b, size_t first, size_t last, std::string& out) {
    b.ensure_all();
    for (size_t i = first; i < last; ++i) {
        for_each_field([&](auto t) {
            using T = decltype(t);
            const auto& col = column<T::id>(b);
            if constexpr (T::storage == Storage::Str) {
                const std::string_view v = col[i];
                put_varint(out, v.size());
                out.append(v);
            } else if constexpr (T::storage == Storage::Addr) {
                put_addr(out, col[i]);
            } else {
                put_le(out, col[i]);
            }
        });
        put_le(out, static_cast<uint32_t>(column<FieldId::start>(b)[i] / 1'000'000));
    }
}

namespace {

// One RowBinary value of field T into v at data[pos], advancing pos; need(k) is called before
// k more bytes are read and throws when they are not there.
template <class T, class Value, class Need>
void read_value_of(std::string_view data, size_t& pos, Value& v, Need need) {
    if constexpr (T::storage == Storage::Str) {
        uint64_t len = 0;
        for (unsigned shift = 0;; shift += 7) {
            need(1);
            const auto c = static_cast<uint8_t>(data[pos++]);
            len |= static_cast<uint64_t>(c & 0x7f) << shift;
            if (!(c & 0x80) || shift > 56) break;
        }
        need(len);
        v = data.substr(pos, len);
        pos += len;
    } else if constexpr (T::storage == Storage::Addr) {
        need(16);
        uint64_t hi = 0, lo = 0;
        for (int k = 0; k < 8; ++k) {
            hi = hi << 8 | static_cast<uint8_t>(data[pos + k]);
            lo = lo << 8 | static_cast<uint8_t>(data[pos + 8 + k]);
        }
        v = IpAddr{hi, lo};
        pos += 16;
    } else {
        using V = typename T::value_type;
        need(sizeof(V));
        uint64_t x = 0;
        for (size_t k = 0; k < sizeof(V); ++k)
            x |= static_cast<uint64_t>(static_cast<uint8_t>(data[pos + k])) << (8 * k);
        v = static_cast<V>(x);
        pos += sizeof(V);
    }
}

}  // namespace

size_t read_rowbinary(std::string_view data, size_t pos, FlowBlock& b, size_t max_rows) {
    struct Cut {};
    auto need = [&](size_t k) {
        if (pos + k > data.size()) throw Cut{};
    };
    FlowRecord r;
    for (size_t row = 0; row < max_rows && pos < data.size(); ++row) {
        const size_t row_start = pos;
        try {
            for_each_field([&](auto t) {
                using T = decltype(t);
                read_value_of<T>(data, pos, T::get(r), need);
            });
        } catch (const Cut&) {
            return row_start;
        }
        b.append(r);
    }
    return pos;
}

namespace {

// Decodes one value of field f (RowBinary) into r; returns the new pos.
size_t read_value(std::string_view data, size_t pos, FieldId f, FlowRecord& r) {
    visit_field(f, [&](auto t) {
        using T = decltype(t);
        read_value_of<T>(data, pos, T::get(r), [&](size_t k) {
            if (pos + k > data.size())
                throw DataError("clickhouse: truncated RowBinary value at offset " +
                                std::to_string(pos));
        });
    });
    return pos;
}

uint64_t read_u64(std::string_view data, size_t& pos) {
    if (pos + 8 > data.size())
        throw DataError("clickhouse: truncated RowBinary value at offset " + std::to_string(pos));
    uint64_t x = 0;
    for (size_t k = 0; k < 8; ++k)
        x |= static_cast<uint64_t>(static_cast<uint8_t>(data[pos + k])) << (8 * k);
    pos += 8;
    return x;
}

std::string where_clause(const std::string& where) {
    return where.empty() ? "" : " WHERE " + where;
}

// The counters of a group, after its key: count(), sum(packets), sum(bytes), min(start),
// max(end).
constexpr const char* kGroupCounters =
    "toUInt64(count()), toUInt64(sum(`packets`)), toUInt64(sum(`bytes`)), toUInt64(min(`start`)), "
    "toUInt64(max(`end`))";

}  // namespace

namespace {

std::string quoted(FieldId f) {
    return "`" + std::string(field_info(f).name) + "`";
}

// One half (first or second 8 bytes) of an address column as a big-endian UInt64, masked to
// the key's prefix lengths (IPv4-mapped addresses: 96 + v4_bits).
std::string address_half(FieldId f, int half, const KeyPart& p) {
    const std::string col = quoted(f);
    const std::string value =
        "reinterpretAsUInt64(reverse(substring(" + col + ", " + (half ? "9" : "1") + ", 8)))";
    if (p.v4_bits == 32 && p.v6_bits == 128) return value;
    auto mask = [&](unsigned bits) {
        const IpAddr m = IpAddr{~0ull, ~0ull}.masked(bits);
        return std::to_string(half ? m.lo : m.hi);
    };
    return "bitAnd(" + value + ", if(substring(" + col +
           ", 1, 12) = unhex('00000000000000000000FFFF'), " + mask(96 + p.v4_bits) + ", " +
           mask(p.v6_bits) + "))";
}

// The key expressions of one side of the flows (side 1: the other field of either-side
// parts); an address takes two.
std::vector<std::string> key_exprs(const KeySpec& spec, int side) {
    std::vector<std::string> out;
    for (const auto& p : spec.parts) {
        const FieldId f = side == 1 && p.either ? p.other : p.field;
        if (field_info(f).storage == Storage::Addr) {
            out.push_back(address_half(f, 0, p));
            out.push_back(address_half(f, 1, p));
        } else {
            out.push_back(quoted(f));
        }
    }
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
    return s;
}

}  // namespace

void clickhouse_aggregate(const ClickHouse& ch, const std::string& table, const std::string& where,
                          AggTable& t) {
    const KeySpec& spec = t.spec();
    bool either = false;
    for (const auto& p : spec.parts) either |= p.either;
    std::string sql;
    if (!either) {
        const std::string keys = join(key_exprs(spec, 0));
        sql = "SELECT " + keys + ", " + kGroupCounters + " FROM " + table + where_clause(where) +
              " GROUP BY " + keys;
    } else {
        // A flow counts once for each side (`ip`: its source and its destination), as in
        // AggTable: both sides' keys through arrayJoin, then one GROUP BY.
        const auto side0 = key_exprs(spec, 0);
        std::string elements;
        for (size_t i = 0; i < side0.size(); ++i)
            elements +=
                (i ? ", " : "") + std::string("tupleElement(k, ") + std::to_string(i + 1) + ")";
        sql = "SELECT " + elements + ", " + kGroupCounters + " FROM (SELECT arrayJoin([tuple(" +
              join(side0) + "), tuple(" + join(key_exprs(spec, 1)) +
              ")]) AS k, `packets`, `bytes`, `start`, `end` FROM " + table + where_clause(where) +
              ") GROUP BY k";
    }
    const std::string rows = ch.query(sql + " FORMAT RowBinary");
    FlowBlock b;
    std::vector<uint64_t> flows;
    size_t pos = 0;
    constexpr size_t kRows = 8192;
    while (pos < rows.size()) {
        b.clear();
        flows.clear();
        while (pos < rows.size() && b.size() < kRows) {
            FlowRecord r;
            // Groups carry their key in the first side's fields.
            for (const auto& p : spec.parts) {
                if (field_info(p.field).storage == Storage::Addr) {
                    const uint64_t hi = read_u64(rows, pos);
                    const uint64_t lo = read_u64(rows, pos);
                    visit_field(p.field, [&](auto tr) {
                        using T = decltype(tr);
                        if constexpr (T::storage == Storage::Addr) T::get(r) = IpAddr{hi, lo};
                    });
                } else {
                    pos = read_value(rows, pos, p.field, r);
                }
            }
            flows.push_back(read_u64(rows, pos));
            r.packets = read_u64(rows, pos);
            r.bytes = read_u64(rows, pos);
            r.start = read_u64(rows, pos);
            r.end = read_u64(rows, pos);
            b.append(r);
        }
        t.add(b, nullptr, flows.data());
    }
}

Summary clickhouse_summary(const ClickHouse& ch, const std::string& table,
                           const std::string& where) {
    const std::string rows =
        ch.query("SELECT `proto`, " + std::string(kGroupCounters) + " FROM " + table +
                 where_clause(where) + " GROUP BY `proto` FORMAT RowBinary");
    Summary total;
    size_t pos = 0;
    while (pos < rows.size()) {
        FlowRecord r;
        pos = read_value(rows, pos, FieldId::proto, r);
        const uint64_t flows = read_u64(rows, pos);
        r.packets = read_u64(rows, pos);
        r.bytes = read_u64(rows, pos);
        r.start = read_u64(rows, pos);
        r.end = read_u64(rows, pos);
        // One row stands for `flows` flows of the same protocol class.
        Summary one;
        one.add_row(r);
        for (Totals* c : {&one.all, &one.tcp, &one.udp, &one.icmp, &one.other}) {
            if (c->flows) c->flows = flows;
        }
        total.merge(one);
    }
    return total;
}

ClickHouseWriter::ClickHouseWriter(const ClickHouse& ch, std::string table, size_t batch_rows)
    : ch_(ch), table_(std::move(table)), batch_rows_(batch_rows ? batch_rows : 1) {
    ch_.query(clickhouse_create_table(table_));
    // A table made before fields were added to flowkit gets their columns (zero / empty in
    // the rows it already holds).
    const size_t dot = table_.find('.');
    const std::string db =
        dot == std::string::npos ? "currentDatabase()" : "'" + table_.substr(0, dot) + "'";
    const std::string name = dot == std::string::npos ? table_ : table_.substr(dot + 1);
    const std::string have =
        "\n" + ch_.query("SELECT name FROM system.columns WHERE database = " + db +
                         " AND table = '" + name + "' FORMAT TabSeparated");
    for (const auto& f : all_fields()) {
        if (have.find("\n" + std::string(f.name) + "\n") != std::string::npos) continue;
        ch_.query("ALTER TABLE " + table_ + " ADD COLUMN `" + std::string(f.name) + "` " +
                  sql_type(f.storage));
    }
}

void ClickHouseWriter::add(FlowBlock& b) {
    // A block larger than what is left of the batch is split across INSERTs: each holds at
    // most batch_rows_ rows, as --batch promises (and a failed one loses no more).
    for (size_t row = 0; row < b.size();) {
        const size_t take = std::min(b.size() - row, batch_rows_ - pending_);
        append_rowbinary(b, row, row + take, buf_);
        pending_ += take;
        row += take;
        if (pending_ == batch_rows_) flush();
    }
}

void ClickHouseWriter::flush() {
    if (pending_ == 0) return;
    ch_.query("INSERT INTO " + table_ + " (" + clickhouse_columns() + ", `time`) FORMAT RowBinary",
              buf_);
    rows_ += pending_;
    ++inserts_;
    pending_ = 0;
    buf_.clear();
}

}  // namespace fk
