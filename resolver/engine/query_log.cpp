#include "resolver/engine/query_log.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <random>
#include <type_traits>
#include <unordered_map>

#include "common/byte_cursor.h"
#include "common/dns_name.h"
#include "common/hash.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

constexpr std::size_t kWords = sizeof(QueryLogRecord) / sizeof(std::uint64_t);
static_assert(kWords * sizeof(std::uint64_t) == sizeof(QueryLogRecord));
static_assert(std::is_trivially_copyable_v<QueryLogRecord>);

constexpr std::array<std::string_view, kQueryOutcomeCount> kOutcomeNames = {
    "cached", "forwarded", "recursive", "local",   "blocked",
    "stale",  "failed",    "refused",   "invalid", "dropped"};

using Ref = std::atomic_ref<std::uint64_t>;

// Copies the last whole labels of `wire` that fit in `cap` bytes; true when
// labels were dropped. A malformed name (a label running past the end) is
// copied as far as it fits.
bool store_suffix(std::string_view wire, std::uint8_t* out, std::size_t cap, std::uint8_t& len) {
    std::size_t p = 0;
    bool cut = false;
    while (wire.size() - p > cap) {
        auto n = static_cast<std::uint8_t>(wire[p]);
        if (n == 0 || p + 1 + n > wire.size()) {  // not a name that can be cut at a label: keep its head
            p = 0;
            wire = wire.substr(0, cap);
            cut = true;
            break;
        }
        p += 1 + n;
        cut = true;
    }
    len = static_cast<std::uint8_t>(wire.size() - p);
    if (len > 0) std::memcpy(out, wire.data() + p, len);
    return cut;
}

void blank_name(QueryLogRecord& r) {
    r.name.fill(0);
    r.name_len = 0;
    r.answer.fill(0);
    r.answer_len = 0;
    r.flags = static_cast<std::uint8_t>(
        (r.flags & ~(query_log_flag::name_truncated | query_log_flag::answer_truncated)) |
        query_log_flag::name_hidden);
}

void blank_client(QueryLogRecord& r) {
    r.client.fill(0);
    r.client_family = 0;
    r.flags |= query_log_flag::client_hidden;
}

// The minute of a wall time (floor, also before 1970).
std::int64_t minute_of(std::int64_t wall_ms) {
    std::int64_t m = wall_ms / 60000;
    return wall_ms % 60000 < 0 ? m - 1 : m;
}

// The key the rings are merged by: when the answer was sent, in us.
std::int64_t end_key(const QueryLogRecord& r) {
    constexpr std::int64_t kMaxMs = std::numeric_limits<std::int64_t>::max() / 1000 - 5000000;
    return std::clamp(r.wall_ms, -kMaxMs, kMaxMs) * 1000 + r.answer_us;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(static_cast<std::uint8_t>(a[i])) != ascii_lower(static_cast<std::uint8_t>(b[i])))
            return false;
    return true;
}

// `name` is `suffix` or below it, label-wise.
bool under_suffix(std::string_view name, std::string_view suffix) {
    std::size_t p = 0;
    while (p < name.size()) {
        if (name.size() - p == suffix.size()) return equal_ignoring_case(name.substr(p), suffix);
        if (name.size() - p < suffix.size()) return false;
        auto n = static_cast<std::uint8_t>(name[p]);
        if (n == 0) return false;
        p += 1 + n;
    }
    return false;
}

// Steps over a name without following its pointer (the summary needs no
// owner names): cheaper than skip_name, which validates where pointers go.
bool step_over_name(std::span<const std::uint8_t> msg, std::size_t& pos) {
    for (;;) {
        if (pos >= msg.size()) return false;
        std::uint8_t b = msg[pos];
        if (b == 0) {
            ++pos;
            return true;
        }
        if ((b & 0xC0) == 0xC0) {
            pos += 2;
            return pos <= msg.size();
        }
        if (b & 0xC0) return false;
        pos += 1 + b;
    }
}

}  // namespace

