// [dhcp], [[dhcp.subnet]] (with [[dhcp.subnet.option]]) and
// [[dhcp.reservation]]. See loader.h for the Loader conventions.
#include "common/text.h"
#include "config/loader.h"

namespace lanlord::config_detail {

namespace {

std::uint32_t seconds_of(ConfigDuration d) {
    return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

std::uint32_t milliseconds_of(ConfigDuration d) {
    return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// The conflict probe's wait: long enough for a sleepy Wi-Fi host on the LAN,
// short enough that the client does not retransmit its DISCOVER meanwhile
// (RFC 2131 4.1: the first retransmission comes after about 4 s).
constexpr milliseconds kMinPingTimeout{10}, kMaxPingTimeout{3000};

// "192.0.2.100-192.0.2.200" (a range) or "192.0.2.100" (one address).
std::optional<dhcp::AddressRange> parse_range(std::string_view text) {
    auto dash = text.find('-');
    auto first = IpAddress::parse(text.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : IpAddress::parse(text.substr(dash + 1));
    if (!first || !last || !first->is_v4() || !last->is_v4() ||
        first->v4_host_order() > last->v4_host_order())
        return std::nullopt;
    return dhcp::AddressRange{*first, *last};
}

std::vector<std::uint8_t> be(std::uint64_t v, int bytes) {
    std::vector<std::uint8_t> out;
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return out;
}

}  // namespace

std::vector<IpAddress> Loader::get_ipv4s(const toml::node& v, const std::string& path) {
    std::vector<IpAddress> out;
    for_each_string(v, path, [&](auto& text, auto& element, auto& element_path) {
        auto a = IpAddress::parse(text);
        if (a && a->is_v4())
            out.push_back(*a);
        else
            error(element.source(), element_path, "invalid IPv4 address " + quoted(text));
    });
    return out;
}

void Loader::read_dhcp(const toml::table& table, DhcpConfig& dhcp) {
    read_fields(table, "dhcp",
                {
                    {"journal", [&](auto& v, auto& p) { assign(dhcp.journal, get_string(v, p)); }},
                    {"offer_hold",
                     [&](auto& v, auto& p) {
                         if (auto d = get_duration(v, p, seconds(1), hours(1)))
                             dhcp.server.offer_hold = seconds_of(*d);
                     }},
                    {"decline_probation",
                     [&](auto& v, auto& p) {
                         if (auto d = get_duration(v, p, seconds(0), hours(24 * 7)))
                             dhcp.server.decline_probation = seconds_of(*d);
                     }},
                    {"ping_check", [&](auto& v, auto& p) { assign(dhcp.server.ping_check, get_bool(v, p)); }},
                    {"ping_timeout",
                     [&](auto& v, auto& p) {
                         if (auto d = get_duration(v, p, kMinPingTimeout, kMaxPingTimeout))
                             dhcp.server.ping_timeout_ms = milliseconds_of(*d);
                     }},
                    {"subnet",
                     [&](auto& v, auto& p) {
                         const toml::array* a = v.as_array();
                         if (!a) return type_error(v, p, "an array of tables ([[dhcp.subnet]])");
                         for (std::size_t i = 0; i < a->size(); ++i)
                             if (auto t = get_table((*a)[i], index_key(p, i)))
                                 read_subnet(*t, index_key(p, i), dhcp);
                     }},
                    {"reservation",
                     [&](auto& v, auto& p) {
                         const toml::array* a = v.as_array();
                         if (!a) return type_error(v, p, "an array of tables ([[dhcp.reservation]])");
                         for (std::size_t i = 0; i < a->size(); ++i)
                             if (auto t = get_table((*a)[i], index_key(p, i)))
                                 read_reservation(*t, index_key(p, i), dhcp);
                     }},
                });
}

void Loader::read_subnet(const toml::table& table, const std::string& path, DhcpConfig& dhcp) {
    dhcp::SubnetConfig s;
    bool has_subnet = false, has_server = false;
    const toml::node* t1_node = nullptr;
    std::optional<ConfigDuration> lease_time, t1, t2;
    read_fields(
        table, path,
        {
            {"interface", [&](auto& v, auto& p) { assign(s.interface, get_interface(v, p)); }},
            {"subnet",
             [&](auto& v, auto& p) {
                 auto text = get_string(v, p);
                 if (!text) return;
                 auto prefix = Prefix::parse(*text);
                 if (!prefix || !prefix->address.is_v4() || text->find('/') == std::string::npos)
                     return error(v.source(), p,
                                  "invalid IPv4 subnet " + quoted(*text) + ", e.g. 192.168.1.0/24");
                 s.subnet = *prefix;
                 has_subnet = true;
             }},
            {"server_address",
             [&](auto& v, auto& p) {
                 auto text = get_string(v, p);
                 if (!text) return;
                 auto a = IpAddress::parse(*text);
                 if (!a || !a->is_v4()) return error(v.source(), p, "invalid IPv4 address " + quoted(*text));
                 s.server_address = *a;
                 has_server = true;
             }},
            {"pools",
             [&](auto& v, auto& p) {
                 for_each_string(v, p, [&](auto& text, auto& element, auto& element_path) {
                     if (auto r = parse_range(text))
                         s.pools.push_back(*r);
                     else
                         error(element.source(), element_path,
                               "invalid pool " + quoted(text) + ", e.g. \"192.168.1.100-192.168.1.200\"");
                 });
             }},
            {"lease_time",
             [&](auto& v, auto& p) { lease_time = get_duration(v, p, seconds(60), hours(24 * 365)); }},
            {"t1",
             [&](auto& v, auto& p) {
                 t1_node = &v;
                 t1 = get_duration(v, p, seconds(1), hours(24 * 365));
             }},
            {"t2", [&](auto& v, auto& p) { t2 = get_duration(v, p, seconds(1), hours(24 * 365)); }},
            {"routers", [&](auto& v, auto& p) { s.routers = get_ipv4s(v, p); }},
            {"dns_servers", [&](auto& v, auto& p) { s.dns_servers = get_ipv4s(v, p); }},
            {"ntp_servers", [&](auto& v, auto& p) { s.ntp_servers = get_ipv4s(v, p); }},
            {"domain_name", [&](auto& v, auto& p) { assign(s.domain_name, get_string(v, p)); }},
            {"authoritative", [&](auto& v, auto& p) { assign(s.authoritative, get_bool(v, p)); }},
            {"ping_check", [&](auto& v, auto& p) { s.ping_check = get_bool(v, p); }},
            {"ping_timeout",
             [&](auto& v, auto& p) {
                 if (auto d = get_duration(v, p, kMinPingTimeout, kMaxPingTimeout))
                     s.ping_timeout_ms = milliseconds_of(*d);
             }},
            {"classless_routes",
             [&](auto& v, auto& p) {
                 // "198.51.100.0/24 via 192.0.2.254" (RFC 3442)
                 for_each_string(v, p, [&](auto& text, auto& element, auto& element_path) {
                     auto via = text.find(" via ");
                     auto prefix = Prefix::parse(text.substr(0, via));
                     auto router =
                         via == std::string::npos ? std::nullopt : IpAddress::parse(text.substr(via + 5));
                     if (!prefix || !prefix->address.is_v4() || !router || !router->is_v4())
                         return error(
                             element.source(), element_path,
                             "invalid route " + quoted(text) + ", e.g. \"198.51.100.0/24 via 192.0.2.254\"");
                     s.classless_routes.push_back({*prefix, *router});
                 });
             }},
            {"option",
             [&](auto& v, auto& p) {
                 const toml::array* a = v.as_array();
                 if (!a) return type_error(v, p, "an array of tables ([[dhcp.subnet.option]])");
                 for (std::size_t i = 0; i < a->size(); ++i) {
                     std::string opath = index_key(p, i);
                     const toml::table* t = get_table((*a)[i], opath);
                     if (!t) continue;
                     std::optional<std::int64_t> code;
                     std::optional<std::string> type;
                     const toml::node* value = nullptr;
                     std::string value_path;
                     read_fields(*t, opath,
                                 {
                                     {"code", [&](auto& n, auto& q) { code = get_integer(n, q, 1, 254); }},
                                     {"type", [&](auto& n, auto& q) { type = get_string(n, q); }},
                                     {"value",
                                      [&](auto& n, auto& q) {
                                          value = &n;
                                          value_path = q;
                                      }},
                                 });
                     if (!code || !type || !value) {
                         error(t->source(), opath, "needs code, type and value");
                         continue;
                     }
                     dhcp::OptionValue o{static_cast<std::uint8_t>(*code), {}};
                     bool ok = true;
                     if (*type == "ip") {
                         auto a4 =
                             value->is_string() ? IpAddress::parse(value->as_string()->get()) : std::nullopt;
                         ok = a4 && a4->is_v4();
                         if (ok) o.data.assign(a4->bytes(), a4->bytes() + 4);
                     } else if (*type == "ips") {
                         for (const auto& a4 : get_ipv4s(*value, value_path))
                             o.data.insert(o.data.end(), a4.bytes(), a4.bytes() + 4);
                         ok = !o.data.empty();
                     } else if (*type == "text") {
                         ok = value->is_string() && value->as_string()->get().size() <= 1000;
                         if (ok)
                             o.data.assign(value->as_string()->get().begin(),
                                           value->as_string()->get().end());
                     } else if (*type == "u8" || *type == "u16" || *type == "u32") {
                         int bytes = *type == "u8" ? 1 : *type == "u16" ? 2 : 4;
                         auto n = get_integer(*value, value_path, 0, (std::int64_t{1} << (8 * bytes)) - 1);
                         if (!n) continue;  // get_integer said why
                         o.data = be(static_cast<std::uint64_t>(*n), bytes);
                     } else if (*type == "bool") {
                         ok = value->is_boolean();
                         if (ok) o.data = {static_cast<std::uint8_t>(value->as_boolean()->get() ? 1 : 0)};
                     } else if (*type == "hex") {
                         auto h =
                             value->is_string() ? parse_hex(value->as_string()->get(), true) : std::nullopt;
                         ok = h.has_value();
                         if (ok) o.data = *h;
                     } else {
                         error(t->source(), opath + ".type",
                               "unknown type " + quoted(*type) +
                                   ": expected ip, ips, text, u8, u16, u32, bool or hex");
                         continue;
                     }
                     if (!ok)
                         error(value->source(), value_path, "value does not fit type " + quoted(*type));
                     else
                         s.options.push_back(std::move(o));
                 }
             }},
        });
    if (!has_subnet) return error(table.source(), path + ".subnet", "missing");
    // Without an interface the subnet is served only to relays (giaddr inside
    // it, RFC 2131 4.3.1): no interface address can name us, so the server
    // identifier must be given.
    if (s.interface.empty() && !has_server)
        error(table.source(), path + ".interface",
              "missing (the interface its clients are on; or server_address for a relayed-only subnet)");
    for (const auto& pool : s.pools)
        if (!s.subnet.contains(pool.first) || !s.subnet.contains(pool.last))
            error(table.source(), path + ".pools",
                  "pool " + pool.first.to_string() + "-" + pool.last.to_string() + " is not inside " +
                      s.subnet.to_string());
    if (lease_time) s.lease_time = seconds_of(*lease_time);
    if (t1) s.t1 = seconds_of(*t1);
    if (t2) s.t2 = seconds_of(*t2);
    // RFC 2131 4.4.5: T1 < T2 < lease time.
    std::uint32_t eff_t1 = s.t1.value_or(s.lease_time / 2), eff_t2 = s.t2.value_or(s.lease_time / 8 * 7);
    if (eff_t1 >= eff_t2 || eff_t2 >= s.lease_time)
        error(t1_node ? t1_node->source() : table.source(), path + ".t1", "needs t1 < t2 < lease_time");
    dhcp.server.subnets.push_back(std::move(s));
    dhcp.server_address_given.push_back(has_server);
}

void Loader::read_reservation(const toml::table& table, const std::string& path, DhcpConfig& dhcp) {
    dhcp::Reservation r;
    bool has_address = false;
    read_fields(table, path,
                {
                    {"mac",
                     [&](auto& v, auto& p) {
                         auto text = get_string(v, p);
                         if (!text) return;
                         auto h = parse_hex(*text, true);
                         if (!h || h->size() != 6)
                             return error(v.source(), p, "invalid MAC address " + quoted(*text));
                         r.hardware = *h;
                     }},
                    {"client_id",
                     [&](auto& v, auto& p) {
                         auto text = get_string(v, p);
                         if (!text) return;
                         auto h = parse_hex(*text, true);
                         if (!h)
                             return error(v.source(), p,
                                          "invalid client id " + quoted(*text) + " (hex bytes)");
                         r.client_id = *h;
                     }},
                    {"address",
                     [&](auto& v, auto& p) {
                         auto text = get_string(v, p);
                         if (!text) return;
                         auto a = IpAddress::parse(*text);
                         if (!a || !a->is_v4())
                             return error(v.source(), p, "invalid IPv4 address " + quoted(*text));
                         r.address = *a;
                         has_address = true;
                     }},
                    {"hostname", [&](auto& v, auto& p) { assign(r.hostname, get_string(v, p)); }},
                });
    if (!table.contains("mac") && !table.contains("client_id"))
        error(table.source(), path, "needs mac or client_id");
    if (!has_address) error(table.source(), path + ".address", "missing");
    for (const auto& other : dhcp.server.reservations)
        if (has_address && other.address == r.address)
            error(table.source(), path + ".address",
                  "address " + r.address.to_string() + " is reserved twice");
    dhcp.server.reservations.push_back(std::move(r));
}

}  // namespace lanlord::config_detail
