// The sans-I/O DHCPv4 server (RFC 2131): a received packet, its interface and
// the wall-clock `now` in; an Outcome out: the reply and where it goes, the
// lease change to make durable BEFORE the reply leaves, and the client name
// to publish or withdraw.
//
// States (RFC 2131 4.3): DISCOVER -> OFFER (address held in memory only);
// REQUEST in SELECTING (server id ours, else the client chose another server),
// INIT-REBOOT (requested address, no ciaddr), RENEWING (unicast, ciaddr) and
// REBINDING (broadcast, ciaddr); DECLINE (probation); RELEASE; INFORM. A
// returning client gets its previous address back when it is free.
//
// Conflict probe (optional, RFC 2131 2.2): a DISCOVER whose candidate address
// should be checked first returns a Probe instead of the OFFER; the I/O edge
// sends an ICMP echo and calls probe_result() when the timeout passes or an
// echo reply comes. Silence: the OFFER. A reply: the address is set aside
// like a declined one and the next candidate is probed (at most
// kProbesPerDiscover per DISCOVER; then the client's retransmission tries again).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dhcp/engine/drop_reason.h"
#include "dhcp/engine/server_config.h"
#include "dhcp/lease/lease_store.h"
#include "dhcp/wire/packet.h"

namespace lanlord::dhcp {

struct Received {
    Packet packet;
    std::string interface;  // receiving interface (IP_PKTINFO)
    IpAddress source;       // IP source of the datagram
};

enum class Destination : std::uint8_t {
    relay,            // giaddr, port 67
    ciaddr,           // the client's address, port 68
    broadcast,        // 255.255.255.255:68 on the interface
    client_hardware,  // yiaddr at chaddr: a client with no address yet (ARP entry or packet socket)
};

struct Reply {
    Packet packet;
    std::vector<std::uint8_t> order;  // option codes in priority order
    std::size_t max_size = 548;
    Destination destination = Destination::broadcast;
    IpAddress to;  // relay or client address (unused for broadcast)
    std::string interface;
};

struct NameChange {
    std::string hostname;  // raw from the client (sanitized by the names layer); empty: remove
    IpAddress address;
    std::int64_t expires = 0;
    std::string owner;  // the client id in hex
};

// An ICMP echo to `address`; the answer is due within `timeout_ms`.
struct Probe {
    std::uint16_t id = 0;  // for probe_result (the edge may use it as the echo sequence)
    IpAddress address;
    std::uint32_t timeout_ms = 0;
};

struct Outcome {
    std::optional<Reply> reply;
    std::optional<Probe> probe;        // no reply yet: probe, then call probe_result
    std::optional<Lease> grant;        // journal "L" first, then the store, then the reply
    std::optional<IpAddress> release;  // journal "F" first
    std::optional<NameChange> name;
    std::optional<DropReason> dropped;  // why nothing was sent (for the edge's decisions and debug logs)
};

struct ServerStats {
    std::uint64_t received = 0, malformed = 0, dropped = 0;
    std::uint64_t discovers = 0, requests = 0, declines = 0, releases = 0, informs = 0;
    std::uint64_t offers = 0, acks = 0, naks = 0, pool_exhausted = 0;
    std::uint64_t probes = 0, conflicts = 0, probes_skipped = 0;
};

class DhcpServer {
  public:
    DhcpServer(ServerSettings settings, LeaseStore& store);
    void reconfigure(ServerSettings settings) { settings_ = std::move(settings); }

    Outcome handle(const Received& in, std::int64_t now);
    // The end of a probe: `answered` when an echo reply came from the address.
    Outcome probe_result(std::uint16_t id, bool answered, std::int64_t now);
    std::size_t probes_in_flight() const { return probes_.size(); }
    const ServerStats& stats() const { return stats_; }
    const ServerSettings& settings() const { return settings_; }

  private:
    const SubnetConfig* subnet_for(const Received& in) const;
    const Reservation* reservation_for(const Packet& p, const std::vector<std::uint8_t>& client) const;
    bool reserved_for_other(const IpAddress& a, const Packet& p,
                            const std::vector<std::uint8_t>& client) const;
    bool in_pools(const SubnetConfig& s, const IpAddress& a) const;
    std::optional<IpAddress> choose_address(const SubnetConfig& s, const Packet& p,
                                            const std::vector<std::uint8_t>& client, std::int64_t now) const;
    bool may_have(const SubnetConfig& s, const IpAddress& a, const Packet& p,
                  const std::vector<std::uint8_t>& client, std::int64_t now) const;

    Outcome discover(const SubnetConfig& s, const Received& in, const std::vector<std::uint8_t>& client,
                     std::int64_t now, unsigned attempt = 0);
    bool needs_probe(const SubnetConfig& s, const IpAddress& a, const Packet& p,
                     const std::vector<std::uint8_t>& client, std::int64_t now) const;
    Outcome offer(const SubnetConfig& s, const Received& in, const std::vector<std::uint8_t>& client,
                  const IpAddress& a, std::int64_t now);
    Outcome request(const SubnetConfig& s, const Received& in, const std::vector<std::uint8_t>& client,
                    std::int64_t now);
    Outcome ack(const SubnetConfig& s, const Received& in, const std::vector<std::uint8_t>& client,
                const IpAddress& address, std::int64_t now);
    Outcome nak(const SubnetConfig& s, const Received& in);
    Outcome inform(const SubnetConfig& s, const Received& in);
    Reply make_reply(const SubnetConfig& s, const Received& in, MessageType type, const IpAddress& yiaddr,
                     bool with_lease_times) const;

    struct PendingProbe {
        Received in;  // the DISCOVER (its latest retransmission)
        std::vector<std::uint8_t> client;
        IpAddress address;
        unsigned attempt = 0;
    };

    ServerSettings settings_;
    LeaseStore& store_;
    ServerStats stats_;
    std::map<std::uint16_t, PendingProbe> probes_;
    std::map<IpAddress, std::int64_t> probed_clean_;  // silent until then: offered without a new probe
    std::uint16_t next_probe_id_ = 0;
};

// Candidates probed for one DISCOVER; probes running at once (beyond it an
// address is offered unprobed: the check is best effort, service is not).
inline constexpr unsigned kProbesPerDiscover = 3;
inline constexpr std::size_t kMaxProbesInFlight = 512;

// The client's identity: option 61, else the hardware type and address.
std::vector<std::uint8_t> client_identity(const Packet& p);

}  // namespace lanlord::dhcp
