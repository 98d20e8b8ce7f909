// ClickHouse as the scale-out flow store, over its HTTP interface (a small HTTP/1.1 client on a
// socket; no client library). One table holds every field of fields.def under its canonical
// name, times as microseconds (UInt64), addresses as FixedString(16) (IPv4-mapped), strings as
// String, and `time` (start in seconds, DateTime) to partition by day and order by. Rows
// travel as RowBinary.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "format/summary.h"
#include "record/flow_block.h"
#include "stats/aggregate.h"

namespace fk {

// The body of one HTTP response, read as it arrives (chunked or not).
class ClickHouseResponse {
  public:
    ClickHouseResponse(int fd, std::string where);
    ClickHouseResponse(ClickHouseResponse&& o) noexcept;
    ClickHouseResponse& operator=(ClickHouseResponse&&) = delete;
    ~ClickHouseResponse();
    // Up to n bytes of the body; 0 at its end. DataError on a broken connection.
    size_t read(char* out, size_t n);
    // Reads the status line and headers; DataError with the server's message unless 200.
    void read_head();

  private:
    bool fill();
    std::string line();
    int fd_;
    std::string where_;
    std::string raw_;
    size_t pos_ = 0;
    bool chunked_ = false;
    size_t chunk_left_ = 0;
    bool done_ = false;
};

class ClickHouse {
  public:
    // url: http://HOST:PORT[/][?param=value&...]; the parameters (database, user, password,
    // settings such as insert_distributed_sync=1) go with every request. UsageError otherwise.
    explicit ClickHouse(const std::string& url);
    // Runs sql with body as the data that follows it (INSERT); returns the response body.
    // DataError "clickhouse HOST:PORT: HTTP 404: Code: 60, ..." on failure.
    std::string query(std::string_view sql, std::string_view body = {}) const;
    // The same, with the response body read as it arrives.
    ClickHouseResponse open(std::string_view sql, std::string_view body = {}) const;
    const std::string& where() const { return where_; }

  private:
    std::string host_;
    uint16_t port_ = 8123;
    std::string params_;  // "database=x&..." from the URL, without the '?'
    std::string where_;   // "HOST:PORT" for messages
};

// CREATE TABLE IF NOT EXISTS for the flow table (ClickHouse 18.16 syntax).
std::string clickhouse_create_table(const std::string& table);
// The column list of every field, in fields.def order: "`start`, `end`, ...".
std::string clickhouse_columns();

// Appends rows [first, last) of b as RowBinary in clickhouse_columns() order, then `time`.
void append_rowbinary(FlowBlock& b, size_t first, size_t last, std::string& out);
// Decodes RowBinary rows (clickhouse_columns() order) from data[pos...] into b, at most
// max_rows; returns the position after the last whole row (a row cut at the end of data is
// left for the next call).
size_t read_rowbinary(std::string_view data, size_t pos, FlowBlock& b, size_t max_rows);

// Fills t (empty) with the groups of the rows of table matching where ("" = all), computed
// by the server: GROUP BY the key (address prefixes masked; either-side keys such as `ip`
// through arrayJoin of both sides), count(), sum(packets), sum(bytes), min(start), max(end).
// t's totals then count a flow once per side: set them from clickhouse_summary.
void clickhouse_aggregate(const ClickHouse& ch, const std::string& table, const std::string& where,
                          AggTable& t);
// The Summary of the rows of table matching where, computed by the server.
Summary clickhouse_summary(const ClickHouse& ch, const std::string& table,
                           const std::string& where);

// Inserts flows in batches of batch_rows rows (one INSERT each; the last may hold fewer),
// however the blocks added are cut.
class ClickHouseWriter {
  public:
    ClickHouseWriter(const ClickHouse& ch, std::string table, size_t batch_rows);
    void add(FlowBlock& b);
    void flush();
    uint64_t rows() const { return rows_; }
    uint64_t inserts() const { return inserts_; }

  private:
    const ClickHouse& ch_;
    std::string table_;
    size_t batch_rows_;
    std::string buf_;
    size_t pending_ = 0;
    uint64_t rows_ = 0, inserts_ = 0;
};

}  // namespace fk
