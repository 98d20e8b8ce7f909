#include <cstdio>
#include <cstring>

#include "synth/bytes.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

// BER TLV with a minimal length, content written by fill into a scratch buffer first.
template <class Fill>
void ber(Cursor& c, uint8_t tag, Fill fill) {
    uint8_t content[1024];
    Cursor inner(content);
    fill(inner);
    const size_t n = inner.size();
    c.u8(tag);
    if (n < 128) {
        c.u8(static_cast<unsigned>(n));
    } else if (n < 256) {
        c.u8(0x81).u8(static_cast<unsigned>(n));
    } else {
        c.u8(0x82).u16(static_cast<unsigned>(n));
    }
    c.bytes(content, n);
}

void ber_bytes(Cursor& c, uint8_t tag, std::initializer_list<uint8_t> bytes) {
    c.u8(tag).u8(static_cast<unsigned>(bytes.size()));
    for (uint8_t b : bytes) c.u8(b);
}

void ber_string(Cursor& c, uint8_t tag, std::string_view s) {
    c.u8(tag).u8(static_cast<unsigned>(s.size())).str(s);
}

// A non-negative INTEGER in the fewest bytes (leading zero when the top bit is set).
void ber_uint(Cursor& c, uint8_t tag, uint32_t v) {
    uint8_t bytes[5];
    int n = 0;
    do {
        bytes[n++] = static_cast<uint8_t>(v);
        v >>= 8;
    } while (v);
    if (bytes[n - 1] & 0x80) bytes[n++] = 0;
    c.u8(tag).u8(static_cast<unsigned>(n));
    while (n > 0) c.u8(bytes[--n]);
}

void tpkt_cotp_data(Cursor& c, size_t& tpkt_len_at) {
    c.u8(3).u8(0);
    tpkt_len_at = c.mark(2);
    c.u8(2).u8(0xf0).u8(0x80);  // COTP DT, last data unit
}

void finish_tpkt(Cursor& c, size_t tpkt_len_at) {
    put16(c.begin() + tpkt_len_at, static_cast<uint16_t>(c.size()));
}

// DNP3 link-layer CRC: polynomial 0x3D65, reflected, complemented.
uint16_t dnp3_crc(const uint8_t* p, size_t n) {
    uint16_t crc = 0;
    for (size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int b = 0; b < 8; ++b)
            crc = (crc & 1) ? static_cast<uint16_t>((crc >> 1) ^ 0xa6bc)
                            : static_cast<uint16_t>(crc >> 1);
    }
    return static_cast<uint16_t>(~crc);
}

// Wraps user data (transport + application layer) into a DNP3 link frame: the header and
// every 16-byte block of data each followed by their CRC.
size_t dnp3_frame(uint8_t* out, uint8_t control, uint16_t dst, uint16_t src, const uint8_t* data,
                  size_t n) {
    Cursor c(out);
    c.u8(0x05).u8(0x64).u8(static_cast<unsigned>(5 + n)).u8(control).u16le(dst).u16le(src);
    c.u16le(dnp3_crc(out, 8));
    for (size_t off = 0; off < n; off += 16) {
        const size_t k = n - off < 16 ? n - off : 16;
        const uint8_t* block = c.pos();
        c.bytes(data + off, k);
        c.u16le(dnp3_crc(block, k));
    }
    return c.size();
}

void mms_services_supported(Cursor& c) {
    ber_bytes(c, 0x80, {0x01});              // proposedVersionNumber
    ber_bytes(c, 0x81, {0x05, 0xf1, 0x00});  // parameterCBB
    ber_bytes(c, 0x82,
              {0x03, 0xee, 0x1c, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xef,
               0x18});  // servicesSupported
}

constexpr std::initializer_list<uint8_t> kMmsContextOid = {0x28, 0xca, 0x22, 0x02, 0x03};
constexpr std::initializer_list<uint8_t> kMmsAbstractSyntaxOid = {0x28, 0xca, 0x22, 0x02, 0x01};
constexpr std::initializer_list<uint8_t> kAcseOid = {0x52, 0x01, 0x00, 0x01};
constexpr std::initializer_list<uint8_t> kBerOid = {0x51, 0x01};

