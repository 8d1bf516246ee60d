// Fuzz target: the full RR parser the iterator and the validator read
// responses with: parse, then every record's canonical RDATA and typed
// fields, the RRset grouping of each section and the EDNS options.
#include <cstdint>
#include <vector>

#include "resolver/wire/dns_constants.h"
#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_canonical.h"
#include "resolver/wire/rdata_decode.h"
#include "resolver/wire/rrset_group.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lanlord;
    namespace t = dns::type;
    static ParsedMessage msg;
    static RRsetGroups groups;
    static std::vector<std::uint8_t> canonical;
    std::span<const std::uint8_t> bytes(data, size);
    if (parse_message(bytes, msg) != ParseError::ok) {
        // What was read before the error must still be safe to look at.
        for (const auto& rr : msg.records()) (void)msg.owner(rr);
        return 0;
    }
    for (const auto& rr : msg.records()) {
        (void)msg.owner_original_case(rr);
        if (rr.section == Section::question) continue;
        canonical.clear();
        if (canonical_rdata(bytes, rr, canonical) != RdataError::ok) __builtin_trap();  // parse validated it
        WireName name;
        IpAddress address;
        SoaRdata soa;
        MxRdata mx;
        SrvRdata srv;
        RrsigRdata sig;
        DnskeyRdata key;
        DsRdata ds;
        NsecRdata nsec;
        Nsec3Rdata nsec3;
        Nsec3ParamRdata param;
        (void)decode_target_name(bytes, rr, name);
        (void)decode_address(bytes, rr, address);
        (void)decode_soa(bytes, rr, soa);
        (void)decode_mx(bytes, rr, mx);
        (void)decode_srv(bytes, rr, srv);
        (void)decode_rrsig(bytes, rr, sig);
        (void)decode_dnskey(bytes, rr, key);
        (void)decode_ds(bytes, rr, ds);
        if (decode_nsec(bytes, rr, nsec) == RdataError::ok) (void)nsec.types.covers(t::A);
        if (decode_nsec3(bytes, rr, nsec3) == RdataError::ok) (void)nsec3.types.covers(t::DS);
        (void)decode_nsec3param(bytes, rr, param);
    }
    for (Section s : {Section::answer, Section::authority, Section::additional}) {
        groups.build(msg, s);
        for (const auto& set : groups.sets()) {
            (void)groups.records(set);
            (void)groups.signatures(set);
        }
    }
    std::size_t pos = 0;
    EdnsOption option;
    while (msg.edns.next_option(pos, option)) {
    }
    return 0;
}
