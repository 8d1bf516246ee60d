#include "daemon/dns_workers.h"

#include <boost/asio/post.hpp>

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

std::string DnsWorkers::listen(const std::vector<Endpoint>& addresses) {
    bool several = workers_.size() > 1;
    for (auto& w : workers_)
        if (auto err = w->dns->listen(addresses, several); !err.empty()) return err;
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
                fn(*dns);
                dns->reschedule();
            });
        }
    }
}

void DnsWorkers::start() {
    for (auto& w : workers_) {
        if (!w->own_io || w->thread.joinable()) continue;
        guards_.push_back(boost::asio::make_work_guard(*w->own_io));
        w->thread = std::thread([io = w->own_io.get()] { io->run(); });
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
    EngineStats total;
    for (const auto& w : workers_) {
        const EngineStats& s = w->dns->engine().stats();
        total.queries += s.queries;
        total.cache_hits += s.cache_hits;
        total.cache_misses += s.cache_misses;
        total.upstream_queries += s.upstream_queries;
        total.blocked += s.blocked;
        total.local_answers += s.local_answers;
    }
    return total;
}

}  // namespace lanlord
