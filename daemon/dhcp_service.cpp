#include "daemon/dhcp_service.h"

#include <net/if.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>

#include "common/io/interfaces.h"
#include "common/log.h"
#include "common/text.h"
#include "daemon/compose.h"
#include "dhcp/wire/packet_builder.h"

namespace lanlord {

namespace {
std::int64_t wall_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
TimePoint to_steady(std::int64_t wall) {
    if (wall == std::numeric_limits<std::int64_t>::max()) return TimePoint::max();
    return Clock::now() + std::chrono::seconds(wall - wall_now());
}
LogRateLimiter warnings{20, seconds(10)};
}  // namespace

std::string journal_path(const DhcpConfig& config) {
    return config.journal.empty() ? state_file("leases.journal") : config.journal;
}

DhcpService::DhcpService(boost::asio::io_context& io, std::shared_ptr<DhcpNames> names)
    : io_(io), names_(std::move(names)) {}

DhcpService::~DhcpService() {
    if (socket_) socket_->close();
}

// Fills each subnet's server address from its interface when not configured.
dhcp::ServerSettings DhcpService::effective(const DhcpConfig& config,
                                            const InterfaceTable& interfaces) const {
    dhcp::ServerSettings s = config.server;
    for (std::size_t i = 0; i < s.subnets.size(); ++i) {
        auto& subnet = s.subnets[i];
        if (i < config.server_address_given.size() && config.server_address_given[i]) continue;
        for (const auto& itf : interfaces)
            if (itf.name == subnet.interface)
                for (const auto& p : itf.subnets)
                    if (p.address.is_v4() && subnet.subnet.contains(p.address))
                        subnet.server_address = p.address;
    }
    return s;
}

std::string DhcpService::start(const DhcpConfig& config, const InterfaceTable& interfaces,
                               std::uint16_t port) {
    config_ = config;
    interfaces_ = interfaces;
    std::string path = journal_path(config);
    dhcp::ReplayResult replay;
    std::string error;
    journal_ = dhcp::JournalFile::open(path, replay, error);
    if (!journal_) return "lease journal: " + error;
    journal_lines_ = journal_->lines();
    writer_ = std::make_unique<dhcp::JournalWriter>(io_);
    for (const auto& w : replay.warnings) spdlog::warn("{}: {}", path, w);
    store_.load(replay.leases);
    std::int64_t now = wall_now();
    for (const auto& [address, lease] : replay.leases)
        if (!lease.hostname.empty() && lease.expires > now)
            names_->add(lease.hostname, address, to_steady(lease.expires), to_hex(lease.client_id, ':'));
    spdlog::info("{}: {} leases replayed from {} lines", path, replay.leases.size(), replay.lines);
    server_ = std::make_unique<dhcp::DhcpServer>(effective(config, interfaces), store_);
    for (const auto& s : server_->settings().subnets)
        if (s.server_address.is_unspecified())
            spdlog::warn(
                "DHCP subnet {} on {}: no address of ours there yet; served once the interface has one",
                s.subnet.to_string(), s.interface);
    publish_reservations();
    open_prober_if_needed();
    socket_ = std::make_unique<dhcp::DhcpSocket>(
        io_,
        [this](std::span<const std::uint8_t> b, unsigned ifindex, const Endpoint& from) {
            on_packet(b, ifindex, from);
        },
        [this] { after_burst(); });
    if (auto err = socket_->open(port, port == 67 ? 68 : static_cast<std::uint16_t>(port + 1)); !err.empty())
        return "DHCP port " + std::to_string(port) + ": " + err;
    spdlog::info("DHCP server on port {} for {} subnets", port, server_->settings().subnets.size());
    return "";
}

void DhcpService::reconfigure(const DhcpConfig& config, const InterfaceTable& interfaces) {
    config_ = config;
    interfaces_ = interfaces;
    if (server_) {
        dhcp::ServerSettings before = server_->settings();
        server_->reconfigure(effective(config, interfaces));
        log_served_subnets(before);
        open_prober_if_needed();
    }
    publish_reservations();
}

void DhcpService::set_interfaces(const InterfaceTable& interfaces) {
    interfaces_ = interfaces;
    if (!server_) return;
    dhcp::ServerSettings before = server_->settings();
    server_->reconfigure(effective(config_, interfaces));
    log_served_subnets(before);
}

// An interface that came up, went away or changed its address: say when a
// subnet starts or stops being served (the engine drops packets of a subnet
// without an address of ours).
void DhcpService::log_served_subnets(const dhcp::ServerSettings& before) {
    const auto& now = server_->settings().subnets;
    for (std::size_t i = 0; i < now.size() && i < before.subnets.size(); ++i) {
        const auto& s = now[i];
        if (s.server_address == before.subnets[i].server_address) continue;
        if (s.server_address.is_unspecified())
            spdlog::warn("DHCP subnet {} on {}: the interface has no address in it; not served",
                         s.subnet.to_string(), s.interface);
        else
            spdlog::info("DHCP subnet {} on {}: served as {}", s.subnet.to_string(), s.interface,
                         s.server_address.to_string());
    }
}

void DhcpService::open_prober_if_needed() {
    if (prober_ || !server_) return;
    const auto& settings = server_->settings();
    bool wanted = std::any_of(settings.subnets.begin(), settings.subnets.end(),
                              [&](const auto& s) { return s.ping_check.value_or(settings.ping_check); });
    if (!wanted) return;
    auto prober = std::make_unique<dhcp::IcmpProber>(
        io_, [this](std::uint16_t id, const IpAddress& a, bool answered) { on_probe_done(id, a, answered); });
    if (auto err = prober->open(); !err.empty()) {
        spdlog::warn("DHCP ping_check: cannot open an ICMP socket ({}; needs CAP_NET_RAW): offering unprobed",
                     err);
        return;
    }
    prober_ = std::move(prober);
}

void DhcpService::publish_reservations() {
    for (const auto& r : config_.server.reservations)
        if (!r.hostname.empty())
            names_->add(r.hostname, r.address, TimePoint::max(), "reservation:" + to_hex(r.hardware, ':'));
}

void DhcpService::on_packet(std::span<const std::uint8_t> bytes, unsigned ifindex, const Endpoint& from) {
    dhcp::Received in;
    if (auto e = dhcp::parse_packet(bytes, in.packet); e != dhcp::ParseError::ok) {
        LANLORD_WARN_LIMITED(warnings, Clock::now(), "DHCP: dropped a packet from {}: {}", from.to_string(),
                             dhcp::to_string(e));
        return;
    }
    in.interface = socket_->interface_name(ifindex);
    in.source = from.address;
    dhcp::Outcome outcome = server_->handle(in, wall_now());
    if (outcome.dropped == dhcp::DropReason::no_server_address &&
        Clock::now() - last_refresh_ >= seconds(1)) {
        // A client on an interface that has (perhaps just) come up: look now
        // rather than wait for the interface monitor's debounce, or for ever
        // when it has no netlink subscription (at most once a second).
        last_refresh_ = Clock::now();
        set_interfaces(io::read_interfaces());
        outcome = server_->handle(in, wall_now());
    }
    if (outcome.dropped)
        spdlog::debug("DHCP {} from {}: {}", in.packet.hardware_text(), in.interface,
                      dhcp::to_string(*outcome.dropped));
    if (outcome.dropped == dhcp::DropReason::pool_exhausted)
        LANLORD_WARN_LIMITED(warnings, Clock::now(), "DHCP pool exhausted on {}: no offer for {}",
                             in.interface, in.packet.hardware_text());
    accept(std::move(outcome), ifindex);
}

// Memory first (so two requests cannot take one address), disk before the
// reply leaves (on_committed).
void DhcpService::accept(dhcp::Outcome outcome, unsigned ifindex) {
    if (outcome.probe) start_probe(*outcome.probe, ifindex);
    if (auto at_once = commits_.add({std::move(outcome), ifindex})) settle(*at_once);
}

void DhcpService::start_probe(const dhcp::Probe& probe, unsigned ifindex) {
    spdlog::debug("DHCP: probing {} with an ICMP echo ({} ms)", probe.address.to_string(), probe.timeout_ms);
    probe_ifindex_[probe.id] = ifindex;
    if (prober_) return prober_->start(probe);
    // No ICMP socket (no CAP_NET_RAW): the probe is silence, the OFFER follows.
    boost::asio::post(io_, [this, probe] { on_probe_done(probe.id, probe.address, false); });
}

void DhcpService::on_probe_done(std::uint16_t id, const IpAddress& address, bool answered) {
    unsigned ifindex = 0;
    if (auto it = probe_ifindex_.find(id); it != probe_ifindex_.end()) {
        ifindex = it->second;
        probe_ifindex_.erase(it);
    }
    if (answered)
        LANLORD_WARN_LIMITED(warnings, Clock::now(),
                             "DHCP: {} answers ping but has no lease: in use by a host configured by hand? "
                             "Set aside for {} s, another address is offered",
                             address.to_string(), server_->settings().decline_probation);
    dhcp::Outcome outcome = server_->probe_result(id, answered, wall_now());
    if (outcome.dropped)
        spdlog::debug("DHCP probe of {}: {}", address.to_string(), dhcp::to_string(*outcome.dropped));
    accept(std::move(outcome), ifindex);
    after_burst();
}

void DhcpService::after_burst() {
    if (!writer_busy_) start_commit();
}

void DhcpService::start_commit() {
    std::vector<std::string> lines = commits_.start_commit();
    if (lines.empty()) return;  // nothing waits
    writer_busy_ = true;
    writer_->run(
        [journal = journal_.get(), lines = std::move(lines), this]() mutable {
            for (auto& l : lines) journal->queue(std::move(l));
            bool durable = journal->commit();  // one write, one fdatasync for the whole group
            std::size_t count = journal->lines();
            return std::function<void()>([this, durable, count] { on_committed(durable, count); });
        },
        // The job threw (out of memory): nothing is known to be durable, so the
        // group is refused and taken back as after a failed fdatasync.
        [this] { on_committed(false, journal_lines_); });
}

// A writer job ended: the next group, if one formed meanwhile, goes at once.
void DhcpService::writer_done(std::size_t journal_lines) {
    journal_lines_ = journal_lines;
    writer_busy_ = false;
    start_commit();
}

void DhcpService::on_committed(bool durable, std::size_t journal_lines) {
    dhcp::CommitResult result = commits_.committed(durable);
    for (const auto& d : result.released) settle(d);
    if (!durable)
        LANLORD_WARN_LIMITED(warnings, Clock::now(),
                             "DHCP: cannot write the lease journal (disk full?): {} changes refused",
                             result.refused);
    writer_done(journal_lines);
    maybe_compact();  // does nothing while a new commit is under way
}

// The change is durable (or there was none): the name goes live and the reply leaves.
void DhcpService::settle(const dhcp::Decision& d) {
    const dhcp::Outcome& o = d.outcome;
    if (o.name) {
        if (o.name->hostname.empty())
            names_->remove(o.name->owner);
        else
            names_->add(o.name->hostname, o.name->address, to_steady(o.name->expires), o.name->owner);
    }
    if (o.reply) {
        auto built = dhcp::build_packet(o.reply->packet, o.reply->order, o.reply->max_size, out_);
        if (built.length == 0) return;
        if (auto err = socket_->send({out_.data(), built.length}, *o.reply, d.ifindex); !err.empty())
            LANLORD_WARN_LIMITED(warnings, Clock::now(), "DHCP: cannot send a reply: {}", err);
    }
}

// When the journal holds far more lines than live leases: rewritten on the
// writer thread from a copy of the live leases, commits waiting meanwhile.
void DhcpService::maybe_compact() {
    std::size_t live = store_.all().size();
    if (writer_busy_ || journal_lines_ < 2 * live + 1000) return;
    writer_busy_ = true;
    writer_->run(
        [journal = journal_.get(), leases = store_.all(), this] {
            std::string error;
            bool ok = journal->compact(leases, error);
            std::size_t count = journal->lines();
            return std::function<void()>([this, ok, error, count] {
                if (!ok)
                    LANLORD_WARN_LIMITED(warnings, Clock::now(), "lease journal compaction failed: {}",
                                         error);
                writer_done(count);
            });
        },
        [this] { writer_done(journal_lines_); });
}

}  // namespace lanlord
