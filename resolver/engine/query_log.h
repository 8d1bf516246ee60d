// The query log's storage (issue 14): the most recent queries, in memory
// only, with time, client, name, type, outcome, answer and answer time, and
// per-minute counts for the dashboard. Sans-I/O: the DNS workers' engines
// append what they answered, the web (or control) thread reads; nothing here
// reads a clock, touches a file or starts a thread. Times are passed in.
//
// Design
// - One ring per DNS worker thread (QueryLogRing), written only by the engine
//   of that thread. A shared log would need a lock or an atomic
//   read-modify-write on a shared index on the hit path, and its cache line
//   would bounce between the cores on every query; with one ring per writer
//   an append is plain stores into memory only that core writes. The reader
//   merges the rings by time (QueryLog::newest).
// - Capacity is fixed and allocated once, at construction (`capacity`
//   records in all, split evenly over the rings). append() never allocates,
//   locks or makes a system call; the oldest record is overwritten. The
//   memory is taken with calloc, so its pages are mapped by the kernel only
//   as the ring first fills: RSS grows with use, up to the size below.
// - A seqlock per slot, so the reader never blocks the writer: the slot's
//   sequence number is odd while record n is written into it (2n+1) and 2n+2
//   once it is complete; a reader copying record n checks that the sequence is
//   2n+2 before and after its copy, and skips the record otherwise (being
//   overwritten, or already replaced by a newer one: it never returns a torn
//   record, nor a newer record in the place of an older one). Every word of a
//   slot is accessed atomically (relaxed, with the fences of H.-J. Boehm,
//   "Can seqlocks get along with programming language memory models?",
//   2012), so the copy is no data race in C++'s model and ThreadSanitizer
//   stays quiet; on x86 these are plain loads and stores, on AArch64 an
//   append adds one barrier and two store-releases. A reader filters on the
//   fields up to the name first (copy_head: one or two of the slot's three
//   cache lines) and copies whole only what it returns. Across rings the
//   order is by time only (when the answer was sent: wall_ms + answer_us),
//   and a merged read is complete back to QueryLogPage::complete_since_ms
//   (the oldest record still held by the ring that wrapped last); older
//   records of the busier rings have been overwritten.
// - Per-minute counts by outcome over the last 24 hours, per ring: a fixed
//   array of 1,440 buckets, each tagged with its minute, written by the
//   ring's writer with relaxed atomic stores (one writer: no read-modify-
//   write) and read by summing the rings. The top names and clients are not
//   kept by the writer: the reader counts them from the rings (work bounded by
//   the log's capacity).
// - Privacy is applied when a record is written, never when it is shown, so a
//   hidden field is not in memory at all (levels as Pi-hole's privacy levels
//   0 to 3). hide_names blanks the name and the answer (which would show
//   it); hide_clients blanks the client and, as Pi-hole's level 2 "hide
//   domains and clients", the name and answer too; off stores nothing and
//   counts nothing (append() returns at once). Records kept before a level
//   was raised stay as they were stored.
// - Nothing is written to disk, ever (Pi-hole's FTL writes its queries to
//   SQLite every minute, AdGuard Home flushes its in-memory buffer to
//   querylog.json; on a Raspberry Pi that is SD-card wear). The log starts
//   empty at each start of the daemon.
//
// Record: 184 bytes, in a 192-byte slot (three 64-byte cache lines with its
// sequence number); 100,000 records take 19.2 MB (18.3 MiB), plus 69 KB of
// per-minute counts per ring. The name is kept in wire form (exactly the
// bytes asked: any byte value, `<` and quotes included; escaping is the
// display's job), up to 96 bytes: longer names (a reverse IPv6 name is 74)
// keep their last whole labels that fit and are flagged name_truncated, so
// the registrable domain stays and suffix filters still work. The answer
// summary is the first A or AAAA address of the answer section, else the
// first name-holding record's target (CNAME, DNAME, PTR, NS; up to 48 bytes,
// truncated the same way and flagged answer_truncated), else only the type
// of the first record; answer_count says how many records there were.
// (AdGuard Home keeps the whole question and answer per entry, Pi-hole the
// whole name in a string pool; fixed-size records are what make the
// writer allocation-free.)
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"

