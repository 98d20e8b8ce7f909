// Cloud flow logs and Suricata EVE flow events (flowimport). Every importer makes
// unidirectional flows: a log record that counts both directions gives two flows.
#pragma once
#include "formats/import.h"

namespace fk {

// AWS VPC (and Transit Gateway) flow logs: space-separated records, version 2 default format
// or any custom field list given by the header line (S3 delivery) or ImportOptions::fields.
// NODATA / SKIPDATA records are counted, not imported.
class AwsVpcImporter : public Importer {
  public:
    void read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
              ImportStats& stats) override;
};

// Azure NSG flow logs (schema version 1 and 2) and VNet flow logs (flowLogVersion 4): one JSON
// document {"records": [...]} per blob, read whole; each flow tuple is a record.
class AzureImporter : public Importer {
  public:
    void read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
              ImportStats& stats) override;
};

// GCP VPC flow logs as Cloud Logging LogEntry JSON (one per line, or a pretty-printed one or
// array): compute.googleapis.com/vpc_flows and networkmanagement.googleapis.com/vpc_flows.
class GcpImporter : public Importer {
  public:
    void read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
              ImportStats& stats) override;
};

// Suricata EVE JSON: "flow" events (two directions) and "netflow" events (one); other event
// types are counted as ignored.
class EveImporter : public Importer {
  public:
    void read(LineReader& in, const ImportOptions& opts, const FlowSink& sink,
              ImportStats& stats) override;
};

}  // namespace fk
