// Fuzz target: a client's query through the whole engine (parse, ACL, local
// data, routing, cache), answered through a recording EngineIo.
#include <cstdint>

#include "resolver/engine/resolver_engine.h"

namespace {
class NullIo : public lanlord::EngineIo {
  public:
    void reply(const lanlord::ClientRef&, std::span<const std::uint8_t> a) override { last = a.size(); }
    void send_upstream(const lanlord::UpstreamRequest&) override {}
    void close_upstream(std::uint64_t) override {}
    std::size_t last = 0;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lanlord;
    struct World {
        NullIo io;
        PacketCache cache{{.max_entries = 100}, 1};
        std::uint64_t n = 1;
        ResolverEngine engine{io, cache, [this] { return n++; }};
        World() {
            engine.configure(
                {}, {{"default", "", {*Endpoint::parse("192.0.2.1", 53)}, {std::string(1, '\0')}, {}}}, {});
            HostsTable hosts;
            hosts.parse("192.0.2.10 nas\n", "hosts");
            auto zone = std::make_shared<LocalZone>(std::string("\3lan", 4) + std::string(1, '\0'), true, 60);
            zone->add_hosts(hosts);
            engine.set_local_zone(zone);
        }
    };
    static World* w = new World;  // lives for the whole fuzzing run
    ClientRef client{.peer = *Endpoint::parse("127.0.0.1:4000", 0)};
    w->engine.handle_query({data, size}, client, TimePoint(seconds(100)));
    return 0;
}
