#include "dhcp/net/journal_writer.h"

#include <boost/asio/post.hpp>

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

void JournalWriter::run(Job job) {
    {
        std::lock_guard lock(mu_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void JournalWriter::loop() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mu_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping, and nothing left to write
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        boost::asio::post(io_, job());
    }
}

}  // namespace lanlord::dhcp
