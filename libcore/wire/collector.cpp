#include "wire/collector.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/error.h"
#include "common/time.h"
#include "common/tool.h"
#include "wire/udp.h"

namespace fk {

namespace {

constexpr size_t kMaxBlocksInFlight = 64;

// Daemon messages on stderr, one line each, prefixed with the program name.
void info(const std::string& line) {
    std::fprintf(stderr, "%s: %s\n", tool_name(), line.c_str());
}
constexpr int kPollMs = 100;
constexpr unsigned kBatch = 64;  // datagrams per recvmmsg
// Batches read from one socket before looking at the others and the clock.
constexpr unsigned kBatchesPerTurn = 16;

struct Message {
    enum Kind { kBlock, kRotate, kFinish } kind;
    std::unique_ptr<FlowBlock> block;
    uint64_t slot = 0;
    std::shared_ptr<CaptureStats> stats;
};

}  // namespace

unsigned receive_pause_micros(size_t smallest_buffer) {
    // At most a quarter of the buffer at 1 GB/s (a sender's burst on loopback, the kernel's
    // per-datagram overhead counted), at most 30 ms; under 1 ms it is not worth a timer.
    constexpr uint64_t kBurstBytesPerMicro = 1000;
    constexpr unsigned kMaxPauseMicros = 30000, kMinPauseMicros = 1000;
    const uint64_t fill = smallest_buffer / 4 / kBurstBytesPerMicro;
    return fill < kMinPauseMicros
               ? 0
               : static_cast<unsigned>(std::min<uint64_t>(kMaxPauseMicros, fill));
}

struct Collector::Impl {
    CollectorOptions opts;
    std::vector<int> fds;
    std::vector<std::string> names;
    std::vector<uint32_t> drops;  // the kernel's drop counter of each socket
    unsigned pause_micros = 0;    // see receive_pause_micros
    WireDecoder decoder;
    CaptureStats extra;  // counters the decoder does not keep

    std::thread receiver, writer;
    std::atomic<bool> stopping{false}, rotate_requested{false}, error{false};
    std::exception_ptr receive_error, write_error;
    BlockSink* sink = nullptr;  // called by the writer thread, or with write_inline the receiver
    bool finish_delivered = false;  // the sink's finish() was called (it may have thrown)

    std::mutex mu;
    std::condition_variable to_writer, to_receiver;
    std::deque<Message> queue;
    std::vector<std::unique_ptr<FlowBlock>> free_blocks;
    size_t blocks_out = 0;

    explicit Impl(CollectorOptions o) : opts(std::move(o)), decoder(opts.decoder) {
        int smallest_buffer = INT_MAX;
        for (const auto& l : opts.listen) {
            const wire::Endpoint e = wire::parse_endpoint(l);
            fds.push_back(wire::open_listener(e, opts.receive_buffer));
            names.push_back(wire::endpoint_string(e));
            drops.push_back(0);
            smallest_buffer = std::min(smallest_buffer, wire::receive_buffer(fds.back()));
        }
        if (!fds.empty()) pause_micros = receive_pause_micros(static_cast<size_t>(smallest_buffer));
    }

    ~Impl() {
        for (int fd : fds) ::close(fd);
    }

    std::shared_ptr<CaptureStats> snapshot() {
        auto s = std::make_shared<CaptureStats>(extra);
        s->exporters = decoder.stats();
        s->socket_drops = 0;
        for (uint32_t d : drops) s->socket_drops += d;
        s->unknown_version = decoder.totals().unknown_version;
        s->sources_refused = decoder.totals().sources_refused;
        s->sources_evicted = decoder.totals().sources_evicted;
        s->evicted_datagrams = decoder.totals().evicted_datagrams;
        return s;
    }

    std::unique_ptr<FlowBlock> take_block() {
        std::unique_lock lk(mu);
        // Back-pressure: with every block queued the writer is behind; wait for one rather
        // than grow without bound (the socket buffers absorb the wait).
        to_receiver.wait(
            lk, [&] { return !free_blocks.empty() || blocks_out < kMaxBlocksInFlight || error; });
        if (error && free_blocks.empty() && blocks_out >= kMaxBlocksInFlight)
            throw DataError("writer failed");
        ++blocks_out;
        if (!free_blocks.empty()) {
            auto b = std::move(free_blocks.back());
            free_blocks.pop_back();
            return b;
        }
        auto b = std::make_unique<FlowBlock>();
        b->reserve(opts.block_rows);
        return b;
    }

    void push(Message m) {
        if (opts.write_inline) {
            // The sink failed once: nothing more goes to it (as when the writer thread is gone).
            if (write_error) return;
            try {
                deliver(m, *sink);
            } catch (...) {
                write_error = std::current_exception();
                error = true;
            }
            return;
        }
        std::lock_guard lk(mu);
        queue.push_back(std::move(m));
        to_writer.notify_one();
    }

