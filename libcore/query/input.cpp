#include "query/input.h"

#include <unistd.h>

#include <filesystem>

#include "common/error.h"
#include "common/io.h"
#include "common/tool.h"
#include "formats/clickhouse.h"
#include "store/store.h"

namespace fk {

// The selected rows of a ClickHouse table, fetched as RowBinary in one response and cut into
// blocks; plus the table's row count (what a scan of the same flows in files processes).
class ClickHouseSource {
  public:
    explicit ClickHouseSource(const InputSpec& spec) {
        const ClickHouse ch(spec.clickhouse);
        const std::string where =
            spec.clickhouse_where.empty() ? "" : " WHERE " + spec.clickhouse_where;
        if (!spec.clickhouse_count_only) {
            rows_ = ch.query("SELECT " + clickhouse_columns() + " FROM " + spec.clickhouse_table +
                             where + " ORDER BY `start` FORMAT RowBinary");
        }
        const std::string n = ch.query("SELECT count() FROM " + spec.clickhouse_table);
        scanned_ = std::stoull(n);
    }
    bool next(FlowBlock& b) {
        b.clear();
        if (pos_ >= rows_.size()) return false;
        pos_ = read_rowbinary(rows_, pos_, b, kBlockRows);
        return true;
    }
    uint64_t scanned() const { return scanned_; }

  private:
    static constexpr size_t kBlockRows = 8192;
    std::string rows_;
    size_t pos_ = 0;
    uint64_t scanned_ = 0;
};

FlowInput::FlowInput(const InputSpec& spec) : spec_(spec) {
    namespace fs = std::filesystem;
    if (!spec.clickhouse.empty()) {
        if (!spec.files.empty() || !spec.dirs.empty())
            throw UsageError("--clickhouse reads no files: leave out -r and -R");
        clickhouse_ = std::make_unique<ClickHouseSource>(spec);
        files_opened_ = 1;
        return;
    }
    for (const auto& f : spec.files) {
        std::error_code ec;
        if (f != "-" && fs::is_directory(f, ec)) {
            for (auto& p : list_flow_files(f, spec.from, spec.to)) paths_.push_back(std::move(p));
        } else {
            paths_.push_back(f);
        }
    }
    for (const auto& d : spec.dirs) {
        for (auto& p : list_flow_files(d, spec.from, spec.to)) paths_.push_back(std::move(p));
    }
    if (spec.files.empty() && spec.dirs.empty()) {
        if (is_terminal(STDIN_FILENO)) {
            throw UsageError("no input: give -r FILE or -R DIR, or pipe flows in");
        }
        paths_.push_back("-");
    }
}

FlowInput::~FlowInput() = default;

bool FlowInput::next(FlowBlock& b) {
    if (clickhouse_) {
        if (!clickhouse_->next(b)) return false;
        ++blocks_;
        return true;
    }
    for (;;) {
        if (!reader_) {
            if (next_path_ >= paths_.size()) return false;
            ReaderOptions ro;
            ro.ignore_errors = spec_.ignore_errors;
            ro.from = spec_.from;
            ro.to = spec_.to;
            ro.warn = [](const std::string& m) { warn(m); };
            const std::string& path = paths_[next_path_++];
            try {
                reader_ = std::make_unique<FlowReader>(path, ro);
            } catch (const DataError& e) {
                if (!spec_.ignore_errors) throw;
                warn(std::string(e.what()) + "; skipping the file");
                ++skipped_;
                continue;
            }
            ++files_opened_;
        }
        if (reader_->next(b)) {
            ++blocks_;
            return true;
        }
        skipped_ += reader_->blocks_skipped();
        reader_.reset();
    }
}

std::optional<uint64_t> FlowInput::rows_scanned() const {
    if (clickhouse_) return clickhouse_->scanned();
    return std::nullopt;
}

std::optional<Summary> FlowInput::index_summaries() const {
    if (clickhouse_) return std::nullopt;
    Summary total;
    for (const auto& p : paths_) {
        if (p == "-") return std::nullopt;
        FlowReader r(p, {});
        if (!r.index_summary()) return std::nullopt;
        total.merge(*r.index_summary());
    }
    return total;
}

}  // namespace fk
