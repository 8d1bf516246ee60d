// Watches files for change with inotify. It watches each file's directory,
// not the file, so that every way an editor or a DHCP client replaces a file
// is seen: write in place, create, delete, and the atomic rename-over. Changes
// are reported per file after a short quiet period (a burst of writes is one
// reload).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace lanlord::io {

class FileWatcher {
  public:
    using Callback = std::function<void(const std::string& path)>;
    FileWatcher(boost::asio::io_context& io, Callback on_change);
    ~FileWatcher();

    // Starts watching `path` (idempotent). Returns false if inotify is unusable.
    bool watch(const std::string& path);
    // Reports `dir` itself when any file in it changes (hosts.d, blocklists.d).
    bool watch_directory(const std::string& dir);
    void clear();

  private:
    void arm();
    void on_readable();
    boost::asio::io_context& io_;
    Callback on_change_;
    int fd_ = -1;
    std::unique_ptr<boost::asio::posix::stream_descriptor> stream_;
    boost::asio::steady_timer debounce_;
    std::map<int, std::string> dirs_;                     // watch descriptor -> directory
    std::map<std::string, std::set<std::string>> files_;  // directory -> file names watched
    std::set<std::string> pending_;
};

}  // namespace lanlord::io
