// The application-layer parsers of the flow probe, in one include, and how a probe combines
// them for a flow. Each header says in detail how to call its parser; this is the map.
//
//   l7/classify.h     app: payload signature first, port second     every flow
//   l7/tls.h          sni, alpn, tls_version, ech (TLS over TCP)     client stream
//   l7/quic.h         sni, alpn, tls_version, ech (QUIC Initials)    client datagrams
//   l7/quic_crypto.h  Initial packet protection (used by quic.h; crafting tools protect)
//   l7/http.h         http_method, http_host; http_status            client / server stream
//   l7/dns.h          dns_qname, dns_qtype; dns_rcode                each message
//
// Per flow, on the first packets that carry payload (say the first 4 per direction, plus
// what a pending parser still waits for):
//   1. classify(proto, sport, dport, payload) until the evidence is Evidence::payload.
//   2. TCP, client to server (the side that sent the SYN; when the handshake was not seen,
//      the side whose port is not the service's):
//        - looks_like_client_hello(payload) at a segment start → parse_tls_client_hello on
//          the client stream from there; buffer up to hello.needed bytes on need_more.
//        - looks_like_http_request(payload) at the stream start → parse_http_request; on
//          CONNECT keep looking for a ClientHello in the next client segments.
//        - port 53 → parse_dns_tcp.
//      TCP, server to client: "HTTP/1." at the stream start → parse_http_response; port 53
//      → parse_dns_tcp for the rcode.
//   3. UDP: looks_like_quic_initial(payload) on a client datagram → a QuicInitialReader for
//      the flow, fed with the next client datagrams while it says need_more; ports 53, 5353,
//      5355 (or app dns/mdns/llmnr) → parse_dns on each datagram until a question is seen.
// Results hold views into the payload, the probe's stream buffer, or the result object:
// copy the strings into the flow record's storage before they go away.
// Every parser is allocation-free, exception-free and bounded: no input makes one read out
// of bounds, loop, or return a view outside its input.
#pragma once

#include "l7/classify.h"
#include "l7/dns.h"
#include "l7/http.h"
#include "l7/quic.h"
#include "l7/quic_crypto.h"
#include "l7/status.h"
#include "l7/tls.h"
