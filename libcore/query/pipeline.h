// Runs every block of an input through worker threads and hands the results to one consumer
// in input order: the block-parallel decode/filter/aggregate behind flowquery and friends.
#pragma once
#include <functional>

#include "query/input.h"

namespace fk {

struct BlockResult;

// work(block, worker index, result) runs on a worker thread; consume(result) runs on the
// calling thread in input order and returns false to stop early (`-c N`). An error while
// reading or working is rethrown after the results of every earlier block were consumed.
// threads <= 1 runs everything on the calling thread.
template <class Result>
void run_blocks(FlowInput& input, unsigned threads,
                const std::function<void(FlowBlock&, unsigned, Result&)>& work,
                const std::function<bool(Result&)>& consume);

}  // namespace fk

#include "query/pipeline_impl.h"
