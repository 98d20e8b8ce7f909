// Helpers for the packet tests: run the probe over a capture and keep its records, read the
// truth tables of ../shared/data.
#pragma once
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "packet/probe.h"
#include "record/ipaddr.h"

namespace fk::test {

struct Rec {
    std::string src, dst;
    uint16_t sport = 0, dport = 0;
    uint8_t proto = 0, flags = 0, app = 0, tunnel = 0;
    uint64_t packets = 0, bytes = 0, start = 0, end = 0;
    uint32_t rtt_client = 0, rtt_server = 0, srt = 0, retrans = 0, sampling = 0;
    uint64_t src_mac = 0, dst_mac = 0;
    uint16_t ether_type = 0, vlan = 0;
    std::string tun_src, tun_dst;
    std::string sni, http_host, dns_qname, alpn, http_method;
    uint16_t tls_version = 0, http_status = 0, dns_qtype = 0;
    uint8_t ech = 0, dns_rcode = 0;
};

class CollectSink : public FlowSink {
  public:
    std::vector<Rec> recs;
    void write(FlowBlock& b) override {
        for (size_t i = 0; i < b.size(); ++i) {
            FlowRecord r;
            b.record(i, r);
            Rec x;
            // Layer-2 flows have no addresses; "::" is a real IPv6 source (address probes).
            if (!r.ether_type) {
                x.src = ip_string(r.src);
                x.dst = ip_string(r.dst);
            }
            x.sport = r.sport;
            x.dport = r.dport;
            x.proto = r.proto;
            x.flags = r.flags;
            x.app = r.app;
            x.tunnel = r.tunnel;
            x.packets = r.packets;
            x.bytes = r.bytes;
            x.start = r.start;
            x.end = r.end;
            x.rtt_client = r.rtt_client;
            x.rtt_server = r.rtt_server;
            x.srt = r.srt;
            x.retrans = r.retrans;
            x.sampling = r.sampling;
            x.src_mac = r.src_mac;
            x.dst_mac = r.dst_mac;
            x.ether_type = r.ether_type;
            x.vlan = r.vlan;
            x.tun_src = r.tun_src.is_zero() ? "" : ip_string(r.tun_src);
            x.tun_dst = r.tun_dst.is_zero() ? "" : ip_string(r.tun_dst);
            x.sni = r.sni;
            x.http_host = r.http_host;
            x.dns_qname = r.dns_qname;
            x.alpn = r.alpn;
            x.http_method = r.http_method;
            x.tls_version = r.tls_version;
            x.http_status = r.http_status;
            x.dns_qtype = r.dns_qtype;
            x.ech = r.ech;
            x.dns_rcode = r.dns_rcode;
            recs.push_back(std::move(x));
        }
    }
};

struct RunResult {
    std::vector<Rec> recs;
    ProbeStats stats;
    CacheStats cache;
    std::vector<std::string> warnings;
};

inline RunResult run_probe(const std::vector<std::string>& paths, const ProbeOptions& opts = {}) {
    CollectSink sink;
    Probe probe(opts, sink);
    RunResult r;
    r.warnings = read_captures(paths, probe).warnings;
    r.recs = std::move(sink.recs);
    r.stats = probe.stats();
    r.cache = probe.cache_stats();
    return r;
}

// A tab-separated table with a header line: rows as maps from column name to text.
using Row = std::map<std::string, std::string>;
inline std::vector<Row> read_tsv(const std::string& path) {
    std::vector<Row> rows;
    std::ifstream in(path);
    std::string line;
    std::vector<std::string> head;
    const auto split = [](const std::string& s) {
        std::vector<std::string> out;
        std::string cell;
        std::istringstream is(s);
        while (std::getline(is, cell, '\t')) out.push_back(cell);
        if (!s.empty() && s.back() == '\t') out.emplace_back();
        return out;
    };
    if (!std::getline(in, line)) return rows;
    head = split(line);
    while (std::getline(in, line)) {
        const auto cells = split(line);
        Row r;
        for (size_t i = 0; i < head.size(); ++i) r[head[i]] = i < cells.size() ? cells[i] : "";
        rows.push_back(std::move(r));
    }
    return rows;
}

}  // namespace fk::test
