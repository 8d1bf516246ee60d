#include "common/io/file_watcher.h"

#include "common/fault.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>

namespace lanlord::io {

FileWatcher::FileWatcher(boost::asio::io_context& io, Callback on_change)
    : io_(io), on_change_(std::move(on_change)), debounce_(io) {
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ >= 0) {
        stream_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd_);
        arm();
    }
}

FileWatcher::~FileWatcher() {
    if (stream_) stream_->close();
}

bool FileWatcher::watch(const std::string& path) {
    if (fd_ < 0) return false;
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
    if (!files_.contains(dir)) {
        int wd = inotify_add_watch(
            fd_, dir.c_str(),
            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM);
        if (wd < 0) return false;
        dirs_[wd] = dir;
    }
    files_[dir].insert(file);
    return true;
}

bool FileWatcher::watch_directory(const std::string& dir) {
    if (!watch(dir + "/*")) return false;
    return true;
}

void FileWatcher::clear() {
    for (auto& [wd, dir] : dirs_) inotify_rm_watch(fd_, wd);
    dirs_.clear();
    files_.clear();
}

void FileWatcher::arm() {
    stream_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this](boost::system::error_code ec) {
                            if (ec) return;
                            guarded(FaultSite::daemon_event, [this] { on_readable(); });
                            arm();
                        });
}

void FileWatcher::on_readable() {
    alignas(inotify_event) char buf[8192];
    for (;;) {
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) break;
        for (char* p = buf; p < buf + n;) {
            auto* ev = reinterpret_cast<inotify_event*>(p);
            p += sizeof(inotify_event) + ev->len;
            auto dir = dirs_.find(ev->wd);
            if (dir == dirs_.end() || ev->len == 0) continue;
            std::string name(ev->name);
            auto& names = files_[dir->second];
            if (names.contains(name))
                pending_.insert(dir->second == "/" ? "/" + name : dir->second + "/" + name);
            if (names.contains("*") && !name.starts_with(".")) pending_.insert(dir->second);
        }
    }
    if (pending_.empty()) return;
    debounce_.expires_after(std::chrono::milliseconds(50));
    debounce_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        auto done = std::move(pending_);
        pending_.clear();
        for (const auto& path : done) guarded(FaultSite::daemon_event, [&] { on_change_(path); });
    });
}

}  // namespace lanlord::io
