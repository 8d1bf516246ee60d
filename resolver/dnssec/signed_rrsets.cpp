#include "resolver/dnssec/signed_rrsets.h"

#include "resolver/wire/rdata_canonical.h"
#include "resolver/wire/rrset_group.h"

namespace lanlord {

RrsetData SignedRrset::data(std::vector<ByteView>& views) const {
    views.assign(rdatas.begin(), rdatas.end());
    return RrsetData{owner, type, klass, ttl, views};
}

std::vector<RrsigData> SignedRrset::signatures() const {
    std::vector<RrsigData> out;
    out.reserve(rrsigs.size());
    for (const auto& r : rrsigs) {
        RrsigData d;
        if (decode_rrsig_rdata(r, d)) out.push_back(d);
    }
    return out;
}

std::string SignedRrset::signer() const {
    for (const auto& r : rrsigs) {
        RrsigData d;
        if (decode_rrsig_rdata(r, d)) return std::string(d.fields.signer.view());
    }
    return {};
}

std::vector<SignedRrset> signed_rrsets(const ParsedMessage& msg, Section section) {
    RRsetGroups groups;
    groups.build(msg, section);
    std::vector<SignedRrset> out;
    auto records = msg.records();
    for (const RRset& set : groups.sets()) {
        SignedRrset s;
        s.owner = std::string(set.owner);
        s.type = set.type;
        s.klass = set.klass;
        s.ttl = set.min_ttl;
        for (std::uint32_t i : groups.records(set)) {
            std::vector<std::uint8_t> rd;
            if (canonical_rdata(msg.bytes(), records[i], rd) == RdataError::ok)
                s.rdatas.push_back(std::move(rd));
        }
        for (std::uint32_t i : groups.signatures(set)) {
            std::vector<std::uint8_t> rd;
            if (canonical_rdata(msg.bytes(), records[i], rd) == RdataError::ok)
                s.rrsigs.push_back(std::move(rd));
        }
        if (!s.rdatas.empty()) out.push_back(std::move(s));
    }
    return out;
}

}  // namespace lanlord
