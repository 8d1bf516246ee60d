// Blocked domains: a domain blocks itself and every name below it; an
// allowlist entry (same suffix semantics) overrides a block.
//
// Sized for a Raspberry Pi with a million-line list: a domain is stored as a
// 64-bit seeded hash of its wire form in an open-addressing table (16 bytes a
// domain at most, no strings), so 1,000,000 domains take about 16 MiB and
// load in well under a second. A lookup hashes each suffix of the query name
// (a handful of labels) and probes the table: no allocation. The price is a
// false-positive chance of about n / 2^64 per suffix (1e-13 for a million
// domains), and a list that cannot be printed back; both are accepted here.
//
// Parsing accepts, per line: hosts format ("0.0.0.0 ads.example", any
// address, several names), plain domains ("ads.example"), and the adblock
// subset "||ads.example^" (other adblock syntax is skipped and counted).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lanlord {

class DomainSet {
  public:
    explicit DomainSet(std::uint64_t seed = 0x9b1d5f3a7c2e4d61ULL) : seed_(seed) {}
    void reserve(std::size_t n);
    // `wire` is a lower-case wire-form name.
    void insert(std::string_view wire);
    bool contains_exact(std::string_view wire) const;
    // The name or one of its parents is in the set.
    bool matches(std::string_view wire) const;
    std::size_t size() const { return size_; }
    std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

  private:
    bool contains_hash(std::uint64_t h) const;
    void insert_hash(std::uint64_t h);
    void grow();
    std::uint64_t seed_;
    std::vector<std::uint64_t> slots_;  // 0 = empty (hashes are forced non-zero)
    std::size_t size_ = 0;
};

struct BlocklistParseStats {
    std::size_t lines = 0, domains = 0, skipped = 0;
    std::vector<std::string> warnings;  // the first few bad lines, "source:line: why"
};

// Adds every domain of `text` to `set`.
BlocklistParseStats parse_blocklist(std::string_view text, std::string_view source, DomainSet& set);

class Blocklist {
  public:
    DomainSet& blocked() { return blocked_; }
    DomainSet& allowed() { return allowed_; }
    const DomainSet& blocked() const { return blocked_; }
    const DomainSet& allowed() const { return allowed_; }
    bool is_blocked(std::string_view wire) const { return blocked_.matches(wire) && !allowed_.matches(wire); }
    std::size_t size() const { return blocked_.size(); }
    std::size_t memory_bytes() const { return blocked_.memory_bytes() + allowed_.memory_bytes(); }

  private:
    DomainSet blocked_, allowed_;
};

}  // namespace lanlord
