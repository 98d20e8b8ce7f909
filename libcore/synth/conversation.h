// A conversation: one client talking to one server over one transport connection (or one
// UDP/ICMP exchange, or one GOOSE publisher), crafted packet by packet in time order.
// Each conversation carries its own random stream, so its bytes do not depend on how it
// interleaves with others; the generator merges many of them by time.
#pragma once
#include <cstdint>
#include <string_view>

#include "synth/frame.h"
#include "synth/rng.h"

namespace fk::synth {

// What a conversation carries. The names are those of --mix/--only.
#define FK_SYNTH_KINDS(X)                                                             \
    X(dns, "dns", "DNS query and response over UDP")                                  \
    X(dns_tcp, "dns-tcp", "DNS over TCP")                                             \
    X(http, "http", "HTTP/1.1 requests and responses")                                \
    X(https, "https", "TLS: ClientHello with SNI/ALPN, some ECH, some split hellos")  \
    X(tls_ech, "tls-ech", "TLS 1.3 hellos with encrypted_client_hello")               \
    X(tls_split, "tls-split", "TLS hellos split over 2-3 TCP segments")               \
    X(quic, "quic", "QUIC v1/v2: protected Initial with ClientHello, then 1-RTT")     \
    X(quic_split, "quic-split", "QUIC with the ClientHello over two Initial packets") \
    X(ssh, "ssh", "SSH: banners, key exchange, encrypted session")                    \
    X(rdp, "rdp", "RDP: X.224 connection request with cookie, then TLS")              \
    X(smb, "smb", "SMB2 negotiate, then encrypted SMB3")                              \
    X(ntp, "ntp", "NTP v4 client/server")                                             \
    X(icmp_echo, "icmp-echo", "ICMP/ICMPv6 echo request and reply")                   \
    X(icmp_unreach, "icmp-unreach", "UDP to a closed port, ICMP port unreachable")    \
    X(syn_noanswer, "syn-noanswer", "TCP SYN never answered (retransmitted)")         \
    X(syn_rst, "syn-rst", "TCP SYN answered by RST")                                  \
    X(iec104, "iec104", "IEC 60870-5-104 (port 2404)")                                \
    X(modbus, "modbus", "Modbus/TCP (port 502)")                                      \
    X(dnp3, "dnp3", "DNP3 over TCP (port 20000)")                                     \
    X(s7, "s7", "S7comm over ISO-on-TCP (port 102)")                                  \
    X(mms, "mms", "IEC 61850 MMS over ISO-on-TCP (port 102)")                         \
    X(coap, "coap", "CoAP over UDP (port 5683)")                                      \
    X(dlms, "dlms", "DLMS/COSEM over the TCP wrapper (port 4059)")                    \
    X(stratum, "stratum", "Stratum mining JSON-RPC (port 3333)")                      \
    X(goose, "goose", "IEC 61850 GOOSE (EtherType 0x88b8, layer 2)")

enum class Kind : uint8_t {
#define FK_SYNTH_KIND_ENUM(id, name, help) id,
    FK_SYNTH_KINDS(FK_SYNTH_KIND_ENUM)
#undef FK_SYNTH_KIND_ENUM
};
constexpr size_t kKindCount = 0
#define FK_SYNTH_KIND_COUNT(id, name, help) +1
    FK_SYNTH_KINDS(FK_SYNTH_KIND_COUNT)
#undef FK_SYNTH_KIND_COUNT
    ;
std::string_view kind_name(Kind k);
std::string_view kind_help(Kind k);
bool parse_kind(std::string_view name, Kind& out);

inline bool is_quic(Kind k) {
    return k == Kind::quic || k == Kind::quic_split;
}

// The flow record's app name of what a kind carries ("tls", "dns", ...).
std::string_view kind_app(Kind k);

// Counters of one direction, as a unidirectional flow record holds them.
struct FlowTally {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t first = 0;
    uint64_t last = 0;
    uint64_t fragments = 0;  // packets that are IP fragments
    uint8_t flags = 0;
    bool payload = false;    // some application payload was sent this way
    uint8_t heads_seen = 0;  // application messages whose header bytes were all written
};

struct Endpoint {
    uint8_t addr[16] = {};  // IPv4 in the last four bytes
    uint64_t mac = 0;
    uint16_t port = 0;
    uint8_t ttl = 64;
};

// What the packet loop needs to write packets and count them.
class Emitter {
  public:
    Emitter(FrameWriter& frames, uint64_t packet_limit) : frames_(frames), limit_(packet_limit) {}
    uint64_t remaining() const { return limit_ - written_; }
    uint64_t written() const { return written_; }
    FrameWriter& frames() { return frames_; }
    void count(unsigned frames) { written_ += frames; }

