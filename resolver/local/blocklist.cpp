#include "resolver/local/blocklist.h"

#include "common/dns_name.h"
#include "common/hash.h"
#include "common/text.h"

namespace lanlord {

void DomainSet::reserve(std::size_t n) {
    std::size_t want = 16;
    while (want < n * 2) want <<= 1;  // load factor at most 1/2
    if (want <= slots_.size()) return;
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(want, 0);
    size_ = 0;
    for (std::uint64_t h : old)
        if (h) insert_hash(h);
}

void DomainSet::grow() {
    reserve(slots_.empty() ? 8 : slots_.size());
}

void DomainSet::insert_hash(std::uint64_t h) {
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        if (slots_[i] == h) return;
        if (slots_[i] == 0) {
            slots_[i] = h;
            ++size_;
            return;
        }
    }
}

bool DomainSet::contains_hash(std::uint64_t h) const {
    if (slots_.empty()) return false;
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        if (slots_[i] == h) return true;
        if (slots_[i] == 0) return false;
    }
}

namespace {
std::uint64_t domain_hash(std::string_view wire, std::uint64_t seed) {
    std::uint64_t h = seeded_hash(wire, seed);
    return h ? h : 1;
}
}  // namespace

void DomainSet::insert(std::string_view wire) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    insert_hash(domain_hash(wire, seed_));
}

bool DomainSet::contains_exact(std::string_view wire) const {
    return contains_hash(domain_hash(wire, seed_));
}

bool DomainSet::matches(std::string_view wire) const {
    if (size_ == 0) return false;
    std::size_t p = 0;
    while (p < wire.size() && wire[p] != 0) {
        if (contains_hash(domain_hash(wire.substr(p), seed_))) return true;
        p += 1 + static_cast<std::uint8_t>(wire[p]);
    }
    return false;
}

namespace {

bool domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

// A token that looks like an IP address (hosts format's first field).
bool looks_like_address(std::string_view t) {
    if (t.find(':') != std::string_view::npos) return true;
    for (char c : t)
        if (!((c >= '0' && c <= '9') || c == '.')) return false;
    return !t.empty();
}

}  // namespace

BlocklistParseStats parse_blocklist(std::string_view text, std::string_view source, DomainSet& set) {
    BlocklistParseStats st;
    auto skip = [&](const std::string& why) {
        ++st.skipped;
        if (st.warnings.size() < 10)
            st.warnings.push_back(std::string(source) + ":" + std::to_string(st.lines) + ": " + why);
    };
    auto add = [&](std::string_view domain) {
        if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
        if (domain.empty()) return skip("empty domain");
        for (char c : domain)
            if (!domain_char(c)) return skip("bad domain");
        // hosts files often list these; blocking them would break the machine
        if (domain == "localhost" || domain == "localhost.localdomain" || domain == "local" ||
            domain == "broadcasthost" || domain == "ip6-localhost" || domain == "ip6-loopback")
            return;
        auto wire = name_from_text(domain);
        if (!wire || wire->size() <= 1) return skip("bad domain");
        set.insert(*wire);
        ++st.domains;
    };
    while (!text.empty()) {
        ++st.lines;
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        if (line.empty() || line.front() == '#' || line.front() == '!') continue;  // '!' : adblock comment
        if (line.starts_with("||")) {
            line.remove_prefix(2);
            if (line.ends_with("^"))
                line.remove_suffix(1);
            else if (auto caret = line.find('^');
                     caret != std::string_view::npos && line.substr(caret) == "^$important")
                line = line.substr(0, caret);
            if (line.find_first_of("/*$^|") != std::string_view::npos) {
                skip("unsupported adblock rule");
                continue;
            }
            add(line);
            continue;
        }
        if (line.front() == '@' || line.front() == '[' || line.front() == '/') {
            skip("unsupported adblock rule");
            continue;
        }
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        std::vector<std::string_view> fields = split_fields(line);
        if (fields.empty()) continue;
        if (fields.size() >= 2 && looks_like_address(fields[0])) {
            for (std::size_t i = 1; i < fields.size(); ++i) add(fields[i]);
        } else if (fields.size() == 1) {
            add(fields[0]);
        } else {
            skip("unrecognised line");
        }
    }
    return st;
}

}  // namespace lanlord
