// DNS messages out of a byte stream (RFC 7766 section 8, RFC 7858 section
// 3.3): each message behind a two-octet length. Sans-I/O: the TLS edge
// appends what it read, whole messages come out, however the bytes were
// split (a length across two reads, many messages in one).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/byte_cursor.h"

namespace lanlord::bench {

class StreamFramer {
  public:
    // Calls on_message(span) for every message complete so far, in order.
    // false once the stream is broken (a zero length: no DNS message is
    // empty); nothing more is delivered then and the connection should close.
    template <typename OnMessage>
    bool append(std::span<const std::uint8_t> bytes, OnMessage&& on_message) {
        if (broken_) return false;
        buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
        std::size_t at = 0;
        while (buffer_.size() - at >= 2) {
            std::size_t length = load_u16(buffer_.data() + at);
            if (length == 0) {
                broken_ = true;
                buffer_.clear();
                return false;
            }
            if (buffer_.size() - at < 2 + length) break;
            on_message(std::span<const std::uint8_t>(buffer_).subspan(at + 2, length));
            at += 2 + length;
        }
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at));
        return true;
    }
    std::size_t buffered() const { return buffer_.size(); }  // bytes of a message not yet complete

  private:
    std::vector<std::uint8_t> buffer_;
    bool broken_ = false;
};

// `message` behind its two-octet length; empty when it is longer than 65535.
inline std::vector<std::uint8_t> frame_message(std::span<const std::uint8_t> message) {
    if (message.size() > 0xFFFF) return {};
    std::vector<std::uint8_t> out(2);
    store_u16(out.data(), static_cast<std::uint16_t>(message.size()));
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

}  // namespace lanlord::bench