    void push_block(std::unique_ptr<FlowBlock>& b) {
        decoder.finish(*b);
        if (b->empty()) return;
        push({Message::kBlock, std::move(b), 0, nullptr});
        b = take_block();
    }

    bool allowed(const IpAddr& a) const {
        if (opts.allow.empty()) return true;
        for (const auto& [net, bits] : opts.allow) {
            if (a.masked(bits) == net) return true;
        }
        return false;
    }

    // Reads every socket until nothing is waiting or the turn is over; returns datagrams read.
    size_t read_sockets(wire::BatchReceiver& rx, std::unique_ptr<FlowBlock>& block, uint64_t now) {
        size_t total = 0;
        Datagram batch[kBatch];
        for (size_t s = 0; s < fds.size(); ++s) {
            for (unsigned turn = 0; turn < kBatchesPerTurn; ++turn) {
                const unsigned n = rx.receive(fds[s]);
                if (n == 0) break;
                total += n;
                size_t k = 0;
                for (unsigned i = 0; i < n; ++i) {
                    const IpAddr from = wire::endpoint_ip(rx.source(i));
                    if (!allowed(from)) {
                        ++extra.refused;
                        continue;
                    }
                    if (rx.truncated(i)) {
                        ++extra.truncated;
                        continue;
                    }
                    batch[k++] = {rx.data(i), rx.size(i), from};
                }
                for (size_t done = 0; done < k;) {
                    done += decoder.decode(batch + done, k - done, now, *block, opts.block_rows);
                    if (block->size() >= opts.block_rows) push_block(block);
                }
                if (n < kBatch) break;
            }
            drops[s] = wire::socket_drops(fds[s]);
        }
        say_sources_full();
        return total;
    }

    // The datagrams of exporters past the limit are dropped for the whole run; with -w there
    // is no statistics file to find that in, so it is said once, even with -q.
    bool said_sources_full = false;
    void say_sources_full() {
        if (said_sources_full || decoder.totals().sources_refused == 0) return;
        said_sources_full = true;
        info("more than " + std::to_string(opts.decoder.max_sources) +
             " exporters (address, domain, protocol), or " +
             std::to_string(opts.decoder.max_sources_per_address) +
             " of one address: the datagrams of further ones are dropped until silent "
             "exporters make room");
    }

    // A line per exporter, for the kLoggedExporters with the most flows; the others in one
    // line (16,384 exporters made 49,000 lines an interval). The stats file keeps them all.
    static constexpr size_t kLoggedExporters = 100;
    void log_exporters() {
        std::vector<ExporterStats> all = decoder.stats();
        const size_t listed = std::min(all.size(), kLoggedExporters);
        std::partial_sort(
            all.begin(), all.begin() + static_cast<std::ptrdiff_t>(listed), all.end(),
            [](const ExporterStats& a, const ExporterStats& b) { return a.flows > b.flows; });
        for (size_t i = 0; i < listed; ++i) info(exporter_log_line(all[i]));
        if (all.size() > listed) {
            uint64_t datagrams = 0, flows = 0;
            for (size_t i = listed; i < all.size(); ++i) {
                datagrams += all[i].datagrams;
                flows += all[i].flows;
            }
            info(std::to_string(all.size() - listed) + " more exporters: " +
                 std::to_string(datagrams) + " datagrams, " + std::to_string(flows) + " flows");
        }
        uint64_t d = 0;
        for (uint32_t x : drops) d += x;
        const uint64_t over = decoder.totals().sources_refused;
        const uint64_t evicted = decoder.totals().sources_evicted;
        if (d || extra.refused || over || evicted) {
            info("socket drops " + std::to_string(d) + ", refused by --allow " +
                 std::to_string(extra.refused) + ", from exporters over the limit " +
                 std::to_string(over) + ", silent exporters evicted " + std::to_string(evicted) +
                 " (" + std::to_string(decoder.totals().evicted_datagrams) + " datagrams)");
        }
    }

