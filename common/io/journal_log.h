// Logging to the systemd journal when lanlord's stderr is the journal
// (JOURNAL_STREAM names stderr's device and inode, as systemd sets it for
// StandardError=journal, the default): each line becomes a journal entry with
// its priority and structured fields (sd_journal_send) instead of text that
// journald has to guess at. Anything else (a terminal, a file, a pipe) keeps
// the plain text lines.
#pragma once

namespace lanlord::io {

// Switches the default logger to the journal when JOURNAL_STREAM is stderr.
// True when it did.
bool log_to_journal_if_started_by_systemd();

}  // namespace lanlord::io
