// Who may use the resolver. lanlord is not an open resolver (RFC 5358): by
// default it answers loopback and clients inside a subnet of the interface the
// query arrived on; `deny` prefixes always refuse, `allow` prefixes always
// answer (deny wins over allow).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/interface_info.h"
#include "common/ip_address.h"

namespace lanlord {

class AccessControl {
  public:
    AccessControl(std::vector<Prefix> allow, std::vector<Prefix> deny)
        : allow_(std::move(allow)), deny_(std::move(deny)) {}
    bool allowed(const IpAddress& client, unsigned ifindex, const InterfaceTable& interfaces) const;

  private:
    std::vector<Prefix> allow_, deny_;
};

const InterfaceInfo* find_interface(const InterfaceTable& table, unsigned ifindex);

}  // namespace lanlord