std::string_view to_string(QueryOutcome o) {
    auto i = static_cast<std::size_t>(o);
    return i < kOutcomeNames.size() ? kOutcomeNames[i] : std::string_view("unknown");
}

std::optional<QueryOutcome> parse_query_outcome(std::string_view text) {
    for (std::size_t i = 0; i < kOutcomeNames.size(); ++i)
        if (kOutcomeNames[i] == text) return static_cast<QueryOutcome>(i);
    return std::nullopt;
}

// ---- QueryLogRecord

void QueryLogRecord::set_name(std::string_view wire) {
    name.fill(0);
    bool cut = store_suffix(wire, name.data(), name.size(), name_len);
    flags = static_cast<std::uint8_t>(cut ? flags | query_log_flag::name_truncated
                                          : flags & ~query_log_flag::name_truncated);
}

std::optional<IpAddress> QueryLogRecord::client_address() const {
    if (client_family == 4) return IpAddress::v4_bytes(client.data());
    if (client_family == 6) return IpAddress::v6_bytes(client.data());
    return std::nullopt;
}

void QueryLogRecord::set_client(const IpAddress& a) {
    client.fill(0);
    std::memcpy(client.data(), a.bytes(), a.size());
    client_family = a.is_v4() ? 4 : 6;
}

std::optional<IpAddress> QueryLogRecord::answer_address() const {
    if (answer_type == dns::type::A && answer_len == 4) return IpAddress::v4_bytes(answer.data());
    if (answer_type == dns::type::AAAA && answer_len == 16) return IpAddress::v6_bytes(answer.data());
    return std::nullopt;
}

void QueryLogRecord::set_answer_name(std::uint16_t type, std::string_view wire) {
    answer.fill(0);
    answer_type = type;
    bool cut = store_suffix(wire, answer.data(), answer.size(), answer_len);
    flags = static_cast<std::uint8_t>(cut ? flags | query_log_flag::answer_truncated
                                          : flags & ~query_log_flag::answer_truncated);
}

void QueryLogRecord::set_answer_address(const IpAddress& a) {
    answer.fill(0);
    answer_type = a.is_v4() ? dns::type::A : dns::type::AAAA;
    answer_len = static_cast<std::uint8_t>(a.size());
    std::memcpy(answer.data(), a.bytes(), a.size());
    flags &= static_cast<std::uint8_t>(~query_log_flag::answer_truncated);
}

std::string query_log_name_text(const QueryLogRecord& r) {
    return name_to_text(r.name_view());
}

void summarize_answer(std::span<const std::uint8_t> msg, QueryLogRecord& r, std::size_t answer_at) noexcept {
    r.answer.fill(0);
    r.answer_len = 0;
    r.answer_type = 0;
    r.answer_count = 0;
    r.flags &= static_cast<std::uint8_t>(~(query_log_flag::answer_truncated | query_log_flag::authentic));
    if (msg.size() < dns::kHeaderSize) return;
    std::uint16_t flags = load_u16(msg.data() + 2);
    r.rcode = static_cast<std::uint16_t>(flags & 0x000F);
    if (flags & dns::flag::AD) r.flags |= query_log_flag::authentic;
    std::uint16_t qdcount = load_u16(msg.data() + 4), ancount = load_u16(msg.data() + 6);
    r.answer_count = static_cast<std::uint8_t>(std::min<std::uint16_t>(ancount, 255));
    std::size_t pos = answer_at;
    if (pos == 0) {
        pos = dns::kHeaderSize;
        for (std::uint16_t i = 0; i < qdcount; ++i) {
            if (!step_over_name(msg, pos) || msg.size() - pos < 4) return;
            pos += 4;
        }
    } else if (pos > msg.size()) {
        return;
    }
    std::size_t name_at = 0;  // rdata offset of the first name-holding record
    std::uint16_t first_type = 0, name_type = 0;
    for (std::uint16_t i = 0; i < ancount; ++i) {
        if (!step_over_name(msg, pos) || msg.size() - pos < 10) break;
        std::uint16_t type = load_u16(msg.data() + pos), rdlength = load_u16(msg.data() + pos + 8);
        std::size_t rdata = pos + 10;
        if (msg.size() - rdata < rdlength) break;
        pos = rdata + rdlength;
        if (first_type == 0) first_type = type;
        if ((type == dns::type::A && rdlength == 4) || (type == dns::type::AAAA && rdlength == 16)) {
            r.answer_type = type;
            r.answer_len = static_cast<std::uint8_t>(rdlength);
            std::memcpy(r.answer.data(), msg.data() + rdata, rdlength);
            return;
        }
        if (name_type == 0 && (type == dns::type::CNAME || type == dns::type::DNAME ||
                               type == dns::type::PTR || type == dns::type::NS)) {
            name_type = type;
            name_at = rdata;
        }
    }
    if (name_type != 0) {
        std::uint8_t wire[kMaxNameLength];
        std::size_t len = 0, at = name_at;
        if (read_name(msg, at, wire, len) == NameError::ok) {
            r.set_answer_name(name_type, {reinterpret_cast<const char*>(wire), len});
            return;
        }
    }
    r.answer_type = first_type;
}

