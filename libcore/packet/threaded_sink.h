// A FlowSink that hands blocks to another thread, which passes them to the real sink
// (encoding and compressing them there), so that packet processing and output overlap on
// two cores. Blocks are swapped, not copied; at most a few wait, so memory stays bounded.
#pragma once
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "packet/probe.h"

namespace fk {

class ThreadedSink : public FlowSink {
  public:
    explicit ThreadedSink(FlowSink& inner, size_t max_queued = 4);
    // Stops the thread; an error it had is lost (call finish() to see it).
    ~ThreadedSink() override;
    ThreadedSink(const ThreadedSink&) = delete;
    ThreadedSink& operator=(const ThreadedSink&) = delete;

    // Takes the block's rows (the block is left empty). Rethrows an error of the thread.
    void write(FlowBlock& block) override;
    // Waits until every block is written; rethrows an error of the thread.
    void finish();

  private:
    void run();
    void stop();
    FlowSink& inner_;
    size_t max_queued_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<FlowBlock> queue_;
    std::vector<FlowBlock> spare_;
    bool closing_ = false;
    bool busy_ = false;
    std::exception_ptr error_;
    std::thread thread_;
};

}  // namespace fk
