// Implementation of run_blocks (a template, so it lives in a header).
#pragma once
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/tool.h"

namespace fk {

template <class Result>
void run_blocks(FlowInput& input, unsigned threads,
                const std::function<void(FlowBlock&, unsigned, Result&)>& work,
                const std::function<bool(Result&)>& consume) {
    if (threads <= 1) {
        FlowBlock b;
        Result r;
        while (input.next(b)) {
            work(b, 0, r);
            if (!consume(r)) return;
        }
        return;
    }
    struct Slot {
        FlowBlock block;
        Result result;
        uint64_t seq = 0;
        bool done = false;
        std::exception_ptr error;
    };
    const size_t nslots = threads * 4;
    std::vector<std::unique_ptr<Slot>> slots;
    for (size_t i = 0; i < nslots; ++i) slots.push_back(std::make_unique<Slot>());

    std::mutex mu;
    std::condition_variable cv;
    std::deque<Slot*> free_slots, queued;
    std::vector<Slot*> by_seq(nslots, nullptr);  // indexed by seq % nslots
    for (auto& s : slots) free_slots.push_back(s.get());
    bool stop = false, input_done = false;
    uint64_t produced = 0;
    std::exception_ptr read_error;

    // Only the reader takes a stop signal (catch_stop_signals): it waits in read().
    const sigset_t before = block_stop_signals();
    std::thread reader([&] {
        restore_signal_mask(before);
        for (;;) {
            Slot* s;
            {
                std::unique_lock lk(mu);
                cv.wait(lk, [&] { return stop || !free_slots.empty(); });
                if (stop) break;
                s = free_slots.front();
                free_slots.pop_front();
            }
            bool got = false;
            std::exception_ptr err;
            try {
                got = input.next(s->block);
            } catch (...) {
                err = std::current_exception();
            }
            std::lock_guard lk(mu);
            if (!got) {
                read_error = err;
                input_done = true;
                free_slots.push_back(s);
                cv.notify_all();
                break;
            }
            s->seq = produced++;
            s->done = false;
            s->error = nullptr;
            by_seq[s->seq % nslots] = s;
            queued.push_back(s);
            cv.notify_all();
        }
    });
    std::vector<std::thread> workers;
    for (unsigned w = 0; w < threads; ++w) {
        workers.emplace_back([&, w] {
            for (;;) {
                Slot* s;
                {
                    std::unique_lock lk(mu);
                    cv.wait(lk, [&] { return stop || !queued.empty() || input_done; });
                    if (queued.empty()) {
                        if (stop || input_done) return;
                        continue;
                    }
                    s = queued.front();
                    queued.pop_front();
                }
                try {
                    work(s->block, w, s->result);
                } catch (...) {
                    s->error = std::current_exception();
                }
                std::lock_guard lk(mu);
                s->done = true;
                cv.notify_all();
            }
        });
    }
    auto finish = [&] {
        {
            std::lock_guard lk(mu);
            stop = true;
            cv.notify_all();
        }
        reader.join();
        for (auto& t : workers) t.join();
        restore_signal_mask(before);
    };
    try {
        for (uint64_t seq = 0;; ++seq) {
            Slot* s;
            {
                std::unique_lock lk(mu);
                cv.wait(lk, [&] {
                    Slot* c = by_seq[seq % nslots];
                    return (c && c->seq == seq && c->done) || (input_done && seq >= produced);
                });
                if (input_done && seq >= produced) break;
                s = by_seq[seq % nslots];
            }
            if (s->error) std::rethrow_exception(s->error);
            const bool more = consume(s->result);
            {
                std::lock_guard lk(mu);
                by_seq[seq % nslots] = nullptr;
                free_slots.push_back(s);
                cv.notify_all();
            }
            if (!more) break;
        }
    } catch (...) {
        finish();
        throw;
    }
    finish();
    if (read_error) std::rethrow_exception(read_error);
}

}  // namespace fk
