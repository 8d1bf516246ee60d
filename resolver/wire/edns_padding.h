// EDNS(0) Padding (RFC 7830) with the Block-Length Padding policy of
// RFC 8467, for DNS over TLS (RFC 7858).
//
// Why: TLS hides what a message says but not how long it is, and the length
// of a DNS query or answer is enough to guess the name asked for (RFC 7830
// section 1). Padding every message up to a multiple of a block size leaves
// an observer only the block count. RFC 8467 section 4.1 recommends 128
// octets for queries and 468 for responses as its trade-off between privacy
// and bytes sent.
//
// How: the Padding option (code 12, RFC 7830 section 3) goes into the
// message's OPT record; its content is zero octets. The length counted is
// that of the whole DNS message, the option included (the 2-byte length
// prefix of TCP and TLS framing is not part of it). An existing Padding
// option is replaced: the option MUST occur at most once (RFC 7830 section
// 3). A message without OPT is left alone: padding is an EDNS option, and a
// client that did not use EDNS must not be sent one (RFC 6891 section 7).
//
// The OPT record is normally the last record (every message lanlord builds
// ends with it), but RFC 6891 section 6.1.1 allows it anywhere in the
// additional section. Records after it are moved when that is safe: not when
// one of them is a TSIG (RFC 8945) or SIG(0) (RFC 2931) signature, which
// covers the message as it was (padding is added before signing), nor when a
// compression pointer refers into what moves. Otherwise the message is sent
// unpadded, as it is when it is malformed or when the buffer has no room.
//
// Nothing here allocates: it runs on every message sent over TLS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lanlord {

inline constexpr std::uint16_t kEdnsOptionPadding = 12;  // RFC 7830 section 3
// RFC 8467 section 4.1: queries to a multiple of 128 octets, responses of 468.
constexpr std::size_t kQueryPaddingBlock = 128;
constexpr std::size_t kResponsePaddingBlock = 468;

// Pads the DNS message in buf[0, len) to a multiple of `block` octets by
// adding, or resizing an existing, Padding option in its OPT record;
// buf.size() is the room available. Returns the new length, or `len` with the
// message unchanged when it has no OPT record, is malformed, the records
// after its OPT cannot be moved (see above), `block` is 0, or the padded
// message would not fit in buf (or in 65535 octets). Never writes past buf.
std::size_t pad_message(std::span<std::uint8_t> buf, std::size_t len, std::size_t block);

// True when the message's OPT record carries a Padding option: a DoT server
// pads its responses only to clients that padded their queries (RFC 7830
// section 4). False for a malformed message.
bool has_padding_option(std::span<const std::uint8_t> message);

}  // namespace lanlord