// ACSE user-information carrying an MMS PDU in presentation context 3.
template <class Fill>
void acse_user_information(Cursor& c, Fill mms) {
    ber(c, 0xbe, [&](Cursor& ui) {
        ber(ui, 0x28, [&](Cursor& ext) {
            ber_bytes(ext, 0x06, kBerOid);
            ber_uint(ext, 0x02, 3);
            ber(ext, 0xa0, mms);
        });
    });
}

// Presentation fully-encoded-data of one PDV in the given context.
template <class Fill>
void presentation_user_data(Cursor& c, uint8_t context, Fill pdv) {
    ber(c, 0x61, [&](Cursor& fed) {
        ber(fed, 0x30, [&](Cursor& list) {
            ber_uint(list, 0x02, context);
            ber(list, 0xa0, pdv);
        });
    });
}

// ISO session SPDU (CONNECT 13 or ACCEPT 14) with its parameters and user data.
void session_spdu(Cursor& c, uint8_t type, const uint8_t* user_data, size_t n) {
    uint8_t params[512];
    Cursor p(params);
    p.u8(0x05).u8(6).u8(0x13).u8(1).u8(0).u8(0x16).u8(1).u8(2);  // accept item: version 2
    p.u8(0x14).u8(2).u16(2);                                     // session requirements
    if (type == 13) p.u8(0x33).u8(2).u16(1);                     // calling selector
    p.u8(0x34).u8(2).u16(1);                                     // called/responding selector
    p.u8(0xc1);
    if (n < 255) {
        p.u8(static_cast<unsigned>(n));
    } else {
        p.u8(0xff).u16(static_cast<unsigned>(n));
    }
    p.bytes(user_data, n);
    c.u8(type);
    if (p.size() < 255) {
        c.u8(static_cast<unsigned>(p.size()));
    } else {
        c.u8(0xff).u16(static_cast<unsigned>(p.size()));
    }
    c.bytes(params, p.size());
}

}  // namespace

// ---- IEC 60870-5-104

size_t iec104_u_frame(uint8_t* out, uint8_t control) {
    Cursor c(out);
    c.u8(0x68).u8(4).u8(control).u8(0).u8(0).u8(0);
    return c.size();
}

size_t iec104_s_frame(uint8_t* out, uint16_t recv_seq) {
    Cursor c(out);
    c.u8(0x68).u8(4).u8(1).u8(0).u16le(static_cast<unsigned>(recv_seq << 1));
    return c.size();
}

size_t iec104_interrogation(uint8_t* out, uint16_t send_seq, uint16_t recv_seq, uint8_t cot,
                            uint16_t common_addr) {
    Cursor c(out);
    c.u8(0x68).u8(14).u16le(static_cast<unsigned>(send_seq << 1));
    c.u16le(static_cast<unsigned>(recv_seq << 1));
    c.u8(100).u8(1).u8(cot).u8(0).u16le(common_addr).u8(0).u8(0).u8(0).u8(20);
    return c.size();
}

size_t iec104_measurements(uint8_t* out, uint16_t send_seq, uint16_t recv_seq, uint16_t common_addr,
                           unsigned count, Rng& rng) {
    Cursor c(out);
    c.u8(0x68);
    const size_t len = c.mark(1);
    c.u16le(static_cast<unsigned>(send_seq << 1)).u16le(static_cast<unsigned>(recv_seq << 1));
    c.u8(13).u8(count).u8(3).u8(0).u16le(common_addr);  // M_ME_NC_1, spontaneous
    for (unsigned i = 0; i < count; ++i) {
        const uint32_t ioa = 1000 + i;
        c.u8(ioa & 0xff).u8((ioa >> 8) & 0xff).u8(ioa >> 16);
        const float value = static_cast<float>(49.9 + rng.uniform() * 0.2);
        uint32_t bits;
        std::memcpy(&bits, &value, 4);
        c.u32le(bits).u8(0);
    }
    c.patch8(len);
    return c.size();
}

// ---- Modbus/TCP

size_t modbus_read_request(uint8_t* out, uint16_t transaction, uint8_t unit, uint16_t addr,
                           uint16_t count) {
    Cursor c(out);
    c.u16(transaction).u16(0).u16(6).u8(unit).u8(3).u16(addr).u16(count);
    return c.size();
}

