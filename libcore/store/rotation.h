// Writing the flow store: one file per rotation interval, each finalised atomically, never
// replacing an existing file; expiry of the oldest files by total size and age; a command run
// on each finished file.
#pragma once
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "format/writer.h"

namespace fk {

struct StoreOptions {
    std::string dir;
    uint64_t interval = 300 * 1'000'000ull;  // microseconds
    uint64_t max_size = 0;                   // bytes of flow files kept; 0 = no limit
    uint64_t max_age = 0;                    // microseconds; 0 = no limit
    std::string exec;  // run after each rotation; %f is the file (appended when absent)
    WriterOptions writer;
};

// The start of the rotation interval holding time t (both microseconds, UTC).
inline uint64_t slot_of(uint64_t t, uint64_t interval) {
    return t / interval * interval;
}

class StoreWriter {
  public:
    explicit StoreWriter(StoreOptions opts);
    ~StoreWriter();  // an open file is closed (finalised) if possible
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    // Closes the current file (if any) and opens the one for the interval at slot_start. The
    // file closed is finished (fsync, rename, the command, expiry) and then `after` is run on
    // a thread of its own, so that the caller, which receives flows, does not wait for the
    // disk. An error there is thrown by the next call of rotate(), write() or close().
    void rotate(uint64_t slot_start, uint64_t now, std::function<void()> after = {});
    void write(FlowBlock& b);
    // Finalises the current file, runs the command, applies expiry (after waiting for a file
    // still being closed). Returns the file's path ("" when no file was open).
    std::string close(uint64_t now);
    bool is_open() const { return writer_ != nullptr; }
    const std::string& current() const { return path_; }

  private:
    // Waits for the file being closed in the background; throws what closing it threw.
    void wait_closing();
    void finish(FlowWriter& w, const std::string& path, uint64_t now);

    StoreOptions opts_;
    std::unique_ptr<FlowWriter> writer_;
    std::string path_;
    std::thread closing_;
    std::exception_ptr closing_error_;
    std::atomic<bool> closing_failed_{false};
};

// Deletes the oldest flow files of dir until the rest take at most max_size bytes and none is
// older than now - max_age (by the interval in its name, or its modification time); a
// limit of 0 is no limit. Empty day directories go too. Returns the number of files deleted.
size_t expire_store(const std::string& dir, uint64_t max_size, uint64_t max_age, uint64_t now);

// Runs `cmd` through /bin/sh without waiting, with %f replaced by `file` (quoted), or `file`
// appended when cmd has no %f. Finished children are reaped by later calls.
void run_command(const std::string& cmd, const std::string& file);

}  // namespace fk
