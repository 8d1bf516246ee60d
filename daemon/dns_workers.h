// The DNS side on N threads: one io_context per thread, each with its own
// engine, upstream transport and SO_REUSEPORT UDP socket and TCP acceptor on
// every listening address (the kernel spreads clients over them). Worker 0
// runs on the main io_context (with signals and timers); the others on
// threads of their own.
//
// The threads share two things: the sharded answer cache, and one view of
// upstream health (UpstreamGroups: each server's srtt, RTO and back-off,
// behind the group's own lock), so a server found dead by one thread is
// avoided by all at once. Each engine keeps its own in-flight table
// (coalescing is per thread: sharing it would put a lock on every miss).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/secure_random.h"
#include "resolver/net/dns_service.h"

namespace lanlord {

class DnsWorkers {
  public:
    DnsWorkers(boost::asio::io_context& main_io, PacketCache& cache, unsigned threads);
    ~DnsWorkers();

    // `inherited` (socket activation) go to worker 0; the others bind their
    // own with SO_REUSEPORT (the socket unit sets ReusePort=yes).
    std::string listen(const std::vector<Endpoint>& addresses,
                       std::vector<InheritedListener>* inherited = nullptr);
    // DNS over TLS listeners on every worker (SO_REUSEPORT when several).
    std::string listen_tls(const std::vector<Endpoint>& addresses,
                           const std::shared_ptr<boost::asio::ssl::context>& context);
    // Runs `fn` on every worker, each on its own thread (worker 0 at once).
    void each(const std::function<void(DnsService&)>& fn);
    void start();
    void stop();

    DnsService& main() { return *workers_[0]->dns; }
    // Worker `i` (0 .. size()-1): for set-up before start() only.
    DnsService& worker(std::size_t i) { return *workers_[i]->dns; }
    std::size_t size() const { return workers_.size(); }
    EngineStats stats() const;  // summed over the workers; call from the main thread

  private:
    struct Worker {
        std::unique_ptr<boost::asio::io_context> own_io;  // null for worker 0
        boost::asio::io_context* io = nullptr;
        SecureRandom random;
        std::unique_ptr<DnsService> dns;
        std::thread thread;
    };
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
};

}  // namespace lanlord