namespace lanlord {

// How a query was answered. The dashboard's graph stacks these.
enum class QueryOutcome : std::uint8_t {
    cached,     // from the packet cache
    forwarded,  // an upstream server's answer
    recursive,  // resolved from the root by the iterator
    local,      // hosts, local records, DHCP names, private reverse zones, single-label names, CHAOS
    blocked,    // the blocklist
    stale,      // an expired answer served because every upstream failed (RFC 8767)
    failed,     // SERVFAIL sent: timeouts, limits, bogus DNSSEC
    refused,    // access control, classes and types never served
    invalid,    // FORMERR, NOTIMP, BADVERS
    dropped,    // no answer at all: over the client's rate limit
};
inline constexpr std::size_t kQueryOutcomeCount = 10;
inline constexpr std::uint32_t kAllQueryOutcomes = (1u << kQueryOutcomeCount) - 1;

// "cached", "forwarded", ... (the names the API uses), and back (nullopt for
// any other text).
std::string_view to_string(QueryOutcome o);
std::optional<QueryOutcome> parse_query_outcome(std::string_view text);

// Privacy levels as Pi-hole's (0 to 3), applied when a record is stored.
enum class QueryLogPrivacy : std::uint8_t {
    show_all,      // everything
    hide_names,    // name and answer blanked
    hide_clients,  // client blanked, and name and answer too (Pi-hole's level 2)
    off,           // nothing stored, nothing counted
};

// QueryLogRecord::flags.
namespace query_log_flag {
inline constexpr std::uint8_t dnssec_ok = 0x01;         // the query had DO
inline constexpr std::uint8_t authentic = 0x02;         // the answer had AD
inline constexpr std::uint8_t tcp = 0x04;               // asked over TCP
inline constexpr std::uint8_t name_truncated = 0x08;    // leading labels dropped to fit
inline constexpr std::uint8_t answer_truncated = 0x10;  // the answer's name, likewise
inline constexpr std::uint8_t name_hidden = 0x20;       // blanked by the privacy level
inline constexpr std::uint8_t client_hidden = 0x40;     // blanked by the privacy level
}  // namespace query_log_flag

// One logged query: plain bytes, no pointers (copied whole into a slot).
struct QueryLogRecord {
    static constexpr std::size_t kNameCapacity = 96;
    static constexpr std::size_t kAnswerCapacity = 48;
    static constexpr std::size_t kHeaderBytes = 40;  // the fields before `name`

    std::int64_t wall_ms = 0;       // when the query arrived, ms since 1970-01-01 UTC
    std::uint32_t answer_us = 0;    // from arrival to the answer sent, microseconds
    std::uint16_t qtype = 0;        // of the question
    std::uint16_t rcode = 0;        // of the answer sent
    std::uint16_t answer_type = 0;  // type of the record summarised in `answer`; 0: no answer record
    QueryOutcome outcome = QueryOutcome::cached;
    std::uint8_t flags = 0;          // query_log_flag bits
    std::uint8_t client_family = 0;  // 4, 6, or 0: none (hidden)
    std::uint8_t name_len = 0;
    std::uint8_t answer_len = 0;
    std::uint8_t answer_count = 0;  // records in the answer section (255: 255 or more)
    std::array<std::uint8_t, 16> client{};
    std::array<std::uint8_t, kNameCapacity> name{};      // wire form, name_len bytes
    std::array<std::uint8_t, kAnswerCapacity> answer{};  // A: 4 bytes, AAAA: 16, a name: wire form

    bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
    // The name as stored (wire form; the last labels of a truncated name).
    std::string_view name_view() const { return {reinterpret_cast<const char*>(name.data()), name_len}; }
    // Stores `wire` (sets name_truncated when only its last labels fit).
    void set_name(std::string_view wire);
    std::optional<IpAddress> client_address() const;
    void set_client(const IpAddress& a);
    std::span<const std::uint8_t> answer_data() const { return {answer.data(), answer_len}; }
    // The answer as an address (A, AAAA records) or nullopt.
    std::optional<IpAddress> answer_address() const;
    // Answer data in wire form: a name, truncated as the query's name is.
    void set_answer_name(std::uint16_t type, std::string_view wire);
    void set_answer_address(const IpAddress& a);

