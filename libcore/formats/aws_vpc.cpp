#include <array>

#include "common/time.h"
#include "formats/cloud.h"
#include "formats/import_util.h"
#include "record/names.h"

namespace fk {

namespace {

using imp::LineError;

enum Col : uint8_t {
    kOther,
    kVersion,
    kSrcaddr,
    kDstaddr,
    kSrcport,
    kDstport,
    kProtocol,
    kPackets,
    kBytes,
    kStart,
    kEnd,
    kAction,
    kLogStatus,
    kTcpFlags,
};

// Every field name of the AWS VPC and Transit Gateway flow log formats (versions 2 to 8): a
// line whose first word is one of these is a header.
constexpr std::array<std::string_view, 56> kFieldNames = {"version",
                                                          "account-id",
                                                          "interface-id",
                                                          "srcaddr",
                                                          "dstaddr",
                                                          "srcport",
                                                          "dstport",
                                                          "protocol",
                                                          "packets",
                                                          "bytes",
                                                          "start",
                                                          "end",
                                                          "action",
                                                          "log-status",
                                                          "vpc-id",
                                                          "subnet-id",
                                                          "instance-id",
                                                          "tcp-flags",
                                                          "type",
                                                          "pkt-srcaddr",
                                                          "pkt-dstaddr",
                                                          "region",
                                                          "az-id",
                                                          "sublocation-type",
                                                          "sublocation-id",
                                                          "pkt-src-aws-service",
                                                          "pkt-dst-aws-service",
                                                          "flow-direction",
                                                          "traffic-path",
                                                          "ecs-cluster-arn",
                                                          "ecs-cluster-name",
                                                          "ecs-container-instance-arn",
                                                          "ecs-container-instance-id",
                                                          "ecs-container-id",
                                                          "ecs-second-container-id",
                                                          "ecs-service-name",
                                                          "ecs-task-definition-arn",
                                                          "ecs-task-arn",
                                                          "ecs-task-id",
                                                          "reject-reason",
                                                          "tgw-id",
                                                          "tgw-attachment-id",
                                                          "tgw-src-vpc-account-id",
                                                          "tgw-dst-vpc-account-id",
                                                          "tgw-src-vpc-id",
                                                          "tgw-dst-vpc-id",
                                                          "tgw-src-subnet-id",
                                                          "tgw-dst-subnet-id",
                                                          "tgw-src-eni",
                                                          "tgw-dst-eni",
                                                          "tgw-src-az-id",
                                                          "tgw-dst-az-id",
                                                          "tgw-pair-attachment-id",
                                                          "packets-lost-no-route",
                                                          "packets-lost-blackhole",
                                                          "packets-lost-mtu-exceeded"};

bool is_field_name(std::string_view w) {
    if (w == "packets-lost-ttl-expired" || w == "resource-type") return true;
    for (auto n : kFieldNames)
        if (n == w) return true;
    return false;
}

Col column_of(std::string_view w) {
    if (w == "version") return kVersion;
    if (w == "srcaddr") return kSrcaddr;
    if (w == "dstaddr") return kDstaddr;
    if (w == "srcport") return kSrcport;
    if (w == "dstport") return kDstport;
    if (w == "protocol") return kProtocol;
    if (w == "packets") return kPackets;
    if (w == "bytes") return kBytes;
    if (w == "start") return kStart;
    if (w == "end") return kEnd;
    if (w == "action") return kAction;
    if (w == "log-status") return kLogStatus;
    if (w == "tcp-flags") return kTcpFlags;
    return kOther;
}

constexpr size_t kMaxWords = 64;
constexpr std::string_view kDefaultFormat =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status";

// Splits on runs of spaces; returns the number of words (kMaxWords + 1 when there are more).
size_t split(std::string_view line, std::array<std::string_view, kMaxWords>& words) {
    size_t n = 0;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i == line.size()) break;
        const size_t b = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (n == kMaxWords) return kMaxWords + 1;
        words[n++] = line.substr(b, i - b);
    }
    return n;
}

struct Header {
    std::array<Col, kMaxWords> cols{};
    size_t n = 0;
    void set(const std::array<std::string_view, kMaxWords>& words, size_t count) {
        n = count;
        for (size_t i = 0; i < count; ++i) cols[i] = column_of(words[i]);
    }
};

// "-" is AWS's absent value.
bool absent(std::string_view w) {
    return w == "-";
}

}  // namespace

