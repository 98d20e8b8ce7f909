// The time-sliced flow store of flowcapture: DIR/YYYY/MM/DD/flows-YYYYMMDDHHMM.flows, one file
// per rotation interval, named by the UTC start of its interval so that any tool can pick
// files by time without opening them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fk {

// The path of the store file whose interval starts at slot_start (microseconds, UTC).
std::string store_file_path(const std::string& dir, uint64_t slot_start);

// The interval start encoded in a store file name ("flows-202503031000.flows", or
// "flows-202503031000-2.flows" for a later file of the same interval, written after a restart
// or a forced rotation); nullopt for any other name.
std::optional<uint64_t> store_file_time(std::string_view file_name);

// The sequence number of a later file of an interval ("-2" above); 0 for the first.
unsigned store_file_seq(std::string_view file_name);

// The path for a new file of the interval starting at slot_start that names no existing
// file, nor `taken` (a file not renamed into place yet): store_file_path(), or the same with
// "-1", "-2", ... before ".flows".
std::string free_store_path(const std::string& dir, uint64_t slot_start,
                            const std::string& taken = {});

// Every flow file below dir (files ending in .flows, hidden and temporary files excluded), in
// time order: store files by the time (and sequence) in their name, then other files by path. Store
// files whose interval cannot hold flows of [from, to] are left out; `margin` is how far flows in a
// file may lie outside its interval (long flows are exported late).
std::vector<std::string> list_flow_files(const std::string& dir, uint64_t from = 0,
                                         uint64_t to = UINT64_MAX,
                                         uint64_t margin = 3600ull * 1'000'000);

}  // namespace fk
