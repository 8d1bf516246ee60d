#include "daemon/local_data.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "common/io/read_file.h"
#include "common/log.h"
#include "resolver/local/hosts_table.h"

namespace lanlord {

namespace fs = std::filesystem;

std::vector<std::string> expand_paths(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> files;
            for (const auto& entry : fs::directory_iterator(p, ec)) {
                std::string name = entry.path().filename().string();
                if (name.empty() || name[0] == '.' || name.back() == '~') continue;
                if (entry.is_regular_file(ec)) files.push_back(entry.path().string());
            }
            std::sort(files.begin(), files.end());
            out.insert(out.end(), files.begin(), files.end());
        } else {
            out.push_back(p);
        }
    }
    return out;
}

std::shared_ptr<LocalZone> build_local_zone(const Config& config) {
    auto ttl = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(config.local.ttl).count());
    auto zone = std::make_shared<LocalZone>(config.local.domain, config.local.expand_hosts, ttl);
    for (const auto& r : config.local.records)
        zone->add_record(r.name, {r.type, r.ttl.value_or(ttl), r.rdata});
    for (const auto& rule : config.local.addresses) zone->add_rule(rule.domain, rule.addresses);
    for (const auto& path : expand_paths(config.local.hosts)) {
        auto text = io::read_file(path);
        if (!text) {
            spdlog::warn("cannot read hosts file {}", path);
            continue;
        }
        HostsTable hosts;
        auto warnings = hosts.parse(*text, path);
        for (std::size_t i = 0; i < warnings.size() && i < 20; ++i) spdlog::warn("{}", warnings[i]);
        if (warnings.size() > 20) spdlog::warn("{}: {} more bad lines", path, warnings.size() - 20);
        zone->add_hosts(hosts);
        spdlog::info("{}: {} names", path, hosts.size());
    }
    return zone;
}

BlocklistLoad build_blocklist(const BlocklistConfig& config) {
    auto started = std::chrono::steady_clock::now();
    BlocklistLoad load;
    load.blocklist = std::make_shared<Blocklist>();
    for (const auto& domain : config.allow) load.blocklist->allowed().insert(domain);
    auto read_into = [&](const std::vector<std::string>& paths, DomainSet& set, bool blocking) {
        for (const auto& path : expand_paths(paths)) {
            auto text = io::read_file(path);
            if (!text) {
                spdlog::warn("cannot read blocklist {}", path);
                continue;
            }
            auto st = parse_blocklist(*text, path, set);
            for (const auto& w : st.warnings) spdlog::debug("{}", w);
            if (st.skipped) spdlog::info("{}: {} lines skipped (unsupported or malformed)", path, st.skipped);
            ++load.files;
            load.domains += st.domains;
            load.skipped += st.skipped;
            if (blocking) load.per_file.emplace_back(path, st.domains);
        }
    };
    read_into(config.files, load.blocklist->blocked(), true);
    read_into(config.allow_files, load.blocklist->allowed(), false);
    load.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return load;
}

}  // namespace lanlord