    friend bool operator==(const QueryLogRecord&, const QueryLogRecord&) = default;
};
static_assert(sizeof(QueryLogRecord) == 184);
static_assert(offsetof(QueryLogRecord, name) == QueryLogRecord::kHeaderBytes);

// The name as text, escaped as name_to_text does (what name filters match).
std::string query_log_name_text(const QueryLogRecord& r);

// Fills the answer fields of `r` from the response sent to the client: rcode
// (the header's), the AD flag, answer_count and the summary (see above).
// `answer_at`: where the answer section starts when the caller knows it (the
// end of the question it parsed: the response repeats it), else 0. Reads at
// most the answer section; allocates nothing; a malformed message leaves
// what could be read.
void summarize_answer(std::span<const std::uint8_t> response, QueryLogRecord& r,
                      std::size_t answer_at = 0) noexcept;

// The whole record of one answered query, from the message sent to the
// client (or, for a query dropped unanswered, the query itself: rcode 0, no
// answer): the question's name and type, the client, the outcome, the times
// and summarize_answer's fields. Allocates nothing; a message whose question
// cannot be read leaves the name empty.
void record_answer(QueryLogRecord& r, std::span<const std::uint8_t> message, const IpAddress& client,
                   bool tcp, QueryOutcome outcome, std::uint32_t answer_us, std::int64_t wall_ms) noexcept;

// What a reader asks for; every field set must match.
struct QueryLogFilter {
    std::optional<Prefix> client;  // a bare address is a full-length prefix
    // Part of the name as text (query_log_name_text), ASCII letters in any
    // case; empty: any name. Never matches a hidden name.
    std::string name_contains;
    // Wire form: the name itself or one below it (label-wise, ASCII case
    // ignored). A truncated name matches only when the suffix fits in what was
    // kept. Empty: any name.
    std::string name_suffix;
    std::optional<std::uint16_t> qtype;
    std::uint32_t outcomes = kAllQueryOutcomes;  // bit (1 << outcome) for each outcome wanted
    std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();  // wall_ms range, both inclusive
    std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();

    // Reads the fields up to the name only (QueryLogRing::copy_head). For
    // one record; QueryLog's reads prepare the filter once per read.
    bool matches(const QueryLogRecord& r) const;
};

struct QueryLogPage {
    std::vector<QueryLogRecord> records;  // newest first
    std::uint64_t scanned = 0;            // records looked at
    std::uint64_t skipped = 0;            // overwritten while the read ran: left out
    // Records older than this may be missing: a ring that wrapped has lost
    // its older ones (min() when no ring has wrapped).
    std::int64_t complete_since_ms = std::numeric_limits<std::int64_t>::min();
};

struct QueryLogMinute {
    std::int64_t minute = 0;  // minutes since 1970 (wall_ms / 60,000)
    std::array<std::uint32_t, kQueryOutcomeCount> by_outcome{};
    std::uint64_t total() const;
};

struct QueryLogNameCount {
    std::string name;  // wire form, as stored
    bool truncated = false;
    std::uint64_t count = 0;
};
struct QueryLogClientCount {
    IpAddress client;
    std::uint64_t count = 0;
};

// The dashboard's three top lists, counted in one pass over the log.
struct QueryLogTops {
    std::vector<QueryLogNameCount> names, blocked_names;
    std::vector<QueryLogClientCount> clients;
};

// One writer's ring. append() from that writer's thread only; everything
// else from any thread.
class QueryLogRing {
  public:
    static constexpr std::size_t kMinutesKept = 24 * 60;

    explicit QueryLogRing(std::size_t capacity, QueryLogPrivacy privacy = QueryLogPrivacy::show_all);
    ~QueryLogRing();
    QueryLogRing(const QueryLogRing&) = delete;
    QueryLogRing& operator=(const QueryLogRing&) = delete;

