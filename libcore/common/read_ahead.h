// Reading a file on a thread of its own, a few chunks ahead of the code that parses it: the
// copy out of the page cache (a fifth of flowgen's time on one core) then runs on the other
// core. Chunks are handed over, not copied; each has room in front of its bytes, where the
// consumer can put the unfinished tail of the chunk before so that a record stays contiguous.
#pragma once
#include <signal.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fk {

class ReadAhead {
  public:
    struct Chunk {
        uint8_t* data = nullptr;  // `headroom` writable bytes precede it
        size_t len = 0;
        bool last = false;  // the input ends after this chunk
    };
    // Starts reading fd (which stays the caller's to close) from its current position. name
    // is for errors. depth chunks are in flight: being filled, ready, or held by the caller.
    ReadAhead(int fd, std::string name, size_t chunk, size_t headroom, size_t depth = 4);
    // Stops the thread (after its read in progress).
    ~ReadAhead();
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // The next chunk in file order, waiting for it. It stays the caller's until release().
    // Rethrows the thread's read error once the chunks before it are taken.
    Chunk next();
    // Gives back the oldest chunk the caller holds, to be filled again.
    void release();

  private:
    struct Slot {
        std::unique_ptr<uint8_t[]> mem;
        size_t len = 0;
        bool full = false;
        bool last = false;
    };
    void run();

    int fd_;
    std::string name_;
    size_t chunk_;
    size_t headroom_;
    std::vector<Slot> slots_;
    size_t next_ = 0;     // slot next() hands out
    size_t release_ = 0;  // slot release() gives back
    std::mutex mu_;
    std::condition_variable filled_, freed_;
    bool stop_ = false;
    bool failed_ = false;
    std::exception_ptr error_;
    sigset_t caller_mask_;
    std::thread thread_;
};

}  // namespace fk
