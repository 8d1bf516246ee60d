#include "common/io/journal_log.h"

#include <sys/stat.h>
#include <syslog.h>
// CODE_FILE/LINE/FUNC would name this sink, not the line that logged.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

namespace lanlord::io {

namespace {

int priority(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return LOG_DEBUG;
        case spdlog::level::info:
            return LOG_INFO;
        case spdlog::level::warn:
            return LOG_WARNING;
        case spdlog::level::err:
            return LOG_ERR;
        case spdlog::level::critical:
            return LOG_CRIT;
        default:
            return LOG_INFO;
    }
}

// One journal entry per line: MESSAGE, PRIORITY (syslog's numbers),
// SYSLOG_IDENTIFIER, and lanlord's own LANLORD_LEVEL (spdlog's name) and
// TID (the thread: the DNS workers are told apart).
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        auto level = spdlog::level::to_string_view(msg.level);
        sd_journal_send("MESSAGE=%.*s", static_cast<int>(msg.payload.size()), msg.payload.data(),
                        "PRIORITY=%d", priority(msg.level), "SYSLOG_IDENTIFIER=lanlord", "LANLORD_LEVEL=%.*s",
                        static_cast<int>(level.size()), level.data(), "TID=%zu", msg.thread_id, nullptr);
    }
    void flush_() override {}
};

}  // namespace

bool log_to_journal_if_started_by_systemd() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    // Only when stderr is still the journal's stream (not redirected by a wrapper script).
    if (::fstat(STDERR_FILENO, &st) != 0 || st.st_dev != dev || st.st_ino != ino) return false;
    auto logger = std::make_shared<spdlog::logger>("lanlord", std::make_shared<JournalSink>());
    if (auto old = spdlog::default_logger()) logger->set_level(old->level());
    spdlog::set_default_logger(logger);
    spdlog::flush_on(spdlog::level::info);
    return true;
}

}  // namespace lanlord::io