  private:
    FrameWriter& frames_;
    uint64_t limit_;
    uint64_t written_ = 0;
};

// Past this a conversation begins no new exchange, so that it stays within a probe's active
// timeout.
constexpr uint64_t kLongestConversation = 200'000'000;

enum class Teardown : uint8_t { fin_client, fin_server, rst_client, rst_server };
// How an answered SYN goes on: a connection, a scanner's RST (half-open scan), or nothing
// (a SYN flood never completes the handshake).
enum class Opening : uint8_t { full, half_open, unacked };

struct Conversation {
    // Identity and addressing
    uint64_t id = 0;
    Rng rng;
    Kind kind = Kind::dns;
    uint8_t scenario = 0;  // index into the generator's scenario labels; 0 = background
    uint8_t stage = 0;     // index into the stage names (scenario phases)
    bool v6 = false;
    Wrap wrap;
    Endpoint ep[2];  // [0] client (initiator), [1] server
    uint16_t ip_id[2] = {};
    uint32_t flow_label = 0;

    // Timing, microseconds. Round trips as the capture point sees them: to the client side
    // and to the server side.
    uint32_t rtt_client = 0;
    uint32_t rtt_server = 0;
    uint32_t gap = 0;        // spacing of back-to-back segments at the bottleneck
    uint32_t think = 0;      // median pause between exchanges
    uint32_t think_max = 0;  // >0: pauses uniform from think to think_max, for a steady pace
    uint64_t lasts = kLongestConversation;  // no exchange begins after this long
    uint32_t response = 0;                  // server processing time (median)
    uint64_t start_time = 0;
    uint64_t next_time = 0;  // when the next packet goes out
    uint64_t last_time = 0;  // when the last one went out

    // Script
    uint8_t phase = 0;
    uint8_t syn_tries = 3;  // SYN transmissions when unanswered
    Teardown teardown = Teardown::fin_client;
    Opening opening = Opening::full;
    uint32_t exchange = 0;
    uint32_t exchanges = 1;
    uint64_t request_body = 0;  // planned body sizes of the current exchange
    uint64_t response_body = 0;

    // The message being sent (TCP): direction, total length, segments.
    uint8_t tx_dir = 0;
    uint8_t split = 0;  // >0: the message goes out in this many segments (split hellos)
    uint16_t mss = 1460;
    uint64_t tx_len = 0;
    uint32_t tx_head = 0;
    uint32_t tx_segs = 0;
    uint32_t tx_sent = 0;
    uint32_t tx_acks = 0;
    uint64_t tx_start = 0;
    uint32_t tx_seq0 = 0;  // sequence number of the message's first byte
    uint32_t seq[2] = {};
    uint32_t seq0[2] = {};  // initial sequence numbers

    // Application parameters
    uint16_t tls_version = 0x0304;
    uint8_t hello_parts = 1;  // QUIC: Initial packets the ClientHello is spread over
    bool ech = false;
    uint8_t alpn = 0;  // index into the ALPN offers
    uint8_t method = 0;
    uint16_t http_status = 200;
    uint16_t qtype = 1;
    uint8_t rcode = 0;
    bool answered = true;    // UDP/ICMP: the server replies
    bool auth_ok = true;     // SSH/RDP: the (last) login attempt succeeds
    uint64_t bulk_up = 0;    // TLS/HTTP: a fixed upload in the first data exchange
    uint64_t bulk_down = 0;  // ... and a fixed download
    uint16_t app_word = 0;   // per-kind value: unit id, common address, appid ...
    uint16_t name_len = 0;
    char name[256] = {};  // SNI, HTTP host, DNS name, SSH/RDP user, mining worker
    uint16_t path_len = 0;
    char path[64] = {};

    // Truth: what was written, per direction
    FlowTally tally[2];
    uint64_t handshake[3] = {};  // times of SYN, SYN/ACK, ACK (0 = not seen)

    std::string_view name_view() const { return {name, name_len}; }
    void set_name(std::string_view s);
    void set_path(std::string_view s);
    uint8_t transport() const;
    std::string_view alpn_text() const;
    std::string_view method_text() const;
};

// Sets the script up for a conversation whose addressing, kind and parameters are filled:
// chooses initial sequence numbers and the first phase, starting at time `start`.
void start_conversation(Conversation& c, uint64_t start);

// Writes the conversation's next packet (several frames when fragmented) and schedules the
// one after it. Returns false when the conversation has ended.
bool step_conversation(Conversation& c, Emitter& out);

// The ALPN offers a TLS conversation can make (index: Conversation::alpn).
constexpr std::string_view kAlpnOffers[] = {"h2,http/1.1", "http/1.1", "", "h3", "h2"};
constexpr std::string_view kHttpMethods[] = {"GET", "POST", "HEAD", "PUT"};

}  // namespace fk::synth
