#include "dhcp/engine/commit_queue.h"

#include "dhcp/lease/journal_format.h"

namespace lanlord::dhcp {

std::optional<Decision> CommitQueue::add(Decision decision) {
    if (!decision.outcome.grant && !decision.outcome.release)
        return decision;  // nothing to make durable: OFFER, NAK, INFORM, a drop
    Change change{std::move(decision), std::nullopt, std::nullopt};
    const Outcome& out = change.decision.outcome;
    // What the store held before, so that a failed commit can put it back.
    if (out.grant) {
        if (const Lease* old = store_.by_address(out.grant->address)) change.previous = *old;
        // put() ends the client's lease at any other address (one lease per
        // client): kept too, so a failed commit can give it back.
        if (const Lease* mine = store_.by_client(out.grant->client_id);
            mine && mine->address != out.grant->address)
            change.client_previous = *mine;
        queued_lines_.push_back(encode_grant(*out.grant));
        store_.put(*out.grant);
    }
    if (out.release) {
        if (const Lease* old = store_.by_address(*out.release)) change.previous = *old;
        queued_lines_.push_back(encode_free(*out.release));
        store_.free(*out.release);
    }
    queued_.push_back(std::move(change));
    return std::nullopt;
}

std::vector<std::string> CommitQueue::start_commit() {
    if (committing_ || queued_.empty()) return {};
    committing_ = true;
    in_flight_ = std::move(queued_);
    queued_.clear();
    std::vector<std::string> lines = std::move(queued_lines_);
    queued_lines_.clear();
    return lines;
}

CommitResult CommitQueue::committed(bool durable) {
    CommitResult result;
    if (!committing_) return result;  // no commit under way: nothing to release or take back
    committing_ = false;
    if (durable) {
        result.released.reserve(in_flight_.size());
        for (auto& change : in_flight_) result.released.push_back(std::move(change.decision));
    } else {
        result.refused = in_flight_.size() + queued_.size();
        take_back(queued_);  // decided on top of the failed group: they go first
        take_back(in_flight_);
        queued_.clear();
        queued_lines_.clear();
    }
    in_flight_.clear();
    return result;
}

// The store goes back to what it was before these changes, newest first: each
// undo then finds the store exactly as its change left it. Leases only: the
// store's memory of a client's previous address keeps the taken-back one (its
// retry is offered the same address), and a DECLINE's probation stays (the
// engine set it and freed the lease before the change came here).
void CommitQueue::take_back(const std::vector<Change>& changes) {
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
        const Outcome& o = it->decision.outcome;
        if (o.grant) {
            store_.free(o.grant->address);
            if (it->previous) store_.put(*it->previous);
            if (it->client_previous) store_.put(*it->client_previous);
        }
        if (o.release && it->previous) store_.put(*it->previous);
    }
}

}  // namespace lanlord::dhcp