size_t modbus_read_response(uint8_t* out, uint16_t transaction, uint8_t unit, uint16_t count,
                            Rng& rng) {
    Cursor c(out);
    c.u16(transaction).u16(0).u16(3 + 2 * count).u8(unit).u8(3).u8(2 * count);
    for (unsigned i = 0; i < count; ++i) c.u16(static_cast<unsigned>(rng.below(1000)));
    return c.size();
}

// ---- DNP3

size_t dnp3_read_request(uint8_t* out, uint16_t master, uint16_t outstation, uint8_t seq,
                         bool class0) {
    uint8_t data[32];
    Cursor c(data);
    c.u8(0xc0 | (seq & 0x3f)).u8(0xc0 | (seq & 0x0f)).u8(0x01);  // transport, app, READ
    if (class0) {
        c.u8(60).u8(1).u8(0x06);
    } else {
        c.u8(60).u8(2).u8(0x06).u8(60).u8(3).u8(0x06).u8(60).u8(4).u8(0x06);
    }
    return dnp3_frame(out, 0xc4, outstation, master, data, c.size());
}

size_t dnp3_read_response(uint8_t* out, uint16_t master, uint16_t outstation, uint8_t seq,
                          unsigned points, Rng& rng) {
    uint8_t data[256];
    Cursor c(data);
    c.u8(0xc0 | (seq & 0x3f)).u8(0xc0 | (seq & 0x0f)).u8(0x81).u8(0).u8(0);
    if (points > 0) {
        c.u8(30).u8(1).u8(0x00).u8(0).u8(points - 1);  // 32-bit analog inputs with flag
        for (unsigned i = 0; i < points; ++i)
            c.u8(0x01).u32le(static_cast<uint32_t>(rng.below(5000)));
    }
    return dnp3_frame(out, 0x44, master, outstation, data, c.size());
}

// ---- ISO transport (RFC 1006, ISO 8073)

size_t cotp_connection_request(uint8_t* out, uint16_t src_ref, uint16_t src_tsap,
                               uint16_t dst_tsap) {
    Cursor c(out);
    c.u8(3).u8(0).u16(22).u8(17).u8(0xe0).u16(0).u16(src_ref).u8(0);
    c.u8(0xc0).u8(1).u8(0x0a).u8(0xc1).u8(2).u16(src_tsap).u8(0xc2).u8(2).u16(dst_tsap);
    return c.size();
}

size_t cotp_connection_confirm(uint8_t* out, uint16_t dst_ref, uint16_t src_ref, uint16_t src_tsap,
                               uint16_t dst_tsap) {
    Cursor c(out);
    c.u8(3).u8(0).u16(22).u8(17).u8(0xd0).u16(dst_ref).u16(src_ref).u8(0);
    c.u8(0xc0).u8(1).u8(0x0a).u8(0xc1).u8(2).u16(src_tsap).u8(0xc2).u8(2).u16(dst_tsap);
    return c.size();
}

// ---- S7comm

size_t s7_setup_communication(uint8_t* out, uint16_t pdu_ref, bool ack) {
    Cursor c(out);
    size_t tpkt;
    tpkt_cotp_data(c, tpkt);
    c.u8(0x32).u8(ack ? 3 : 1).u16(0).u16(pdu_ref).u16(8).u16(0);
    if (ack) c.u8(0).u8(0);
    c.u8(0xf0).u8(0).u16(1).u16(1).u16(ack ? 240 : 480);
    finish_tpkt(c, tpkt);
    return c.size();
}

size_t s7_read_var(uint8_t* out, uint16_t pdu_ref, uint16_t db, uint16_t bytes) {
    Cursor c(out);
    size_t tpkt;
    tpkt_cotp_data(c, tpkt);
    c.u8(0x32).u8(1).u16(0).u16(pdu_ref).u16(14).u16(0);
    c.u8(0x04).u8(1);                                                          // read var, one item
    c.u8(0x12).u8(0x0a).u8(0x10).u8(0x02).u16(bytes).u16(db).u8(0x84).u24(0);  // DB, byte 0
    finish_tpkt(c, tpkt);
    return c.size();
}

