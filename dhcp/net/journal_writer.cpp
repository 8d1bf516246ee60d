#include "dhcp/net/journal_writer.h"

#include <boost/asio/post.hpp>

#include "common/fault.h"

namespace lanlord::dhcp {

JournalWriter::JournalWriter(boost::asio::io_context& io) : io_(io), thread_([this] { loop(); }) {}

JournalWriter::~JournalWriter() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void JournalWriter::run(Job job, std::function<void()> if_threw) {
    {
        std::lock_guard lock(mu_);
        jobs_.emplace_back(std::move(job), std::move(if_threw));
    }
    wake_.notify_one();
}

void JournalWriter::loop() {
    for (;;) {
        Job job;
        std::function<void()> if_threw;
        {
            std::unique_lock lock(mu_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping, and nothing left to write
            job = std::move(jobs_.front().first);
            if_threw = std::move(jobs_.front().second);
            jobs_.pop_front();
        }
        std::function<void()> done;
        if (!guarded(FaultSite::dhcp_event, [&] { done = job(); })) done = std::move(if_threw);
        if (done) boost::asio::post(io_, std::move(done));
    }
}

}  // namespace lanlord::dhcp