void AwsVpcImporter::read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
                          ImportStats& stats) {
    const std::string& name = in.name();
    std::array<std::string_view, kMaxWords> words;
    Header header;
    bool have_header = false, assumed = false;
    if (!opts.fields.empty()) {
        const size_t n = split(opts.fields, words);
        if (n > kMaxWords) throw UsageError("--fields: more than 64 fields");
        for (size_t i = 0; i < n; ++i) {
            if (!is_field_name(words[i]))
                throw UsageError("--fields: unknown AWS flow log field '" + std::string(words[i]) +
                                 "'");
        }
        header.set(words, n);
        have_header = true;
    }
    // One line of the log, or one CloudWatch message.
    auto record = [&](std::string_view line, size_t lineno) {
        const size_t n = split(line, words);
        if (n == 0) return;
        // A header line; concatenated S3 objects repeat it.
        if (n <= kMaxWords && is_field_name(words[0])) {
            for (size_t i = 0; i < n; ++i) {
                if (!is_field_name(words[i])) {
                    imp::malformed(name, lineno,
                                   "unknown field '" + std::string(words[i]) + "' in the header",
                                   opts, stats);
                    break;
                }
            }
            header.set(words, n);
            have_header = true;
            return;
        }
        ++stats.lines;
        try {
            if (!have_header) {
                // Without a header (CloudWatch Logs, Firehose) the default format is assumed.
                std::array<std::string_view, kMaxWords> def;
                header.set(def, split(kDefaultFormat, def));
                have_header = assumed = true;
            }
            if (n != header.n) {
                throw LineError{
                    (n > kMaxWords ? std::string("more than 64") : std::to_string(n)) +
                    " fields, the " +
                    (!opts.fields.empty() ? "field list"
                     : assumed            ? "default format"
                                          : "header") +
                    " has " + std::to_string(header.n) +
                    (assumed ? " (a custom format without a header needs --fields)" : "")};
            }
            FlowRecord r;
            bool skip = false;
            for (size_t i = 0; i < n && !skip; ++i) {
                const std::string_view w = words[i];
                switch (header.cols[i]) {
                    case kOther:
                    case kVersion:
                        break;
                    case kLogStatus:
                        if (w == "NODATA") {
                            ++stats.nodata;
                            skip = true;
                        } else if (w == "SKIPDATA") {
                            ++stats.skipdata;
                            skip = true;
                        } else if (w != "OK" && !absent(w)) {
                            throw LineError{"log-status: '" + std::string(w) + "'"};
                        }
                        break;
                    case kSrcaddr:
                        if (!absent(w)) r.src = imp::to_ip(w, "srcaddr");
                        break;
                    case kDstaddr:
                        if (!absent(w)) r.dst = imp::to_ip(w, "dstaddr");
                        break;
                    case kSrcport:
                        if (!absent(w))
                            r.sport = static_cast<uint16_t>(imp::to_u64(w, "srcport", 65535));
                        break;
                    case kDstport:
                        if (!absent(w))
                            r.dport = static_cast<uint16_t>(imp::to_u64(w, "dstport", 65535));
                        break;
                    case kProtocol:
                        if (!absent(w))
                            r.proto = static_cast<uint8_t>(imp::to_u64(w, "protocol", 255));
                        break;
                    case kPackets:
                        if (!absent(w)) r.packets = imp::to_u64(w, "packets");
                        break;
                    case kBytes:
                        if (!absent(w)) r.bytes = imp::to_u64(w, "bytes");
                        break;
                    case kStart:
                        if (!absent(w))
                            r.start =
                                imp::to_micros(imp::to_u64(w, "start"), kMicrosPerSecond, "start");
                        break;
                    case kEnd:
                        if (!absent(w))
                            r.end = imp::to_micros(imp::to_u64(w, "end"), kMicrosPerSecond, "end");
                        break;
                    case kTcpFlags:
                        if (!absent(w))
                            r.flags = static_cast<uint8_t>(imp::to_u64(w, "tcp-flags", 255));
                        break;
                    case kAction:
                        if (w == "ACCEPT") {
                            r.action = static_cast<uint8_t>(Action::accept);
                        } else if (w == "REJECT") {
                            r.action = static_cast<uint8_t>(Action::reject);
                        } else if (!absent(w)) {
                            throw LineError{"action: '" + std::string(w) + "'"};
                        }
                        break;
                }
            }
            if (skip) return;
            if (r.end < r.start) r.end = r.start;
            r.sampling = 1;
            sink(r);
            ++stats.flows;
        } catch (const LineError& e) {
            imp::malformed(name, lineno, e.what, opts, stats);
        }
    };
    const std::string_view head = in.peek_lines(1);
    const size_t first = head.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && head[first] == '{') {
        // CloudWatch Logs subscription deliveries (Firehose, Lambda): each logEvents message
        // is one record, in the default format unless --fields says otherwise.
        imp::for_each_json(in, opts, stats, [&](simdjson::dom::element doc, size_t line) {
            simdjson::dom::array events;
            if (imp::member(doc, "logEvents").get(events))
                throw LineError{"\"logEvents\" is not an array"};
            for (auto ev : events) record(imp::str_member(ev, "message"), line);
        });
        return;
    }
    std::string_view line;
    while (in.next_line(line)) record(line, in.line_number());
}

}  // namespace fk