    void receive_loop() {
        wire::BatchReceiver rx(kBatch);
        std::vector<pollfd> pfds;
        for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
        uint64_t now = now_micros();
        uint64_t slot = now / opts.interval * opts.interval;
        uint64_t last_flush = now, last_expire = now, last_log = now;
        push({Message::kRotate, nullptr, slot, snapshot()});
        auto block = take_block();
        size_t got = 0;
        while (!stopping.load(std::memory_order_relaxed)) {
            // Wait when the sockets were drained, pause after a trickle, under load read on.
            if (got == 0) {
                ::poll(pfds.empty() ? nullptr : pfds.data(), pfds.size(), kPollMs);
            } else if (got < kBatch && pause_micros > 0) {
                ::usleep(pause_micros);
            }
            now = now_micros();
            const uint64_t cur = now / opts.interval * opts.interval;
            if (cur != slot || rotate_requested.exchange(false)) {
                // Everything received before the boundary goes to the closing file.
                push_block(block);
                slot = cur;
                push({Message::kRotate, nullptr, slot, snapshot()});
            }
            got = read_sockets(rx, block, now);
            if (opts.flush_interval && now - last_flush >= opts.flush_interval) {
                push_block(block);
                last_flush = now;
            }
            if (now - last_expire >= kMicrosPerSecond) {
                decoder.expire(now);
                last_expire = now;
            }
            if (opts.log_interval && now - last_log >= opts.log_interval) {
                log_exporters();
                last_log = now;
            }
            if (error) return;
        }
        // Stopping: what the kernel has queued was received before the signal; keep it.
        now = now_micros();
        while (read_sockets(rx, block, now) > 0) {
        }
        decoder.drop_held();
        push_block(block);
        if (opts.log_interval) log_exporters();
        push({Message::kFinish, nullptr, 0, snapshot()});
    }

    // The writer's part: on the writer thread, or on the receiver's when writing inline.
    void deliver(Message& m, BlockSink& sink) {
        switch (m.kind) {
            case Message::kBlock:
                sink.write(*m.block);
                m.block->clear();
                {
                    std::lock_guard lk(mu);
                    free_blocks.push_back(std::move(m.block));
                    --blocks_out;
                    to_receiver.notify_one();
                }
                break;
            case Message::kRotate:
                sink.rotate(m.slot, *m.stats);
                break;
            case Message::kFinish:
                finish_delivered = true;
                sink.finish(*m.stats);
                break;
        }
    }

    void write_loop(BlockSink& sink) {
        for (;;) {
            Message m;
            {
                std::unique_lock lk(mu);
                to_writer.wait(lk, [&] { return !queue.empty(); });
                m = std::move(queue.front());
                queue.pop_front();
            }
            deliver(m, sink);
            if (m.kind == Message::kFinish) return;
        }
    }
};

Collector::Collector(CollectorOptions opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}

Collector::~Collector() {
    if (impl_->receiver.joinable() || impl_->writer.joinable()) {
        try {
            stop();
        } catch (const std::exception& e) {
            warn(e.what());
        }
    }
}

std::vector<std::string> Collector::describe() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < impl_->fds.size(); ++i) {
        out.push_back("listening on " + impl_->names[i] + ", receive buffer " +
                      std::to_string(wire::receive_buffer(impl_->fds[i]) >> 10) + " KiB");
    }
    if (impl_->opts.write_inline) out.push_back("one CPU: the receiving thread also writes");
    return out;
}

void Collector::start(BlockSink& sink) {
    Impl& im = *impl_;
    im.sink = &sink;
    if (!im.opts.write_inline) {
        im.writer = std::thread([&im, &sink] {
            try {
                im.write_loop(sink);
            } catch (...) {
                im.write_error = std::current_exception();
                im.error = true;
                std::lock_guard lk(im.mu);
                im.to_receiver.notify_all();
            }
        });
    }
    im.receiver = std::thread([&im] {
        try {
            im.receive_loop();
        } catch (...) {
            im.receive_error = std::current_exception();
            im.error = true;
            // Let the writer finish what it has.
            im.push({Message::kFinish, nullptr, 0, im.snapshot()});
        }
    });
}

void Collector::submit(FlowBlock& b) {
    if (b.empty()) return;
    // The receiving thread calls the sink itself: a second caller would race it.
    if (impl_->opts.write_inline) throw std::logic_error("Collector::submit with write_inline");
    auto pooled = impl_->take_block();
    std::swap(*pooled, b);
    impl_->push({Message::kBlock, std::move(pooled), 0, nullptr});
}

void Collector::rotate_now() {
    impl_->rotate_requested = true;
}

bool Collector::failed() const {
    return impl_->error;
}

void Collector::stop() {
    Impl& im = *impl_;
    im.stopping = true;
    if (im.receiver.joinable()) im.receiver.join();
    // The writer ends after the finish the receiver queued, or at its first error; the error
    // of that last finish (the file cannot be put in place) is one to report too.
    if (im.writer.joinable()) im.writer.join();
    if (im.write_error) {
        // A writer that failed before the finish left it unread. The sink is finished here
        // instead, so that it keeps what it can (the store: the blocks written whole, the
        // exporters' counts). Should that fail too, the write error is the one reported: it
        // came first, and usually it is the same.
        if (!im.finish_delivered && im.sink) {
            try {
                im.sink->finish(*im.snapshot());
            } catch (const std::exception&) {
            }
        }
        std::rethrow_exception(im.write_error);
    }
    if (im.receive_error) std::rethrow_exception(im.receive_error);
}

}  // namespace fk
