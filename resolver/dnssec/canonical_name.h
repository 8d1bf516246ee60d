// Canonical DNS name order (RFC 4034 section 6.1), which NSEC chains follow,
// and the label arithmetic the denial proofs need. Names are lower-cased
// uncompressed wire form (common/dns_name.h), so the "case-insensitive"
// comparison of 6.1 is a byte comparison of labels.
#pragma once

#include <array>
#include <string_view>

namespace lanlord {

// <0, 0 or >0 as `a` sorts before, equal to or after `b`: labels compared
// from the rightmost, each as an octet string where a shorter prefix sorts
// first; a name sorts before its own descendants.
int canonical_compare(std::string_view a, std::string_view b);

// The name without its first label; the root stays the root.
std::string_view name_parent(std::string_view name);

// The rightmost `labels` labels of `name` (name_label_count(name) or fewer).
std::string_view name_suffix_labels(std::string_view name, unsigned labels);

// The longest common ancestor of `a` and `b` (at least the root).
std::string_view common_ancestor(std::string_view a, std::string_view b);

// "*." + name (the wildcard below `name`, RFC 4592) written into `buf`;
// empty when it would exceed 255 bytes.
using WildcardBuffer = std::array<char, 257>;
std::string_view wildcard_name(std::string_view name, WildcardBuffer& buf);

// True for "\001*" followed by anything: a wildcard owner (RFC 4592 2.1.1).
bool is_wildcard_name(std::string_view name);

}  // namespace lanlord
