#include "l7/dns.h"

#include <algorithm>

#include "l7/byte_reader.h"

namespace fk::l7 {

namespace {

void append_label(DnsName& name, std::span<const uint8_t> label) {
    if (name.len_) name.text_[name.len_++] = '.';
    for (uint8_t c : label) {
        if (c == '.' || c == '\\') {
            name.text_[name.len_++] = '\\';
            name.text_[name.len_++] = static_cast<char>(c);
        } else if (c > 0x20 && c < 0x7f) {
            name.text_[name.len_++] = static_cast<char>(c);
        } else {
            name.text_[name.len_++] = '\\';
            name.text_[name.len_++] = static_cast<char>('0' + c / 100);
            name.text_[name.len_++] = static_cast<char>('0' + c / 10 % 10);
            name.text_[name.len_++] = static_cast<char>('0' + c % 10);
        }
    }
}

// Back to a fresh result without touching the name's text buffer.
void reset(DnsMessage& msg) {
    msg.id = 0;
    msg.response = false;
    msg.opcode = msg.rcode = 0;
    msg.truncated = false;
    msg.qdcount = msg.ancount = msg.nscount = msg.arcount = 0;
    msg.has_question = false;
    msg.qtype = msg.qclass = 0;
    msg.needed = 0;
    msg.name_.wire_end = 0;
    msg.name_.len_ = 0;
}

// Header and first question. `complete` says whether `m` is the whole message; when it is
// not (a TCP prefix), running out of bytes means need_more rather than invalid.
Status parse_message(std::span<const uint8_t> m, bool complete, DnsMessage& msg) {
    ByteReader r(m);
    uint16_t flags = 0;
    if (!r.u16(msg.id) || !r.u16(flags) || !r.u16(msg.qdcount) || !r.u16(msg.ancount) ||
        !r.u16(msg.nscount) || !r.u16(msg.arcount)) {
        return complete ? Status::not_this : Status::need_more;
    }
    msg.response = flags & 0x8000;
    msg.opcode = static_cast<uint8_t>((flags >> 11) & 0xf);
    msg.truncated = flags & 0x0200;
    msg.rcode = static_cast<uint8_t>(flags & 0xf);
    // Opcodes in use: query, inverse query, status, notify, update, DSO (RFC 8490).
    if (msg.opcode == 3 || msg.opcode > 6) return Status::not_this;
    if (msg.qdcount == 0) return Status::done;
    Status s = decode_dns_name(m, 12, msg.name_);
    if (s == Status::need_more && complete) return Status::invalid;
    if (s != Status::done) return s;
    ByteReader q(m.subspan(msg.name_.wire_end));
    if (!q.u16(msg.qtype) || !q.u16(msg.qclass)) {
        return complete ? Status::invalid : Status::need_more;
    }
    msg.has_question = true;
    return Status::done;
}

}  // namespace

Status decode_dns_name(std::span<const uint8_t> m, size_t offset, DnsName& name) {
    name.wire_end = 0;
    name.len_ = 0;
    size_t pos = offset;
    // Where the bytes being read started: every pointer must go to an earlier place than
    // that, so each jump lands strictly before the last and the walk ends.
    size_t run_start = offset;
    size_t wire = 0;
    unsigned jumps = 0;
    for (;;) {
        if (pos >= m.size()) return Status::need_more;
        uint8_t len = m[pos];
        if ((len & 0xc0) == 0xc0) {
            if (pos + 1 >= m.size()) return Status::need_more;
            size_t target = size_t{len & 0x3fu} << 8 | m[pos + 1];
            if (target >= run_start || ++jumps > kMaxDnsPointers) return Status::invalid;
            if (jumps == 1) name.wire_end = pos + 2;
            pos = run_start = target;
            continue;
        }
        // 0x40 and 0x80 label types (RFC 2673 bit-string labels and friends) are obsolete.
        if (len & 0xc0) return Status::invalid;
        wire += 1 + size_t{len};
        if (wire > kMaxDnsNameWire) return Status::invalid;
        if (len == 0) {
            if (jumps == 0) name.wire_end = pos + 1;
            if (name.len_ == 0) name.text_[name.len_++] = '.';
            return Status::done;
        }
        if (pos + 1 + len > m.size()) return Status::need_more;
        append_label(name, m.subspan(pos + 1, len));
        pos += 1 + size_t{len};
    }
}

Status parse_dns(std::span<const uint8_t> message, DnsMessage& msg) {
    reset(msg);
    return parse_message(message, true, msg);
}

Status parse_dns_tcp(std::span<const uint8_t> stream, DnsMessage& msg) {
    reset(msg);
    if (stream.size() < 2) {
        msg.needed = 2;
        return Status::need_more;
    }
    size_t length = size_t{stream[0]} << 8 | stream[1];
    if (length < 12) return Status::not_this;
    std::span<const uint8_t> m = stream.subspan(2, std::min(length, stream.size() - 2));
    Status s = parse_message(m, m.size() == length, msg);
    if (s == Status::need_more) msg.needed = std::min(2 + length, kMaxDnsTcpPrefix);
    // A prefix as long as kMaxDnsTcpPrefix holds any valid first question.
    if (s == Status::need_more && stream.size() >= kMaxDnsTcpPrefix) return Status::invalid;
    return s;
}

}  // namespace fk::l7
