// The iterator's exchanges with authoritative servers: building and sending
// a query, checking what comes back, what each kind of answer or failure
// means for the goal (the fallbacks), timeouts; and the final message.
#include <algorithm>
#include <cstring>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "resolver/recursion/iterator.h"
#include "resolver/recursion/iterator_state.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {
const std::string kNoInterface;

// RFC 9156 section 2.3: a name more than this many labels below the cut is
// sent whole (its MAX_MINIMISE_COUNT), so 100 labels never cost 100 queries.
constexpr unsigned kMaxMinimiseSteps = 10;
// TCP needs a handshake before the query: three RTOs, at least 1 s.
constexpr Duration kMinTcpTimeout = seconds(1);

std::string rcode_name(std::uint16_t rcode) {
    switch (rcode) {
        case dns::rcode::FORMERR:
            return "formerr";
        case dns::rcode::SERVFAIL:
            return "servfail";
        case dns::rcode::NOTIMP:
            return "notimp";
        case dns::rcode::REFUSED:
            return "refused";
        default:
            return "rcode " + std::to_string(rcode);
    }
}

std::string text_of(std::string_view wire) {
    return name_to_text(wire);
}
}  // namespace

void Iterator::send(Resolution& r, Goal& g, const IpAddress& server, bool tcp, TimePoint now) {
    InfraCache& infra = *caches_.infra;
    ServerState state = infra.get(server, now);
    Attempt& a = r.attempt;
    a = Attempt{};
    a.token = kTokenBit | next_token_++;
    a.server = server;
    a.id = static_cast<std::uint16_t>(random_());
    a.tcp = tcp;
    a.edns = !state.no_edns;
    a.x20 = settings_.case_randomisation && !state.no_0x20;
    a.qtype = g.qtype;
    std::string_view name = g.name;
    unsigned total = name_label_count(g.name), cut = name_label_count(g.zone);
    if (settings_.qname_minimisation && g.qmin && g.kind != Goal::Kind::prime && total > cut + 1 &&
        total - cut <= kMaxMinimiseSteps) {
        g.min_labels = std::max(g.min_labels, cut + 1);
        if (g.min_labels < total) {
            name = name_suffix(g.name, g.min_labels);
            a.qtype = dns::type::A;  // RFC 9156 section 3: A hides the type asked and fares best
            a.minimised = true;
        }
    }
    a.sent_lower.assign(name);
    a.sent = a.sent_lower;
    if (a.x20) {  // draft-vixie-dnsext-dns0x20: one random bit per letter
        std::uint64_t bits = random_();
        unsigned used = 0;
        for (char& c : a.sent) {
            if (c < 'a' || c > 'z') continue;
            if (used == 64) {
                bits = random_();
                used = 0;
            }
            if ((bits >> used++) & 1) c = static_cast<char>(c - 32);
        }
    }
    // Header (RD clear: we iterate), question, OPT (RFC 6891; DO when
    // validating, RFC 4035 3.2.1).
    std::uint8_t buf[dns::kHeaderSize + kMaxNameLength + 4 + dns::kOptRecordSize] = {};
    store_u16(buf, a.id);
    store_u16(buf + 4, 1);
    store_u16(buf + 10, a.edns ? 1 : 0);
    std::size_t len = dns::kHeaderSize;
    std::memcpy(buf + len, a.sent.data(), a.sent.size());
    len += a.sent.size();
    store_u16(buf + len, a.qtype);
    store_u16(buf + len + 2, dns::kClassIN);
    len += 4;
    if (a.edns) {
        buf[len] = 0;
        store_u16(buf + len + 1, dns::type::OPT);
        store_u16(buf + len + 3, settings_.edns_size);
        if (settings_.dnssec_ok) buf[len + 7] = 0x80;  // the DO bit: the top bit of the TTL's flags
        len += dns::kOptRecordSize;  // TTL (extended RCODE, version, flags) and RDLENGTH stay 0
    }
    Duration rto = infra.rto(server, now);
    a.sent_at = now;
    a.rto_at = now + (tcp ? std::max(3 * rto, Duration(kMinTcpTimeout)) : rto);
    a.active = true;
    timers_.insert({a.rto_at, a.token});
    token_owner_[a.token] = r.id;
    ++r.queries;
    ++stats_.queries;
    if (tcp) ++stats_.tcp_queries;
    io_.send_upstream({a.token, Endpoint{server, 53}, &kNoInterface, tcp, {buf, len}});
}

