// Classic pcap output (Ethernet, microsecond timestamps, little-endian), built in place:
// frames are crafted straight into the output buffer, so writing a packet copies nothing.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/io.h"

namespace fk::synth {

// Largest frame flowsynth crafts: larger IP datagrams are fragmented to the MTU first.
constexpr size_t kMaxFrame = 16384;

class PcapWriter {
  public:
    // Writes the file header. Frames longer than snaplen are cut to it in the file (their
    // original length is kept in the record header, as tcpdump -s does).
    PcapWriter(Output& out, uint32_t snaplen);

    // Where to build the next frame: kMaxFrame writable bytes, valid until commit().
    uint8_t* frame() { return reinterpret_cast<uint8_t*>(out_.reserve(16 + kMaxFrame)) + 16; }
    // Writes the record of the frame built at frame(): time in microseconds, wire length.
    void commit(uint64_t time_us, size_t length);

    uint64_t packets() const { return packets_; }
    uint32_t snaplen() const { return snaplen_; }

  private:
    Output& out_;
    uint32_t snaplen_;
    uint64_t packets_ = 0;
};

}  // namespace fk::synth
