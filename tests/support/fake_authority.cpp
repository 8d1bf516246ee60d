#include "support/fake_authority.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_layout.h"
#include "resolver/wire/wire_name.h"
#include "support/fake_zone_signing.h"

namespace lanlord::test {
namespace {

constexpr int kMaxChain = 8;           // CNAME/DNAME hops followed inside one zone
constexpr std::uint8_t kYxdomain = 6;  // RFC 6672 2.2: the DNAME substitution is too long
const std::string kRoot(1, '\0');

std::string lower(std::string_view wire) {
    std::string s(wire);
    // Length octets are at most 63, below 'A': lower-casing the whole wire form is safe.
    for (auto& c : s) c = ascii_lower(static_cast<std::uint8_t>(c));
    return s;
}

std::string_view parent_of(std::string_view wire) {
    return wire.size() <= 1 ? wire : wire.substr(1 + static_cast<std::uint8_t>(wire[0]));
}

// Writes a response with RFC 1035 4.1.4 compression, as real servers do: the
// answer's owners then point at the question and carry its letter case.
class Writer {
  public:
    Writer(std::uint16_t id, std::uint16_t flags) {
        put16(b_, id);
        put16(b_, flags);
        b_.resize(dns::kHeaderSize);
    }
    void question(std::string_view name, std::uint16_t qtype, std::uint16_t qclass) {
        write_name(name, true);
        put16(b_, qtype);
        put16(b_, qclass);
        counts_[0] = 1;
    }
    void records(int section, const std::vector<ZoneRecord>& rrs) {
        for (const auto& r : rrs) record(r);
        counts_[section] = static_cast<std::uint16_t>(counts_[section] + rrs.size());
    }
    void opt(bool dnssec_ok) {
        b_.push_back(0);
        put16(b_, dns::type::OPT);
        put16(b_, kFakeServerUdpSize);
        put32(b_, dnssec_ok ? dns::kEdnsDoBit : 0);
        put16(b_, 0);
        ++counts_[3];
    }
    Bytes finish() {
        for (int i = 0; i < 4; ++i) store_u16(b_.data() + 4 + 2 * i, counts_[i]);
        return std::move(b_);
    }

  private:
    void write_name(std::string_view wire, bool compress) {
        std::size_t i = 0;
        while (wire[i] != 0) {
            if (compress) {
                std::string key = lower(wire.substr(i));
                auto it = offsets_.find(key);
                if (it != offsets_.end()) {
                    put16(b_, static_cast<std::uint16_t>(0xC000 | it->second));
                    return;
                }
                if (b_.size() < 0x4000) offsets_.emplace(std::move(key), b_.size());
            }
            const std::size_t n = 1 + static_cast<std::uint8_t>(wire[i]);
            b_.insert(b_.end(), wire.begin() + static_cast<long>(i), wire.begin() + static_cast<long>(i + n));
            i += n;
        }
        b_.push_back(0);
    }
    void record(const ZoneRecord& r) {
        write_name(r.owner, true);
        put16(b_, r.type);
        put16(b_, dns::kClassIN);
        put32(b_, r.ttl);
        const std::size_t length_at = b_.size();
        put16(b_, 0);
        // Names inside RDATA are compressed only where RFC 3597 4 allows it
        // (not DNAME, RFC 6672 2.5); RDATA the walker rejects goes out as it is.
        const bool compress = rdata_rules(r.type, dns::kClassIN).compressible;
        const std::size_t start = b_.size();
        RdataWalker walk(r.rdata, r.type, dns::kClassIN, 0, r.rdata.size());
        RdataField f;
        while (walk.next(f)) {
            auto piece = std::string_view(reinterpret_cast<const char*>(r.rdata.data()) + f.offset, f.length);
            if (f.kind == RdataField::Kind::name)
                write_name(piece, compress);
            else
                b_.insert(b_.end(), piece.begin(), piece.end());
        }
        if (walk.error() != RdataError::ok) {
            b_.resize(start);
            b_.insert(b_.end(), r.rdata.begin(), r.rdata.end());
        }
        store_u16(b_.data() + length_at, static_cast<std::uint16_t>(b_.size() - start));
    }

