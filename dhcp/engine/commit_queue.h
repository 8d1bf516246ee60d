// Group commit and roll-back of lease changes, without I/O: which engine
// outcomes wait for the journal, which journal lines the next commit writes,
// which replies a commit releases, and how the lease store is put back when
// a commit fails. The daemon does the I/O around it: it hands the lines to
// the journal writer's thread, reports whether the fdatasync succeeded, and
// sends what is released.
//
// The rules:
// - A grant or release goes into the store at once, so the next packet cannot
//   take the same address, and into the next group; its outcome (the ACK, the
//   name to publish) is held until that group's commit has returned durable.
//   An outcome that changes nothing on disk (OFFER, NAK, INFORM's ACK, a drop)
//   is handed back at once.
// - One commit at a time: changes arriving while one is under way form the
//   next group, which the caller starts when the first has returned.
// - A failed commit (disk full) takes back its changes and every change queued
//   behind it, newest first: those were decided on top of the failed ones, so
//   keeping them could leave the store with a lease the journal never saw.
//   Nothing of theirs is released; the clients retry.
// - A grant that moves a client from X to R ends its lease at X in memory
//   (one lease per client); taking the grant back restores both the lease at
//   R (if another client's lease was there) and the client's lease at X.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "dhcp/engine/dhcp_server.h"
#include "dhcp/lease/lease_store.h"

namespace lanlord::dhcp {

// An engine outcome and the interface its reply leaves on. The index belongs
// to the I/O edge: it is carried here, never interpreted.
struct Decision {
    Outcome outcome;
    unsigned ifindex = 0;
};

// What the end of a commit means for the caller.
struct CommitResult {
    std::vector<Decision> released;  // durable: carry these out now, in arrival order
    std::size_t refused = 0;         // failed: changes taken back (the group and those behind it)
};

class CommitQueue {
  public:
    explicit CommitQueue(LeaseStore& store) : store_(store) {}
    CommitQueue(const CommitQueue&) = delete;
    CommitQueue& operator=(const CommitQueue&) = delete;

    // An outcome from the engine. With a lease change: applied to the store,
    // queued for the next group, nullopt (it comes back from committed()).
    // Without one: handed back to be carried out at once.
    std::optional<Decision> add(Decision decision);

    // The next group's journal lines, in order, when no commit is under way
    // and changes wait; the group is then under way until committed(). Empty:
    // nothing to start.
    std::vector<std::string> start_commit();

    // The commit under way returned; `durable` when its fdatasync succeeded.
    CommitResult committed(bool durable);

    bool committing() const { return committing_; }
    std::size_t queued() const { return queued_.size(); }        // for the next group
    std::size_t in_flight() const { return in_flight_.size(); }  // in the commit under way

  private:
    struct Change {
        Decision decision;
        std::optional<Lease> previous;         // at the granted or released address, before
        std::optional<Lease> client_previous;  // the client's lease elsewhere, which the grant ended
    };
    void take_back(const std::vector<Change>& changes);

    LeaseStore& store_;
    std::vector<Change> queued_;
    std::vector<std::string> queued_lines_;  // journal lines of queued_, in order
    std::vector<Change> in_flight_;
    bool committing_ = false;
};

}  // namespace lanlord::dhcp