    // Stores `r` as the privacy level says and counts it in its minute (an
    // outcome out of range as failed). No allocation, no lock, no system call.
    void append(const QueryLogRecord& r) noexcept;

    void set_privacy(QueryLogPrivacy p) noexcept { privacy_.store(p, std::memory_order_relaxed); }
    QueryLogPrivacy privacy() const noexcept { return privacy_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }
    // Records appended since construction (the newest is number appended()-1).
    std::uint64_t appended() const noexcept { return published_.load(std::memory_order_acquire); }

    // Copies record number `n` into `out`; false when it is not in the ring
    // (not yet written, overwritten, or being overwritten during the copy).
    bool copy(std::uint64_t n, QueryLogRecord& out) const noexcept;
    // The same for the fields up to the end of the name only (what filters
    // and top lists read: the first of the slot's three cache lines for a
    // name of up to 16 bytes, two up to 80); the name's unused bytes and the
    // answer are left as they were in `out`.
    bool copy_head(std::uint64_t n, QueryLogRecord& out) const noexcept;
    // Adds the counts of `minute` to `out` (nothing when the ring has none for it).
    void add_minute(std::int64_t minute, QueryLogMinute& out) const noexcept;

  private:
    struct Slot;
    struct Bucket;
    void count(std::int64_t wall_ms, QueryOutcome o) noexcept;
    void store(const QueryLogRecord& r) noexcept;
    friend class QueryLog;  // scans with the slot index at hand (no division per record)
    // Record `n`, in slot `index` (n % capacity_), published.
    bool read(std::uint64_t n, std::size_t index, QueryLogRecord& out, bool whole) const noexcept;

    std::size_t capacity_;
    Slot* slots_ = nullptr;
    void* memory_ = nullptr;  // calloc'd; slots_ is it, aligned to 64
    std::unique_ptr<Bucket[]> buckets_;
    std::atomic<QueryLogPrivacy> privacy_;
    // The writer's own state, on a cache line of its own.
    alignas(64) std::uint64_t next_ = 0;  // number of the next record
    std::size_t head_ = 0;                // its slot
    std::int64_t minute_ = std::numeric_limits<std::int64_t>::min();
    Bucket* bucket_ = nullptr;  // the bucket of minute_
    alignas(64) std::atomic<std::uint64_t> published_{0};
};

// The log: one ring per DNS worker, read as one.
class QueryLog {
  public:
    // `capacity` records in all, split evenly over `rings` (at least one
    // record each).
    QueryLog(std::size_t capacity, std::size_t rings, QueryLogPrivacy privacy = QueryLogPrivacy::show_all);

    std::size_t rings() const { return rings_.size(); }
    QueryLogRing& ring(std::size_t i) { return *rings_[i]; }
    const QueryLogRing& ring(std::size_t i) const { return *rings_[i]; }
    std::size_t capacity() const;
    void set_privacy(QueryLogPrivacy p);

    // The newest `limit` records that match, newest first (rings merged by the
    // time each answer was sent), read while the writers go on.
    QueryLogPage newest(const QueryLogFilter& filter, std::size_t limit) const;
    // `minutes` (at most 1,440) per-minute counts, oldest first, the last one
    // the minute of `now_ms`.
    std::vector<QueryLogMinute> per_minute(std::int64_t now_ms,
                                           std::size_t minutes = QueryLogRing::kMinutesKept) const;
    // The `k` names (clients) with the most matching records in the log, most
    // first; hidden names (clients) are not counted.
    std::vector<QueryLogNameCount> top_names(const QueryLogFilter& filter, std::size_t k) const;
    std::vector<QueryLogClientCount> top_clients(const QueryLogFilter& filter, std::size_t k) const;
    // top_names (all, and those blocked) and top_clients in one pass: what
    // the dashboard shows, for a third of the reading.
    QueryLogTops tops(std::size_t k) const;

  private:
    template <typename F>
    void for_each(const QueryLogFilter& filter, F&& f) const;

    std::vector<std::unique_ptr<QueryLogRing>> rings_;
    std::uint64_t seed_ = 0;  // of the top lists' hash tables: random per log
};

}  // namespace lanlord
