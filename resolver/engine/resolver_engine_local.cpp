// ResolverEngine's answers from local data: configured records and hosts
// files (with CNAME chains through them), DHCP client names, the local
// domain's NXDOMAIN, blocked names, classes other than IN. Split from
// resolver_engine.cpp to keep each file to one concern.
#include "resolver/engine/resolver_engine.h"

#include "resolver/engine/resolver_engine_state.h"

#include <algorithm>
#include <cstring>

#include "common/byte_cursor.h"
#include "resolver/wire/answer_splice.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

// Local data answers before anything is forwarded or cached: configured
// records and hosts files, then DHCP client names, then the local domain's
// NXDOMAIN, then the blocklist. Local names win over blocklists.
bool ResolverEngine::answer_local(std::span<const std::uint8_t> query, const QueryView& q,
                                  const ClientRef& client, TimePoint now) {
    if (q.qclass != dns::kClassIN) return false;
    LocalLookup found;
    if (zone_) {
        found = zone_->find(q.name());
        if (found.kind == LocalLookup::Kind::found) {
            answer_records(query, q, client, found, now);
            return true;
        }
    }
    if (dhcp_names_) {
        std::size_t limit = client.tcp ? dns::kMaxMessageSize : udp_answer_limit(q, settings_.edns);
        std::uint32_t ttl = zone_ ? zone_->ttl() : settings_.local_ttl;
        if (q.qtype == dns::type::PTR) {
            if (auto target = dhcp_names_->reverse(q.name(), now)) {
                LocalAnswerBuilder b(buffer_, query, q, dns::rcode::NOERROR);
                b.add_answer_name(dns::type::PTR, ttl, *target);
                ++stats_.local_answers;
                reply(client, b.finish(settings_.edns, limit), QueryOutcome::local);
                return true;
            }
        } else if (auto address = dhcp_names_->address(q.name(), now)) {
            LocalAnswerBuilder b(buffer_, query, q, dns::rcode::NOERROR);
            bool want =
                q.qtype == dns::type::ANY || q.qtype == (address->is_v4() ? dns::type::A : dns::type::AAAA);
            if (want)
                b.add_answer(address->is_v4() ? dns::type::A : dns::type::AAAA, ttl,
                             {address->bytes(), address->size()});
            else
                b.add_authority_soa(
                    zone_ && !zone_->domain().empty() ? std::string_view(zone_->domain()) : q.name(), ttl);
            ++stats_.local_answers;
            reply(client, b.finish(settings_.edns, limit), QueryOutcome::local);
            return true;
        }
    }
    if (found.kind == LocalLookup::Kind::nxdomain) {
        answer_negative(query, q, client, found.zone);
        return true;
    }
    return false;  // the blocklist comes next, checked with the cache (handle_query)
}

void ResolverEngine::answer_blocked(std::span<const std::uint8_t> query, const QueryView& q,
                                    const ClientRef& client) {
    ++stats_.blocked;
    std::size_t limit = client.tcp ? dns::kMaxMessageSize : udp_answer_limit(q, settings_.edns);
    std::uint32_t ttl = settings_.local_ttl;
    std::uint8_t rcode =
        settings_.block_mode == BlockMode::nxdomain ? dns::rcode::NXDOMAIN : dns::rcode::NOERROR;
    LocalAnswerBuilder b(buffer_, query, q, rcode);
    static const std::uint8_t zeros[16] = {};
    bool null_answer = settings_.block_mode == BlockMode::null_address;
    if (null_answer && (q.qtype == dns::type::A || q.qtype == dns::type::ANY))
        b.add_answer(dns::type::A, ttl, {zeros, 4});
    if (null_answer && (q.qtype == dns::type::AAAA || q.qtype == dns::type::ANY))
        b.add_answer(dns::type::AAAA, ttl, {zeros, 16});
    if (!null_answer || (q.qtype != dns::type::A && q.qtype != dns::type::AAAA && q.qtype != dns::type::ANY))
        b.add_authority_soa(q.name(), ttl);
    reply(client, b.finish(settings_.edns, limit), QueryOutcome::blocked);
}

// Only class IN is resolved. CHAOS carries the server's own names (answered
// here, never forwarded: see server_identity.h); HS, NONE and ANY are REFUSED
// rather than forwarded: no client on a LAN needs them, and an upstream's
// answer for them would say nothing about this server.
void ResolverEngine::answer_other_class(std::span<const std::uint8_t> query, const QueryView& q,
                                        const ClientRef& client) {
    ChaosVerdict v;
    if (q.qclass == dns::kClassCH) v = answer_chaos(settings_.identity, q.name(), q.qtype);
    if (v.answer == ChaosAnswer::refused) {
        ++stats_.refused;
        return reply_error(query, q, client, dns::rcode::REFUSED);
    }
    std::size_t limit = client.tcp ? dns::kMaxMessageSize : udp_answer_limit(q, settings_.edns);
    LocalAnswerBuilder b(buffer_, query, q, dns::rcode::NOERROR);
    if (v.answer == ChaosAnswer::txt) b.add_answer(dns::type::TXT, 0, txt_rdata(v.text));
    ++stats_.local_answers;
    reply(client, b.finish(settings_.edns, limit), QueryOutcome::local);
}

