// What the RDATA of each RR type is made of (fixed fields, domain names,
// character-strings, type bit maps...), and the walk that checks a record's
// RDATA against it. The message parser validates every record with it, the
// canonical form (rdata_canonical.h) rewrites names through it, and the typed
// decoders (rdata_decode.h) read fields it has already bounded.
//
// Which names may be compressed (RFC 3597 section 4): receivers MUST
// decompress the RFC 1035 types and SHOULD decompress RP, AFSDB, RT, SIG, PX,
// NXT, NAPTR and SRV; every other type's names MUST NOT be compressed (KX,
// RFC 2230; A6, RFC 2874; DNAME, RFC 6672 section 2.5; RRSIG and NSEC,
// RFC 4034 sections 3.1.7 and 4.1.1), so a pointer there is rejected, as
// BIND does. Unknown types are opaque (RFC 3597 section 4): nothing inside
// them is read as a name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lanlord {

struct RdataLayout;  // one per known type, in rdata_layout.cpp

enum class RdataError : std::uint8_t {
    ok,
    truncated,             // RDLENGTH ends inside a fixed field or a length-prefixed string
    trailing_bytes,        // bytes left after the type's last field
    name_truncated,        // a name runs past RDLENGTH (or the message)
    name_bad_label_type,   // 0x40/0x80 label types
    name_too_long,         // over 255 bytes uncompressed
    name_forward_pointer,  // a compression pointer not strictly backwards
    name_compressed,       // a pointer in a type whose RFC forbids compression
    bitmap_truncated,      // NSEC/NSEC3 type bit map (RFC 4034 4.1.2)
    bitmap_window_order,
    bitmap_window_length,
    bitmap_trailing_zero,
    a6_prefix_length,  // over 128 (RFC 2874 section 3.1.1)
    empty_hash,        // NSEC3 next hashed owner of length 0 (RFC 5155 section 3.2)
    option_truncated,  // an EDNS option runs past the OPT RDATA (RFC 6891 6.1.2)
    wrong_type,        // a typed decoder called on a record of another type
};

// How a type's RDATA names are treated.
struct RdataRules {
    bool known = false;         // a layout is defined; unknown types are opaque bytes
    bool has_names = false;     // domain names inside the RDATA
    bool compressible = false;  // compression pointers accepted on input (RFC 3597 4)
    bool lowercased = false;    // canonical form lower-cases them (RFC 4034 6.2, RFC 6840 5.1)
};

// `klass` matters only for A and AAAA, whose RDATA is defined for IN alone
// (RFC 1035 3.4.1: class-specific); in other classes they are opaque.
RdataRules rdata_rules(std::uint16_t type, std::uint16_t klass);

// One piece of RDATA: a run of bytes copied as they are, or a domain name
// (`offset`/`length` are its in-place bytes, which may end in a pointer).
struct RdataField {
    enum class Kind : std::uint8_t { bytes, name };
    Kind kind = Kind::bytes;
    std::size_t offset = 0;  // in the message
    std::size_t length = 0;
};

// Walks the RDATA at msg[offset, offset+length) field by field, validating as
// it goes. next() returns false at the end or on the first error; error()
// then says which (ok at a clean end). Names are read with msg cut at the
// RDATA's end, so they cannot run past it, and pointers can only go back.
class RdataWalker {
  public:
    RdataWalker(std::span<const std::uint8_t> msg, std::uint16_t type, std::uint16_t klass,
                std::size_t offset, std::size_t length);

    bool next(RdataField& field);
    RdataError error() const { return error_; }

  private:
    bool fail(RdataError e) {
        error_ = e;
        return false;
    }
    bool length_prefixed(RdataField& field, bool non_empty);

    std::span<const std::uint8_t> msg_;  // cut at the RDATA's end
    const RdataLayout* layout_;
    std::size_t pos_;
    std::uint8_t field_ = 0;
    std::uint8_t a6_prefix_ = 0;
    bool done_ = false;
    RdataError error_ = RdataError::ok;
};

// Walks the whole RDATA; RdataError::ok when it matches the type's layout.
RdataError validate_rdata(std::span<const std::uint8_t> msg, std::uint16_t type, std::uint16_t klass,
                          std::size_t offset, std::size_t length);

}  // namespace lanlord
