#include "resolver/wire/rdata_canonical.h"

#include "resolver/wire/wire_name.h"

namespace lanlord {

RdataError canonical_rdata(std::span<const std::uint8_t> msg, const RecordView& rr,
                           std::vector<std::uint8_t>& out) {
    const std::size_t start = out.size();
    const RdataRules rules = rdata_rules(rr.type, rr.klass);
    RdataWalker walker(msg, rr.type, rr.klass, rr.rdata_offset, rr.rdata_length);
    RdataField field;
    while (walker.next(field)) {
        if (field.kind == RdataField::Kind::bytes) {
            auto bytes = msg.subspan(field.offset, field.length);
            out.insert(out.end(), bytes.begin(), bytes.end());
            continue;
        }
        // The walker has validated the name (and refused pointers where the
        // type forbids them); decompress it with the case the type asks for.
        WireName name;
        std::size_t pos = field.offset;
        if (read_wire_name(msg, pos, name, rules.lowercased ? NameCase::lower : NameCase::keep) !=
            WireNameError::ok) {
            out.resize(start);
            return RdataError::name_truncated;  // not reached: validated above
        }
        out.insert(out.end(), name.bytes.begin(), name.bytes.begin() + name.size);
    }
    if (walker.error() != RdataError::ok) out.resize(start);
    return walker.error();
}

}  // namespace lanlord
