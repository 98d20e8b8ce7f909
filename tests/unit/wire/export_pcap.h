// Reads the UDP payloads (export datagrams) and their source addresses out of an Ethernet
// capture, for feeding decoders in tests.
#pragma once
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "record/ipaddr.h"
#include "test_util.h"

namespace fk::test {

// ../shared/data, "" when absent.
inline std::string wire_test_data() {
    return shared_data();
}

struct ExportDatagram {
    IpAddr source;
    std::vector<uint8_t> payload;
};

inline std::vector<ExportDatagram> read_export_pcap(const std::string& path) {
    std::vector<ExportDatagram> out;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) return out;
    pcap_pkthdr* h;
    const u_char* d;
    while (pcap_next_ex(p, &h, &d) == 1) {
        size_t off = 12, n = h->caplen;
        if (n < 14) continue;
        uint16_t type = static_cast<uint16_t>(d[off] << 8 | d[off + 1]);
        off += 2;
        while ((type == 0x8100 || type == 0x88a8) && off + 4 <= n) {
            type = static_cast<uint16_t>(d[off + 2] << 8 | d[off + 3]);
            off += 4;
        }
        ExportDatagram dg;
        size_t udp;
        if (type == 0x0800 && off + 20 <= n && d[off + 9] == 17) {
            dg.source = IpAddr::v4_bytes(d + off + 12);
            udp = off + (d[off] & 0x0f) * 4u;
        } else if (type == 0x86dd && off + 40 <= n && d[off + 6] == 17) {
            dg.source = IpAddr::v6(d + off + 8);
            udp = off + 40;
        } else {
            continue;
        }
        if (udp + 8 > n) continue;
        const size_t ulen = static_cast<size_t>(d[udp + 4] << 8 | d[udp + 5]);
        const size_t end = std::min(n, udp + std::max<size_t>(ulen, 8));
        dg.payload.assign(d + udp + 8, d + end);
        out.push_back(std::move(dg));
    }
    pcap_close(p);
    return out;
}

}  // namespace fk::test
