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
        scanned_ = std::stoull(ch.query("SELECT count() FROM " + spec.clickhouse_table));
        if (!spec.clickhouse_count_only) {
            rows_ = std::make_unique<ClickHouseResponse>(
                ch.open("SELECT " + clickhouse_columns() + " FROM " + spec.clickhouse_table +
                        where + " ORDER BY `start` FORMAT RowBinary"));
        }
    }
    // Rows arrive as they are read from the connection: at most a block and a read ahead in
    // memory.
    bool next(FlowBlock& b) {
        b.clear();
        while (rows_ && b.size() < kBlockRows) {
            pos_ = read_rowbinary(buf_, pos_, b, kBlockRows - b.size());
            if (b.size() == kBlockRows) break;
            buf_.erase(0, pos_);
            pos_ = 0;
            const size_t had = buf_.size();
            buf_.resize(had + kRead);
            const size_t n = rows_->read(buf_.data() + had, kRead);
            buf_.resize(had + n);
            if (n == 0) {
                if (!buf_.empty()) throw DataError("clickhouse: the result ends inside a row");
                rows_.reset();
            }
        }
        return !b.empty();
    }
    uint64_t scanned() const { return scanned_; }

  private:
    static constexpr size_t kBlockRows = 8192;
    static constexpr size_t kRead = 1 << 20;
    std::unique_ptr<ClickHouseResponse> rows_;
    std::string buf_;
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
    // A directory without a flow file is no error (a store in an hour the collector was
    // down), but worth a word: a wrong path answers "0 flows" too.
    auto add_dir = [&](const std::string& dir) {
        auto listed = list_flow_files(dir, spec.from, spec.to);
        if (listed.empty()) {
            const bool window = spec.from != 0 || spec.to != UINT64_MAX;
            warn("no flow file under " + dir + (window ? " in the time window" : ""));
        }
        for (auto& p : listed) paths_.push_back(std::move(p));
    };
    for (const auto& f : spec.files) {
        std::error_code ec;
        if (f != "-" && fs::is_directory(f, ec)) {
            add_dir(f);
        } else {
            paths_.push_back(f);
        }
    }
    for (const auto& d : spec.dirs) add_dir(d);
    if (spec.files.empty() && spec.dirs.empty()) {
        if (is_terminal(STDIN_FILENO)) {
            throw UsageError("no input: give -r FILE or -R DIR, or pipe flows in");
        }
        paths_.push_back("-");
    }
}

FlowInput::~FlowInput() = default;

bool FlowInput::next(FlowBlock& b) {
    try {
        return next_block(b);
    } catch (const Interrupted&) {
        interrupted_ = true;
        return false;
    }
}

bool FlowInput::next_block(FlowBlock& b) {
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
    FlowBlock b;
    for (const auto& p : paths_) {
        if (p == "-") return std::nullopt;
        FlowReader r(p, {});
        if (!r.index_summary()) return std::nullopt;
        // The index speaks for blocks that are intact: every block's checksum is verified
        // (its columns are not decompressed). At a damaged one the caller reads the files
        // instead, and reports the damage after the totals of what came before it, as for
        // the same bytes on a pipe.
        try {
            while (r.next(b)) {
            }
        } catch (const DataError&) {
            return std::nullopt;
        }
        total.merge(*r.index_summary());
    }
    return total;
}

}  // namespace fk
