#include "synth/traffic.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/error.h"
#include "synth/messages.h"

namespace fk::synth {

namespace {

constexpr std::string_view kWords[] = {
    "blue",    "fin",    "cloud", "stack",  "river",  "north", "pixel",  "atlas",
    "maple",   "orbit",  "cedar", "nova",   "delta",  "forge", "harbor", "lumen",
    "metro",   "nimbus", "prism", "quartz", "rapid",  "sigma", "terra",  "vertex",
    "willow",  "zen",    "amber", "beacon", "cobalt", "dune",  "ember",  "falcon",
    "granite", "helix",  "iris",  "jade",   "kite",   "lotus", "mosaic", "nexus",
    "onyx",    "pulse",  "quill", "relay",  "summit", "tide",  "umbra",  "vivid",
    "wave",    "yonder", "arc",   "byte",   "core",   "data",  "edge",   "flux",
    "grid",    "hub",    "ink",   "jet",    "key",    "link",  "mesh",   "node"};
constexpr std::string_view kTlds[] = {"com", "net", "io", "org", "de", "cz", "co.uk", "app"};
constexpr std::string_view kHostPrefixes[] = {"www.", "api.", "cdn.",    "static.", "login.",
                                              "img.", "",     "update.", "mail.",   "app."};
constexpr std::string_view kPaths[] = {"/",
                                       "/index.html",
                                       "/api/v1/status",
                                       "/images/logo.png",
                                       "/download/setup.exe",
                                       "/favicon.ico",
                                       "/login",
                                       "/search?q=flow+monitoring",
                                       "/assets/main.css"};
constexpr std::string_view kUsers[] = {"administrator", "admin", "jnovak", "operator", "backup",
                                       "svc_scan",      "mkral", "root",   "helpdesk"};
constexpr uint64_t kOuis[] = {0x001b21, 0x3cfdfe, 0xf48e38, 0x005056, 0x3c22fb, 0xb827eb};
constexpr uint16_t kProbePorts[] = {443, 80, 8080, 22, 3389, 445, 25, 8443, 993, 3306};

void set_v4(uint8_t* addr, uint32_t v) {
    std::memset(addr, 0, 16);
    addr[10] = 0xff;
    addr[11] = 0xff;
    addr[12] = static_cast<uint8_t>(v >> 24);
    addr[13] = static_cast<uint8_t>(v >> 16);
    addr[14] = static_cast<uint8_t>(v >> 8);
    addr[15] = static_cast<uint8_t>(v);
}

void set_v6(uint8_t* addr, uint64_t hi, uint64_t lo) {
    for (int i = 0; i < 8; ++i) addr[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) addr[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
}

uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

uint64_t host_mac(uint64_t seed) {
    return (kOuis[seed % std::size(kOuis)] << 24) | (mix64(seed) & 0xffffff);
}

bool can_use_v6(Kind k) {
    switch (k) {
        case Kind::dns:
        case Kind::dns_tcp:
        case Kind::http:
        case Kind::https:
        case Kind::tls_ech:
        case Kind::tls_split:
        case Kind::quic:
        case Kind::quic_split:
        case Kind::icmp_echo:
        case Kind::icmp_unreach:
        case Kind::ntp:
        case Kind::syn_noanswer:
        case Kind::syn_rst:
        case Kind::ssh:
            return true;
        default:
            return false;
    }
}

template <class T, size_t N>
const T& pick(Rng& r, const T (&options)[N]) {
    return options[r.below(N)];
}

// Picks among values with the given percentages (the last takes what is left).
template <size_t N>
size_t choose(Rng& r, const double (&percent)[N]) {
    double x = r.uniform() * 100.0;
    for (size_t i = 0; i + 1 < N; ++i) {
        if (x < percent[i]) return i;
        x -= percent[i];
    }
    return N - 1;
}

std::string random_label(Rng& r, size_t n) {
    static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s(n, 'a');
    for (auto& ch : s) ch = kLetters[r.below(36)];
    return s;
}

void choose_wrap(Conversation& c, const WrapShares& w, Rng& r) {
    if (c.kind == Kind::goose) return;
    const double x = r.uniform() * 100.0;
    double edge = w.vlan;
    uint8_t client_net = c.ep[0].addr[14];
    if (x < edge) {
        c.wrap.kind = WrapKind::vlan;
        c.wrap.vlan = static_cast<uint16_t>(100 + client_net % 50);
    } else if (x < (edge += w.qinq)) {
        c.wrap.kind = WrapKind::qinq;
        c.wrap.vlan = static_cast<uint16_t>(2000 + client_net % 8);
        c.wrap.inner_vlan = static_cast<uint16_t>(100 + client_net % 50);
    } else if (x < (edge += w.mpls)) {
        c.wrap.kind = WrapKind::mpls;
        c.wrap.label = static_cast<uint32_t>(16 + r.below(1000));
    } else if (x < (edge += w.gre)) {
        c.wrap.kind = WrapKind::gre;
    } else if (x < (edge += w.vxlan)) {
        c.wrap.kind = WrapKind::vxlan;
        c.wrap.label = static_cast<uint32_t>(5000 + client_net % 16);
    }
    if (c.wrap.kind == WrapKind::gre || c.wrap.kind == WrapKind::vxlan) {
        const uint8_t a[4] = {192, 0, 2, 1}, b[4] = {192, 0, 2, 2};
        std::memcpy(c.wrap.tunnel_src, a, 4);
        std::memcpy(c.wrap.tunnel_dst, b, 4);
    }
    if (c.v6 && r.uniform() * 100.0 < w.ext6) c.wrap.ext6 = true;
    if (c.kind == Kind::dns && r.uniform() * 100.0 < w.frag) {
        // A large TXT answer (DKIM keys, SPF) that does not fit one packet.
        c.wrap.fragment = true;
        c.qtype = kDnsTxt;
        c.rcode = kRcodeNoError;
        c.answered = true;
        c.app_word = static_cast<uint16_t>(r.between(1600, 3600));
    }
}

// Sets the server side of an OT conversation and its polling script.
void fill_ot(Conversation& c, Rng& r) {
    const unsigned k = static_cast<unsigned>(r.below(8));
    auto& cl = c.ep[0];
    auto& sv = c.ep[1];
    c.rtt_client = static_cast<uint32_t>(r.lognormal(150, 0.3));
    c.rtt_server = static_cast<uint32_t>(r.lognormal(600, 0.5));
    c.response = 3000;
    c.think = static_cast<uint32_t>(r.between(1, 5) * 1'000'000);
    c.exchanges = 2 + static_cast<uint32_t>(std::min(r.exponential(10), 200'000'000.0 / c.think));
    switch (c.kind) {
        case Kind::iec104:
            Population::ot(cl, 1, 10);
            Population::ot(sv, 2, 1 + k);
            sv.port = 2404;
            c.app_word = static_cast<uint16_t>(1 + k);
            break;
        case Kind::modbus:
            Population::ot(cl, 1, 20);
            Population::ot(sv, 3, 1 + k % 6);
            sv.port = 502;
            c.app_word = static_cast<uint16_t>(1 + k % 6);
            break;
        case Kind::dnp3:
            Population::ot(cl, 1, 11);
            Population::ot(sv, 2, 20 + k % 4);
            sv.port = 20000;
            c.app_word = static_cast<uint16_t>(10 + k % 4);
            break;
        case Kind::s7:
            Population::ot(cl, 1, 21);
            Population::ot(sv, 3, 20 + k % 2);
            sv.port = 102;
            c.app_word = static_cast<uint16_t>(1 + k);
            break;
        case Kind::mms:
            Population::ot(cl, 1, 40);
            Population::ot(sv, 4, 1 + k % 4);
            sv.port = 102;
            break;
        case Kind::dlms:
            Population::ot(cl, 1, 30);
            Population::ot(sv, 5, 1 + static_cast<unsigned>(r.below(20)));
            sv.port = 4059;
            c.exchanges = static_cast<uint32_t>(r.between(2, 10));
            c.think = 300'000;
            break;
        case Kind::coap:
            Population::ot(cl, 6, 1);
            Population::ot(sv, 6, 10 + static_cast<unsigned>(r.below(20)));
            sv.port = 5683;
            c.app_word = static_cast<uint16_t>(r.next());
            c.exchanges = static_cast<uint32_t>(r.between(1, 12));
            break;
        case Kind::goose: {
            Population::ot(cl, 4, 1 + k % 4);
            cl.mac = 0x0030a7000010ull + k % 4;  // SEL IEDs
            sv.mac = 0x010ccd010000ull + 1 + k % 4;
            c.app_word = static_cast<uint16_t>(0x3001 + k % 4);
            char ied[16];
            std::snprintf(ied, sizeof ied, "IED%u", 1 + k % 4);
            c.set_name(ied);
            c.think = 1'000'000;
            c.exchanges = static_cast<uint32_t>(r.between(10, 60));
            break;
        }
        default:
            break;
    }
}

}  // namespace

MixWeights default_mix() {
    MixWeights w{};
    auto set = [&](Kind k, double v) { w[static_cast<size_t>(k)] = v; };
    set(Kind::dns, 62);
    set(Kind::https, 23);
    set(Kind::quic, 6);
    set(Kind::http, 6);
    set(Kind::icmp_echo, 2);
    set(Kind::icmp_unreach, 1);
    set(Kind::ntp, 2);
    set(Kind::syn_noanswer, 5);
    set(Kind::syn_rst, 5);
    set(Kind::ssh, 0.6);
    set(Kind::rdp, 0.3);
    set(Kind::smb, 1.0);
    set(Kind::dns_tcp, 0.5);
    set(Kind::iec104, 0.3);
    set(Kind::modbus, 0.3);
    set(Kind::dnp3, 0.15);
    set(Kind::s7, 0.15);
    set(Kind::mms, 0.15);
    set(Kind::coap, 0.2);
    set(Kind::dlms, 0.15);
    set(Kind::goose, 0.05);
    return w;
}

MixWeights parse_mix(std::string_view spec) {
    MixWeights w{};
    while (!spec.empty()) {
        const size_t comma = spec.find(',');
        const std::string_view item = spec.substr(0, comma);
        const size_t eq = item.find('=');
        Kind k;
        if (!parse_kind(item.substr(0, eq), k)) {
            throw UsageError("--mix: unknown kind '" + std::string(item.substr(0, eq)) +
                             "' (flowsynth --list names them)");
        }
        if (eq == std::string_view::npos) {
            throw UsageError("--mix: '" + std::string(item) + "' has no weight (" +
                             std::string(item) + "=1)");
        }
        char* end = nullptr;
        const std::string num(item.substr(eq + 1));
        const double v = std::strtod(num.c_str(), &end);
        if (num.empty() || *end || !(v >= 0) || !std::isfinite(v))
            throw UsageError("--mix: bad weight in '" + std::string(item) + "'");
        w[static_cast<size_t>(k)] = v;
        if (comma == std::string_view::npos) break;
        spec.remove_prefix(comma + 1);
    }
    return w;
}

WrapShares parse_wraps(std::string_view spec) {
    WrapShares w;
    while (!spec.empty()) {
        const size_t comma = spec.find(',');
        const std::string_view item = spec.substr(0, comma);
        const size_t eq = item.find('=');
        const std::string_view name = item.substr(0, eq);
        double v = 100;
        if (eq != std::string_view::npos) {
            char* end = nullptr;
            const std::string num(item.substr(eq + 1));
            v = std::strtod(num.c_str(), &end);
            if (num.empty() || *end || v < 0 || v > 100) {
                throw UsageError("--encap: bad percentage in '" + std::string(item) + "'");
            }
        }
        if (name == "vlan")
            w.vlan = v;
        else if (name == "qinq")
            w.qinq = v;
        else if (name == "mpls")
            w.mpls = v;
        else if (name == "gre")
            w.gre = v;
        else if (name == "vxlan")
            w.vxlan = v;
        else if (name == "ext6")
            w.ext6 = v;
        else if (name == "frag")
            w.frag = v;
        else
            throw UsageError("--encap: unknown '" + std::string(name) +
                             "' (vlan, qinq, mpls, gre, vxlan, ext6, frag)");
        if (comma == std::string_view::npos) break;
        spec.remove_prefix(comma + 1);
    }
    if (w.vlan + w.qinq + w.mpls + w.gre + w.vxlan > 100) {
        throw UsageError("--encap: vlan, qinq, mpls, gre and vxlan add up to more than 100%");
    }
    return w;
}

Population::Population(const TrafficOptions& o) : client_port_(o.clients) {
    Rng r(o.seed ^ 0x706f70ull);
    for (auto& p : client_port_) p = static_cast<uint16_t>(r.between(49152, 65000));
    const auto cw = zipf_weights(o.clients, 0.6);
    const auto sw = zipf_weights(o.servers, 1.0);
    client_pick_ = WeightedPick(cw);
    server_pick_ = WeightedPick(sw);
}

void Population::client(Endpoint& ep, unsigned i, bool v6) const {
    if (v6) {
        set_v6(ep.addr, 0x20010db800200000ull | ((i / 250) & 0xffff), mix64(i + 1));
    } else {
        set_v4(ep.addr, 0x0a140000u + ((i / 250) << 8) + (i % 250 + 2));
    }
    ep.mac = host_mac(i);
    ep.ttl = (i % 3 == 0) ? 64 : 128;
}

void Population::server(Endpoint& ep, unsigned i, bool v6) const {
    if (v6) {
        set_v6(ep.addr, 0x20010db800050000ull | (i >> 8), (i & 0xff) + 1);
    } else {
        set_v4(ep.addr, 0xc6120000u + ((i / 250) << 8) + (i % 250 + 1));
    }
    ep.mac = gateway_mac();
    ep.ttl = static_cast<uint8_t>((i % 2 ? 64 : 128) - 6 - i % 13);
}

void Population::internal(Endpoint& ep, unsigned net, unsigned host, bool v6) {
    if (v6) {
        set_v6(ep.addr, 0x20010db800100000ull | net, host);
    } else {
        set_v4(ep.addr, 0x0a000000u | (net << 8) | host);
    }
    ep.mac = host_mac(0x1000000ull + net * 256 + host);
    ep.ttl = 64;
}

void Population::ot(Endpoint& ep, unsigned net, unsigned host) {
    set_v4(ep.addr, 0xac100000u | (net << 8) | host);
    ep.mac = 0x000e8c000000ull | (net << 8) | host;  // Siemens
    ep.ttl = 64;
}

void Population::external(Endpoint& ep, uint32_t v4, uint64_t mac_seed) {
    set_v4(ep.addr, v4);
    ep.mac = mac_seed ? host_mac(mac_seed) : gateway_mac();
    ep.ttl = 52;
}

uint16_t Population::ephemeral(unsigned i) {
    uint16_t& p = client_port_[i];
    p = p >= 65535 ? 49152 : static_cast<uint16_t>(p + 1);
    return p;
}

uint16_t Population::ephemeral_of(const Endpoint& host) {
    uint64_t key = 0;
    for (int i = 8; i < 16; ++i) key = (key << 8) | host.addr[i];
    auto [it, fresh] =
        other_port_.try_emplace(key, static_cast<uint16_t>(49152 + mix64(key) % 8000));
    uint16_t& p = it->second;
    p = p >= 65535 ? 49152 : static_cast<uint16_t>(p + 1);
    return p;
}

std::string Population::server_domain(unsigned i) const {
    const uint64_t h = mix64(i * 7919ull + 17);
    std::string s(kWords[h % std::size(kWords)]);
    s += kWords[(h >> 8) % std::size(kWords)];
    s += '.';
    s += kTlds[(h >> 16) % std::size(kTlds)];
    return s;
}

std::string Population::server_host(unsigned i, Rng& rng) const {
    const uint64_t h = mix64(i + 3);
    // Each server uses two of the prefixes, so names repeat across conversations.
    const std::string_view prefix =
        kHostPrefixes[(h + rng.below(2) * 3) % std::size(kHostPrefixes)];
    return std::string(prefix) + server_domain(i);
}

void init_conversation(Conversation& c, uint64_t id, Rng& parent, Kind kind) {
    c = Conversation{};
    c.id = id;
    c.rng = parent.fork();
    c.kind = kind;
    Rng& r = c.rng;
    c.rtt_client = static_cast<uint32_t>(std::min(r.lognormal(400, 0.6), 20'000.0));
    c.rtt_server = static_cast<uint32_t>(std::min(r.lognormal(25'000, 0.8), 400'000.0));
    c.gap = static_cast<uint32_t>(r.between(12, 300));
    c.think = static_cast<uint32_t>(r.lognormal(300'000, 0.8));
    c.response = static_cast<uint32_t>(r.lognormal(3'000, 1.0));
    c.flow_label = static_cast<uint32_t>(r.below(1 << 20));
    c.ip_id[0] = static_cast<uint16_t>(r.next());
    c.ip_id[1] = static_cast<uint16_t>(r.next());
    c.mss = 1460;
}

void fill_background(Conversation& c, Population& pop, const TrafficOptions& o) {
    Rng& r = c.rng;
    const Kind k = c.kind;
    c.v6 = can_use_v6(k) && r.chance(o.ipv6);
    if (c.v6) c.mss = 1440;
    const unsigned client = pop.pick_client(r);
    pop.client(c.ep[0], client, c.v6);
    c.ep[0].port = pop.ephemeral(client);
    Endpoint& sv = c.ep[1];
    const unsigned server = pop.pick_server(r);
    static constexpr double kTeardown[] = {75, 10, 12, 3};
    c.teardown = static_cast<Teardown>(choose(r, kTeardown));
    switch (k) {
        case Kind::dns:
        case Kind::dns_tcp: {
            Population::internal(sv, 0, 53 + static_cast<unsigned>(r.below(2)), c.v6);
            sv.port = 53;
            if (k == Kind::dns) c.ep[0].port = static_cast<uint16_t>(r.between(49152, 65535));
            c.rtt_server = static_cast<uint32_t>(r.lognormal(300, 0.4));
            c.response = static_cast<uint32_t>(r.lognormal(1'500, 1.5));
            static constexpr double kQtypes[] = {55, 30, 8, 3, 2, 2};
            static constexpr uint16_t kTypes[] = {kDnsA,   kDnsAaaa, kDnsHttps,
                                                  kDnsPtr, kDnsMx,   kDnsTxt};
            c.qtype = kTypes[choose(r, kQtypes)];
            if (c.qtype == kDnsPtr) {
                char name[64];
                std::snprintf(name, sizeof name, "%u.%u.18.198.in-addr.arpa",
                              static_cast<unsigned>(1 + r.below(250)),
                              static_cast<unsigned>(r.below(256)));
                c.set_name(name);
            } else if (r.chance(0.07)) {
                c.set_name(random_label(r, 6 + r.below(10)) + "." + pop.server_domain(server));
                c.rcode = kRcodeNxDomain;
            } else {
                c.set_name(pop.server_host(server, r));
            }
            if (c.rcode == kRcodeNoError && r.chance(0.01)) c.rcode = kRcodeServFail;
            c.answered = k == Kind::dns_tcp || r.chance(0.985);
            c.app_word = static_cast<uint16_t>(r.between(40, 250));  // TXT answer size
            c.teardown = Teardown::fin_client;
            break;
        }
        case Kind::https:
        case Kind::tls_ech:
        case Kind::tls_split: {
            pop.server(sv, server, c.v6);
            sv.port = r.chance(0.97) ? 443 : 8443;
            c.set_name(pop.server_host(server, r));
            static constexpr double kAlpn[] = {60, 20, 10, 5, 5};
            c.alpn = static_cast<uint8_t>(choose(r, kAlpn));
            if (c.alpn == 3) c.alpn = 0;  // h3 alone is for QUIC
            c.tls_version = r.chance(0.85) ? 0x0304 : 0x0303;
            c.ech = k == Kind::tls_ech ||
                    (k == Kind::https && c.tls_version == 0x0304 && r.chance(0.04));
            if (c.ech) {
                c.tls_version = 0x0304;
                c.set_name(r.chance(0.5) ? "cloudflare-ech.com" : "public.ech-front.net");
            }
            if (k == Kind::tls_split || (k == Kind::https && r.chance(0.04))) {
                c.app_word = static_cast<uint16_t>(2 + r.below(2));
            }
            c.exchanges = 1 + static_cast<uint32_t>(std::min(r.exponential(0.8), 20.0));
            break;
        }
        case Kind::quic:
        case Kind::quic_split:
            pop.server(sv, server, c.v6);
            sv.port = 443;
            c.set_name(pop.server_host(server, r));
            c.alpn = 3;  // h3
            c.ech = r.chance(0.03);
            if (c.ech) c.set_name("cloudflare-ech.com");
            c.app_word = r.chance(0.15) ? 2 : 1;  // QUIC version 2 or 1
            // Hellos with post-quantum key shares need two Initial packets.
            c.hello_parts = k == Kind::quic_split || r.chance(0.1) ? 2 : 1;
            c.mss = c.v6 ? 1330 : 1350;
            c.exchanges = 1 + static_cast<uint32_t>(std::min(r.exponential(1.0), 20.0));
            break;
        case Kind::http: {
            pop.server(sv, server, c.v6);
            sv.port = r.chance(0.95) ? 80 : 8080;
            c.set_name(pop.server_host(server, r));
            static constexpr double kMethods[] = {85, 10, 3, 2};
            c.method = static_cast<uint8_t>(choose(r, kMethods));
            c.set_path(pick(r, kPaths));
            static constexpr double kStatus[] = {80, 8, 3, 2, 5, 1, 1};
            static constexpr uint16_t kCodes[] = {200, 304, 301, 302, 404, 500, 503};
            c.http_status = kCodes[choose(r, kStatus)];
            c.exchanges = 1 + static_cast<uint32_t>(std::min(r.exponential(1.0), 10.0));
            break;
        }
        case Kind::ssh:
            if (r.chance(0.5)) {
                Population::internal(sv, 10, 40 + static_cast<unsigned>(r.below(10)), c.v6);
                c.rtt_server = static_cast<uint32_t>(r.lognormal(500, 0.4));
            } else {
                pop.server(sv, server, c.v6);
            }
            sv.port = 22;
            c.set_name(pick(r, kUsers));
            c.app_word = 1;
            c.think = static_cast<uint32_t>(r.lognormal(800'000, 0.6));
            c.exchanges =
                5 + static_cast<uint32_t>(r.below(std::max<uint64_t>(1, 200'000'000 / c.think)));
            break;
        case Kind::rdp:
            Population::internal(sv, 10, 20 + static_cast<unsigned>(r.below(10)), false);
            sv.port = 3389;
            c.rtt_server = static_cast<uint32_t>(r.lognormal(500, 0.4));
            c.set_name(pick(r, kUsers));
            c.think = static_cast<uint32_t>(r.lognormal(400'000, 0.5));
            c.exchanges = 4 + static_cast<uint32_t>(std::min(r.exponential(20), 300.0));
            break;
        case Kind::smb:
            Population::internal(sv, 10, 1 + static_cast<unsigned>(r.below(5)), false);
            sv.port = 445;
            c.rtt_server = static_cast<uint32_t>(r.lognormal(500, 0.4));
            c.exchanges = 1 + static_cast<uint32_t>(std::min(r.exponential(6), 40.0));
            break;
        case Kind::ntp:
            pop.server(sv, server, c.v6);
            sv.port = 123;
            c.ep[0].port = 123;
            c.answered = r.chance(0.97);
            break;
        case Kind::icmp_echo:
            pop.server(sv, server, c.v6);
            c.app_word = static_cast<uint16_t>(r.next());
            c.exchanges = static_cast<uint32_t>(r.between(1, 4));
            c.think = 1'000'000;
            c.answered = r.chance(0.93);
            break;
        case Kind::icmp_unreach:
            pop.server(sv, server, c.v6);
            sv.port = static_cast<uint16_t>(33434 + r.below(90));  // traceroute probes
            break;
        case Kind::syn_noanswer:
        case Kind::syn_rst:
            pop.server(sv, server, c.v6);
            sv.port = pick(r, kProbePorts);
            c.syn_tries = static_cast<uint8_t>(r.between(1, 3));
            break;
        case Kind::stratum:
            pop.server(sv, server, false);
            sv.port = 3333;
            c.set_name("47sghzufGhJJDQEbScMCwVBimTuq6L5JiRixD8VeGbpjCTA12noXmi.rig01");
            c.think = static_cast<uint32_t>(r.between(4, 10) * 1'000'000);
            c.exchanges = 2 + static_cast<uint32_t>(r.between(5, 20));
            c.teardown = Teardown::fin_client;
            break;
        default:  // OT and GOOSE
            fill_ot(c, r);
            c.ep[0].port = pop.ephemeral_of(c.ep[0]);
            c.teardown = Teardown::fin_client;
            break;
    }
    choose_wrap(c, o.wraps, r);
}

Background::Background(const TrafficOptions& options, Population& pop)
    : options_(options), pop_(pop), rng_(options.seed), pick_(options.mix), next_(options.start) {}

void Background::make(Conversation& c, uint64_t id) {
    const Kind k = static_cast<Kind>(pick_.pick(rng_));
    init_conversation(c, id, rng_, k);
    fill_background(c, pop_, options_);
    start_conversation(c, next_);
    next_ += static_cast<uint64_t>(rng_.exponential(1e6 / options_.rate)) + 1;
}

}  // namespace fk::synth
