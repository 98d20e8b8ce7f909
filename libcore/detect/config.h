// flowdetect's settings: windows, thresholds and lists per method, read from an INI-like file
//   [section]
//   key = value        # or ; comments
// Defaults are the values below (man flowdetect lists them); times are seconds.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fk::detect {

struct ScanConfig {
    bool enabled = true;
    uint64_t window = 60;
    uint64_t hosts = 64;       // horizontal: distinct targets on one port from one source
    uint64_t ports = 100;      // vertical: distinct ports of one target from one source
    uint64_t max_packets = 3;  // a probe flow has at most this many packets
};

struct FloodConfig {
    bool enabled = true;
    uint64_t window = 10;
    uint64_t syn_rate = 200;    // SYN-only packets/s toward one address and port
    uint64_t sources = 50;      // distinct sources that make a flood distributed
    uint64_t dos_pps = 100000;  // packets/s toward one address, any protocol
};

struct BruteConfig {
    bool enabled = true;
    uint64_t window = 600;
    uint64_t attempts = 10;          // short sessions of one source to one service
    uint64_t max_duration = 30;      // an attempt lasts less (s)
    double similarity = 0.5;         // coefficient of variation of attempt bytes at most
    uint64_t success_duration = 60;  // a session this long after attempts is a likely login
    std::vector<uint16_t> ports = {22,  3389, 21,  23,  445,  25,   587, 465,
                                   143, 993,  110, 995, 5900, 1433, 3306};
};

struct BlacklistConfig {
    bool enabled = true;
    uint64_t window = 300;
    std::vector<std::string> ip_lists;      // FireHOL ipset, plain, IPsum, Suricata iprep
    std::vector<std::string> domain_lists;  // hosts file or plain
};

struct MiningConfig {
    bool enabled = true;
    uint64_t window = 300;
    std::vector<uint16_t> ports = {3333, 4444, 5555, 7777, 14433, 14444, 45560, 45700};
    std::vector<std::string> pool_lists;  // domain lists of pools (added to the built-in one)
    uint64_t chain_window = 3600;         // cryptojacking: stages at most this far apart
};

struct DnsConfig {
    bool enabled = true;
    uint64_t window = 300;
    uint64_t long_name = 52;             // a query name at least this long is "long"
    double entropy = 3.5;                // bits per character of the first label: "high entropy"
    uint64_t min_label = 12;             // entropy is judged on labels at least this long
    uint64_t tunnel_queries = 100;       // long or high-entropy queries per client and domain
    uint64_t tunnel_names = 150;         // distinct query names per client and domain
    uint64_t tunnel_bytes = 1000000;     // bytes per client and domain (both directions)
    uint64_t dga_nxdomain = 25;          // NXDOMAIN answers per client
    std::vector<std::string> resolvers;  // allowed resolvers (empty: any)
};

struct VolumeConfig {
    bool enabled = true;
    uint64_t window = 3600;         // outbound bytes of a host are judged per window
    double factor = 4.0;            // over the baseline mean by this many deviations
    uint64_t min_bytes = 10000000;  // and by at least this many bytes
    uint64_t learn = 5;             // windows of the same hour of day before judging
    uint64_t bytes = 1000000000;    // judged without a baseline: this much is exfiltration
    std::vector<std::string> internal = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                         "fc00::/7"};
};

struct OtConfig {
    bool enabled = true;
    std::vector<std::string> segments;  // OT networks (CIDRs); none: the method is idle
    uint64_t learn = 3600;              // the first seconds of traffic only teach the baseline
    uint64_t window = 300;
};

struct EveConfig {
    uint64_t slack = 5;  // an alert joins a flow it falls within, give or take this (s)
};

struct DetectConfig {
    uint64_t max_hosts = 50000;  // state entries per method table; beyond: eviction
    uint64_t max_distinct = 1024;
    // Windows close this long after their end in stream time (the latest flow start seen),
    // since flows arrive when they end: a flow cache reports a SYN probe after its idle
    // timeout, while later flows may already have been reported.
    uint64_t delay = 60;
    ScanConfig scan;
    FloodConfig flood;
    BruteConfig brute;
    BlacklistConfig blacklist;
    MiningConfig mining;
    DnsConfig dns;
    VolumeConfig volume;
    OtConfig ot;
    EveConfig eve;
    std::string state;  // baselines of volume and ot, read at start and written at the end
};

// Reads a config file over the defaults; UsageError "FILE:LINE: ..." on a bad line.
void load_config(const std::string& path, DetectConfig& c);
// Applies "section.key=value" (command-line overrides); UsageError when unknown.
void set_config(DetectConfig& c, const std::string& section, const std::string& key,
                const std::string& value, const std::string& where);
// Refuses settings that make no sense together (a threshold on a distinct count above
// max_distinct, where counts stop); UsageError naming them. Call once all are applied.
void check_config(const DetectConfig& c);
// Enables only the named methods (comma-separated: scan,synflood,bruteforce,...).
void select_methods(DetectConfig& c, const std::string& list);

}  // namespace fk::detect
