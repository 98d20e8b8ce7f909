#include "query/input.h"

#include <unistd.h>

#include <filesystem>

#include "common/error.h"
#include "common/io.h"
#include "common/tool.h"
#include "store/store.h"

namespace fk {

FlowInput::FlowInput(const InputSpec& spec) : spec_(spec) {
    namespace fs = std::filesystem;
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

std::optional<Summary> FlowInput::index_summaries() const {
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