// The same server again (over TCP, without EDNS or without 0x20: the
// attempt's flags come from the infrastructure cache), within the budget.
void Iterator::retry(Resolution& r, Goal& g, const IpAddress& server, bool tcp, TimePoint now) {
    if (r.queries >= settings_.limits.max_queries) {
        ++stats_.budget_exceeded;
        return fail(r, 0, "work limit reached: " + std::to_string(settings_.limits.max_queries) + " queries");
    }
    send(r, g, server, tcp, now);
}

// `failed` did not help with this goal at this zone: another server, or
// (when every one has failed) another round or the end (advance).
void Iterator::next_server(Resolution& r, Goal& g, const IpAddress& failed, TimePoint now) {
    if (std::find(g.tried.begin(), g.tried.end(), failed) == g.tried.end()) g.tried.push_back(failed);
    advance(r, now);
}

// Only a trace keeps the steps: the text is made only then (`name`, when
// given, is a wire name appended to the outcome).
void Iterator::note(Resolution& r, const Goal& g, const Attempt& a, std::string_view what, TimePoint now,
                    std::string_view name) {
    if (!r.trace) return;
    std::string outcome(what);
    if (!name.empty()) outcome += " " + text_of(name);
    r.steps.push_back(
        {text_of(g.zone), a.server, text_of(a.sent), a.qtype, a.tcp, std::move(outcome), now - a.sent_at});
}

void Iterator::on_response(std::uint64_t token, const Endpoint& from, std::span<const std::uint8_t> bytes,
                           TimePoint now) {
    Resolution* rp = by_token(token);
    if (!rp) return;
    Resolution& r = *rp;
    Goal& g = r.goals.back();
    const Attempt& a = r.attempt;
    if (from.address != a.server || from.port != 53) {
        ++stats_.spoofed;
        return;
    }
    ParseError err = parse_message(bytes, parsed_);
    if (bytes.size() >= 2 && load_u16(bytes.data()) != a.id) {
        ++stats_.spoofed;  // not ours: keep waiting for the real answer
        return;
    }
    if (err != ParseError::ok) {
        ++stats_.malformed;
        caches_.infra->on_failure(a.server, now);
        note(r, g, a, "malformed", now);
        IpAddress server = a.server;
        close_attempt(r);
        next_server(r, g, server, now);
        return reap();
    }
    const MessageHeader& h = parsed_.header;
    auto questions = parsed_.questions();
    std::uint16_t rcode = parsed_.rcode();
    bool error_rcode = rcode != dns::rcode::NOERROR && rcode != dns::rcode::NXDOMAIN;
    if (!h.is_response() || h.opcode() != 0 || questions.size() > 1 || (questions.empty() && !error_rcode)) {
        ++stats_.spoofed;
        return;
    }
    if (!questions.empty()) {
        const RecordView& q = questions[0];
        if (q.type != a.qtype || q.klass != dns::kClassIN || parsed_.owner(q) != a.sent_lower) {
            ++stats_.spoofed;  // an answer to another question: keep waiting
            return;
        }
        if (a.x20 && parsed_.owner_original_case(q).view() != a.sent) {
            // Not echoed as sent: a server that rewrites case, or a forgery
            // that guessed ID and port. Ask again over TCP without 0x20
            // (Knot Resolver's fallback), and remember the server.
            ++stats_.case_mismatches;
            caches_.infra->set_no_0x20(a.server, now);
            note(r, g, a, "mismatch", now);
            IpAddress server = a.server;
            close_attempt(r);
            retry(r, g, server, true, now);
            return reap();
        }
    }
    caches_.infra->on_answer(a.server, now - a.sent_at, now);
    Attempt done = a;
    close_attempt(r);
    handle(r, g, done, parsed_, now);
    reap();
}