void record_answer(QueryLogRecord& r, std::span<const std::uint8_t> message, const IpAddress& client,
                   bool tcp, QueryOutcome outcome, std::uint32_t answer_us, std::int64_t wall_ms) noexcept {
    r.wall_ms = wall_ms;
    r.answer_us = answer_us;
    r.outcome = outcome;
    r.flags = tcp ? query_log_flag::tcp : 0;
    r.qtype = 0;
    r.name_len = 0;
    r.set_client(client);
    std::size_t answer_at = 0;
    if (message.size() >= dns::kHeaderSize && load_u16(message.data() + 4) >= 1) {
        std::uint8_t wire[kMaxNameLength];
        std::size_t len = 0, at = dns::kHeaderSize;
        if (read_name(message, at, wire, len) == NameError::ok && message.size() - at >= 4) {
            r.set_name({reinterpret_cast<const char*>(wire), len});
            r.qtype = load_u16(message.data() + at);
            if (load_u16(message.data() + 4) == 1) answer_at = at + 4;
        }
    }
    if (outcome == QueryOutcome::dropped) {  // the query: nothing was answered
        r.rcode = 0;
        r.answer_len = r.answer_count = 0;
        r.answer_type = 0;
        return;
    }
    summarize_answer(message, r, answer_at);
}

// ---- QueryLogFilter

namespace {

// Byte -> the bit of its letter (either case), 0 for other bytes.
constexpr std::array<std::uint32_t, 256> kLetterBits = [] {
    std::array<std::uint32_t, 256> t{};
    for (unsigned c = 0; c < 26; ++c) t['a' + c] = t['A' + c] = 1u << c;
    return t;
}();

std::uint32_t letter_bit(std::uint8_t c) {
    return kLetterBits[c];
}

// `pattern` (lower case, not empty) in `text` (lower case).
bool contains(std::string_view text, std::string_view pattern) {
    if (pattern.size() > text.size()) return false;
    const std::size_t last = text.size() - pattern.size();
    for (std::size_t i = 0; i <= last; ++i) {
        if (text[i] != pattern[0]) continue;
        std::size_t j = 1;
        while (j < pattern.size() && text[i + j] == pattern[j]) ++j;
        if (j == pattern.size()) return true;
    }
    return false;
}

// A filter prepared once per read: the pattern lower-cased, and the set of
// its letters (a letter of the text can only come from the same letter in
// the name: escapes are digits, '\\' and '.'), so most names that cannot
// match are rejected before their text is made.
class Matcher {
  public:
    explicit Matcher(const QueryLogFilter& f)
        : f_(f), names_(!f.name_suffix.empty() || !f.name_contains.empty()) {
        for (char c : f.name_contains) {
            pattern_.push_back(ascii_lower(static_cast<std::uint8_t>(c)));
            letters_ |= letter_bit(static_cast<std::uint8_t>(c));
        }
    }

