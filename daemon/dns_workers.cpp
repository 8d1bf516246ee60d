#include "daemon/dns_workers.h"

#include <boost/asio/post.hpp>
#include <future>

#include "common/io/run_loop.h"

namespace lanlord {

DnsWorkers::DnsWorkers(boost::asio::io_context& main_io, PacketCache& cache, unsigned threads) {
    if (threads == 0) threads = 1;
    auto groups = std::make_shared<UpstreamGroups>();  // one view of upstream health for all threads
    for (unsigned i = 0; i < threads; ++i) {
        auto w = std::make_unique<Worker>();
        if (i == 0) {
            w->io = &main_io;
        } else {
            w->own_io = std::make_unique<boost::asio::io_context>(1);
            w->io = w->own_io.get();
        }
        Worker* raw = w.get();
        w->dns = std::make_unique<DnsService>(
            *w->io, cache, [raw] { return raw->random(); }, groups);
        workers_.push_back(std::move(w));
    }
}

DnsWorkers::~DnsWorkers() {
    stop();
}

std::string DnsWorkers::listen(const std::vector<Endpoint>& addresses,
                               std::vector<InheritedListener>* inherited) {
    bool several = workers_.size() > 1;
    for (auto& w : workers_)
        if (auto err = w->dns->listen(addresses, several, w == workers_.front() ? inherited : nullptr);
            !err.empty())
            return err;
    return "";
}

std::string DnsWorkers::listen_tls(const std::vector<Endpoint>& addresses,
                                   const std::shared_ptr<boost::asio::ssl::context>& context) {
    for (auto& w : workers_)
        if (auto err = w->dns->listen_tls(addresses, workers_.size() > 1, context); !err.empty()) return err;
    return "";
}

void DnsWorkers::each(const std::function<void(DnsService&)>& fn) {
    for (auto& w : workers_) {
        if (!w->own_io) {
            fn(*w->dns);
            w->dns->reschedule();
        } else {
            DnsService* dns = w->dns.get();
            boost::asio::post(*w->io, [fn, dns] {
                guarded(FaultSite::daemon_event, [&] { fn(*dns); });
                dns->reschedule();
            });
        }
    }
}

void DnsWorkers::start() {
    for (auto& w : workers_) {
        if (!w->own_io || w->thread.joinable()) continue;
        guards_.push_back(boost::asio::make_work_guard(*w->own_io));
        w->thread = std::thread([io = w->own_io.get()] { io::run_guarded(*io); });
    }
}

void DnsWorkers::stop() {
    for (auto& w : workers_) {
        if (!w->own_io) continue;
        DnsService* dns = w->dns.get();
        boost::asio::post(*w->io, [dns] { dns->close(); });
    }
    guards_.clear();
    for (auto& w : workers_) {
        if (!w->own_io) continue;
        w->own_io->stop();
        if (w->thread.joinable()) w->thread.join();
    }
    if (!workers_.empty()) workers_[0]->dns->close();
}

EngineStats DnsWorkers::stats() const {
    // Each engine's counters belong to its thread: a copy is taken there (a
    // posted task) rather than read while they change. A worker that does not
    // answer within a second (it never should) is left out of this sum.
    EngineStats total;
    std::vector<std::future<EngineStats>> pending;
    for (const auto& w : workers_) {
        DnsService* dns = w->dns.get();
        if (!w->own_io || !w->thread.joinable()) {
            total.add(dns->stats());
            continue;
        }
        auto promise = std::make_shared<std::promise<EngineStats>>();
        pending.push_back(promise->get_future());
        boost::asio::post(*w->io, [promise, dns] { promise->set_value(dns->stats()); });
    }
    for (auto& f : pending)
        if (f.wait_for(std::chrono::seconds(1)) == std::future_status::ready) total.add(f.get());
    return total;
}

}  // namespace lanlord
