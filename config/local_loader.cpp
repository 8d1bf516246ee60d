// [local] (hosts files, local domain, configured records, address rules) and
// [blocklist] of the configuration. See loader.h for the Loader conventions.
#include "common/dns_name.h"
#include "config/loader.h"

namespace lanlord::config_detail {

std::vector<std::string> Loader::get_strings(const toml::node& v, const std::string& path) {
    std::vector<std::string> out;
    for_each_string(v, path, [&](auto& text, auto& element, auto& element_path) {
        if (text.empty())
            error(element.source(), element_path, "must not be empty");
        else
            out.push_back(text);
    });
    return out;
}

namespace {
std::optional<std::string> domain_wire(std::string_view text) {
    if (!valid_domain_text(text) || text.empty() || text == ".") return std::nullopt;
    return name_from_text(text);
}
}  // namespace

void Loader::read_local(const toml::table& table, LocalConfig& local) {
    read_fields(table, "local",
                {
                    {"hosts", [&](auto& v, auto& p) { local.hosts = get_strings(v, p); }},
                    {"domain",
                     [&](auto& v, auto& p) {
                         auto text = get_string(v, p);
                         if (!text) return;
                         if (text->empty()) {
                             local.domain.clear();
                             return;
                         }
                         auto wire = domain_wire(*text);
                         if (!wire)
                             error(v.source(), p, "invalid domain name " + quoted(*text));
                         else {
                             local.domain = *wire;
                             local.domain_text = *text;
                         }
                     }},
                    {"expand_hosts", [&](auto& v, auto& p) { assign(local.expand_hosts, get_bool(v, p)); }},
                    {"ttl", [&](auto& v, auto& p) { assign(local.ttl, get_ttl(v, p)); }},
                    {"record", [&](auto& v, auto& p) { read_records(v, p, local.records); }},
                    {"address", [&](auto& v, auto& p) { read_address_rules(v, p, local.addresses); }},
                });
    if (local.expand_hosts && local.domain.empty())
        error(table.source(), "local.expand_hosts", "needs local.domain");
}

void Loader::read_records(const toml::node& v, const std::string& path, std::vector<LocalRecordConfig>& out) {
    const toml::array* array = v.as_array();
    if (!array) return type_error(v, path, "an array of tables ([[local.record]])");
    for (std::size_t i = 0; i < array->size(); ++i) {
        std::string item_path = index_key(path, i);
        const toml::table* t = get_table((*array)[i], item_path);
        if (!t) continue;
        LocalRecordConfig record;
        std::optional<std::string> type_text, data;
        const toml::node *type_node = nullptr, *data_node = nullptr;
        read_fields(*t, item_path,
                    {
                        {"name",
                         [&](auto& n, auto& p) {
                             auto text = get_string(n, p);
                             if (!text) return;
                             auto wire = domain_wire(*text);
                             if (!wire)
                                 error(n.source(), p, "invalid domain name " + quoted(*text));
                             else {
                                 record.name = *wire;
                                 record.name_text = *text;
                             }
                         }},
                        {"type",
                         [&](auto& n, auto& p) {
                             type_node = &n;
                             type_text = get_string(n, p);
                         }},
                        {"data",
                         [&](auto& n, auto& p) {
                             data_node = &n;
                             data = get_string(n, p);
                         }},
                        {"ttl",
                         [&](auto& n, auto& p) {
                             if (auto ttl = get_ttl(n, p))
                                 record.ttl = static_cast<std::uint32_t>(
                                     std::chrono::duration_cast<std::chrono::seconds>(*ttl).count());
                         }},
                    });
        if (record.name.empty() && !t->contains("name")) error(t->source(), item_path + ".name", "missing");
        if (!type_node) error(t->source(), item_path + ".type", "missing");
        if (!data_node) error(t->source(), item_path + ".data", "missing");
        if (!type_text || !data) continue;
        std::string why;
        auto rdata = encode_record_data(*type_text, *data, record.type, why);
        if (!rdata) {
            error(record.type == 0 ? type_node->source() : data_node->source(),
                  item_path + (record.type == 0 ? ".type" : ".data"), why);
            continue;
        }
        record.rdata = std::move(*rdata);
        if (!record.name.empty()) out.push_back(std::move(record));
    }
}

void Loader::read_address_rules(const toml::node& v, const std::string& path,
                                std::vector<AddressRuleConfig>& out) {
    const toml::array* array = v.as_array();
    if (!array) return type_error(v, path, "an array of tables ([[local.address]])");
    for (std::size_t i = 0; i < array->size(); ++i) {
        std::string item_path = index_key(path, i);
        const toml::table* t = get_table((*array)[i], item_path);
        if (!t) continue;
        AddressRuleConfig rule;
        bool has_addresses = false;
        read_fields(*t, item_path,
                    {
                        {"domain",
                         [&](auto& n, auto& p) {
                             auto text = get_string(n, p);
                             if (!text) return;
                             std::string_view d = *text;
                             if (d.starts_with("*.")) d.remove_prefix(2);  // "*.dev.lan" means the same
                             auto wire = domain_wire(d);
                             if (!wire)
                                 error(n.source(), p, "invalid domain name " + quoted(*text));
                             else {
                                 rule.domain = *wire;
                                 rule.domain_text = std::string(d);
                             }
                         }},
                        {"addresses",
                         [&](auto& n, auto& p) {
                             has_addresses = true;
                             for_each_string(n, p, [&](auto& text, auto& element, auto& element_path) {
                                 if (auto a = IpAddress::parse(text))
                                     rule.addresses.push_back(*a);
                                 else
                                     error(element.source(), element_path, "invalid address " + quoted(text));
                             });
                         }},
                    });
        if (!t->contains("domain")) error(t->source(), item_path + ".domain", "missing");
        if (!has_addresses) error(t->source(), item_path + ".addresses", "missing");
        if (!rule.domain.empty() && !rule.addresses.empty()) out.push_back(std::move(rule));
    }
}

void Loader::read_blocklist(const toml::table& table, BlocklistConfig& blocklist) {
    read_fields(table, "blocklist",
                {
                    {"files", [&](auto& v, auto& p) { blocklist.files = get_strings(v, p); }},
                    {"allow_files", [&](auto& v, auto& p) { blocklist.allow_files = get_strings(v, p); }},
                    {"allow",
                     [&](auto& v, auto& p) {
                         for_each_string(v, p, [&](auto& text, auto& element, auto& element_path) {
                             if (auto wire = domain_wire(text))
                                 blocklist.allow.push_back(*wire);
                             else
                                 error(element.source(), element_path, "invalid domain name " + quoted(text));
                         });
                     }},
                    {"answer",
                     [&](auto& v, auto& p) {
                         auto text = get_string(v, p);
                         if (!text) return;
                         if (*text == "nxdomain")
                             blocklist.answer = BlockAnswer::nxdomain;
                         else if (*text == "nodata")
                             blocklist.answer = BlockAnswer::nodata;
                         else if (*text == "null")
                             blocklist.answer = BlockAnswer::null_address;
                         else
                             error(v.source(), p,
                                   "unknown answer " + quoted(*text) + ": expected nxdomain, nodata or null");
                     }},
                });
}

}  // namespace lanlord::config_detail