// Answers from local records, following CNAMEs inside local data (RFC 1034
// 4.3.2); a chain that leaves local data is resolved the normal way and its
// answer appended behind our CNAMEs.
void ResolverEngine::answer_records(std::span<const std::uint8_t> query, const QueryView& q,
                                    const ClientRef& client, const LocalLookup& found, TimePoint now) {
    std::size_t limit = client.tcp ? dns::kMaxMessageSize : udp_answer_limit(q, settings_.edns);
    std::uint32_t soa_ttl = zone_ ? zone_->ttl() : settings_.local_ttl;
    ++stats_.local_answers;
    const std::vector<LocalRecord>* records = found.records();
    bool wants_any = q.qtype == dns::type::ANY;
    auto matches = [&](const LocalRecord& r) {
        return r.type == q.qtype || (wants_any && r.type != dns::type::CNAME);
    };
    bool direct = records && std::any_of(records->begin(), records->end(), matches);
    const LocalRecord* cname = nullptr;
    if (records && !direct && q.qtype != dns::type::CNAME)
        for (const auto& r : *records)
            if (r.type == dns::type::CNAME) cname = &r;
    if (!cname) {
        LocalAnswerBuilder b(buffer_, query, q, dns::rcode::NOERROR);
        if (records)
            for (const auto& r : *records)
                if (matches(r)) b.add_answer(r.type, r.ttl, r.rdata);
        if (!direct) b.add_authority_soa(found.zone, soa_ttl);  // NODATA (RFC 2308 2.2)
        reply(client, b.finish(settings_.edns, limit), QueryOutcome::local);
        return;
    }
    // Follow the chain through local data, at most 8 links (loops end there).
    std::vector<std::uint8_t> prefix;
    std::uint16_t count = 0;
    std::string owner(q.name());
    std::uint8_t final_rcode = dns::rcode::NOERROR;
    for (int hop = 0; hop < 8 && cname; ++hop) {
        append_record(prefix, owner, dns::type::CNAME, cname->ttl, cname->rdata);
        ++count;
        std::string target(cname->rdata.begin(), cname->rdata.end());
        cname = nullptr;
        LocalLookup next = zone_ ? zone_->find(target) : LocalLookup{};
        if (next.kind == LocalLookup::Kind::none) {
            resolve_behind_cname(query, q, client, target, std::move(prefix), count, now);
            return;
        }
        if (next.kind == LocalLookup::Kind::nxdomain) final_rcode = dns::rcode::NXDOMAIN;
        if (const auto* next_records = next.records())
            for (const auto& r : *next_records) {
                if (matches(r)) {
                    append_record(prefix, target, r.type, r.ttl, r.rdata);
                    ++count;
                } else if (r.type == dns::type::CNAME && q.qtype != dns::type::CNAME) {
                    cname = &r;
                }
            }
        if (cname && !next.stored) cname = nullptr;  // address rules have no CNAME; `next` dies here
        owner = target;
        if (!cname) break;
    }
    // The chain ended inside local data: splice against an empty NOERROR target.
    std::uint8_t empty[dns::kHeaderSize + kMaxNameLength + 4] = {};
    store_u16(empty + 2, static_cast<std::uint16_t>(dns::flag::QR | dns::flag::AA | final_rcode));
    std::memcpy(empty + dns::kHeaderSize, query.data() + dns::kHeaderSize, q.question_end - dns::kHeaderSize);
    store_u16(empty + 4, 1);
    std::size_t n =
        splice_answer(buffer_, prefix, count, {empty, q.question_end}, q, query, settings_.edns, limit);
    if (n)
        store_u16(buffer_.data() + 2,
                  static_cast<std::uint16_t>(load_u16(buffer_.data() + 2) | dns::flag::AA));
    reply(client, n, QueryOutcome::local);
}

void ResolverEngine::answer_negative(std::span<const std::uint8_t> query, const QueryView& q,
                                     const ClientRef& client, std::string_view zone) {
    std::size_t limit = client.tcp ? dns::kMaxMessageSize : udp_answer_limit(q, settings_.edns);
    LocalAnswerBuilder b(buffer_, query, q, dns::rcode::NXDOMAIN);
    b.add_authority_soa(zone, settings_.local_ttl);
    ++stats_.local_answers;
    reply(client, b.finish(settings_.edns, limit), QueryOutcome::local);
}

}  // namespace lanlord
