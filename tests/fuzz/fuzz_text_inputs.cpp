// Fuzz target: the text parsers fed by files an admin or a download provides:
// hosts lines, blocklists (hosts, plain, adblock), resolv.conf, the lease
// journal, and a whole TOML configuration.
#include <cstdint>
#include <string_view>

#include "config/config.h"
#include "dhcp/lease/journal_format.h"
#include "resolver/engine/resolv_conf.h"
#include "resolver/local/blocklist.h"
#include "resolver/local/hosts_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lanlord;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    HostsTable hosts;
    hosts.parse(text, "fuzz");
    DomainSet set;
    parse_blocklist(text, "fuzz", set);
    parse_resolv_conf(text);
    dhcp::replay_journal(text);
    load_config_text(text, "fuzz.toml");
    return 0;
}
