#include "sample/run.h"

#include <algorithm>
#include <memory>

#include "common/error.h"
#include "common/io.h"
#include "filter/filter.h"
#include "format/writer.h"
#include "query/pipeline.h"

namespace fk {

namespace {

struct Selected {
    FlowBlock block;  // the rows that passed the filter, columns decoded
};

}  // namespace

SampleRunStats run_sample(const SampleRunOptions& o, int out_fd) {
    const bool to_stdout = o.write_path.empty() || o.write_path == "-";
    if (to_stdout && is_terminal(out_fd)) {
        throw UsageError(
            "refusing to write binary flows to a terminal; use -w FILE, a pipe "
            "(| flowquery -o line), or --evaluate for a table");
    }
    const Filter filter = Filter::compile(o.filter);
    FlowInput input(o.input);
    WriterOptions wo;
    wo.zstd_level = o.zstd_level;
    wo.creator = std::string("flowsample ") + FLOWKIT_VERSION;
    std::unique_ptr<FlowWriter> writer = to_stdout
                                             ? std::make_unique<FlowWriter>(out_fd, "<stdout>", wo)
                                             : FlowWriter::open(o.write_path, wo);

    Sampler sampler(o.config);
    SampleRunStats stats;
    const bool fit = o.config.mode == SampleMode::kSmart && o.config.threshold == 0;
    bool fitted = !fit;
    FlowBlock pending;  // smart without a threshold: the first flows, until z is known
    SampleResult result;
    FlowBlock out;

    bool output_failed = false;
    auto emit = [&](FlowBlock& b) {
        stats.flows_in += b.size();
        sampler.sample(b, nullptr, result);
        apply_sample(b, result, out);
        stats.flows_out += out.size();
        if (out.empty()) return;
        try {
            writer->write(out);
        } catch (...) {
            output_failed = true;
            throw;
        }
    };
    auto fit_threshold = [&] {
        pending.ensure(FieldId::bytes);
        const auto& bytes = column<FieldId::bytes>(pending);
        stats.threshold = smart_threshold(
            std::span<const uint64_t>(bytes.data(), std::min(bytes.size(), kSmartFitFlows)),
            o.config.rate);
        sampler.set_threshold(stats.threshold);
        fitted = true;
        emit(pending);
        pending.clear();
    };

    auto work = [&](FlowBlock& b, unsigned, Selected& r) {
        r.block.clear();
        if (filter.matches_everything()) {
            b.ensure_all();
            std::swap(r.block, b);
            return;
        }
        thread_local std::vector<uint8_t> mask;
        mask.resize(b.size());
        filter.eval(b, mask.data());
        r.block.append_selected(b, mask.data());
    };
    auto consume = [&](Selected& r) {
        if (r.block.empty()) return true;
        if (!fitted) {
            pending.append_range(r.block, 0, r.block.size());

            if (pending.size() >= kSmartFitFlows) fit_threshold();
            return true;
        }
        emit(r.block);
        return true;
    };
    // As in flowquery: a corrupt or truncated input ends the reading, not the run. The flows
    // read before it are sampled and written, then the error is reported; a failed write
    // ends the run at once.
    std::exception_ptr data_error;
    try {
        run_blocks<Selected>(input, std::max(1u, o.threads), work, consume);
    } catch (const DataError&) {
        if (output_failed || (stats.flows_in == 0 && pending.empty())) throw;
        data_error = std::current_exception();
    }
    if (!fitted) fit_threshold();
    if (!fit) stats.threshold = o.config.threshold;
    writer->close();
    if (data_error) std::rethrow_exception(data_error);
    return stats;
}

}  // namespace fk
