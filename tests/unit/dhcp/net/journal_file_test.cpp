#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dhcp/net/journal_file.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/lanlord-journal-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

Lease lease(const char* addr, std::int64_t expires) {
    Lease l;
    l.address = *IpAddress::parse(addr);
    l.client_id = {1, 2, 0, 0, 0, 0, static_cast<std::uint8_t>(expires)};
    l.hardware = {2, 0, 0, 0, 0, static_cast<std::uint8_t>(expires)};
    l.expires = expires;
    return l;
}

std::unique_ptr<JournalFile> open_journal(const std::string& path, ReplayResult& replay) {
    std::string error;
    auto j = JournalFile::open(path, replay, error);
    INFO(error);
    REQUIRE(j);
    return j;
}

}  // namespace

TEST_CASE("journal file: a group of changes is one commit and survives a reopen") {
    TempDir dir;
    std::string path = dir.path + "/leases.journal";
    ReplayResult replay;
    {
        auto j = open_journal(path, replay);
        CHECK(replay.leases.empty());
        j->queue(encode_grant(lease("192.0.2.10", 100)));
        j->queue(encode_grant(lease("192.0.2.11", 101)));
        j->queue(encode_grant(lease("192.0.2.12", 102)));
        REQUIRE(j->commit());
        CHECK(j->stats().fsyncs == 1);  // three leases, one fsync
        CHECK(j->lines() == 3);
    }
    auto j = open_journal(path, replay);
    CHECK(replay.leases.size() == 3);
    CHECK(replay.leases.at(*IpAddress::parse("192.0.2.11")) == lease("192.0.2.11", 101));
}

TEST_CASE("journal file: a torn last line is cut on open, later lines replay cleanly") {
    TempDir dir;
    std::string path = dir.path + "/leases.journal";
    std::string good = encode_grant(lease("192.0.2.10", 100));
    std::string torn = encode_grant(lease("192.0.2.11", 100));
    {
        std::ofstream out(path, std::ios::binary);
        out << good << torn.substr(0, torn.size() / 2);  // the crash
    }
    ReplayResult replay;
    {
        auto j = open_journal(path, replay);
        CHECK(replay.torn_tail);
        CHECK(replay.leases.size() == 1);
        j->queue(encode_grant(lease("192.0.2.12", 100)));
        REQUIRE(j->commit());
    }
    CHECK(std::filesystem::file_size(path) == good.size() + encode_grant(lease("192.0.2.12", 100)).size());
    auto j = open_journal(path, replay);
    CHECK_FALSE(replay.torn_tail);
    CHECK(replay.bad_lines == 0);
    CHECK(replay.leases.size() == 2);
}

TEST_CASE("journal file: compaction keeps exactly the live leases, atomically") {
    TempDir dir;
    std::string path = dir.path + "/leases.journal";
    ReplayResult replay;
    auto j = open_journal(path, replay);
    for (int i = 0; i < 50; ++i) {
        j->queue(encode_grant(lease("192.0.2.10", 100 + i)));
        j->queue(encode_grant(lease("192.0.2.11", 100 + i)));
        REQUIRE(j->commit());
    }
    j->queue(encode_free(*IpAddress::parse("192.0.2.11")));
    REQUIRE(j->commit());
    CHECK(j->lines() == 101);
    std::map<IpAddress, Lease> live = {{*IpAddress::parse("192.0.2.10"), lease("192.0.2.10", 149)}};
    std::string error;
    REQUIRE(j->compact(live, error));
    CHECK(j->lines() == 1);
    CHECK_FALSE(std::filesystem::exists(path + ".new"));
    j->queue(encode_grant(lease("192.0.2.12", 500)));  // appending after compaction still works
    REQUIRE(j->commit());
    j.reset();
    auto again = open_journal(path, replay);
    CHECK(replay.lines == 2);
    CHECK(replay.leases.size() == 2);
    CHECK(replay.leases.at(*IpAddress::parse("192.0.2.10")).expires == 149);
}
