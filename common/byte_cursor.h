// Bounds-checked big-endian reading and writing of network byte buffers.
//
// Every wire parser in lanlord reads through ByteReader so that a hostile
// length field can never read past the end of a datagram: each read checks
// the remaining size and reports failure instead of throwing (per-packet paths
// return results: README.md, Architecture, "Errors").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace lanlord {

inline std::uint16_t load_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
inline void store_u16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
inline void store_u32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

class ByteReader {
  public:
    explicit ByteReader(std::span<const std::uint8_t> data, std::size_t pos = 0) : data_(data), pos_(pos) {}

    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return pos_ <= data_.size() ? data_.size() - pos_ : 0; }
    std::span<const std::uint8_t> data() const { return data_; }

    bool read_u8(std::uint8_t& out) {
        if (remaining() < 1) return false;
        out = data_[pos_++];
        return true;
    }
    bool read_u16(std::uint16_t& out) {
        if (remaining() < 2) return false;
        out = load_u16(data_.data() + pos_);
        pos_ += 2;
        return true;
    }
    bool read_u32(std::uint32_t& out) {
        if (remaining() < 4) return false;
        out = load_u32(data_.data() + pos_);
        pos_ += 4;
        return true;
    }
    bool skip(std::size_t n) {
        if (remaining() < n) return false;
        pos_ += n;
        return true;
    }
    bool seek(std::size_t pos) {
        if (pos > data_.size()) return false;
        pos_ = pos;
        return true;
    }

  private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_;
};

// Appends to a caller-owned fixed buffer; `ok()` turns false on overflow and
// stays false, so a builder can write a whole message and check once.
class ByteWriter {
  public:
    explicit ByteWriter(std::span<std::uint8_t> buf) : buf_(buf) {}

    bool ok() const { return ok_; }
    std::size_t size() const { return pos_; }
    std::uint8_t* at(std::size_t pos) { return buf_.data() + pos; }
    std::span<std::uint8_t> buffer() const { return buf_; }

    void put_u8(std::uint8_t v) {
        if (reserve(1)) buf_[pos_++] = v;
    }
    void put_u16(std::uint16_t v) {
        if (reserve(2)) {
            store_u16(buf_.data() + pos_, v);
            pos_ += 2;
        }
    }
    void put_u32(std::uint32_t v) {
        if (reserve(4)) {
            store_u32(buf_.data() + pos_, v);
            pos_ += 4;
        }
    }
    void put_bytes(std::span<const std::uint8_t> b) {
        if (reserve(b.size())) {
            if (!b.empty()) std::memcpy(buf_.data() + pos_, b.data(), b.size());
            pos_ += b.size();
        }
    }
    void truncate(std::size_t pos) {
        if (pos <= pos_) pos_ = pos;
    }

  private:
    bool reserve(std::size_t n) {
        if (!ok_ || buf_.size() - pos_ < n) {
            ok_ = false;
            return false;
        }
        return true;
    }
    std::span<std::uint8_t> buf_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace lanlord
