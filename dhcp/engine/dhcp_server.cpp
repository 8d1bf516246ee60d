#include "dhcp/engine/dhcp_server.h"

#include <algorithm>

#include "common/byte_cursor.h"
#include "common/text.h"

namespace lanlord::dhcp {

namespace {

constexpr std::size_t kIpUdpHeaders = 28;  // option 57 counts the whole datagram (RFC 2132 9.10)

std::vector<std::uint8_t> u32(std::uint32_t v) {
    return {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
}

std::vector<std::uint8_t> addresses(const std::vector<IpAddress>& list) {
    std::vector<std::uint8_t> out;
    for (const auto& a : list)
        if (a.is_v4()) out.insert(out.end(), a.bytes(), a.bytes() + 4);
    return out;
}

IpAddress mask_of(std::uint8_t length) {
    return IpAddress::v4(length == 0 ? 0 : 0xFFFFFFFFu << (32 - length));
}

// RFC 3442: each route is the prefix length, the significant octets of the
// destination, then the router.
std::vector<std::uint8_t> classless(const std::vector<std::pair<Prefix, IpAddress>>& routes) {
    std::vector<std::uint8_t> out;
    for (const auto& [prefix, router] : routes) {
        out.push_back(prefix.length);
        out.insert(out.end(), prefix.address.bytes(), prefix.address.bytes() + (prefix.length + 7) / 8);
        out.insert(out.end(), router.bytes(), router.bytes() + 4);
    }
    return out;
}

}  // namespace

std::vector<std::uint8_t> client_identity(const Packet& p) {
    if (const auto* id = p.option(option::client_id); id && !id->empty()) return *id;
    std::vector<std::uint8_t> out{p.htype};
    auto hw = p.hardware_address();
    out.insert(out.end(), hw.begin(), hw.end());
    return out;
}

DhcpServer::DhcpServer(ServerSettings settings, LeaseStore& store)
    : settings_(std::move(settings)), store_(store) {}

// Relayed: the subnet containing giaddr (RFC 2131 4.3.1). Direct: the subnet
// on the receiving interface.
const SubnetConfig* DhcpServer::subnet_for(const Received& in) const {
    const Packet& p = in.packet;
    for (const auto& s : settings_.subnets) {
        if (!p.giaddr.is_unspecified()) {
            if (s.subnet.contains(p.giaddr)) return &s;
        } else if (!s.interface.empty() && s.interface == in.interface) {
            return &s;
        }
    }
    return nullptr;
}

const Reservation* DhcpServer::reservation_for(const Packet& p,
                                               const std::vector<std::uint8_t>& client) const {
    auto hw = p.hardware_address();
    for (const auto& r : settings_.reservations) {
        if (!r.client_id.empty() && r.client_id == client) return &r;
        if (!r.hardware.empty() && std::equal(r.hardware.begin(), r.hardware.end(), hw.begin(), hw.end()))
            return &r;
    }
    return nullptr;
}

bool DhcpServer::reserved_for_other(const IpAddress& a, const Packet& p,
                                    const std::vector<std::uint8_t>& client) const {
    const Reservation* mine = reservation_for(p, client);
    for (const auto& r : settings_.reservations)
        if (r.address == a && &r != mine) return true;
    return false;
}

bool DhcpServer::in_pools(const SubnetConfig& s, const IpAddress& a) const {
    return std::any_of(s.pools.begin(), s.pools.end(), [&](const AddressRange& r) { return r.contains(a); });
}

// Whether `a` may be this client's in this subnet now: its reservation, or a
// pool address nobody else holds, is offered or reserved.
bool DhcpServer::may_have(const SubnetConfig& s, const IpAddress& a, const Packet& p,
                          const std::vector<std::uint8_t>& client, std::int64_t now) const {
    if (!s.subnet.contains(a)) return false;
    if (const Reservation* r = reservation_for(p, client)) return r->address == a;
    return in_pools(s, a) && !reserved_for_other(a, p, client) && store_.available_for(a, client, now);
}

std::optional<IpAddress> DhcpServer::choose_address(const SubnetConfig& s, const Packet& p,
                                                    const std::vector<std::uint8_t>& client,
                                                    std::int64_t now) const {
    if (const Reservation* r = reservation_for(p, client)) {
        // A reserved address is the client's only address, even outside the pools.
        if (s.subnet.contains(r->address)) return r->address;
    }
    if (const Lease* previous = store_.by_client(client);
        previous && may_have(s, previous->address, p, client, now))
        return previous->address;  // RFC 2131 4.3.1: the client's current or previous address
    if (auto released = store_.previous_address(client); released && may_have(s, *released, p, client, now))
        return released;
    if (auto requested = p.option_address(option::requested_address);
        requested && may_have(s, *requested, p, client, now))
        return requested;
    std::vector<IpAddress> reserved;
    for (const auto& r : settings_.reservations) reserved.push_back(r.address);
    for (const auto& range : s.pools)
        if (auto a = store_.allocate(range, client, now, reserved)) return a;
    return std::nullopt;
}

Outcome DhcpServer::handle(const Received& in, std::int64_t now) {
    ++stats_.received;
    const Packet& p = in.packet;
    Outcome out;
    if (p.op != kBootRequest) {
        ++stats_.dropped;
        out.dropped = DropReason::not_a_request;
        return out;
    }
    const SubnetConfig* s = subnet_for(in);
    if (!s) {
        ++stats_.dropped;
        out.dropped = DropReason::no_subnet;
        return out;
    }
    if (s->server_address.is_unspecified()) {
        // The interface has no address in the subnet (not up yet, or it lost
        // it): a reply could not name its server (option 54, RFC 2131 4.3.1).
        ++stats_.dropped;
        out.dropped = DropReason::no_server_address;
        return out;
    }
    std::vector<std::uint8_t> client = client_identity(p);
    switch (p.message_type()) {
        case MessageType::discover:
            ++stats_.discovers;
            return discover(*s, in, client, now);
        case MessageType::request:
            ++stats_.requests;
            return request(*s, in, client, now);
        case MessageType::inform:
            ++stats_.informs;
            return inform(*s, in);
        case MessageType::release: {
            ++stats_.releases;
            const Lease* l = store_.by_address(p.ciaddr);
            if (l && l->client_id == client) {
                out.release = p.ciaddr;
                out.name = NameChange{"", p.ciaddr, 0, to_hex(client, ':')};
            } else {
                out.dropped = DropReason::release_not_held;
            }
            return out;  // no reply to RELEASE (RFC 2131 4.3.4)
        }
        case MessageType::decline: {
            ++stats_.declines;
            auto a = p.option_address(option::requested_address);
            const Lease* l = a ? store_.by_address(*a) : nullptr;
            if (l && l->client_id == client) {
                // Another host answers at this address: it rests, then returns to the pool.
                store_.decline(*a, now + settings_.decline_probation);
                out.release = *a;
                out.name = NameChange{"", *a, 0, to_hex(client, ':')};
            } else {
                out.dropped = DropReason::decline_not_held;
            }
            return out;
        }
        default:
            ++stats_.dropped;
            out.dropped = DropReason::not_a_dhcp_request;
            return out;
    }
}

Outcome DhcpServer::discover(const SubnetConfig& s, const Received& in,
                             const std::vector<std::uint8_t>& client, std::int64_t now, unsigned attempt) {
    Outcome out;
    if (attempt == 0 && !probes_.empty()) {
        // A retransmission while this client's candidate is being probed: the
        // OFFER follows the probe (to the latest xid), no second probe.
        for (auto& [id, pending] : probes_)
            if (pending.client == client) {
                pending.in = in;
                out.dropped = DropReason::probe_in_progress;
                return out;
            }
    }
    auto a = choose_address(s, in.packet, client, now);
    if (!a) {
        ++stats_.pool_exhausted;
        ++stats_.dropped;
        out.dropped = DropReason::pool_exhausted;
        return out;
    }
    if (needs_probe(s, *a, in.packet, client, now)) {
        if (probes_.size() >= kMaxProbesInFlight) {
            ++stats_.probes_skipped;
        } else {
            std::uint16_t id = next_probe_id_++;
            while (probes_.count(id)) id = next_probe_id_++;
            // Held for this client while the echo is out, so no other DISCOVER takes it.
            store_.hold_offer(*a, client, now + settings_.offer_hold);
            probes_[id] = PendingProbe{in, client, *a, attempt};
            out.probe = Probe{id, *a, s.ping_timeout_ms.value_or(settings_.ping_timeout_ms)};
            ++stats_.probes;
            return out;
        }
    }
    return offer(s, in, client, *a, now);
}

Outcome DhcpServer::offer(const SubnetConfig& s, const Received& in, const std::vector<std::uint8_t>& client,
                          const IpAddress& a, std::int64_t now) {
    Outcome out;
    store_.hold_offer(a, client, now + settings_.offer_hold);  // memory only: nothing written
    out.reply = make_reply(s, in, MessageType::offer, a, true);
    ++stats_.offers;
    return out;
}

// Only an address new to this client is probed: its own lease (also an
// expired one) or its reservation it may well be using right now, and would
// answer the echo itself.
bool DhcpServer::needs_probe(const SubnetConfig& s, const IpAddress& a, const Packet& p,
                             const std::vector<std::uint8_t>& client, std::int64_t now) const {
    if (!s.ping_check.value_or(settings_.ping_check)) return false;
    if (reservation_for(p, client)) return false;
    if (const Lease* l = store_.by_address(a); l && l->client_id == client) return false;
    auto clean = probed_clean_.find(a);
    return clean == probed_clean_.end() || now >= clean->second;
}

Outcome DhcpServer::probe_result(std::uint16_t id, bool answered, std::int64_t now) {
    Outcome out;
    auto it = probes_.find(id);
    if (it == probes_.end()) {
        out.dropped = DropReason::unknown_probe;
        return out;
    }
    PendingProbe pending = std::move(it->second);
    probes_.erase(it);
    const SubnetConfig* s = subnet_for(pending.in);
    if (!s) {
        ++stats_.dropped;
        out.dropped = DropReason::no_subnet;
        return out;
    }
    if (answered) {
        ++stats_.conflicts;
        store_.drop_offer(pending.address);
        // Another host uses it: set aside like a declined address (RFC 2131
        // 4.3.3), unless a lease was granted meanwhile (then its holder answered).
        const Lease* l = store_.by_address(pending.address);
        if (!l || l->expires <= now) store_.decline(pending.address, now + settings_.decline_probation);
        if (pending.attempt + 1 >= kProbesPerDiscover) {
            ++stats_.dropped;
            out.dropped = DropReason::every_candidate_answered;
            return out;
        }
        return discover(*s, pending.in, pending.client, now, pending.attempt + 1);
    }
    if (probed_clean_.size() >= 4096)
        std::erase_if(probed_clean_, [&](const auto& entry) { return entry.second <= now; });
    if (probed_clean_.size() < 4096) probed_clean_[pending.address] = now + settings_.offer_hold;
    if (may_have(*s, pending.address, pending.in.packet, pending.client, now))
        return offer(*s, pending.in, pending.client, pending.address, now);
    // Taken meanwhile (reconfigured pools, a reservation): choose again.
    return discover(*s, pending.in, pending.client, now, pending.attempt);
}

Outcome DhcpServer::request(const SubnetConfig& s, const Received& in,
                            const std::vector<std::uint8_t>& client, std::int64_t now) {
    const Packet& p = in.packet;
    Outcome out;
    auto server_id = p.option_address(option::server_id);
    auto requested = p.option_address(option::requested_address);
    if (server_id) {
        // SELECTING: the client answers an OFFER, ours or another server's.
        if (*server_id != s.server_address) {
            if (requested) store_.drop_offer(*requested);
            out.dropped = DropReason::chose_another_server;
            return out;
        }
        if (!requested || !p.ciaddr.is_unspecified()) return nak(s, in);
        if (!may_have(s, *requested, p, client, now)) return nak(s, in);
        return ack(s, in, client, *requested, now);
    }
    if (p.ciaddr.is_unspecified()) {
        // INIT-REBOOT: the client asks to keep the address it remembers.
        if (!requested) {
            out.dropped = DropReason::init_reboot_without_address;
            return out;
        }
        if (!s.subnet.contains(*requested)) return nak(s, in);  // on the wrong network: MUST NAK
        const Lease* known = store_.by_client(client);
        bool ours = known && known->address == *requested;
        if (ours || may_have(s, *requested, p, client, now)) return ack(s, in, client, *requested, now);
        if (s.authoritative || known) return nak(s, in);
        out.dropped = DropReason::init_reboot_unknown;
        return out;
    }
    // RENEWING (unicast) or REBINDING (broadcast): extend the lease on ciaddr.
    const Lease* l = store_.by_address(p.ciaddr);
    if ((l && l->client_id == client) || may_have(s, p.ciaddr, p, client, now))
        return ack(s, in, client, p.ciaddr, now);
    if (s.authoritative || (l && l->client_id != client)) return nak(s, in);
    out.dropped = DropReason::renewal_unknown;
    return out;
}

Outcome DhcpServer::ack(const SubnetConfig& s, const Received& in, const std::vector<std::uint8_t>& client,
                        const IpAddress& address, std::int64_t now) {
    const Packet& p = in.packet;
    Outcome out;
    Lease lease;
    lease.address = address;
    lease.client_id = client;
    auto hw = p.hardware_address();
    lease.hardware.assign(hw.begin(), hw.end());
    lease.expires = now + s.lease_time;
    std::string hostname;
    if (const Reservation* r = reservation_for(p, client); r && !r->hostname.empty()) {
        hostname = r->hostname;
    } else if (const auto* h = p.option(option::hostname)) {
        hostname.assign(h->begin(), h->end());
    } else if (const auto* f = p.option(option::client_fqdn); f && f->size() > 3) {
        hostname.assign(f->begin() + 3, f->end());  // RFC 4702: flags, rcode1, rcode2, then the name
        // A wire-encoded name starts with a length byte: take its first label.
        if (!hostname.empty() && static_cast<unsigned char>(hostname[0]) < 64 && ((*f)[0] & 0x04))
            hostname = hostname.substr(1, static_cast<unsigned char>(hostname[0]));
    }
    lease.hostname = hostname;
    out.grant = lease;
    if (!hostname.empty()) out.name = NameChange{hostname, address, lease.expires, to_hex(client, ':')};
    out.reply = make_reply(s, in, MessageType::ack, address, true);
    ++stats_.acks;
    return out;
}

Outcome DhcpServer::nak(const SubnetConfig& s, const Received& in) {
    Outcome out;
    out.reply = make_reply(s, in, MessageType::nak, IpAddress::v4(0), false);
    ++stats_.naks;
    return out;
}

Outcome DhcpServer::inform(const SubnetConfig& s, const Received& in) {
    Outcome out;
    out.reply = make_reply(s, in, MessageType::ack, IpAddress::v4(0), false);  // options, no lease
    ++stats_.acks;
    return out;
}

Reply DhcpServer::make_reply(const SubnetConfig& s, const Received& in, MessageType type,
                             const IpAddress& yiaddr, bool with_lease_times) const {
    const Packet& p = in.packet;
    Reply r;
    Packet& o = r.packet;
    o.op = kBootReply;
    o.htype = p.htype;
    o.hlen = p.hlen;
    o.xid = p.xid;
    o.flags = p.flags;
    o.giaddr = p.giaddr;
    o.chaddr = p.chaddr;
    o.yiaddr = yiaddr;
    o.ciaddr = type == MessageType::ack && yiaddr.is_unspecified() ? p.ciaddr : IpAddress::v4(0);  // INFORM
    o.options[option::message_type] = std::vector<std::uint8_t>{static_cast<std::uint8_t>(type)};
    o.options[option::server_id] =
        std::vector<std::uint8_t>(s.server_address.bytes(), s.server_address.bytes() + 4);
    r.order = {option::message_type, option::server_id};
    if (type != MessageType::nak) {
        if (with_lease_times) {
            std::uint32_t t1 = s.t1.value_or(s.lease_time / 2), t2 = s.t2.value_or(s.lease_time / 8 * 7);
            o.options[option::lease_time] = u32(s.lease_time);
            o.options[option::renewal_time] = u32(t1);
            o.options[option::rebinding_time] = u32(t2);
            r.order.insert(r.order.end(), {option::lease_time, option::renewal_time, option::rebinding_time});
        }
        // What this subnet can tell, by code.
        const IpAddress mask = mask_of(s.subnet.length);
        o.options[option::subnet_mask] = std::vector<std::uint8_t>(mask.bytes(), mask.bytes() + 4);
        const IpAddress bcast = IpAddress::v4(s.subnet.address.v4_host_order() | ~mask.v4_host_order());
        o.options[option::broadcast_address] = std::vector<std::uint8_t>(bcast.bytes(), bcast.bytes() + 4);
        if (!s.routers.empty()) o.options[option::router] = addresses(s.routers);
        o.options[option::dns_servers] =
            addresses(s.dns_servers.empty() ? std::vector<IpAddress>{s.server_address} : s.dns_servers);
        if (!s.ntp_servers.empty()) o.options[option::ntp_servers] = addresses(s.ntp_servers);
        if (!s.domain_name.empty())
            o.options[option::domain_name] =
                std::vector<std::uint8_t>(s.domain_name.begin(), s.domain_name.end());
        if (!s.classless_routes.empty()) o.options[option::classless_routes] = classless(s.classless_routes);
        for (const auto& opt : s.options) o.options[opt.code] = opt.data;
        // The client's parameter request list first, in its order (RFC 2132 9.8);
        // then the essentials it did not ask for.
        auto add = [&](std::uint8_t code) {
            if (o.options[code] && std::find(r.order.begin(), r.order.end(), code) == r.order.end())
                r.order.push_back(code);
        };
        if (const auto* asked = p.option(option::parameter_list))
            for (std::uint8_t code : *asked) add(code);
        for (std::uint8_t code :
             {option::subnet_mask, option::router, option::dns_servers, option::domain_name})
            add(code);
    }
    // RFC 3046 2.2: relay agent information goes back to the relay as it came.
    if (const auto* relay = p.option(option::relay_agent); relay && !p.giaddr.is_unspecified()) {
        o.options[option::relay_agent] = *relay;
        r.order.push_back(option::relay_agent);
    }
    auto max = p.option_u16(option::max_message_size);
    r.max_size = max && *max >= 576 ? *max - kIpUdpHeaders : 576 - kIpUdpHeaders;
    // Where it goes (RFC 2131 4.1).
    r.interface = in.interface;
    if (!p.giaddr.is_unspecified()) {
        r.destination = Destination::relay;
        r.to = p.giaddr;
    } else if (type == MessageType::nak) {  // NOLINT(bugprone-branch-clone): RFC 2131 4.1's order of rules
        r.destination = Destination::broadcast;  // a NAK reaches a client that may not have its address
    } else if (!p.ciaddr.is_unspecified()) {
        r.destination = Destination::ciaddr;
        r.to = p.ciaddr;
    } else if (p.broadcast()) {
        r.destination = Destination::broadcast;
    } else {
        r.destination = Destination::client_hardware;
        r.to = yiaddr;
    }
    return r;
}

}  // namespace lanlord::dhcp
