#include "resolver/dnssec/signed_answer.h"

#include <algorithm>
#include <string>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/dnssec/answer_chain.h"
#include "resolver/dnssec/signed_rrsets.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

class Writer {
  public:
    Writer(std::string_view qname, std::uint16_t qtype) {
        out_.resize(dns::kHeaderSize);
        out_.insert(out_.end(), qname.begin(), qname.end());
        put16(qtype);
        put16(dns::kClassIN);
    }

    // The set and its RRSIGs; false when the message would pass 65535
    // bytes (RFC 1035 4.2.2).
    bool put(const SignedRrset& s, int section, bool with_signatures = true) {
        for (const auto& rd : s.rdatas)
            if (!record(s.owner, s.type, s.ttl, rd, section)) return false;
        if (with_signatures)
            for (const auto& sig : s.rrsigs)
                if (!record(s.owner, dns::type::RRSIG, s.ttl, sig, section)) return false;
        return true;
    }

    std::vector<std::uint8_t> finish(std::uint8_t rcode) {
        store_u16(out_.data() + 2,
                  static_cast<std::uint16_t>(dns::flag::QR | dns::flag::RD | dns::flag::RA | (rcode & 0x0F)));
        store_u16(out_.data() + 4, 1);
        store_u16(out_.data() + 6, counts_[0]);
        store_u16(out_.data() + 8, counts_[1]);
        return std::move(out_);
    }

  private:
    bool record(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                const std::vector<std::uint8_t>& rdata, int section) {
        if (out_.size() + owner.size() + 10 + rdata.size() > dns::kMaxMessageSize || rdata.size() > 0xFFFF)
            return false;
        out_.insert(out_.end(), owner.begin(), owner.end());
        put16(type);
        put16(dns::kClassIN);
        put16(static_cast<std::uint16_t>(ttl >> 16));
        put16(static_cast<std::uint16_t>(ttl));
        put16(static_cast<std::uint16_t>(rdata.size()));
        out_.insert(out_.end(), rdata.begin(), rdata.end());
        ++counts_[section];
        return true;
    }
    void put16(std::uint16_t v) {
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }

    std::vector<std::uint8_t> out_;
    std::uint16_t counts_[2] = {0, 0};
};

bool is_proof(std::uint16_t type) {
    return type == dns::type::SOA || type == dns::type::NSEC || type == dns::type::NSEC3;
}

}  // namespace

std::vector<std::uint8_t> build_signed_answer(std::span<const AnswerSource> sources, std::string_view qname,
                                              std::uint16_t qtype) {
    if (sources.empty()) return {};
    Writer w(qname, qtype);
    std::vector<SignedRrset> authority;
    std::uint8_t rcode = 0;
    bool answered = false, wildcard = false;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        ParsedMessage m = parse_message(sources[i].bytes);
        if (!m.ok()) return {};
        bool last = i + 1 == sources.size();
        std::uint16_t type = last ? qtype : sources[i].qtype;
        std::vector<SignedRrset> answer = signed_rrsets(m, Section::answer);
        std::string name(sources[i].qname);
        for (unsigned link = 0; link <= kMaxAnswerChain; ++link) {
            if (const SignedRrset* data = find_rrset(answer, name, type)) {
                if (!w.put(*data, 0)) return {};
                // RFC 4035 5.3.4: fewer RRSIG labels than the owner's: an expansion.
                for (const auto& sig : data->rrsigs)
                    if (sig.size() > 3 && sig[3] < name_label_count(data->owner)) wildcard = true;
                answered = true;
                break;
            }
            if (const SignedRrset* dname = find_dname_above(answer, name)) {
                if (!w.put(*dname, 0)) return {};
                if (const SignedRrset* cname = find_rrset(answer, name, dns::type::CNAME))
                    if (!w.put(*cname, 0)) return {};
                name = dname_substitute(name, *dname);
                if (name.empty()) return {};
                continue;
            }
            const SignedRrset* cname =
                type != dns::type::CNAME ? find_rrset(answer, name, dns::type::CNAME) : nullptr;
            if (!cname) break;
            if (!w.put(*cname, 0)) return {};
            name = alias_target(*cname);
            if (name.empty()) return {};
        }
        if (last) {
            rcode = m.rcode();
            authority = signed_rrsets(m, Section::authority);
        }
    }
    if (!answered || wildcard)
        for (const SignedRrset& s : authority)
            if (is_proof(s.type) && (!answered || s.type != dns::type::SOA) && !w.put(s, 1)) return {};
    return w.finish(rcode);
}

std::vector<std::uint8_t> build_denial_answer(std::string_view qname, std::uint16_t qtype, std::uint8_t rcode,
                                              std::span<const SignedRrset> authority, bool with_signatures) {
    Writer w(qname, qtype);
    for (const SignedRrset& s : authority)
        // RFC 4035 3.1.3: a DO client gets the proof; others the SOA only.
        if ((with_signatures || s.type == dns::type::SOA) && !w.put(s, 1, with_signatures)) return {};
    return w.finish(rcode);
}

}  // namespace lanlord
