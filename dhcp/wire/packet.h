// A parsed DHCPv4 message (RFC 2131 section 2, options RFC 2132): the fixed
// BOOTP fields plus the options, gathered from the options field and, when
// option 52 says so, from `file` and `sname` (RFC 2132 section 9.3).
// Repeated instances of one option are concatenated (RFC 3396).
//
// Network input is hostile: parse_packet checks every length, refuses
// overload loops and bad hardware lengths, and reports why with an error
// code the server counts; it never throws and never reads past the end.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/ip_address.h"
#include "dhcp/wire/dhcp_constants.h"

namespace lanlord::dhcp {

enum class ParseError : std::uint8_t {
    ok,
    too_short,        // shorter than the fixed part plus the magic cookie
    bad_op,           // neither BOOTREQUEST nor BOOTREPLY
    bad_hlen,         // hardware address length 0 or over 16
    bad_cookie,       // not a DHCP message (BOOTP without the magic cookie)
    option_overflow,  // an option's length runs past its field
    bad_overload,     // option 52 malformed, or present in file/sname
    missing_end,      // no END option in a field that should have one
};
const char* to_string(ParseError e);

// The options of one message by code. options[code] reads like the
// std::optional<std::vector<uint8_t>> it replaces (bool test, *, ->, =, reset).
// Why not std::array<std::optional<std::vector>, 256>: that is 8 KiB, and every
// packet, reply and outcome built, moved and destroyed walked all 256 slots,
// about a tenth of the CPU of a DORA under load. Here: a 512-byte index into
// the few options present. Unlike the array, adding or removing an option may
// move the others: do not hold a pointer or reference to one option's bytes
// across a change to the same set.
class OptionSet {
  public:
    using Value = std::vector<std::uint8_t>;

    template <class Set>
    class Ref {
      public:
        Ref(Set& set, std::uint8_t code) : set_(set), code_(code) {}
        explicit operator bool() const { return set_.index_[code_] != 0; }
        bool has_value() const { return set_.index_[code_] != 0; }
        auto& operator*() const { return set_.entries_[set_.index_[code_] - 1].value; }
        auto* operator->() const { return &**this; }
        Ref& operator=(Value v) requires(!std::is_const_v<Set>) {
            set_.set(code_, std::move(v));
            return *this;
        }
        Ref& operator=(const Ref& other) requires(!std::is_const_v<Set>) { return assign(other); }
        template <class Other>
        Ref& operator=(const Ref<Other>& other) requires(!std::is_const_v<Set>) {
            return assign(other);
        }
        Value& emplace() requires(!std::is_const_v<Set>) { return set_.set(code_, {}); }
        void reset() requires(!std::is_const_v<Set>) { set_.erase(code_); }

      private:
        template <class Other>
        Ref& assign(const Ref<Other>& other) {
            if (other)
                set_.set(code_, Value(*other));  // copied first: `other` may live in this set
            else
                set_.erase(code_);
            return *this;
        }
        Set& set_;
        std::uint8_t code_;
    };

    OptionSet() = default;
    OptionSet(const OptionSet&) = default;
    OptionSet& operator=(const OptionSet&) = default;
    // A moved-from set is empty (its index cleared too, never pointing past entries_).
    OptionSet(OptionSet&& o) noexcept : index_(o.index_), entries_(std::move(o.entries_)) {
        o.index_ = {};
        o.entries_.clear();
    }
    OptionSet& operator=(OptionSet&& o) noexcept {
        if (this == &o) return *this;
        index_ = o.index_;
        entries_ = std::move(o.entries_);
        o.index_ = {};
        o.entries_.clear();
        return *this;
    }

    Ref<OptionSet> operator[](std::uint8_t code) { return {*this, code}; }
    Ref<const OptionSet> operator[](std::uint8_t code) const { return {*this, code}; }
    std::size_t size() const { return entries_.size(); }

    Value& set(std::uint8_t code, Value v) {
        if (index_[code]) return entries_[index_[code] - 1].value = std::move(v);
        entries_.push_back({code, std::move(v)});
        index_[code] = static_cast<std::uint16_t>(entries_.size());
        return entries_.back().value;
    }
    void erase(std::uint8_t code) {
        if (!index_[code]) return;
        std::size_t i = index_[code] - 1u;
        index_[code] = 0;
        if (i + 1 != entries_.size()) {
            entries_[i] = std::move(entries_.back());
            index_[entries_[i].code] = static_cast<std::uint16_t>(i + 1);
        }
        entries_.pop_back();
    }

  private:
    struct Entry {
        std::uint8_t code;
        Value value;
    };
    // 0: absent; else position + 1 in entries_ (up to 256: 16 bits).
    std::array<std::uint16_t, 256> index_{};
    std::vector<Entry> entries_;
};

struct Packet {
    std::uint8_t op = kBootRequest, htype = 1, hlen = 6, hops = 0;
    std::uint32_t xid = 0;
    std::uint16_t secs = 0, flags = 0;
    IpAddress ciaddr, yiaddr, siaddr, giaddr;  // zero = 0.0.0.0
    std::array<std::uint8_t, 16> chaddr{};
    // Every option present, by code; the bytes of all its instances joined.
    OptionSet options;

    MessageType message_type() const;
    bool broadcast() const { return flags & kBroadcastFlag; }
    std::span<const std::uint8_t> hardware_address() const { return {chaddr.data(), hlen}; }
    const std::vector<std::uint8_t>* option(std::uint8_t code) const {
        return options[code] ? &*options[code] : nullptr;
    }
    std::optional<IpAddress> option_address(std::uint8_t code) const;  // exactly 4 bytes
    std::optional<std::uint32_t> option_u32(std::uint8_t code) const;
    std::optional<std::uint16_t> option_u16(std::uint8_t code) const;
    // "01:02:03:04:05:06" (hlen bytes); the client id text for logs.
    std::string hardware_text() const;
};

ParseError parse_packet(std::span<const std::uint8_t> bytes, Packet& out);

}  // namespace lanlord::dhcp