    bool operator()(const QueryLogRecord& r) const {
        if (r.wall_ms < f_.from_ms || r.wall_ms > f_.to_ms) return false;
        auto o = static_cast<std::size_t>(r.outcome);
        if (o >= kQueryOutcomeCount || !(f_.outcomes & (1u << o))) return false;
        if (f_.qtype && r.qtype != *f_.qtype) return false;
        if (f_.client) {
            auto a = r.client_address();
            if (!a || !f_.client->contains(*a)) return false;
        }
        if (!names_) return true;
        if (r.has(query_log_flag::name_hidden)) return false;
        std::string_view name = r.name_view();
        if (!f_.name_suffix.empty() && !under_suffix(name, f_.name_suffix)) return false;
        if (pattern_.empty()) return true;
        if (letters_ != 0) {
            std::uint32_t present = 0;
            for (char c : name) present |= letter_bit(static_cast<std::uint8_t>(c));
            if ((letters_ & ~present) != 0) return false;
        }
        char text[4 * QueryLogRecord::kNameCapacity + 1];
        std::size_t len = name_to_text(name, text, true);
        return contains({text, len}, pattern_);
    }

  private:
    const QueryLogFilter& f_;
    bool names_;
    std::string pattern_;
    std::uint32_t letters_ = 0;
};

}  // namespace

bool QueryLogFilter::matches(const QueryLogRecord& r) const {
    return Matcher(*this)(r);
}

std::uint64_t QueryLogMinute::total() const {
    std::uint64_t t = 0;
    for (auto n : by_outcome) t += n;
    return t;
}

// ---- QueryLogRing

struct alignas(64) QueryLogRing::Slot {
    std::uint64_t seq;  // 2n+1 while record n is written, 2n+2 when it is complete; 0: never written
    std::uint64_t words[kWords];
};

struct QueryLogRing::Bucket {
    std::atomic<std::int64_t> tag{kUnused};  // the minute counted; kUnused while being reset
    std::array<std::atomic<std::uint32_t>, kQueryOutcomeCount> counts{};
    static constexpr std::int64_t kUnused = std::numeric_limits<std::int64_t>::min();
};

QueryLogRing::QueryLogRing(std::size_t capacity, QueryLogPrivacy privacy)
    : capacity_(std::max<std::size_t>(capacity, 1)),
      buckets_(std::make_unique<Bucket[]>(kMinutesKept)),
      privacy_(privacy) {
    static_assert(sizeof(Slot) == 192, "a record and its sequence number: three cache lines");
    // calloc: zeroed pages the kernel maps on first write (RSS grows with use).
    memory_ = std::calloc(capacity_ * sizeof(Slot) + alignof(Slot), 1);
    if (!memory_) throw std::bad_alloc();
    auto at = reinterpret_cast<std::uintptr_t>(memory_);
    at = (at + alignof(Slot) - 1) & ~std::uintptr_t{alignof(Slot) - 1};
    slots_ = reinterpret_cast<Slot*>(at);
}

QueryLogRing::~QueryLogRing() {
    std::free(memory_);
}

void QueryLogRing::append(const QueryLogRecord& r) noexcept {
    QueryLogPrivacy level = privacy_.load(std::memory_order_relaxed);
    if (level == QueryLogPrivacy::off) return;
    if (level == QueryLogPrivacy::show_all && static_cast<std::size_t>(r.outcome) < kQueryOutcomeCount) {
        count(r.wall_ms, r.outcome);
        store(r);
        return;
    }
    QueryLogRecord copy = r;
    if (static_cast<std::size_t>(copy.outcome) >= kQueryOutcomeCount) copy.outcome = QueryOutcome::failed;
    if (level != QueryLogPrivacy::show_all) blank_name(copy);
    if (level == QueryLogPrivacy::hide_clients) blank_client(copy);
    count(copy.wall_ms, copy.outcome);
    store(copy);
}

