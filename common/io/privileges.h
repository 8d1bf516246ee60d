// Dropping root after the sockets are bound: switch to `user` (and its
// primary group) while keeping only the capabilities lanlord still needs:
// CAP_NET_BIND_SERVICE (rebinding after reload), CAP_NET_RAW and CAP_NET_ADMIN
// (SO_BINDTODEVICE on upstream sockets, DHCP raw replies).
#pragma once

#include <string>

namespace lanlord::io {

// Returns "" on success, else why it failed. Does nothing when not root.
std::string drop_privileges(const std::string& user);

}  // namespace lanlord::io

namespace lanlord::io {

// The name of `user`'s primary group ("" when unknown): the control socket's
// group by default, so that the service's group may use lanlordctl.
std::string primary_group_name(const std::string& user);

}  // namespace lanlord::io
