// libFuzzer harness for the QUIC Initial reader. The first byte picks the mode:
//   even: the rest is a sequence of datagrams, each with a 2-byte length, fed as received
//         (and each read as a Google QUIC hello too);
//   odd:  the rest is plaintext frames, protected into Initial packets of 600 bytes each with
//         the keys of a fixed connection ID, so that fuzzing reaches the frame walker, the
//         CRYPTO reassembly and the TLS parser behind the decryption.
#include <algorithm>
#include <cstdlib>
#include <span>
#include <vector>

#include "l7/quic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fk::l7;
    if (size < 1) return 0;
    static std::vector<uint8_t> scratch(quic::kMaxInitialPlaintext);
    QuicInitialReader reader;
    std::span<const uint8_t> rest(data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        while (rest.size() >= 2) {
            size_t len =
                std::min<size_t>(static_cast<size_t>(rest[0] << 8 | rest[1]), rest.size() - 2);
            GquicHello g;
            if (parse_gquic_client_hello(rest.subspan(2, len), g) == Status::done &&
                !g.sni.empty() &&
                (reinterpret_cast<const uint8_t*>(g.sni.data()) < rest.data() ||
                 reinterpret_cast<const uint8_t*>(g.sni.data()) + g.sni.size() >
                     rest.data() + 2 + len)) {
                std::abort();
            }
            Status s = reader.feed(rest.subspan(2, len), scratch);
            rest = rest.subspan(2 + len);
            if (s != Status::need_more) break;
        }
    } else {
        static const uint8_t kDcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
        quic::InitialKeys keys;
        if (!quic::derive_initial_keys(quic::kVersion1, kDcid, quic::Sender::client, keys)) {
            std::abort();
        }
        uint32_t pn = 0;
        std::vector<uint8_t> packet(1400);
        while (!rest.empty()) {
            std::vector<uint8_t> frames(rest.begin(),
                                        rest.begin() + std::min<size_t>(600, rest.size()));
            rest = rest.subspan(frames.size());
            frames.resize(std::max<size_t>(frames.size(), 20), 0);
            quic::InitialPacketFields f;
            f.dcid = kDcid;
            f.packet_number = pn++;
            size_t n = quic::protect_initial(keys, f, frames, packet);
            if (n == 0) std::abort();
            Status s = reader.feed(std::span(packet.data(), n), scratch);
            if (s == Status::not_this) std::abort();  // a valid Initial is always recognised
            if (s != Status::need_more) break;
        }
    }
    if (reader.hello().alpn().size() > kMaxAlpnText) std::abort();
    return 0;
}