size_t s7_read_var_ack(uint8_t* out, uint16_t pdu_ref, uint16_t bytes, Rng& rng) {
    Cursor c(out);
    size_t tpkt;
    tpkt_cotp_data(c, tpkt);
    c.u8(0x32).u8(3).u16(0).u16(pdu_ref).u16(2).u16(4 + bytes).u8(0).u8(0);
    c.u8(0x04).u8(1);
    c.u8(0xff).u8(0x04).u16(bytes * 8u);
    uint8_t data[256];
    rng.fill(data, bytes);
    c.bytes(data, bytes);
    finish_tpkt(c, tpkt);
    return c.size();
}

// ---- MMS

size_t mms_initiate_request(uint8_t* out) {
    uint8_t pres[768];
    Cursor p(pres);
    ber(p, 0x31, [](Cursor& cp) {
        ber_bytes(cp, 0xa0, {0x80, 0x01, 0x01});  // mode: normal
        ber(cp, 0xa2, [](Cursor& n) {
            ber_bytes(n, 0x81, {0, 0, 0, 1});
            ber_bytes(n, 0x82, {0, 0, 0, 1});
            ber(n, 0xa4, [](Cursor& list) {
                ber(list, 0x30, [](Cursor& ctx) {
                    ber_uint(ctx, 0x02, 1);
                    ber_bytes(ctx, 0x06, kAcseOid);
                    ber(ctx, 0x30, [](Cursor& ts) { ber_bytes(ts, 0x06, kBerOid); });
                });
                ber(list, 0x30, [](Cursor& ctx) {
                    ber_uint(ctx, 0x02, 3);
                    ber_bytes(ctx, 0x06, kMmsAbstractSyntaxOid);
                    ber(ctx, 0x30, [](Cursor& ts) { ber_bytes(ts, 0x06, kBerOid); });
                });
            });
            presentation_user_data(n, 1, [](Cursor& acse) {
                ber(acse, 0x60, [](Cursor& aarq) {
                    ber(aarq, 0xa1, [](Cursor& ctx) { ber_bytes(ctx, 0x06, kMmsContextOid); });
                    acse_user_information(aarq, [](Cursor& mms) {
                        ber(mms, 0xa8, [](Cursor& init) {
                            ber_bytes(init, 0x80, {0x00, 0xfd, 0xe8});
                            ber_bytes(init, 0x81, {0x0a});
                            ber_bytes(init, 0x82, {0x0a});
                            ber_bytes(init, 0x83, {0x05});
                            ber(init, 0xa4, mms_services_supported);
                        });
                    });
                });
            });
        });
    });
    Cursor c(out);
    size_t tpkt;
    tpkt_cotp_data(c, tpkt);
    session_spdu(c, 13, pres, p.size());
    finish_tpkt(c, tpkt);
    return c.size();
}

size_t mms_initiate_response(uint8_t* out) {
    uint8_t pres[768];
    Cursor p(pres);
    ber(p, 0x31, [](Cursor& cpa) {
        ber_bytes(cpa, 0xa0, {0x80, 0x01, 0x01});
        ber(cpa, 0xa2, [](Cursor& n) {
            ber_bytes(n, 0x83, {0, 0, 0, 1});
            ber(n, 0xa5, [](Cursor& results) {
                for (int i = 0; i < 2; ++i) {
                    ber(results, 0x30, [](Cursor& r) {
                        ber_bytes(r, 0x80, {0x00});
                        ber_bytes(r, 0x81, kBerOid);
                    });
                }
            });
            presentation_user_data(n, 1, [](Cursor& acse) {
                ber(acse, 0x61, [](Cursor& aare) {
                    ber(aare, 0xa1, [](Cursor& ctx) { ber_bytes(ctx, 0x06, kMmsContextOid); });
                    ber_bytes(aare, 0xa2, {0x02, 0x01, 0x00});
                    ber_bytes(aare, 0xa3, {0xa1, 0x03, 0x02, 0x01, 0x00});
                    acse_user_information(aare, [](Cursor& mms) {
                        ber(mms, 0xa9, [](Cursor& init) {
                            ber_bytes(init, 0x80, {0x00, 0xfd, 0xe8});
                            ber_bytes(init, 0x81, {0x05});
                            ber_bytes(init, 0x82, {0x05});
                            ber_bytes(init, 0x83, {0x05});
                            ber(init, 0xa4, mms_services_supported);
                        });
                    });
                });
            });
        });
    });
    Cursor c(out);
    size_t tpkt;
    tpkt_cotp_data(c, tpkt);
    session_spdu(c, 14, pres, p.size());
    finish_tpkt(c, tpkt);
    return c.size();
}

