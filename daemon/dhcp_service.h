// The DHCP side of the daemon: journal, lease store, engine and socket, and
// the bridge that turns lease events into DNS names (resolver/ and dhcp/
// never include each other; this file knows both).
//
// Durability: a lease change goes into the store at once (so the next packet
// cannot take the same address) and into the next group commit; its reply
// (ACK, or nothing for a RELEASE) leaves only once the commit's fdatasync has
// returned. Commits run on the journal writer's thread, one at a time: the
// changes of every packet handled meanwhile form the next one. Replies that
// change nothing on disk (OFFER, NAK, INFORM's ACK) leave at once. When a
// commit fails (disk full) its changes and those queued behind it (decided on
// top of them) are taken back, newest first, and their ACKs are not sent: the
// clients retry, no lease is half-made. Those decisions are
// dhcp/engine/commit_queue's; this file runs the writer jobs and sends what
// it releases.
//
// Interfaces: port 67 is bound on 0.0.0.0 and the receiving interface comes
// with each packet, so an interface that appears after start needs no new
// socket; set_interfaces gives each subnet our current address on its
// interface, and a subnet without one is not served. The daemon calls it
// within a debounce (50 ms) of the kernel announcing a link or address change
// (common/io/interface_monitor); a packet for a subnet we have no address in
// also makes this service read the interfaces itself, at most once a second,
// which covers that debounce and a daemon whose netlink subscription failed.
//
// Conflict probe: when the engine asks for one, the ICMP echo goes out here
// (dhcp/net/icmp_prober) and the engine is called again with the result.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/interface_info.h"
#include "config/config.h"
#include "dhcp/engine/commit_queue.h"
#include "dhcp/engine/dhcp_server.h"
#include "dhcp/lease/lease_store.h"
#include "dhcp/net/dhcp_socket.h"
#include "dhcp/net/icmp_prober.h"
#include "dhcp/net/journal_file.h"
#include "dhcp/net/journal_writer.h"
#include "resolver/local/dhcp_names.h"

namespace lanlord {

class DhcpService {
  public:
    DhcpService(boost::asio::io_context& io, std::shared_ptr<DhcpNames> names);
    ~DhcpService();

    // Replays the journal (before READY=1) and binds port 67. "" or why not.
    std::string start(const DhcpConfig& config, const InterfaceTable& interfaces, std::uint16_t port = 67);
    void reconfigure(const DhcpConfig& config, const InterfaceTable& interfaces);
    void set_interfaces(const InterfaceTable& interfaces);
    std::size_t leases() const { return store_.all().size(); }
    const dhcp::ServerStats& stats() const { return server_->stats(); }
    // For lanlordctl status/leases and /metrics (main thread only).
    const dhcp::LeaseStore& store() const { return store_; }
    const dhcp::ServerSettings& settings() const { return server_->settings(); }

  private:
    void on_packet(std::span<const std::uint8_t> bytes, unsigned ifindex, const Endpoint& from);
    void accept(dhcp::Outcome outcome, unsigned ifindex);
    void start_probe(const dhcp::Probe& probe, unsigned ifindex);
    void on_probe_done(std::uint16_t id, const IpAddress& address, bool answered);
    void open_prober_if_needed();
    void log_served_subnets(const dhcp::ServerSettings& before);
    void after_burst();
    void settle(const dhcp::Decision& d);
    void start_commit();
    void on_committed(bool durable, std::size_t journal_lines);
    void writer_done(std::size_t journal_lines);
    dhcp::ServerSettings effective(const DhcpConfig& config, const InterfaceTable& interfaces) const;
    void publish_reservations();
    void maybe_compact();

    boost::asio::io_context& io_;
    std::shared_ptr<DhcpNames> names_;
    DhcpConfig config_;
    InterfaceTable interfaces_;
    dhcp::LeaseStore store_;
    std::unique_ptr<dhcp::DhcpServer> server_;
    dhcp::CommitQueue commits_{store_};  // lease changes waiting for, or in, a journal commit
    std::unique_ptr<dhcp::JournalFile> journal_;
    std::unique_ptr<dhcp::DhcpSocket> socket_;
    std::unique_ptr<dhcp::IcmpProber> prober_;         // opened once a subnet wants ping_check
    std::map<std::uint16_t, unsigned> probe_ifindex_;  // where the DISCOVER being probed came in
    TimePoint last_refresh_{};                         // interfaces read on demand, at most 1/s
    std::unique_ptr<dhcp::JournalWriter> writer_;      // after journal_: stopped (its jobs done) first
    bool writer_busy_ = false;                         // a commit or a compaction is under way
    std::size_t journal_lines_ = 0;                    // as of the last job (the file is the writer's)
    std::vector<std::uint8_t> out_ = std::vector<std::uint8_t>(1500);
};

// Where the journal lives: the config's, else $STATE_DIRECTORY (systemd's
// StateDirectory=), else /var/lib/lanlord.
std::string journal_path(const DhcpConfig& config);

}  // namespace lanlord
