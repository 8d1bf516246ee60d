#include "dhcp/net/journal_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lanlord::dhcp {

namespace {

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool read_all(int fd, std::string& out) {
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

JournalFile::JournalFile(std::string path, int fd, std::size_t length, std::size_t lines)
    : path_(std::move(path)), fd_(fd), length_(length), lines_(lines) {}

JournalFile::~JournalFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<JournalFile> JournalFile::open(const std::string& path, ReplayResult& replay,
                                               std::string& error) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return nullptr;
    }
    std::string text;
    if (!read_all(fd, text)) {
        error = path + ": read: " + std::strerror(errno);
        ::close(fd);
        return nullptr;
    }
    replay = replay_journal(text);
    if (replay.torn_tail) {
        // Cut the incomplete line so the next one starts clean; make it durable.
        if (::ftruncate(fd, static_cast<off_t>(replay.good_length)) != 0 || ::fsync(fd) != 0) {
            error = path + ": cannot cut the torn last line: " + std::strerror(errno);
            ::close(fd);
            return nullptr;
        }
    }
    ::lseek(fd, static_cast<off_t>(replay.good_length), SEEK_SET);
    std::size_t lines = replay.lines - (replay.torn_tail ? 1 : 0);
    return std::unique_ptr<JournalFile>(new JournalFile(path, fd, replay.good_length, lines));
}

void JournalFile::queue(std::string line) {
    queued_.push_back(std::move(line));
}

bool JournalFile::commit() {
    if (queued_.empty()) return true;
    std::string batch;
    for (const auto& l : queued_) batch += l;
    std::size_t count = queued_.size();
    queued_.clear();
    if (!write_all(fd_, batch) || ::fdatasync(fd_) != 0) {
        // Disk full or I/O error: take back whatever part reached the file.
        ++stats_.failures;
        if (::ftruncate(fd_, static_cast<off_t>(length_)) == 0) ::fdatasync(fd_);
        ::lseek(fd_, static_cast<off_t>(length_), SEEK_SET);
        return false;
    }
    length_ += batch.size();
    lines_ += count;
    ++stats_.commits;
    ++stats_.fsyncs;
    stats_.lines += count;
    stats_.bytes += batch.size();
    return true;
}

bool JournalFile::compact(const std::map<IpAddress, Lease>& live, std::string& error) {
    std::string tmp = path_ + ".new";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        error = tmp + ": " + std::strerror(errno);
        return false;
    }
    std::string text;
    for (const auto& [address, lease] : live) text += encode_grant(lease);
    if (!write_all(fd, text) || ::fsync(fd) != 0) {
        error = tmp + ": " + std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    }
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        error = "rename " + tmp + ": " + std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    }
    // The rename is durable only once the directory is.
    int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    ::close(fd_);
    fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) {
        error = path_ + ": reopen: " + std::strerror(errno);
        ::close(fd);
        return false;
    }
    ::close(fd);
    length_ = text.size();
    lines_ = live.size();
    ++stats_.compactions;
    return true;
}

}  // namespace lanlord::dhcp
