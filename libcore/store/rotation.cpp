#include "store/rotation.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "common/error.h"
#include "common/io.h"
#include "common/tool.h"
#include "store/store.h"

namespace fk {

StoreWriter::StoreWriter(StoreOptions opts) : opts_(std::move(opts)) {
    // A restart must never replace a file written before it.
    opts_.writer.no_replace = true;
    make_dirs(opts_.dir);
}

StoreWriter::~StoreWriter() {
    try {
        wait_closing();
    } catch (const std::exception& e) {
        warn(e.what());
    }
    if (!writer_) return;
    try {
        writer_->close();
    } catch (const std::exception& e) {
        warn(e.what());
    }
}

void StoreWriter::wait_closing() {
    if (closing_.joinable()) closing_.join();
    if (closing_error_) {
        closing_failed_ = false;
        std::rethrow_exception(std::exchange(closing_error_, nullptr));
    }
}

void StoreWriter::rotate(uint64_t slot_start, uint64_t now, std::function<void()> after) {
    wait_closing();
    // The file about to be closed does not have its name yet: the next one must not take it
    // (files are named by the minute, and SIGHUP starts a file within the interval). The next
    // file exists before expiry can run, so that its directory is not empty then.
    std::string next_path = free_store_path(opts_.dir, slot_start, path_);
    make_dirs(next_path.substr(0, next_path.rfind('/')));
    auto next = FlowWriter::open(next_path, opts_.writer);
    if (writer_) {
        closing_ = std::thread(
            [this, w = std::move(writer_), done = std::move(path_), now, after = std::move(after)] {
                try {
                    finish(*w, done, now);
                    if (after) after();
                } catch (...) {
                    closing_error_ = std::current_exception();
                    closing_failed_ = true;
                }
            });
    } else if (after) {
        after();
    }
    writer_ = std::move(next);
    path_ = std::move(next_path);
}

void StoreWriter::write(FlowBlock& b) {
    if (closing_failed_.load(std::memory_order_relaxed)) wait_closing();
    if (!writer_) throw DataError(opts_.dir + ": no store file open");
    writer_->write(b);
}

std::string StoreWriter::close(uint64_t now) {
    wait_closing();
    if (!writer_) return "";
    const auto w = std::move(writer_);
    std::string done = std::move(path_);
    path_.clear();
    finish(*w, done, now);
    return done;
}

void StoreWriter::finish(FlowWriter& w, const std::string& path, uint64_t now) {
    w.close();
    if (!opts_.exec.empty()) run_command(opts_.exec, path);
    if (opts_.max_size || opts_.max_age)
        expire_store(opts_.dir, opts_.max_size, opts_.max_age, now);
}

size_t expire_store(const std::string& dir, uint64_t max_size, uint64_t max_age, uint64_t now) {
    namespace fs = std::filesystem;
    struct File {
        std::string path;
        uint64_t size;
        uint64_t time;
    };
    std::vector<File> files;
    uint64_t total = 0;
    for (auto& p : list_flow_files(dir)) {
        struct stat st;
        if (::stat(p.c_str(), &st) != 0) continue;
        const auto t = store_file_time(p.substr(p.rfind('/') + 1));
        const uint64_t when = t ? *t : static_cast<uint64_t>(st.st_mtime) * 1'000'000ull;
        files.push_back({p, static_cast<uint64_t>(st.st_size), when});
        total += static_cast<uint64_t>(st.st_size);
    }
    std::stable_sort(files.begin(), files.end(),
                     [](const File& a, const File& b) { return a.time < b.time; });
    size_t deleted = 0;
    for (const File& f : files) {
        const bool too_big = max_size && total > max_size;
        const bool too_old = max_age && f.time + max_age < now;
        if (!too_big && !too_old) break;
        if (::unlink(f.path.c_str()) != 0) continue;
        total -= f.size;
        ++deleted;
        // Remove the day, month and year directories once they are empty.
        std::error_code ec;
        fs::path d = fs::path(f.path).parent_path();
        for (int up = 0; up < 3 && d != fs::path(dir) && fs::is_empty(d, ec); ++up) {
            fs::remove(d, ec);
            d = d.parent_path();
        }
    }
    return deleted;
}

void run_command(const std::string& cmd, const std::string& file) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    std::string quoted = "'";
    for (char c : file) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    std::string line = cmd;
    if (const auto pos = line.find("%f"); pos != std::string::npos) {
        for (size_t at = pos; at != std::string::npos; at = line.find("%f", at + quoted.size())) {
            line.replace(at, 2, quoted);
        }
    } else {
        line += " " + quoted;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (pid < 0) warn("--exec: fork: " + errno_text(errno));
}

}  // namespace fk
