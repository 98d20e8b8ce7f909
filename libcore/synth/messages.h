// Builders of application messages in their real wire formats. Each writes into a caller's
// buffer (large enough for the message; kMaxMessage covers every builder here) and returns
// the number of bytes written. Random parts come from the Rng passed in, so a message can
// be built again, byte for byte, from the same seed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "synth/rng.h"

namespace fk::synth {

constexpr size_t kMaxMessage = 4096;

// ---- DNS (RFC 1035; EDNS0 RFC 6891)
constexpr uint16_t kDnsA = 1, kDnsNs = 2, kDnsCname = 5, kDnsSoa = 6, kDnsPtr = 12, kDnsMx = 15,
                   kDnsNull = 10, kDnsTxt = 16, kDnsAaaa = 28, kDnsHttps = 65;
constexpr uint8_t kRcodeNoError = 0, kRcodeServFail = 2, kRcodeNxDomain = 3;

struct DnsQuestion {
    uint16_t id = 0;
    std::string_view qname;  // dotted, without the final dot
    uint16_t qtype = kDnsA;
};
size_t dns_query(uint8_t* out, const DnsQuestion& q);
// A response to q with rcode; NOERROR carries `answers` records of the question's type
// (TXT records carry `txt_len` bytes of text each), NXDOMAIN an SOA in the authority section.
size_t dns_response(uint8_t* out, const DnsQuestion& q, uint8_t rcode, unsigned answers,
                    unsigned txt_len, Rng& rng);

// ---- TLS (RFC 8446; ECH draft-ietf-tls-esni, extension 0xfe0d)
struct ClientHello {
    std::string_view sni;       // empty: no server_name extension
    std::string_view alpn;      // comma-separated protocol names; empty: no ALPN extension
    uint16_t version = 0x0304;  // 0x0304: supported_versions offers 1.3 and 1.2
    bool ech = false;
    bool quic = false;  // QUIC: quic_transport_parameters, no legacy session id
};
// The Handshake message alone (type 1), as QUIC CRYPTO frames carry it.
size_t tls_client_hello_message(uint8_t* out, const ClientHello& hello, Rng& rng);
// The hello in a TLS record, as TCP carries it.
size_t tls_client_hello_record(uint8_t* out, const ClientHello& hello, Rng& rng);
// ServerHello (+ ChangeCipherSpec) records answering a hello of the given version.
size_t tls_server_hello_records(uint8_t* out, uint16_t version, Rng& rng);
// The ServerHello handshake message alone; quic: no legacy session id echo.
size_t tls_server_hello_message(uint8_t* out, uint16_t version, bool quic, Rng& rng);
// Record header of an application_data record of `length` bytes.
void tls_app_data_header(uint8_t* out, uint16_t length);
constexpr size_t kTlsRecordMax = 16384;

// ---- QUIC (RFC 9000; Initial protection RFC 9001 / RFC 9369 by l7/quic_crypto.h)
constexpr uint32_t kQuicV1 = 0x00000001, kQuicV2 = 0x6b3343cf;
constexpr size_t kQuicCidLength = 8;
// The connection IDs of one connection: the client's first Destination CID (which keys the
// Initial protection of both directions), the client's and the server's Source CIDs.
struct QuicIds {
    uint8_t initial_dcid[kQuicCidLength];
    uint8_t client_scid[kQuicCidLength];
    uint8_t server_scid[kQuicCidLength];
};
// The client's first datagram(s): protected Initial packets whose CRYPTO frames carry the
// ClientHello, in `parts` pieces (1 or 2, packet numbers 0 and 1, as large post-quantum
// hellos go), each padded with PADDING frames to `datagram_size` bytes (at least 1200).
// Returns parts * datagram_size, the datagrams back to back.
size_t quic_client_initial(uint8_t* out, uint32_t version, const QuicIds& ids,
                           const ClientHello& hello, size_t datagram_size, unsigned parts,
                           Rng& rng);
// The server's first datagram: a protected Initial (ACK and the ServerHello in CRYPTO) and a
// coalesced Handshake packet (opaque to anyone without the handshake keys), `datagram_size`
// bytes in all.
size_t quic_server_initial(uint8_t* out, uint32_t version, const QuicIds& ids, size_t datagram_size,
                           Rng& rng);
// A short-header (1-RTT) packet header for the peer's connection ID: 1 + 8 bytes.
void quic_short_header(uint8_t* out, const uint8_t* dcid, Rng& rng);
constexpr size_t kQuicShortHeader = 1 + kQuicCidLength;

// ---- HTTP/1.1
size_t http_request(uint8_t* out, std::string_view method, std::string_view host,
                    std::string_view path, size_t body_len, Rng& rng);
size_t http_response_head(uint8_t* out, unsigned status, size_t body_len, Rng& rng);

// ---- SSH (RFC 4253)
size_t ssh_banner(uint8_t* out, bool server, Rng& rng);
size_t ssh_kexinit(uint8_t* out, bool server, Rng& rng);
size_t ssh_ecdh_init(uint8_t* out, Rng& rng);
size_t ssh_ecdh_reply_newkeys(uint8_t* out, Rng& rng);
size_t ssh_newkeys(uint8_t* out);

// ---- RDP: TPKT + X.224 connection request/confirm with the RDP negotiation (MS-RDPBCGR)
size_t rdp_connection_request(uint8_t* out, std::string_view user);
size_t rdp_connection_confirm(uint8_t* out);

// ---- SMB2 over NetBIOS session service (MS-SMB2)
size_t smb2_negotiate_request(uint8_t* out, Rng& rng);
size_t smb2_negotiate_response(uint8_t* out, Rng& rng);
// An encrypted SMB3 message: transform header followed by `body_len` opaque bytes (the
// caller appends them), all behind the NetBIOS length.
size_t smb3_transform_header(uint8_t* out, size_t body_len, uint64_t session, Rng& rng);

// ---- Stratum (JSON-RPC over TCP, one object per line)
size_t stratum_subscribe(uint8_t* out, unsigned id);
size_t stratum_subscribe_result(uint8_t* out, unsigned id, Rng& rng);
size_t stratum_authorize(uint8_t* out, unsigned id, std::string_view worker);
size_t stratum_authorize_result(uint8_t* out, unsigned id, unsigned job, Rng& rng);
size_t stratum_submit(uint8_t* out, unsigned id, std::string_view worker, unsigned job, Rng& rng);
size_t stratum_submit_result(uint8_t* out, unsigned id, unsigned job, Rng& rng);

// ---- Industrial protocols
// IEC 60870-5-104: APCI frames. U-format: 0x07 STARTDT act, 0x0b STARTDT con, 0x43 TESTFR
// act, 0x83 TESTFR con.
size_t iec104_u_frame(uint8_t* out, uint8_t control);
size_t iec104_s_frame(uint8_t* out, uint16_t recv_seq);
size_t iec104_interrogation(uint8_t* out, uint16_t send_seq, uint16_t recv_seq, uint8_t cot,
                            uint16_t common_addr);
size_t iec104_measurements(uint8_t* out, uint16_t send_seq, uint16_t recv_seq, uint16_t common_addr,
                           unsigned count, Rng& rng);
// Modbus/TCP: read holding registers (function 3) request and response.
size_t modbus_read_request(uint8_t* out, uint16_t transaction, uint8_t unit, uint16_t addr,
                           uint16_t count);
size_t modbus_read_response(uint8_t* out, uint16_t transaction, uint8_t unit, uint16_t count,
                            Rng& rng);
// DNP3 over TCP: a READ of class data and the master's / outstation's link frames.
size_t dnp3_read_request(uint8_t* out, uint16_t master, uint16_t outstation, uint8_t seq,
                         bool class0);
size_t dnp3_read_response(uint8_t* out, uint16_t master, uint16_t outstation, uint8_t seq,
                          unsigned points, Rng& rng);
// ISO transport over TCP (RFC 1006): COTP connection request / confirm.
size_t cotp_connection_request(uint8_t* out, uint16_t src_ref, uint16_t src_tsap,
                               uint16_t dst_tsap);
size_t cotp_connection_confirm(uint8_t* out, uint16_t dst_ref, uint16_t src_ref, uint16_t src_tsap,
                               uint16_t dst_tsap);
// S7comm (S7-300/400 "S7 communication") job and ack_data messages.
size_t s7_setup_communication(uint8_t* out, uint16_t pdu_ref, bool ack);
size_t s7_read_var(uint8_t* out, uint16_t pdu_ref, uint16_t db, uint16_t bytes);
size_t s7_read_var_ack(uint8_t* out, uint16_t pdu_ref, uint16_t bytes, Rng& rng);
// MMS (ISO 9506) over ISO session / presentation / ACSE.
size_t mms_initiate_request(uint8_t* out);
size_t mms_initiate_response(uint8_t* out);
size_t mms_read_request(uint8_t* out, uint32_t invoke_id, std::string_view domain,
                        std::string_view item);
size_t mms_read_response(uint8_t* out, uint32_t invoke_id, Rng& rng);
// IEC 61850 GOOSE: the payload after EtherType 0x88b8.
size_t goose_pdu(uint8_t* out, uint16_t appid, std::string_view ied, uint64_t time_us,
                 uint32_t st_num, uint32_t sq_num, Rng& rng);
// CoAP (RFC 7252): confirmable GET and its piggybacked 2.05 response.
size_t coap_get(uint8_t* out, uint16_t message_id, uint16_t token, std::string_view path);
size_t coap_content(uint8_t* out, uint16_t message_id, uint16_t token, Rng& rng);
// DLMS/COSEM over the TCP wrapper (IEC 62056-47): AARQ/AARE and GET of one attribute.
size_t dlms_aarq(uint8_t* out);
size_t dlms_aare(uint8_t* out);
size_t dlms_get_request(uint8_t* out, uint8_t invoke_id, const uint8_t obis[6]);
size_t dlms_get_response(uint8_t* out, uint8_t invoke_id, Rng& rng);
// NTP v4 client request and server reply (RFC 5905).
size_t ntp_packet(uint8_t* out, bool server, uint64_t time_us, Rng& rng);

}  // namespace fk::synth