void Iterator::handle(Resolution& r, Goal& g, const Attempt& a, const ParsedMessage& m, TimePoint now) {
    InfraCache& infra = *caches_.infra;
    if (m.header.has(dns::flag::TC) && !a.tcp) {
        note(r, g, a, "truncated", now);  // RFC 7766 section 5
        return retry(r, g, a.server, true, now);
    }
    std::uint16_t rcode = m.rcode();
    if ((rcode == dns::rcode::FORMERR || rcode == dns::rcode::NOTIMP) && a.edns && !m.edns.present) {
        // RFC 6891 section 7: a server that does not know EDNS. Only this
        // answer proves it; a timeout never does (DNS Flag Day 2019).
        ++stats_.edns_fallbacks;
        infra.set_no_edns(a.server, now);
        note(r, g, a, "formerr", now);
        return retry(r, g, a.server, a.tcp, now);
    }
    if (rcode != dns::rcode::NOERROR && rcode != dns::rcode::NXDOMAIN) {
        if (r.trace) note(r, g, a, rcode_name(rcode), now);
        if (a.minimised) {
            // RFC 9156 section 2.3, relaxed: some servers fail minimised
            // queries; ask this one for the full name before judging it.
            ++stats_.qmin_fallbacks;
            g.qmin = false;
            return retry(r, g, a.server, a.tcp, now);
        }
        if (rcode == dns::rcode::REFUSED) {
            ++stats_.lame;
            infra.mark_lame(a.server, g.zone, now);
        } else {
            infra.on_failure(a.server, now);
        }
        return next_server(r, g, a.server, now);
    }
    ClassifyLimits lim{.max_chain = settings_.limits.max_cname};
    Classification c = classifier_.classify(m, a.sent_lower, a.qtype, g.zone, *caches_.records, now, lim);
    switch (c.kind) {
        case ResponseClass::referral:
            ++r.referrals;
            ++stats_.referrals;
            note(r, g, a, "referral", now, c.child);
            if (r.trace) r.trace_cuts.push_back(c.child);
            if (r.keep && r.kept_referrals.size() < settings_.limits.max_referrals) {
                auto bytes = m.bytes();
                r.kept_referrals.push_back({c.child, dns::type::DS, {bytes.begin(), bytes.end()}});
            }
            g.skip_cache_once = true;
            if (r.referrals > settings_.limits.max_referrals) {
                ++stats_.budget_exceeded;
                return fail(r, 0,
                            "work limit reached: more than " +
                                std::to_string(settings_.limits.max_referrals) + " referrals");
            }
            return advance(r, now);
        case ResponseClass::answer:
        case ResponseClass::cname:
            if (c.kind == ResponseClass::answer)
                note(r, g, a, "answer", now);
            else
                note(r, g, a, "cname", now, c.target);
            if (a.minimised) {
                // The name asked exists without a cut here: one label deeper.
                // A CNAME on the way: stop minimising (the alias decides).
                if (c.chain_links > 0) {
                    g.qmin = false;
                } else {
                    g.min_labels = name_label_count(a.sent_lower) + 1;
                    g.skip_cache_once = true;
                }
                return advance(r, now);
            }
            g.answered_here = true;
            if (g.qtype == dns::type::ANY) g.any_types = c.any_types;
            // A CNAME response does not hold its target's data: only an answer
            // lets the cache give the chain's end (it came in this message).
            keep(r, g, a, m,
                 c.kind == ResponseClass::answer ? std::string_view(c.target) : std::string_view());
            return advance(r, now);
        case ResponseClass::nxdomain:
        case ResponseClass::nodata: {
            bool nx = c.kind == ResponseClass::nxdomain;
            note(r, g, a, nx ? "nxdomain" : "nodata", now);
            if (a.minimised) {
                if (nx) {  // relaxed, as unbound and Knot: a broken server may deny an empty non-terminal
                    ++stats_.qmin_fallbacks;
                    g.qmin = false;
                    if (c.has_soa) {
                        g.nx_probe = a.sent_lower;
                        g.nx_probe_zone = g.zone;
                        g.nx_soa_owner = c.soa_owner;
                        g.nx_soa_rdata = c.soa_rdata;
                        g.nx_ttl = c.negative_ttl;
                    }
                } else {
                    g.min_labels = name_label_count(a.sent_lower) + 1;  // exists (maybe empty): deeper
                    g.skip_cache_once = true;
                }
                return advance(r, now);
            }
            g.answered_here = true;
            keep(r, g, a, m, c.target);
            Trust trust = c.authoritative ? Trust::authority_auth : Trust::answer_nonauth;
            if (nx && !g.nx_probe.empty() && g.nx_probe_zone == g.zone && name_is_under(c.target, g.nx_probe))
                caches_.records->store_negative(g.nx_probe, 0, true, g.nx_ttl, trust, g.nx_soa_owner,
                                                g.nx_soa_rdata, now);
            if (!c.has_soa || !caches_.records->store_negative(c.target, a.qtype, nx, c.negative_ttl, trust,
                                                               c.soa_owner, c.soa_rdata, now)) {
                g.direct_negative = true;  // RFC 2308 section 5: no SOA, not cached
                g.direct_rcode = nx ? dns::rcode::NXDOMAIN : dns::rcode::NOERROR;
                g.direct_name = c.target;
            }
            return advance(r, now);
        }
        case ResponseClass::lame:
            ++stats_.lame;
            infra.mark_lame(a.server, g.zone, now);
            note(r, g, a, "lame", now);
            return next_server(r, g, a.server, now);
    }
}

