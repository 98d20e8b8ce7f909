#include "packet/probe.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>

#include "common/error.h"

namespace fk {

namespace {

constexpr uint64_t kFragTimeoutUs = 30 * 1000000ull;  // as the usual reassembly timeout

uint64_t splitmix64(uint64_t& s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

// IP fragments: the first fragment's ports apply to the whole datagram. Later fragments
// that come before their first fragment wait here (counted, not stored) until it comes;
// if it never does they become a flow without ports when their entry times out.
struct Probe::Frags {
    struct Entry {
        IpAddr src, dst;
        uint32_t id = 0;
        uint16_t vlan = 0;
        uint8_t proto = 0;       // PacketView::frag_next, what every fragment names
        uint8_t flow_proto = 0;  // the first fragment's transport protocol
        bool used = false;
        bool known = false;  // the first fragment was seen: ports are valid
        // The first fragment completed its flow (a DNS answer): the flow ends with the
        // datagram's last fragment instead, so that the rest of the datagram counts in it.
        bool end_with_last = false;
        uint16_t sport = 0, dport = 0;
        uint64_t touched = 0;
        uint64_t held_packets = 0, held_bytes = 0, held_first = 0, held_last = 0;
    };
    static constexpr uint32_t kSize = 4096, kWindow = 8;
    std::vector<Entry> table = std::vector<Entry>(kSize);
    FlowCache& cache;
    ProbeStats& stats;
    Frags(FlowCache& c, ProbeStats& s) : cache(c), stats(s) {}

    static uint32_t hash(const PacketView& v) {
        uint64_t h = (v.src.lo ^ v.src.hi * 31) * 0x9E3779B97F4A7C15ull;
        h ^= (v.dst.lo ^ v.dst.hi * 31 ^ uint64_t{v.frag_id} << 8 ^ v.frag_next) *
             0xC2B2AE3D27D4EB4Full;
        return static_cast<uint32_t>(h >> 40);
    }
    static bool same(const Entry& e, const PacketView& v) {
        return e.used && e.id == v.frag_id && e.proto == v.frag_next && e.vlan == v.vlan &&
               e.src == v.src && e.dst == v.dst;
    }
    // Later fragments that never found their first fragment: a flow of their own.
    void release(Entry& e) {
        if (e.used && e.held_packets) {
            FlowKey k;
            k.src = e.src;
            k.dst = e.dst;
            k.proto = e.proto;
            k.vlan = e.vlan;
            cache.add_aggregate(k, e.held_packets, e.held_bytes, e.held_first, e.held_last);
            stats.flow_packets += e.held_packets;
            stats.fragments_held -= e.held_packets;
        }
        e = Entry{};
    }
    // What a full window gives up first: a free entry, then the least recently touched of
    // the fragments still waiting for their first fragment (released without ports, as they
    // would be if it never came), and only then a datagram's known ports. So a flood of
    // fragments that never find their first fragment cannot take the ports of real datagrams.
    static int keep_rank(const Entry& e) { return !e.used ? 0 : !e.known ? 1 : 2; }
    Entry& slot(const PacketView& v, uint64_t ts) {
        const uint32_t h = hash(v);
        Entry* victim = nullptr;
        for (uint32_t i = 0; i < kWindow; ++i) {
            Entry& e = table[(h + i) & (kSize - 1)];
            if (same(e, v) && e.touched + kFragTimeoutUs >= ts) return e;
            if (e.used && e.touched + kFragTimeoutUs < ts) release(e);
            if (!victim || keep_rank(e) < keep_rank(*victim) ||
                (keep_rank(e) == keep_rank(*victim) && e.touched < victim->touched))
                victim = &e;
        }
        release(*victim);
        victim->used = true;
        victim->src = v.src;
        victim->dst = v.dst;
        victim->id = v.frag_id;
        victim->proto = v.frag_next;
        victim->vlan = v.vlan;
        return *victim;
    }
    // The first fragment: remember its ports, account the fragments that came before it.
    void first(const PacketView& v, uint64_t ts) {
        Entry& e = slot(v, ts);
        e.known = true;
        e.flow_proto = v.proto;
        e.sport = v.sport;
        e.dport = v.dport;
        e.touched = ts;
        if (e.held_packets) {
            cache.add_aggregate(key_of(v, false), e.held_packets, e.held_bytes, e.held_first,
                                e.held_last);
            stats.flow_packets += e.held_packets;
            stats.fragments_held -= e.held_packets;
            e.held_packets = e.held_bytes = 0;
        }
    }
    // The flow of the first fragment v (just accounted) ends with the datagram's last one.
    void end_with_last(const PacketView& v, uint64_t ts) { slot(v, ts).end_with_last = true; }
    // A later fragment: true with the ports filled in when the first fragment is known;
    // `end_flow` when it is the last fragment of a datagram whose flow waits to end.
    bool later(PacketView& v, uint64_t ts, bool& end_flow) {
        Entry& e = slot(v, ts);
        e.touched = ts;
        if (e.known) {
            v.proto = e.flow_proto;
            v.sport = e.sport;
            v.dport = e.dport;
            end_flow = e.end_with_last && v.frag == kLastFragment;
            return true;
        }
        if (e.held_packets == 0) e.held_first = ts;
        e.held_last = ts;
        ++e.held_packets;
        e.held_bytes += v.bytes;
        ++stats.fragments_held;
        return false;
    }
    void release_all() {
        for (Entry& e : table) release(e);
    }
};

// A BPF filter applied in user space (capture files): compiled once per link type.
struct Probe::Filter {
    std::string expr;
    std::map<uint32_t, bpf_program> programs;
    explicit Filter(std::string e) : expr(std::move(e)) {}
    ~Filter() {
        for (auto& [link, prog] : programs) pcap_freecode(&prog);
    }
    const bpf_program& program(uint32_t link) {
        auto it = programs.find(link);
        if (it != programs.end()) return it->second;
        pcap_t* dead = pcap_open_dead(static_cast<int>(link), 262144);
        if (!dead) throw DataError("cannot set up a BPF filter");
        bpf_program prog{};
        if (pcap_compile(dead, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            const std::string msg = pcap_geterr(dead);
            pcap_close(dead);
            throw UsageError("filter '" + expr + "': " + msg);
        }
        pcap_close(dead);
        return programs.emplace(link, prog).first->second;
    }
    bool accept(const RawPacket& p) {
        pcap_pkthdr h{};
        h.caplen = p.caplen;
        h.len = p.wirelen;
        return pcap_offline_filter(&program(p.link), &h, p.data) != 0;
    }
};

Probe::Probe(const ProbeOptions& opts, FlowSink& sink)
    : opts_(opts), sink_(sink), cache_(opts.cache), rng_(opts.seed) {
    if (opts_.sample == 0) opts_.sample = 1;
    opts_.decode.ip_macs = false;  // IP flows are keyed and written without MAC addresses
    frags_ = std::make_unique<Frags>(cache_, stats_);
    if (!opts_.filter.empty()) {
        filter_ = std::make_unique<Filter>(opts_.filter);
        filter_->program(kLinkEthernet);  // reports a syntax error before any input is read
    }
}

Probe::~Probe() = default;

bool Probe::keep_sample() {
    if (opts_.sample_mode == SampleMode::kSystematic) {
        // One packet in N, the first of each run of N (as a router's deterministic sampler).
        const bool keep = sample_count_ == 0;
        if (++sample_count_ == opts_.sample) sample_count_ = 0;
        return keep;
    }
    return splitmix64(rng_) % opts_.sample == 0;
}

void Probe::drain() {
    if (cache_.pending() == 0) return;
    sink_.write(cache_.out());
    cache_.clear_out();
}

// Sampling, filter and decoding: true when the packet goes on to the flow cache.
bool Probe::admit(const RawPacket& p, PacketView& v, bool& layer2) {
    ++stats_.packets;
    if (opts_.sample > 1 && !keep_sample()) {
        ++stats_.sampled_out;
        return false;
    }
    if (filter_ && !filter_->accept(p)) {
        ++stats_.filtered_out;
        return false;
    }
    const Decoded d = decode_packet(p.data, p.caplen, p.wirelen, p.link, opts_.decode, v);
    if (d == Decoded::kNotIp) {
        ++stats_.not_ip;
        return false;
    }
    if (d == Decoded::kMalformed) {
        ++stats_.malformed;
        return false;
    }
    layer2 = d == Decoded::kLayer2;
    return true;
}

void Probe::account(PacketView& v, bool layer2, uint64_t ts, const FlowKey* key, uint32_t h) {
    bool last_ends_flow = false;
    if (v.frag == kFirstFragment) {
        frags_->first(v, ts);
    } else if (v.frag != kNotFragment) {
        if (!frags_->later(v, ts, last_ends_flow)) return;
        key = nullptr;  // the ports came from the first fragment: the key changed
    }
    ++stats_.flow_packets;
    if (layer2) ++stats_.layer2;
    const uint32_t idx = key ? cache_.add(v, layer2, ts, *key, h) : cache_.add(v, layer2, ts);
    if ((opts_.metadata && meta_.packet(cache_, idx, v)) || last_ends_flow) {
        if (v.frag == kFirstFragment)
            frags_->end_with_last(v, ts);
        else
            cache_.end(idx);
    } else {
        cache_.end_if_closed(idx, v);
    }
    if (cache_.pending() >= opts_.block_rows) drain();
}

void Probe::packet(const RawPacket& p) {
    PacketView v;
    bool layer2 = false;
    if (admit(p, v, layer2)) account(v, layer2, p.ts_us, nullptr, 0);
}

void Probe::packets(const RawPacket* ps, size_t n) {
    // Decode the batch (asking for each packet's table slot), then walk it asking for the
    // memory each lookup needs a few packets ahead of accounting it: the entry a slot points
    // to kEntryAhead packets ahead, the connection an entry points to kConnAhead packets
    // ahead. The cache misses overlap with the work on the packets before instead of
    // queueing.
    constexpr size_t kEntryAhead = 4, kConnAhead = 2;
    PacketView* views = batch_.views;
    FlowKey* keys = batch_.keys;
    uint32_t* hashes = batch_.hashes;
    bool* layer2 = batch_.layer2;
    bool* keep = batch_.keep;
    if (n > kBatch) n = kBatch;
    for (size_t i = 0; i < n; ++i) {
        keep[i] = admit(ps[i], views[i], layer2[i]);
        if (!keep[i]) continue;
        keys[i] = key_of(views[i], layer2[i]);
        hashes[i] = FlowCache::hash(keys[i]);
        cache_.prefetch_slot(hashes[i]);
    }
    for (size_t i = 0; i < n && i < kEntryAhead; ++i)
        if (keep[i]) cache_.prefetch_entry(hashes[i], keys[i]);
    for (size_t i = 0; i < n && i < kConnAhead; ++i)
        if (keep[i]) cache_.prefetch_conn(hashes[i]);
    for (size_t i = 0; i < n; ++i) {
        if (const size_t j = i + kEntryAhead; j < n && keep[j])
            cache_.prefetch_entry(hashes[j], keys[j]);
        if (const size_t j = i + kConnAhead; j < n && keep[j]) cache_.prefetch_conn(hashes[j]);
        if (keep[i]) account(views[i], layer2[i], ps[i].ts_us, &keys[i], hashes[i]);
    }
}

void Probe::tick(uint64_t now_us) {
    cache_.expire(now_us);
    drain();
}

void Probe::finish() {
    frags_->release_all();
    cache_.flush_all();
    drain();
}

ReadResult read_captures(const std::vector<std::string>& paths, Probe& probe,
                         const ReadOptions& options) {
    const ProgressFn progress = options.progress;
    void* const ctx = options.ctx;
    // Every file is opened (and its header checked) before any packet is read, so a bad
    // file among several is reported without half a result.
    // Files merged by time share 16 buffers' worth (64 KB each at least): each had a whole
    // one, and 300 files of one packet took 316 MB with 1 MB buffers.
    const size_t buffer =
        std::clamp<size_t>(16 * CaptureFile::kBufferBytes / std::max<size_t>(paths.size(), 1),
                           64u << 10, CaptureFile::kBufferBytes);
    std::vector<std::unique_ptr<CaptureFile>> files;
    uint64_t total = 0;
    for (const auto& p : paths) {
        files.push_back(
            std::make_unique<CaptureFile>(p, options.read_ahead && paths.size() == 1, buffer));
        total += files.back()->size();
    }
    const auto done_bytes = [&] {
        uint64_t d = 0;
        for (const auto& f : files) d += f->offset();
        return d;
    };
    uint64_t n = 0;
    bool interrupted = false;
    try {
        if (files.size() == 1) {
            CaptureFile& f = *files[0];
            RawPacket batch[Probe::kBatch];
            while (const size_t k = f.next_batch(batch, Probe::kBatch)) {
                probe.packets(batch, k);
                const uint64_t before = n;
                n += k;
                if (progress && (before >> 16) != (n >> 16))
                    progress(ctx, done_bytes(), total, probe);
            }
        } else {
            // Merge by time: each file's next packet waits; the earliest goes first.
            std::vector<RawPacket> head(files.size());
            std::vector<bool> live(files.size());
            for (size_t i = 0; i < files.size(); ++i) live[i] = files[i]->next(head[i]);
            for (;;) {
                size_t best = files.size();
                for (size_t i = 0; i < files.size(); ++i)
                    if (live[i] && (best == files.size() || head[i].ts_us < head[best].ts_us))
                        best = i;
                if (best == files.size()) break;
                probe.packet(head[best]);
                live[best] = files[best]->next(head[best]);
                if (progress && (++n & 0xffff) == 0) progress(ctx, done_bytes(), total, probe);
            }
        }
    } catch (const Interrupted&) {
        interrupted = true;
    }
    probe.finish();
    ReadResult r;
    r.interrupted = interrupted;
    for (const auto& f : files)
        if (f->truncated())
            r.warnings.push_back(f->path() + ": " + f->cut_reason() + " at byte offset " +
                                 std::to_string(f->truncated_at()) +
                                 " (flows up to the cut are kept)");
    return r;
}

void capture_live(const std::string& iface, const std::string& filter, Probe& probe,
                  const std::atomic<bool>& stop) {
    char err[PCAP_ERRBUF_SIZE] = {0};
    pcap_t* pc = pcap_create(iface.c_str(), err);
    if (!pc) throw DataError(iface + ": " + err);
    struct Closer {
        pcap_t* p;
        ~Closer() { pcap_close(p); }
    } closer{pc};
    pcap_set_snaplen(pc, 262144);
    pcap_set_promisc(pc, 1);
    pcap_set_timeout(pc, 100);  // wake up to expire flows when the interface is quiet
    pcap_set_buffer_size(pc, 32 << 20);
    if (pcap_activate(pc) < 0) throw DataError(iface + ": " + pcap_geterr(pc));
    const int link = pcap_datalink(pc);
    if (!link_type_supported(static_cast<uint32_t>(link)))
        throw DataError(iface + ": unsupported link type " + std::to_string(link) + " (" +
                        link_type_name(static_cast<uint32_t>(link)) + ")");
    if (!filter.empty()) {
        bpf_program prog{};
        if (pcap_compile(pc, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
            throw UsageError("filter '" + filter + "': " + pcap_geterr(pc));
        const int rc = pcap_setfilter(pc, &prog);
        pcap_freecode(&prog);
        if (rc != 0) throw DataError(iface + ": " + pcap_geterr(pc));
    }
    const auto wall_us = [] {
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
    };
    // Non-blocking reads behind poll(): a signal or a quiet interface never leaves us stuck
    // inside libpcap, so `stop` is seen within the poll timeout.
    if (pcap_setnonblock(pc, 1, err) != 0) throw DataError(iface + ": " + err);
    const int fd = pcap_get_selectable_fd(pc);
    struct Ctx {
        Probe* probe;
        uint32_t link;
    } ctx{&probe, static_cast<uint32_t>(link)};
    const auto on_packet = [](u_char* user, const pcap_pkthdr* h, const u_char* data) {
        const auto* c = reinterpret_cast<const Ctx*>(user);
        RawPacket p;
        p.ts_us = uint64_t(h->ts.tv_sec) * 1000000u + uint64_t(h->ts.tv_usec);
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.link = c->link;
        c->probe->packet(p);
    };
    uint64_t last_tick = wall_us();
    while (!stop.load(std::memory_order_relaxed)) {
        pollfd pfd{fd, POLLIN, 0};
        const int ready = fd >= 0 ? ::poll(&pfd, 1, 100) : 1;
        if (ready < 0 && errno != EINTR) throw DataError(iface + ": " + errno_text(errno));
        if (ready > 0) {
            const int n = pcap_dispatch(pc, -1, on_packet, reinterpret_cast<u_char*>(&ctx));
            if (n == PCAP_ERROR) throw DataError(iface + ": " + pcap_geterr(pc));
        }
        const uint64_t now = wall_us();
        if (now - last_tick >= 1000000u) {
            probe.tick(now);
            last_tick = now;
        }
    }
    probe.finish();
}

}  // namespace fk
