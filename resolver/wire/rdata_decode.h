// Typed reading of the RDATA fields the iterator and the validator use:
// delegation and alias targets, SOA, MX, SRV and addresses for the scrubber;
// RRSIG, DNSKEY, DS, NSEC, NSEC3 and NSEC3PARAM for DNSSEC (RFC 4034, RFC 5155).
//
// Each decoder checks the record's type and its RDATA layout (rdata_layout.h)
// before reading, so it is safe on any RecordView, parsed or hand-made, and
// says why it refused. Names come out decompressed and lower-cased (for
// comparisons; canonical ordering, RFC 4034 6.1, ignores case too); the
// case-preserving form for signatures is rdata_canonical.h's. Byte fields
// (keys, digests, salts, signatures) are views into the message.
#pragma once

#include <cstdint>
#include <span>

#include "common/ip_address.h"
#include "resolver/wire/dns_message.h"
#include "resolver/wire/rdata_layout.h"
#include "resolver/wire/type_bitmap.h"
#include "resolver/wire/wire_name.h"

namespace lanlord {

using ByteView = std::span<const std::uint8_t>;

// NS, CNAME, DNAME and PTR (and the obsolete MD, MF, MB, MG, MR): the RDATA
// is one name (RFC 1035 3.3, RFC 6672 2.1).
RdataError decode_target_name(ByteView msg, const RecordView& rr, WireName& out);

struct SoaRdata {  // RFC 1035 section 3.3.13
    WireName mname, rname;
    std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
RdataError decode_soa(ByteView msg, const RecordView& rr, SoaRdata& out);

struct MxRdata {  // RFC 1035 section 3.3.9
    std::uint16_t preference = 0;
    WireName exchange;
};
RdataError decode_mx(ByteView msg, const RecordView& rr, MxRdata& out);

struct SrvRdata {  // RFC 2782
    std::uint16_t priority = 0, weight = 0, port = 0;
    WireName target;
};
RdataError decode_srv(ByteView msg, const RecordView& rr, SrvRdata& out);

// A or AAAA of class IN.
RdataError decode_address(ByteView msg, const RecordView& rr, IpAddress& out);

struct RrsigRdata {  // RFC 4034 section 3.1 (SIG, RFC 2535 4.1, has the same layout)
    std::uint16_t type_covered = 0;
    std::uint8_t algorithm = 0;
    std::uint8_t labels = 0;
    std::uint32_t original_ttl = 0;
    std::uint32_t expiration = 0;  // serial-number arithmetic (RFC 4034 3.1.5)
    std::uint32_t inception = 0;
    std::uint16_t key_tag = 0;
    WireName signer;
    ByteView signature;
};
RdataError decode_rrsig(ByteView msg, const RecordView& rr, RrsigRdata& out);

struct DnskeyRdata {  // RFC 4034 section 2.1
    std::uint16_t flags = 0;
    std::uint8_t protocol = 0;  // MUST be 3 (RFC 4034 2.1.2): the validator checks
    std::uint8_t algorithm = 0;
    ByteView public_key;
    std::uint16_t key_tag = 0;  // RFC 4034 Appendix B, over the whole RDATA

    bool zone_key() const { return (flags & 0x0100) != 0; }            // RFC 4034 2.1.1
    bool secure_entry_point() const { return (flags & 0x0001) != 0; }  // RFC 4034 2.1.1
    bool revoked() const { return (flags & 0x0080) != 0; }             // RFC 5011 section 3
};
RdataError decode_dnskey(ByteView msg, const RecordView& rr, DnskeyRdata& out);

// RFC 4034 Appendix B: the key tag of a DNSKEY RDATA (algorithm 1, RSA/MD5,
// has its own definition, B.1).
std::uint16_t dnskey_key_tag(ByteView rdata);

struct DsRdata {  // RFC 4034 section 5.1
    std::uint16_t key_tag = 0;
    std::uint8_t algorithm = 0;
    std::uint8_t digest_type = 0;
    ByteView digest;
};
RdataError decode_ds(ByteView msg, const RecordView& rr, DsRdata& out);

struct NsecRdata {  // RFC 4034 section 4.1
    WireName next;  // lower-cased here; canonical RDATA keeps its case (RFC 6840 5.1)
    TypeBitmap types;
};
RdataError decode_nsec(ByteView msg, const RecordView& rr, NsecRdata& out);

struct Nsec3Rdata {  // RFC 5155 section 3.2
    std::uint8_t hash_algorithm = 0;
    std::uint8_t flags = 0;
    std::uint16_t iterations = 0;
    ByteView salt;
    ByteView next_hashed_owner;  // raw hash, not base32
    TypeBitmap types;

    bool opt_out() const { return (flags & 0x01) != 0; }  // RFC 5155 3.1.2.1
};
RdataError decode_nsec3(ByteView msg, const RecordView& rr, Nsec3Rdata& out);

struct Nsec3ParamRdata {  // RFC 5155 section 4.2
    std::uint8_t hash_algorithm = 0;
    std::uint8_t flags = 0;
    std::uint16_t iterations = 0;
    ByteView salt;
};
RdataError decode_nsec3param(ByteView msg, const RecordView& rr, Nsec3ParamRdata& out);

}  // namespace lanlord
