// The type bit maps of NSEC (RFC 4034 section 4.1.2) and NSEC3 (RFC 5155
// section 3.2.1, same encoding): which RR types exist at a name. The
// validator's denial-of-existence proofs ask one question of it, covers().
#pragma once

#include <cstdint>
#include <span>

namespace lanlord {

enum class BitmapError : std::uint8_t {
    ok,
    truncated,      // a window header or its octets run past the end
    window_order,   // windows must appear in increasing order, each once
    window_length,  // a window's bitmap length must be 1 to 32 octets
    trailing_zero,  // the last octet of a window is zero (RFC 4034 4.1.2: omitted)
};

// RFC 4034 section 4.1.2 checks over the whole field (`bytes` is exactly the
// bitmap: the rest of the RDATA). An empty field is valid: NSEC3 records of
// empty non-terminals have no types (RFC 5155 section 3.2.1).
BitmapError validate_type_bitmap(std::span<const std::uint8_t> bytes);

// A view over a bitmap that validate_type_bitmap accepted.
class TypeBitmap {
  public:
    TypeBitmap() = default;
    explicit TypeBitmap(std::span<const std::uint8_t> validated) : bytes_(validated) {}

    // True when `type`'s bit is set: window type/256, octet (type%256)/8,
    // bit 0x80 >> (type%8) (RFC 4034 section 4.1.2).
    bool covers(std::uint16_t type) const;
    std::span<const std::uint8_t> bytes() const { return bytes_; }

    // Calls f(type) for every type present, in increasing order.
    template <class F>
    void for_each(F&& f) const {
        std::size_t p = 0;
        while (p + 2 <= bytes_.size()) {
            unsigned window = bytes_[p];
            unsigned len = bytes_[p + 1];
            for (unsigned i = 0; i < len && p + 2 + i < bytes_.size(); ++i)
                for (unsigned bit = 0; bit < 8; ++bit)
                    if (bytes_[p + 2 + i] & (0x80u >> bit))
                        f(static_cast<std::uint16_t>(window * 256 + i * 8 + bit));
            p += 2 + len;
        }
    }

  private:
    std::span<const std::uint8_t> bytes_;
};

}  // namespace lanlord
