#include "common/read_ahead.h"

#include "common/io.h"
#include "common/tool.h"

namespace fk {

ReadAhead::ReadAhead(int fd, std::string name, size_t chunk, size_t headroom, size_t depth)
    : fd_(fd), name_(std::move(name)), chunk_(chunk), headroom_(headroom), slots_(depth) {
    for (Slot& s : slots_) s.mem = std::make_unique_for_overwrite<uint8_t[]>(headroom + chunk);
    // The reading thread takes a stop signal (catch_stop_signals): it is the one waiting in
    // read(). The caller waits for chunks instead, and takes signals again when this ends.
    caller_mask_ = block_stop_signals();
    thread_ = std::thread([this] {
        restore_signal_mask(caller_mask_);
        run();
    });
}

ReadAhead::~ReadAhead() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    freed_.notify_one();
    thread_.join();
    restore_signal_mask(caller_mask_);
}

void ReadAhead::run() {
    for (size_t w = 0;; w = (w + 1) % slots_.size()) {
        Slot& s = slots_[w];
        {
            std::unique_lock<std::mutex> lock(mu_);
            freed_.wait(lock, [&] { return stop_ || !s.full; });
            if (stop_) return;
        }
        // The slot is this thread's until it is marked full.
        bool last = false;
        size_t got = 0;
        std::exception_ptr error;
        try {
            got = read_full(fd_, s.mem.get() + headroom_, chunk_, name_);
            last = got < chunk_;
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (error) {
                failed_ = true;
                error_ = error;
            } else {
                s.len = got;
                s.last = last;
                s.full = true;
            }
        }
        filled_.notify_one();
        if (error || last) return;
    }
}

ReadAhead::Chunk ReadAhead::next() {
    Slot& s = slots_[next_];
    {
        std::unique_lock<std::mutex> lock(mu_);
        filled_.wait(lock, [&] { return s.full || failed_; });
        if (!s.full) std::rethrow_exception(error_);
    }
    next_ = (next_ + 1) % slots_.size();
    return Chunk{s.mem.get() + headroom_, s.len, s.last};
}

void ReadAhead::release() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        slots_[release_].full = false;
    }
    release_ = (release_ + 1) % slots_.size();
    freed_.notify_one();
}

}  // namespace fk