void QueryLogRing::store(const QueryLogRecord& r) noexcept {
    std::uint64_t w[kWords];
    std::memcpy(w, &r, sizeof r);
    Slot& s = slots_[head_];
    const std::uint64_t n = next_;
    // Boehm's seqlock writer: odd sequence, release fence, the data, even sequence (release).
    Ref(s.seq).store(2 * n + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < kWords; ++i) Ref(s.words[i]).store(w[i], std::memory_order_relaxed);
    Ref(s.seq).store(2 * n + 2, std::memory_order_release);
    next_ = n + 1;
    head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
    published_.store(n + 1, std::memory_order_release);
}

void QueryLogRing::count(std::int64_t wall_ms, QueryOutcome o) noexcept {
    std::int64_t m = minute_of(wall_ms);
    if (m != minute_) {
        auto i = static_cast<std::size_t>(((m % kMinutesKept) + kMinutesKept) % kMinutesKept);
        Bucket& b = buckets_[i];
        if (b.tag.load(std::memory_order_relaxed) != m) {
            // A bucket last used a day (or more) ago: zeroed under its own seqlock-like tag.
            b.tag.store(Bucket::kUnused, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_release);
            for (auto& c : b.counts) c.store(0, std::memory_order_relaxed);
            b.tag.store(m, std::memory_order_release);
        }
        minute_ = m;
        bucket_ = &b;
    }
    auto& c = bucket_->counts[static_cast<std::size_t>(o)];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // one writer: no RMW
}

bool QueryLogRing::copy(std::uint64_t n, QueryLogRecord& out) const noexcept {
    return n < appended() && read(n, n % capacity_, out, true);
}

bool QueryLogRing::copy_head(std::uint64_t n, QueryLogRecord& out) const noexcept {
    return n < appended() && read(n, n % capacity_, out, false);
}

