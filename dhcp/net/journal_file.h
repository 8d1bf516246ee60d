// The lease journal on disk (format: dhcp/lease/journal_format.h).
//
// Durability rule: a lease change is on disk before the ACK leaves (no client
// may hold a lease that a power cut would take from the journal).
// Changes arriving together share one commit: queued, then one write() and
// one fdatasync() make them all durable, then their ACKs are sent (group
// commit). The daemon calls this on the journal writer's thread only
// (dhcp/net/journal_writer.h), never on the event loop.
// A failed commit (disk full) rolls the file back to its last durable length,
// so no half line stays behind, and reports failure: the caller NAKs or stays
// silent instead of ACKing. Compaction writes the live leases to a new file,
// fsyncs it, renames it over the journal and fsyncs the directory: the live
// file is never rewritten in place.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dhcp/lease/journal_format.h"

namespace lanlord::dhcp {

struct JournalStats {
    std::uint64_t commits = 0, fsyncs = 0, lines = 0, bytes = 0, failures = 0, compactions = 0;
};

class JournalFile {
  public:
    // Opens (creating) `path`, replays it into `replay`, and cuts a torn tail
    // off so new lines start on a line boundary. nullptr and `error` on failure.
    static std::unique_ptr<JournalFile> open(const std::string& path, ReplayResult& replay,
                                             std::string& error);
    ~JournalFile();

    void queue(std::string line);
    // Makes every queued line durable (one write, one fdatasync). False: none
    // of them is (the file is back to its previous length).
    bool commit();
    // Rewrites the journal as one line per live lease (atomic rename).
    bool compact(const std::map<IpAddress, Lease>& live, std::string& error);
    // Lines in the file now (compaction is worth it when far above the live count).
    std::size_t lines() const { return lines_; }
    const JournalStats& stats() const { return stats_; }

  private:
    JournalFile(std::string path, int fd, std::size_t length, std::size_t lines);
    std::string path_;
    int fd_ = -1;
    std::size_t length_ = 0, lines_ = 0;
    std::vector<std::string> queued_;
    JournalStats stats_;
};

}  // namespace lanlord::dhcp
