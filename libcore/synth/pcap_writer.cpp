#include "synth/pcap_writer.h"

#include <cstring>

namespace fk::synth {

namespace {
void put_le32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
}  // namespace

PcapWriter::PcapWriter(Output& out, uint32_t snaplen) : out_(out), snaplen_(snaplen) {
    uint8_t header[24];
    put_le32(header, 0xa1b2c3d4);  // microsecond timestamps
    header[4] = 2;                 // version 2.4
    header[5] = 0;
    header[6] = 4;
    header[7] = 0;
    put_le32(header + 8, 0);   // thiszone
    put_le32(header + 12, 0);  // sigfigs
    put_le32(header + 16, snaplen);
    put_le32(header + 20, 1);  // LINKTYPE_ETHERNET
    out_.write(header, sizeof header);
}

void PcapWriter::commit(uint64_t time_us, size_t length) {
    uint8_t* record = reinterpret_cast<uint8_t*>(out_.reserve(16 + kMaxFrame));
    const uint32_t caplen = length < snaplen_ ? static_cast<uint32_t>(length) : snaplen_;
    put_le32(record, static_cast<uint32_t>(time_us / 1'000'000));
    put_le32(record + 4, static_cast<uint32_t>(time_us % 1'000'000));
    put_le32(record + 8, caplen);
    put_le32(record + 12, static_cast<uint32_t>(length));
    out_.commit(16 + caplen);
    ++packets_;
}

}  // namespace fk::synth