namespace {
// Session GIVE-TOKENS + DATA TRANSFER, then presentation data in the MMS context.
template <class Fill>
size_t mms_data(uint8_t* out, Fill mms) {
    Cursor c(out);
    size_t tpkt;
    tpkt_cotp_data(c, tpkt);
    c.u8(0x01).u8(0).u8(0x01).u8(0);
    presentation_user_data(c, 3, mms);
    finish_tpkt(c, tpkt);
    return c.size();
}
}  // namespace

size_t mms_read_request(uint8_t* out, uint32_t invoke_id, std::string_view domain,
                        std::string_view item) {
    return mms_data(out, [&](Cursor& mms) {
        ber(mms, 0xa0, [&](Cursor& req) {
            ber_uint(req, 0x02, invoke_id);
            ber(req, 0xa4, [&](Cursor& read) {
                ber(read, 0xa1, [&](Cursor& spec) {
                    ber(spec, 0xa0, [&](Cursor& list) {
                        ber(list, 0x30, [&](Cursor& var) {
                            ber(var, 0xa0, [&](Cursor& name) {
                                ber(name, 0xa1, [&](Cursor& dom) {
                                    ber_string(dom, 0x1a, domain);
                                    ber_string(dom, 0x1a, item);
                                });
                            });
                        });
                    });
                });
            });
        });
    });
}

size_t mms_read_response(uint8_t* out, uint32_t invoke_id, Rng& rng) {
    const float value = static_cast<float>(230.0 + rng.uniform() * 5.0);
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    return mms_data(out, [&](Cursor& mms) {
        ber(mms, 0xa1, [&](Cursor& resp) {
            ber_uint(resp, 0x02, invoke_id);
            ber(resp, 0xa4, [&](Cursor& read) {
                ber(read, 0xa1, [&](Cursor& results) {
                    ber(results, 0xa2, [&](Cursor& st) {  // structure: value, quality
                        st.u8(0x87).u8(5).u8(8).u32(bits);
                        st.u8(0x84).u8(3).u8(3).u16(0);
                    });
                });
            });
        });
    });
}

// ---- GOOSE

size_t goose_pdu(uint8_t* out, uint16_t appid, std::string_view ied, uint64_t time_us,
                 uint32_t st_num, uint32_t sq_num, Rng& rng) {
    Cursor c(out);
    c.u16(appid);
    const size_t len = c.mark(2);
    c.u16(0).u16(0);
    char gocb[64], dataset[64];
    const int ng = std::snprintf(gocb, sizeof gocb, "%.*sLD0/LLN0$GO$gcbTrip",
                                 static_cast<int>(ied.size()), ied.data());
    const int nd = std::snprintf(dataset, sizeof dataset, "%.*sLD0/LLN0$dsTrip",
                                 static_cast<int>(ied.size()), ied.data());
    ber(c, 0x61, [&](Cursor& g) {
        ber_string(g, 0x80, std::string_view(gocb, static_cast<size_t>(ng)));
        ber_uint(g, 0x81, 2000);
        ber_string(g, 0x82, std::string_view(dataset, static_cast<size_t>(nd)));
        ber_string(g, 0x83, std::string_view(gocb, static_cast<size_t>(ng)));
        const uint32_t seconds = static_cast<uint32_t>(time_us / 1'000'000);
        const uint32_t fraction =
            static_cast<uint32_t>((time_us % 1'000'000) * 16777216ull / 1'000'000);
        g.u8(0x84).u8(8).u32(seconds).u24(fraction).u8(0x0a);
        ber_uint(g, 0x85, st_num);
        ber_uint(g, 0x86, sq_num);
        ber_bytes(g, 0x87, {0x00});
        ber_uint(g, 0x88, 1);
        ber_bytes(g, 0x89, {0x00});
        ber_uint(g, 0x8a, 4);
        ber(g, 0xab, [&](Cursor& data) {
            ber_bytes(data, 0x83, {static_cast<uint8_t>(rng.chance(0.05) ? 1 : 0)});
            ber_bytes(data, 0x84, {0x06, 0x00});
            ber_bytes(data, 0x83, {0x00});
            ber_bytes(data, 0x84, {0x06, 0x00});
        });
    });
    put16(out + len, static_cast<uint16_t>(c.size()));
    return c.size();
}

