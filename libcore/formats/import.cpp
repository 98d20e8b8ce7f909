#include "formats/import.h"

#include "common/error.h"
#include "formats/cloud.h"
#include "formats/nfcsv.h"

namespace fk {

std::vector<std::string> import_formats() {
    return {"aws", "azure", "gcp", "eve", "nfcsv"};
}

std::unique_ptr<Importer> make_importer(const std::string& format) {
    if (format == "aws") return std::make_unique<AwsVpcImporter>();
    if (format == "azure") return std::make_unique<AzureImporter>();
    if (format == "gcp") return std::make_unique<GcpImporter>();
    if (format == "eve") return std::make_unique<EveImporter>();
    if (format == "nfcsv") return std::make_unique<NfcsvImporter>();
    std::string known;
    for (const auto& f : import_formats()) known += (known.empty() ? "" : ", ") + f;
    throw UsageError("unknown format '" + format + "' (known: " + known + ")");
}

namespace {

bool starts_with_word(std::string_view s, std::string_view w) {
    return s.starts_with(w) && (s.size() == w.size() || s[w.size()] == ' ');
}

}  // namespace

std::string guess_format(std::string_view head) {
    const size_t first = head.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return "";
    head.remove_prefix(first);
    if (head.starts_with("ts,te,td,sa,da,")) return "nfcsv";
    if (head.front() == '{' || head.front() == '[') {
        auto has = [&](std::string_view k) { return head.find(k) != std::string_view::npos; };
        if (has("\"event_type\"")) return "eve";
        if (has("NetworkSecurityGroupFlowEvent") || has("FlowLogFlowEvent") ||
            has("\"flowTuples\"") || has("\"flowRecords\""))
            return "azure";
        if (has("\"jsonPayload\"") || has("vpc_flows")) return "gcp";
        if (has("\"logEvents\"")) return "aws";
        return "";
    }
    // An AWS header line (S3 delivery), or a header-less default-format record:
    // "2 123456789010 eni-... ".
    if (starts_with_word(head, "version") || head.starts_with("account-id ") ||
        head.starts_with("interface-id ") || head.starts_with("srcaddr ") ||
        head.starts_with("instance-id ")) {
        return "aws";
    }
    const size_t eol = head.find('\n');
    const std::string_view line = head.substr(0, eol);
    if (line.starts_with("2 ") && line.find(" eni-") != std::string_view::npos) return "aws";
    return "";
}

void Importer::import(std::string_view text, const std::string& name, const ImportOptions& opts,
                      const FlowSink& sink, ImportStats& stats) {
    LineReader in(text, name);
    read(in, opts, sink, stats);
}

}  // namespace fk
