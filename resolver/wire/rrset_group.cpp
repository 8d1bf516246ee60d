#include "resolver/wire/rrset_group.h"

#include <algorithm>
#include <tuple>

#include "common/byte_cursor.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {

struct Key {
    std::string_view owner;
    std::uint16_t type;
    std::uint16_t klass;
    friend bool operator==(const Key&, const Key&) = default;
};
bool operator<(const Key& a, const Key& b) {
    return std::tie(a.owner, a.type, a.klass) < std::tie(b.owner, b.type, b.klass);
}

}  // namespace

void RRsetGroups::build(const ParsedMessage& msg, Section section) {
    sets_.clear();
    members_.clear();
    signatures_.clear();
    orphans_.clear();
    const auto all = msg.records();
    const auto bytes = msg.bytes();
    const auto part = msg.section(section);
    const auto base = static_cast<std::uint32_t>(part.data() - all.data());

    for (std::uint32_t i = 0; i < part.size(); ++i) {
        const RecordView& rr = part[i];
        if (rr.type == dns::type::OPT) continue;
        // An RRSIG's RDATA was validated by the parser: 18 fixed bytes first.
        if (rr.type == dns::type::RRSIG && rr.rdata_length >= 2)
            signatures_.push_back(base + i);
        else
            members_.push_back(base + i);
    }
    auto key_of = [&](std::uint32_t i) { return Key{msg.owner(all[i]), all[i].type, all[i].klass}; };
    auto sig_key = [&](std::uint32_t i) {
        return Key{msg.owner(all[i]), load_u16(bytes.data() + all[i].rdata_offset), all[i].klass};
    };
    // The index breaks ties: each set's records stay in message order.
    std::sort(members_.begin(), members_.end(), [&](std::uint32_t a, std::uint32_t b) {
        Key ka = key_of(a), kb = key_of(b);
        return ka < kb || (ka == kb && a < b);
    });
    std::sort(signatures_.begin(), signatures_.end(), [&](std::uint32_t a, std::uint32_t b) {
        Key ka = sig_key(a), kb = sig_key(b);
        return ka < kb || (ka == kb && a < b);
    });

    // Runs of equal keys are sets; both lists are in key order, so the
    // signatures of each set are found by walking them alongside.
    std::size_t s = 0;
    for (std::size_t i = 0; i < members_.size();) {
        Key k = key_of(members_[i]);
        RRset set{.owner = k.owner, .type = k.type, .klass = k.klass, .min_ttl = all[members_[i]].ttl};
        set.first_record = static_cast<std::uint32_t>(i);
        std::size_t j = i;
        while (j < members_.size() && key_of(members_[j]) == k) {
            set.min_ttl = std::min(set.min_ttl, all[members_[j]].ttl);
            ++j;
        }
        set.record_count = static_cast<std::uint32_t>(j - i);
        while (s < signatures_.size() && sig_key(signatures_[s]) < k) orphans_.push_back(signatures_[s++]);
        set.first_signature = static_cast<std::uint32_t>(s);
        while (s < signatures_.size() && sig_key(signatures_[s]) == k) ++s;
        set.signature_count = static_cast<std::uint32_t>(s - set.first_signature);
        sets_.push_back(set);
        i = j;
    }
    while (s < signatures_.size()) orphans_.push_back(signatures_[s++]);
    std::sort(orphans_.begin(), orphans_.end());
    // Back to the order of each set's first record.
    std::sort(sets_.begin(), sets_.end(), [&](const RRset& a, const RRset& b) {
        return members_[a.first_record] < members_[b.first_record];
    });
}

}  // namespace lanlord
