#include "common/time.h"
#include "formats/cloud.h"
#include "formats/import_util.h"

namespace fk {

using imp::LineError;
using simdjson::dom::element;

void GcpImporter::read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
                       ImportStats& stats) {
    imp::for_each_json(in, opts, stats, [&](element entry, size_t) {
        ++stats.lines;
        element payload;
        // Other log entries of the same export (audit, firewall) carry no connection.
        if (entry["jsonPayload"].get(payload) || !imp::has_member(payload, "connection")) {
            std::string_view log;
            if (!entry["logName"].get(log) && !log.ends_with("vpc_flows")) {
                ++stats.ignored;
                return;
            }
            throw LineError{"not a VPC flow log entry: no jsonPayload.connection"};
        }
        const element conn = imp::member(payload, "connection");
        FlowRecord r;
        r.src = imp::to_ip(imp::str_member(conn, "src_ip"), "src_ip");
        r.dst = imp::to_ip(imp::str_member(conn, "dest_ip"), "dest_ip");
        r.proto = static_cast<uint8_t>(imp::num_member(conn, "protocol", 255));
        if (imp::has_member(conn, "src_port"))
            r.sport = static_cast<uint16_t>(imp::num_member(conn, "src_port", 65535));
        if (imp::has_member(conn, "dest_port"))
            r.dport = static_cast<uint16_t>(imp::num_member(conn, "dest_port", 65535));
        r.packets =
            imp::has_member(payload, "packets_sent") ? imp::num_member(payload, "packets_sent") : 0;
        r.bytes =
            imp::has_member(payload, "bytes_sent") ? imp::num_member(payload, "bytes_sent") : 0;
        r.start = imp::time_member(payload, "start_time");
        r.end =
            imp::has_member(payload, "end_time") ? imp::time_member(payload, "end_time") : r.start;
        if (r.end < r.start) r.end = r.start;
        // GCP logs only allowed traffic unless firewall logging is on; a "disposition" is
        // present in the newer networkmanagement log.
        std::string_view disp;
        if (!payload["disposition"].get(disp)) {
            if (disp == "ALLOWED")
                r.action = 1;
            else if (disp == "DENIED")
                r.action = 2;
        }
        r.sampling = 1;
        sink(r);
        ++stats.flows;
    });
}

}  // namespace fk