// ---- CoAP

size_t coap_get(uint8_t* out, uint16_t message_id, uint16_t token, std::string_view path) {
    Cursor c(out);
    c.u8(0x42).u8(0x01).u16(message_id).u16(token);
    unsigned delta = 11;  // Uri-Path
    while (!path.empty()) {
        const size_t slash = path.find('/');
        const std::string_view seg = path.substr(0, slash);
        c.u8((delta << 4) | static_cast<unsigned>(seg.size())).str(seg);
        delta = 0;
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return c.size();
}

size_t coap_content(uint8_t* out, uint16_t message_id, uint16_t token, Rng& rng) {
    Cursor c(out);
    c.u8(0x62).u8(0x45).u16(message_id).u16(token);
    c.u8(0xc1).u8(50);  // Content-Format: application/json
    c.u8(0xff);
    char body[32];
    const int n = std::snprintf(body, sizeof body, "{\"t\":%.1f}", 18.0 + rng.uniform() * 8.0);
    c.bytes(body, static_cast<size_t>(n));
    return c.size();
}

// ---- DLMS/COSEM

namespace {
void dlms_wrapper(Cursor& c, uint16_t src, uint16_t dst, size_t apdu_len) {
    c.u16(1).u16(src).u16(dst).u16(static_cast<unsigned>(apdu_len));
}
constexpr uint16_t kDlmsClient = 0x0010, kDlmsServer = 0x0001;
}  // namespace

size_t dlms_aarq(uint8_t* out) {
    static constexpr uint8_t kAarq[] = {0x60, 0x1d, 0xa1, 0x09, 0x06, 0x07, 0x60, 0x85,
                                        0x74, 0x05, 0x08, 0x01, 0x01, 0xbe, 0x10, 0x04,
                                        0x0e, 0x01, 0x00, 0x00, 0x00, 0x06, 0x5f, 0x1f,
                                        0x04, 0x00, 0x00, 0x7e, 0x1f, 0x04, 0xb0};
    Cursor c(out);
    dlms_wrapper(c, kDlmsClient, kDlmsServer, sizeof kAarq);
    c.bytes(kAarq, sizeof kAarq);
    return c.size();
}

size_t dlms_aare(uint8_t* out) {
    static constexpr uint8_t kAare[] = {
        0x61, 0x29, 0xa1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0xa2, 0x03,
        0x02, 0x01, 0x00, 0xa3, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x00, 0xbe, 0x10, 0x04, 0x0e, 0x08,
        0x00, 0x06, 0x5f, 0x1f, 0x04, 0x00, 0x00, 0x50, 0x1f, 0x01, 0xf4, 0x00, 0x07};
    Cursor c(out);
    dlms_wrapper(c, kDlmsServer, kDlmsClient, sizeof kAare);
    c.bytes(kAare, sizeof kAare);
    return c.size();
}

size_t dlms_get_request(uint8_t* out, uint8_t invoke_id, const uint8_t obis[6]) {
    Cursor c(out);
    dlms_wrapper(c, kDlmsClient, kDlmsServer, 13);
    c.u8(0xc0).u8(0x01).u8(0xc0 | (invoke_id & 0x0f)).u16(3).bytes(obis, 6).u8(2).u8(0);
    return c.size();
}

size_t dlms_get_response(uint8_t* out, uint8_t invoke_id, Rng& rng) {
    Cursor c(out);
    dlms_wrapper(c, kDlmsServer, kDlmsClient, 9);
    c.u8(0xc4).u8(0x01).u8(0xc0 | (invoke_id & 0x0f)).u8(0).u8(0x06);
    c.u32(static_cast<uint32_t>(rng.below(10'000'000)));
    return c.size();
}

}  // namespace fk::synth
