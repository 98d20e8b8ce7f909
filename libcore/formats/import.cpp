#include "formats/import.h"

#include <zlib.h>

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

bool is_gzip(std::string_view data) {
    return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
           static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string_view without_bom(std::string_view text) {
    return text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
}

std::string gunzip(std::string_view data, const std::string& name) {
    z_stream z{};
    // 16 + MAX_WBITS: gzip framing.
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw DataError(name + ": zlib init failed");
    std::string out;
    out.resize(std::max<size_t>(data.size() * 4, 1 << 16));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    size_t produced = 0;
    for (;;) {
        if (produced == out.size()) out.resize(out.size() * 2);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        z.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, 1u << 30));
        const int rc = inflate(&z, Z_NO_FLUSH);
        produced = static_cast<size_t>(reinterpret_cast<char*>(z.next_out) - out.data());
        if (rc == Z_STREAM_END) {
            // Concatenated gzip members (cat a.gz b.gz) continue.
            if (z.avail_in == 0) break;
            inflateReset(&z);
            continue;
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0 && z.avail_out > 0) {
            inflateEnd(&z);
            throw DataError(name + ": truncated gzip data at input offset " +
                            std::to_string(data.size()));
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            const std::string msg = z.msg ? z.msg : "error " + std::to_string(rc);
            const size_t at = data.size() - z.avail_in;
            inflateEnd(&z);
            throw DataError(name + ": gzip: " + msg + " at input offset " + std::to_string(at));
        }
    }
    inflateEnd(&z);
    out.resize(produced);
    return out;
}

}  // namespace fk