bool QueryLogRing::read(std::uint64_t n, std::size_t index, QueryLogRecord& out, bool whole) const noexcept {
    Slot& s = slots_[index];
    const std::uint64_t done = 2 * n + 2;
    if (Ref(s.seq).load(std::memory_order_acquire) != done) return false;
    // Word by word into `out` (a torn copy is thrown away below: the caller
    // ignores `out` then).
    auto* o = reinterpret_cast<unsigned char*>(&out);
    auto load = [&](std::size_t i) {
        std::uint64_t v = Ref(s.words[i]).load(std::memory_order_relaxed);
        std::memcpy(o + i * sizeof v, &v, sizeof v);
    };
    if (whole) {
        for (std::size_t i = 0; i < kWords; ++i) load(i);
    } else {
        // The header, then the name as far as its length (read from a header
        // that may be torn: the check below rejects such a copy).
        constexpr std::size_t kHead = QueryLogRecord::kHeaderBytes / 8;
        for (std::size_t i = 0; i < kHead; ++i) load(i);
        std::size_t words =
            kHead + std::min<std::size_t>((out.name_len + 7) / 8, QueryLogRecord::kNameCapacity / 8);
        for (std::size_t i = kHead; i < words; ++i) load(i);
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    return Ref(s.seq).load(std::memory_order_relaxed) == done;
}

void QueryLogRing::add_minute(std::int64_t minute, QueryLogMinute& out) const noexcept {
    auto i = static_cast<std::size_t>(((minute % kMinutesKept) + kMinutesKept) % kMinutesKept);
    const Bucket& b = buckets_[i];
    std::int64_t tag = b.tag.load(std::memory_order_acquire);
    if (tag != minute) return;
    std::array<std::uint32_t, kQueryOutcomeCount> c;
    for (std::size_t k = 0; k < c.size(); ++k) c[k] = b.counts[k].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (b.tag.load(std::memory_order_relaxed) != tag) return;  // reset for a new minute meanwhile
    for (std::size_t k = 0; k < c.size(); ++k) out.by_outcome[k] += c[k];
}

// ---- QueryLog

QueryLog::QueryLog(std::size_t capacity, std::size_t rings, QueryLogPrivacy privacy) {
    std::random_device rd;
    seed_ = (std::uint64_t{rd()} << 32) | rd();
    rings = std::max<std::size_t>(rings, 1);
    std::size_t each = (capacity + rings - 1) / rings;
    rings_.reserve(rings);
    for (std::size_t i = 0; i < rings; ++i) rings_.push_back(std::make_unique<QueryLogRing>(each, privacy));
}

std::size_t QueryLog::capacity() const {
    std::size_t n = 0;
    for (const auto& r : rings_) n += r->capacity();
    return n;
}

void QueryLog::set_privacy(QueryLogPrivacy p) {
    for (auto& r : rings_) r->set_privacy(p);
}

QueryLogPage QueryLog::newest(const QueryLogFilter& filter, std::size_t limit) const {
    struct Cursor {
        const QueryLogRing* ring;
        std::uint64_t next, end;  // records [end, next) are still to be read, newest first
        std::size_t index;        // the slot of record `next` (next % capacity)
        bool has = false;
        QueryLogRecord head;
    };
    QueryLogPage page;
    const Matcher matches(filter);
    std::vector<Cursor> cursors;
    cursors.reserve(rings_.size());
    for (const auto& r : rings_) {
        std::uint64_t n = r->appended();
        std::uint64_t end = n > r->capacity() ? n - r->capacity() : 0;
        cursors.push_back({r.get(), n, end, static_cast<std::size_t>(n % r->capacity())});
        if (end > 0) {  // wrapped: the oldest record it still has bounds what is complete
            QueryLogRecord oldest;
            for (std::uint64_t k = end; k < n; ++k) {
                if (r->copy(k, oldest)) {
                    page.complete_since_ms = std::max(page.complete_since_ms, oldest.wall_ms);
                    break;
                }
            }
        }
    }
    auto advance = [&](Cursor& c) {
        while (c.next > c.end) {
            --c.next;
            c.index = (c.index == 0 ? c.ring->capacity() : c.index) - 1;
            ++page.scanned;
            // Header and name first: records a filter rejects are never copied whole.
            bool matched = false;
            if (!c.ring->read(c.next, c.index, c.head, false) ||
                ((matched = matches(c.head)) && !c.ring->read(c.next, c.index, c.head, true))) {
                ++page.skipped;
                continue;
            }
            if (matched) {
                c.has = true;
                return;
            }
        }
        c.has = false;
    };
    for (auto& c : cursors) advance(c);
    page.records.reserve(std::min<std::size_t>(limit, 4096));
    while (page.records.size() < limit) {
        Cursor* best = nullptr;
        for (auto& c : cursors)
            if (c.has && (!best || end_key(c.head) > end_key(best->head))) best = &c;
        if (!best) break;
        page.records.push_back(best->head);
        advance(*best);
    }
    return page;
}

std::vector<QueryLogMinute> QueryLog::per_minute(std::int64_t now_ms, std::size_t minutes) const {
    minutes = std::min(minutes, QueryLogRing::kMinutesKept);
    std::vector<QueryLogMinute> out(minutes);
    std::int64_t last = minute_of(now_ms);
    for (std::size_t i = 0; i < minutes; ++i) {
        out[i].minute = last - static_cast<std::int64_t>(minutes - 1 - i);
        for (const auto& r : rings_) r->add_minute(out[i].minute, out[i]);
    }
    return out;
}

template <typename F>
void QueryLog::for_each(const QueryLogFilter& filter, F&& f) const {
    QueryLogRecord rec;
    const Matcher matches(filter);
    for (const auto& r : rings_) {
        std::uint64_t n = r->appended();
        std::uint64_t end = n > r->capacity() ? n - r->capacity() : 0;
        auto index = static_cast<std::size_t>(n % r->capacity());
        for (std::uint64_t k = n; k > end; --k) {
            index = (index == 0 ? r->capacity() : index) - 1;
            if (r->read(k - 1, index, rec, false) && matches(rec)) f(rec);  // f needs no answer
        }
    }
}

namespace {
// Names and addresses come from clients: the top lists' tables hash them
// with a random seed, so nobody can aim them all at one bucket.
struct TextHash {
    using is_transparent = void;
    std::uint64_t seed;
    std::size_t operator()(std::string_view s) const { return seeded_hash(s, seed); }
};
struct AddressHash {
    std::uint64_t seed;
    std::size_t operator()(const IpAddress& a) const {
        return seeded_hash({reinterpret_cast<const char*>(a.bytes()), a.size()}, seed);
    }
};

template <typename T, typename Less>
void keep_top(std::vector<T>& v, std::size_t k, Less less) {
    if (v.size() > k) {
        std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), less);
        v.resize(k);
    } else {
        std::sort(v.begin(), v.end(), less);
    }
}
}  // namespace