    Bytes b_;
    std::uint16_t counts_[4] = {};
    std::map<std::string, std::size_t> offsets_;  // lower-cased name suffix -> where it was written
};

struct Outcome {
    std::uint8_t rcode = dns::rcode::NOERROR;
    bool authoritative = true;
    const FakeZone* zone = nullptr;  // the zone that answered
    std::vector<ZoneRecord> answer, authority, additional;
};

void add_unique(std::vector<ZoneRecord>& to, const std::vector<ZoneRecord>& from) {
    for (const auto& r : from) {
        bool dup = std::any_of(to.begin(), to.end(), [&](const ZoneRecord& t) {
            return t.owner == r.owner && t.type == r.type && t.rdata == r.rdata;
        });
        if (!dup) to.push_back(r);
    }
}

// The domain name in NS, CNAME, DNAME, PTR and MX RDATA.
std::string target_of(const ZoneRecord& r) {
    const std::size_t skip = r.type == dns::type::MX ? 2 : 0;
    return {r.rdata.begin() + static_cast<long>(skip), r.rdata.end()};
}

// Glue and additional data: the zone's addresses of `target` when it lies in
// the zone, at or below a cut too (NSD: glue is whatever the zone file holds).
void add_addresses(const FakeZone& z, const std::string& target, std::vector<ZoneRecord>& to) {
    if (!name_is_under(target, z.origin())) return;
    add_unique(to, z.find(target, dns::type::A));
    add_unique(to, z.find(target, dns::type::AAAA));
}

// The SOA of negative answers, TTL min(SOA TTL, MINIMUM) (RFC 2308 section 3).
void add_negative_soa(const FakeZone& z, Outcome& out) {
    for (auto soa : z.find(z.origin(), dns::type::SOA)) {
        if (soa.rdata.size() >= 4)
            soa.ttl = std::min(soa.ttl, load_u32(soa.rdata.data() + soa.rdata.size() - 4));
        add_unique(out.authority, {soa});
    }
}

// `name` and its ancestors down from the zone apex (name is under it).
std::vector<std::string> path_from_apex(const std::string& name, const std::string& apex) {
    std::vector<std::string> path;
    std::string_view n = name;
    while (true) {
        path.emplace_back(n);
        if (n == apex || n.size() <= 1) break;
        n = parent_of(n);
    }
    std::reverse(path.begin(), path.end());
    return path;
}

// One pass of RFC 1034 4.3.2 steps 3a-3c for `name` inside zone `z`; returns
// the name to go on with (a CNAME target) or nothing when done.
std::optional<std::string> step(const FakeZone& z, const std::string& name, std::uint16_t qtype,
                                Outcome& out) {
    for (const auto& n : path_from_apex(name, z.origin())) {
        // A zone cut: referral (3b); but DS at the cut is the parent's to
        // answer (RFC 4035 3.1.4.1).
        if (n != z.origin() && z.has(n, dns::type::NS) && !(n == name && qtype == dns::type::DS)) {
            // After a CNAME the answer stays authoritative; the referral
            // tells where the target lives (RFC 1034 4.3.2 3b, as BIND does).
            if (out.answer.empty()) out.authoritative = false;
            auto ns = z.find(n, dns::type::NS);
            add_unique(out.authority, ns);
            for (const auto& r : ns) add_addresses(z, target_of(r), out.additional);
            return std::nullopt;
        }
        if (n != name && z.has(n, dns::type::DNAME)) {  // RFC 6672 3.1: substitute the suffix
            const ZoneRecord dname = z.find(n, dns::type::DNAME).front();
            add_unique(out.answer, {dname});
            std::string target = name.substr(0, name.size() - n.size()) + target_of(dname);
            if (target.size() > kMaxNameLength) {
                out.rcode = kYxdomain;
                return std::nullopt;
            }
            out.answer.push_back({name, dns::type::CNAME, dname.ttl, Bytes(target.begin(), target.end())});
            return target;
        }
    }
    if (z.name_exists(name)) {
        auto found = z.find(name, qtype);
        if (!found.empty()) {
            add_unique(out.answer, found);
            for (const auto& r : found)
                if (r.type == dns::type::NS || r.type == dns::type::MX)
                    add_addresses(z, target_of(r), out.additional);
            return std::nullopt;
        }
        auto cname = z.find(name, dns::type::CNAME);
        if (!cname.empty()) {
            add_unique(out.answer, cname);
            return target_of(cname.front());
        }
    } else if (!z.has_descendant(name)) {
        out.rcode = dns::rcode::NXDOMAIN;  // RFC 6604: the RCODE is the last name's
    }
    add_negative_soa(z, out);
    return std::nullopt;
}

Outcome lookup(const std::vector<FakeZone>& zones, const std::string& qname, std::uint16_t qtype) {
    Outcome out;
    // RFC 4035 3.1.4.1: DS at a zone's apex is the parent's data, also when
    // this server holds both.
    std::string_view holder = qname;
    if (qtype == dns::type::DS && qname.size() > 1)
        for (const auto& z : zones)
            if (z.origin() == qname) holder = parent_of(qname);
    for (const auto& z : zones)
        if (name_is_under(holder, z.origin()) && (!out.zone || z.origin().size() > out.zone->origin().size()))
            out.zone = &z;
    if (!out.zone) {
        out.rcode = dns::rcode::REFUSED;
        out.authoritative = false;
        return out;
    }
    std::optional<std::string> next = qname;
    // A chain leaving the zone stops there: the resolver follows it elsewhere.
    for (int hops = 0; next && hops < kMaxChain && name_is_under(*next, out.zone->origin()); ++hops)
        next = step(*out.zone, *next, qtype, out);
    return out;
}

void add_poison(Outcome& out) {
    const ZoneRecord a{*name_from_text(kPoisonName), dns::type::A, 300, rdata_a(kAttackerAddress)};
    const std::string attacker_ns = *name_from_text(kAttackerNs);
    const std::string apex = out.zone ? out.zone->origin() : kRoot;
    out.answer.push_back(a);
    out.authority.push_back(
        {std::string(parent_of(apex)), dns::type::NS, 300, Bytes(attacker_ns.begin(), attacker_ns.end())});
    out.additional.push_back({attacker_ns, dns::type::A, 300, rdata_a(kAttackerAddress)});
    out.additional.push_back(a);
}

struct Query {
    std::uint16_t id = 0, flags = 0, qtype = 0, qclass = 0;
    bool edns = false, dnssec_ok = false;
    std::size_t udp_limit = dns::kMinUdpSize;
};

Bytes build(const Query& q, std::string_view question, const Outcome& out, bool opt, bool truncated) {
    const auto flags = static_cast<std::uint16_t>(dns::flag::QR | (q.flags & dns::flag::RD) |
                                                  (out.authoritative ? dns::flag::AA : 0) |
                                                  (truncated ? dns::flag::TC : 0) | out.rcode);
    Writer w(q.id, flags);
    if (!question.empty()) w.question(question, q.qtype, q.qclass);
    if (!truncated) {
        w.records(1, out.answer);
        w.records(2, out.authority);
        w.records(3, out.additional);
    }
    if (opt) w.opt(q.dnssec_ok);
    return w.finish();
}

Outcome only_rcode(std::uint8_t rcode) {
    Outcome out;
    out.rcode = rcode;
    out.authoritative = false;
    return out;
}

}  // namespace

FakeZone& FakeServer::zone(std::string_view origin) {
    const auto wire = name_from_text(origin);
    for (auto& z : zones)
        if (wire && z.origin() == *wire) return z;
    throw std::invalid_argument("FakeServer " + address.to_string() + " serves no zone " +
                                std::string(origin));
}

std::optional<Bytes> FakeServer::answer(std::span<const std::uint8_t> query, bool tcp) const {
    if (behaviour == Behaviour::silent) return std::nullopt;
    const ParsedMessage m = parse_message(query);
    if (query.size() < dns::kHeaderSize || m.header.is_response()) return std::nullopt;  // servers drop these
    Query q{.id = m.header.id, .flags = m.header.flags};
    if (!m.ok() || m.header.qdcount != 1) return build(q, {}, only_rcode(dns::rcode::FORMERR), false, false);
    const RecordView& qrr = m.questions()[0];
    q.qtype = qrr.type;
    q.qclass = qrr.klass;
    q.edns = m.edns.present;
    q.dnssec_ok = m.edns.dnssec_ok && behaviour != Behaviour::strips_dnssec;
    q.udp_limit = q.edns ? std::max<std::size_t>(dns::kMinUdpSize, m.edns.udp_size) : dns::kMinUdpSize;
    std::string question(m.owner_original_case(qrr).view());  // echoed with the case as sent
    const std::string qname(m.owner(qrr));

    Outcome out;
    if (m.header.opcode() != 0) {
        out = only_rcode(dns::rcode::NOTIMP);
    } else if (q.qclass != dns::kClassIN) {
        out = only_rcode(dns::rcode::REFUSED);
    } else {
        switch (behaviour) {
            case Behaviour::refused:
                out = only_rcode(dns::rcode::REFUSED);
                break;
            case Behaviour::servfail:
                out = only_rcode(dns::rcode::SERVFAIL);
                break;
            case Behaviour::formerr_on_edns:
                if (q.edns) return build(q, question, only_rcode(dns::rcode::FORMERR), false, false);
                out = lookup(zones, qname, q.qtype);
                break;
            case Behaviour::tcp_only:
                out = lookup(zones, qname, q.qtype);
                if (!tcp) return build(q, question, out, q.edns, true);
                break;
            case Behaviour::lame: {
                out.authoritative = false;
                const std::string ns = *name_from_text(lame_root_ns);
                out.authority.push_back({kRoot, dns::type::NS, 3600, Bytes(ns.begin(), ns.end())});
                break;
            }
            case Behaviour::no_0x20:
                question = lower(question);
                out = lookup(zones, qname, q.qtype);
                break;
            case Behaviour::wrong_name: {
                std::string other = "\5wrong" + std::string(parent_of(qname));
                question = other.size() <= kMaxNameLength ? other : "\5wrong" + kRoot;
                out = lookup(zones, question, q.qtype);
                break;
            }
            case Behaviour::poison:
                out = lookup(zones, qname, q.qtype);
                add_poison(out);
                break;
            case Behaviour::nxdomain_for_ent:
                out = lookup(zones, qname, q.qtype);
                if (out.rcode == dns::rcode::NOERROR && out.answer.empty() && out.authoritative &&
                    std::none_of(zones.begin(), zones.end(),
                                 [&](const FakeZone& z) { return z.name_exists(qname); }))
                    out.rcode = dns::rcode::NXDOMAIN;
                break;
            default:
                out = lookup(zones, qname, q.qtype);
        }
    }
    // DO=1 to a signed zone: RRSIGs, DS or its denial in referrals, proofs.
    if (q.dnssec_ok && out.zone && out.zone->dnssec() &&
        (out.rcode == dns::rcode::NOERROR || out.rcode == dns::rcode::NXDOMAIN))
        add_dnssec(*out.zone, qname, q.qtype, {out.answer, out.authority, out.rcode, out.authoritative});
    Bytes msg = build(q, question, out, q.edns, false);
    if (!tcp && msg.size() > q.udp_limit) msg = build(q, question, out, q.edns, true);
    return msg;
}

}  // namespace lanlord::test
