// Turns a name a DHCP client sent (option 12 or 81) into one DNS label that is
// safe to publish (RFC 1123 section 2.1: letters, digits, hyphen; not starting
// or ending with a hyphen; at most 63 bytes). Clients send anything: "Johns
// iPhone", "DESKTOP_AB12", "android-1a2b.local", bytes that are not ASCII.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lanlord {

// Takes the first label, lower-cases it, turns spaces and underscores into
// hyphens, drops every other character that is not a letter, digit or hyphen,
// trims hyphens at both ends and cuts to 63 bytes. nullopt if nothing is left.
std::optional<std::string> sanitize_hostname(std::string_view raw);

}  // namespace lanlord
