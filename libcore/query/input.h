// The flows a program reads: -r FILE (repeatable), -R DIR (every flow file below it, in time
// order), or standard input — one stream of blocks in that order.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format/reader.h"

namespace fk {

struct InputSpec {
    std::vector<std::string> files;  // -r; a directory here is read like -R
    std::vector<std::string> dirs;   // -R
    bool ignore_errors = false;
    uint64_t from = 0;  // time window: blocks entirely outside are skipped
    uint64_t to = UINT64_MAX;
    // Instead of files: the rows of a ClickHouse table (formats/clickhouse.h) that satisfy
    // the SQL condition clickhouse_where ("" = all).
    std::string clickhouse;  // URL
    std::string clickhouse_table = "flows";
    std::string clickhouse_where;
    bool clickhouse_count_only = false;  // no rows: the server computes the answer itself
};

class ClickHouseSource;

class FlowInput {
  public:
    // Resolves the inputs; with no files and no directories, reads standard input (a terminal
    // there is a UsageError with a hint).
    explicit FlowInput(const InputSpec& spec);
    ~FlowInput();

    // The next block; false at the end of the input, or when a stop signal
    // (catch_stop_signals) ended it early: then interrupted() says so.
    bool next(FlowBlock& b);
    bool interrupted() const { return interrupted_; }

    const std::vector<std::string>& paths() const { return paths_; }
    uint64_t files_opened() const { return files_opened_; }
    uint64_t blocks_read() const { return blocks_; }
    uint64_t blocks_skipped() const { return skipped_; }
    // Sum of the inputs' index summaries when every input is a file with an index whose
    // blocks all pass their checksums (read, not decompressed); nullopt otherwise.
    std::optional<Summary> index_summaries() const;
    // Rows the source looked at when that differs from the rows delivered (ClickHouse: the
    // table's row count); nullopt for files.
    std::optional<uint64_t> rows_scanned() const;

  private:
    InputSpec spec_;
    std::vector<std::string> paths_;  // "-" for stdin
    size_t next_path_ = 0;
    std::unique_ptr<FlowReader> reader_;
    std::unique_ptr<ClickHouseSource> clickhouse_;
    uint64_t files_opened_ = 0;
    uint64_t blocks_ = 0;
    uint64_t skipped_ = 0;
    bool interrupted_ = false;

    bool next_block(FlowBlock& b);
};

}  // namespace fk
