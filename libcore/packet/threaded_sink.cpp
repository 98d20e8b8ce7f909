#include "packet/threaded_sink.h"

#include <utility>

#include "common/tool.h"

namespace fk {

ThreadedSink::ThreadedSink(FlowSink& inner, size_t max_queued)
    : inner_(inner), max_queued_(max_queued ? max_queued : 1), thread_([this] { run(); }) {}

ThreadedSink::~ThreadedSink() {
    stop();
}

void ThreadedSink::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ThreadedSink::write(FlowBlock& block) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < max_queued_ || error_; });
    if (error_) std::rethrow_exception(error_);
    FlowBlock next;
    if (!spare_.empty()) {
        next = std::move(spare_.back());
        spare_.pop_back();
    }
    std::swap(next, block);  // the caller keeps an empty block with reusable capacity
    queue_.push_back(std::move(next));
    lock.unlock();
    cv_.notify_all();
}

void ThreadedSink::finish() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return (queue_.empty() && !busy_) || error_; });
    if (error_) std::rethrow_exception(error_);
}

void ThreadedSink::run() {
    // A stop signal is for the thread that reads (catch_stop_signals), never this one.
    block_stop_signals();
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;
        FlowBlock block = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        cv_.notify_all();
        try {
            inner_.write(block);
        } catch (...) {
            lock.lock();
            error_ = std::current_exception();
            busy_ = false;
            queue_.clear();
            cv_.notify_all();
            return;
        }
        block.clear();
        lock.lock();
        busy_ = false;
        spare_.push_back(std::move(block));
        cv_.notify_all();
    }
}

}  // namespace fk