// A response that answered the client's question (or a link of its chain):
// kept whole when the resolution validates.
// Also notes, for a refresh, which names the cache may now give (Goal::fresh).
void Iterator::keep(Resolution& r, Goal& g, const Attempt& a, const ParsedMessage& m,
                    std::string_view target) {
    if (!r.refresh || g.kind != Goal::Kind::main) return;
    g.fresh.clear();
    if (!target.empty()) g.fresh.emplace_back(target);
    for (const RecordView& rr : m.records())
        if (rr.section == Section::answer) {
            std::string owner(m.owner(rr));
            if (std::find(g.fresh.begin(), g.fresh.end(), owner) == g.fresh.end()) g.fresh.push_back(owner);
        }
    if (!r.keep) return;
    auto bytes = m.bytes();
    r.kept.push_back({a.sent_lower, a.qtype, {bytes.begin(), bytes.end()}});
}

void Iterator::on_error(std::uint64_t token, TimePoint now) {
    Resolution* rp = by_token(token);
    if (!rp) return;
    Resolution& r = *rp;
    caches_.infra->on_failure(r.attempt.server, now);
    note(r, r.goals.back(), r.attempt, "unreachable", now);
    close_attempt(r);
    next_server(r, r.goals.back(), r.attempt.server, now);
    reap();
}

void Iterator::on_timers(TimePoint now) {
    while (!timers_.empty() && timers_.begin()->first <= now) {
        std::uint64_t token = timers_.begin()->second;
        timers_.erase(timers_.begin());
        if (token & kDeadlineMark) {
            auto it = resolutions_.find(token & ~kDeadlineMark);
            if (it != resolutions_.end() && !it->second->done) {
                ++stats_.budget_exceeded;
                fail(*it->second, 0, "time limit reached");
            }
            continue;
        }
        Resolution* rp = by_token(token);
        if (!rp) continue;
        Resolution& r = *rp;
        ++stats_.timeouts;
        caches_.infra->on_timeout(r.attempt.server, now);
        note(r, r.goals.back(), r.attempt, "timeout", now);
        close_attempt(r);
        next_server(r, r.goals.back(), r.attempt.server, now);
    }
    reap();
}

std::optional<TimePoint> Iterator::next_timer() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first;
}

void Iterator::reap() {
    for (std::uint64_t id : finished_) resolutions_.erase(id);
    finished_.clear();
}

std::vector<std::uint8_t> build_result_message(std::string_view qname, std::uint16_t qtype,
                                               std::uint8_t rcode, const std::vector<ResultRRset>& answer,
                                               const ResultRRset* soa) {
    std::vector<std::uint8_t> out;
    out.reserve(512);
    out.resize(dns::kHeaderSize);
    store_u16(out.data() + 2,
              static_cast<std::uint16_t>(dns::flag::QR | dns::flag::RD | dns::flag::RA | rcode));
    store_u16(out.data() + 4, 1);
    out.insert(out.end(), qname.begin(), qname.end());
    auto put16 = [&](std::uint16_t v) {
        out.push_back(static_cast<std::uint8_t>(v >> 8));
        out.push_back(static_cast<std::uint8_t>(v));
    };
    put16(qtype);
    put16(dns::kClassIN);
    // Records stop before the message would pass 65535 bytes (RFC 1035
    // 4.2.2's limit): a set that large would be truncated for UDP anyway.
    auto put_set = [&](const ResultRRset& s) -> std::uint16_t {
        std::uint16_t n = 0;
        for_each_blob_record(s.blob, [&](std::span<const std::uint8_t> rd) {
            if (out.size() + s.owner.size() + 10 + rd.size() > dns::kMaxMessageSize) return;
            if (s.owner == qname) {
                put16(0xC00C);  // the question's name
            } else {
                out.insert(out.end(), s.owner.begin(), s.owner.end());
            }
            put16(s.type);
            put16(dns::kClassIN);
            put16(static_cast<std::uint16_t>(s.ttl >> 16));
            put16(static_cast<std::uint16_t>(s.ttl));
            put16(static_cast<std::uint16_t>(rd.size()));
            out.insert(out.end(), rd.begin(), rd.end());
            ++n;
        });
        return n;
    };
    std::uint16_t an = 0;
    for (const ResultRRset& s : answer) an = static_cast<std::uint16_t>(an + put_set(s));
    std::uint16_t ns = soa ? put_set(*soa) : 0;
    store_u16(out.data() + 6, an);
    store_u16(out.data() + 8, ns);
    return out;
}

}  // namespace lanlord