namespace {

// Counts names (a byte saying truncated or not, then the name) for a top list.
class NameCounter {
  public:
    explicit NameCounter(std::uint64_t seed) : counts_(0, TextHash{seed}) { counts_.reserve(4096); }
    void add(const QueryLogRecord& r) {
        if (r.has(query_log_flag::name_hidden)) return;
        key_.assign(1, r.has(query_log_flag::name_truncated) ? '\1' : '\0');
        key_.append(r.name_view());
        auto it = counts_.find(std::string_view(key_));
        if (it != counts_.end())
            ++it->second;
        else
            counts_.emplace(key_, 1);
    }
    std::vector<QueryLogNameCount> top(std::size_t k) const {
        std::vector<QueryLogNameCount> out;
        out.reserve(counts_.size());
        for (const auto& [name, n] : counts_) out.push_back({name.substr(1), name[0] == '\1', n});
        keep_top(out, k, [](const QueryLogNameCount& a, const QueryLogNameCount& b) {
            if (a.count != b.count) return a.count > b.count;
            if (a.name != b.name) return a.name < b.name;
            return a.truncated < b.truncated;
        });
        return out;
    }

  private:
    std::unordered_map<std::string, std::uint64_t, TextHash, std::equal_to<>> counts_;
    std::string key_;
};

class ClientCounter {
  public:
    explicit ClientCounter(std::uint64_t seed) : counts_(0, AddressHash{seed}) {}
    // A LAN has few clients and they ask in runs: the last one's counter is
    // kept at hand, and only a change of client costs a table lookup.
    void add(const QueryLogRecord& r) {
        if (last_ && r.client_family == last_family_ && r.client == last_bytes_) {
            ++*last_;
            return;
        }
        auto a = r.client_address();
        if (!a) return;
        last_ = &counts_[*a];
        ++*last_;
        last_family_ = r.client_family;
        last_bytes_ = r.client;
    }
    std::vector<QueryLogClientCount> top(std::size_t k) const {
        std::vector<QueryLogClientCount> out;
        out.reserve(counts_.size());
        for (const auto& [client, n] : counts_) out.push_back({client, n});
        keep_top(out, k, [](const QueryLogClientCount& a, const QueryLogClientCount& b) {
            if (a.count != b.count) return a.count > b.count;
            return a.client < b.client;
        });
        return out;
    }

  private:
    std::unordered_map<IpAddress, std::uint64_t, AddressHash> counts_;  // nodes: pointers stay valid
    std::uint64_t* last_ = nullptr;
    std::uint8_t last_family_ = 0;
    std::array<std::uint8_t, 16> last_bytes_{};
};

}  // namespace

std::vector<QueryLogNameCount> QueryLog::top_names(const QueryLogFilter& filter, std::size_t k) const {
    NameCounter names(seed_);
    for_each(filter, [&](const QueryLogRecord& r) { names.add(r); });
    return names.top(k);
}

std::vector<QueryLogClientCount> QueryLog::top_clients(const QueryLogFilter& filter, std::size_t k) const {
    ClientCounter clients(seed_);
    for_each(filter, [&](const QueryLogRecord& r) { clients.add(r); });
    return clients.top(k);
}

QueryLogTops QueryLog::tops(std::size_t k) const {
    NameCounter names(seed_), blocked(seed_);
    ClientCounter clients(seed_);
    for_each(QueryLogFilter{}, [&](const QueryLogRecord& r) {
        names.add(r);
        if (r.outcome == QueryOutcome::blocked) blocked.add(r);
        clients.add(r);
    });
    return {names.top(k), blocked.top(k), clients.top(k)};
}

}  // namespace lanlord
