// The files the web page writes into the state directory: parsed and
// written back exactly, saved atomically, a damaged one set aside.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/dns_name.h"
#include "common/io/read_file.h"
#include "daemon/page_state.h"

namespace lanlord {
namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/lanlord-page-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    return tmpl;
}

std::string w(const char* text) {
    return *name_from_text(text);
}

}  // namespace

TEST_CASE("page state: lists are read leniently and written back", "[web]") {
    std::string warning;
    auto names =
        parse_page_list("# comment\nAds.Example.\n\nads.example\ntracker.example \r\nbad..name\n", warning);
    CHECK(names == std::vector<std::string>{w("ads.example"), w("tracker.example")});
    CHECK(warning == "line 6: not a domain name");
    std::string again;
    CHECK(parse_page_list(format_page_list(names), again) == names);
    CHECK(again.empty());
    // A name with a quote and an angle bracket survives the round trip (escaped as text).
    auto odd =
        std::vector<std::string>{std::string("\x03<a\"\x07"
                                             "example\x00",
                                             13)};
    CHECK(parse_page_list(format_page_list(odd), again) == odd);
}

TEST_CASE("page state: reservations round-trip, bad entries are skipped", "[web]") {
    std::vector<PageReservation> rs = {{{2, 0, 0, 0, 0, 1}, *IpAddress::parse("192.168.1.20"), "phone"},
                                       {{2, 0, 0, 0, 0, 2}, *IpAddress::parse("192.168.1.21"), ""}};
    std::string error;
    CHECK(parse_page_reservations(format_page_reservations(rs), error) == rs);
    CHECK(error.empty());
    auto some = parse_page_reservations(
        R"({"reservations":[{"address":"192.168.1.5","hardware":"02:00:00:00:00:05"},{"address":"2001:db8::1",)"
        R"("hardware":"02:00:00:00:00:06"},{"address":"192.168.1.7"}]})",
        error);
    CHECK(some.size() == 1);
    CHECK_FALSE(error.empty());
    error.clear();
    CHECK(parse_page_reservations("not json", error).empty());
    CHECK_FALSE(error.empty());
}

TEST_CASE("page state: changes are saved and read back, a damaged file is set aside", "[web]") {
    std::string dir = temp_dir();
    {
        PageState s(dir);
        s.load();
        CHECK(s.blocked().empty());
        CHECK(s.change_domain(w("ads.example"), DomainAction::block).empty());
        CHECK(s.change_domain(w("good.example"), DomainAction::allow).empty());
        CHECK(s.change_domain(w("ads.example"), DomainAction::allow)
                  .empty());  // moves from one list to the other
        CHECK(s.blocked().empty());
        CHECK(s.allowed() == std::vector<std::string>{w("good.example"), w("ads.example")});
        CHECK(s.change_domain(w("good.example"), DomainAction::remove).empty());
        CHECK(s.change_domain(w("tracker.example"), DomainAction::block).empty());
        CHECK(s.add_reservation({{2, 0, 0, 0, 0, 1}, *IpAddress::parse("192.168.1.20"), "phone"}).empty());
        // The same device again replaces its reservation.
        CHECK(s.add_reservation({{2, 0, 0, 0, 0, 1}, *IpAddress::parse("192.168.1.30"), "phone"}).empty());
        CHECK(s.reservations().size() == 1);
        CHECK(s.set_password_hash("$y$j9T$salt$hash").empty());
    }
    PageState again(dir);
    again.load();
    CHECK(again.blocked() == std::vector<std::string>{w("tracker.example")});
    CHECK(again.allowed() == std::vector<std::string>{w("ads.example")});
    REQUIRE(again.reservations().size() == 1);
    CHECK(again.reservations()[0].address.to_string() == "192.168.1.30");
    CHECK(again.password_hash() == "$y$j9T$salt$hash");
    struct stat st {};
    REQUIRE(::stat((dir + "/web-password").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    {
        std::ofstream(dir + "/web-reservations.json") << "{ not json";
        std::ofstream(dir + "/web-password") << "plaintext\n";
    }
    PageState damaged(dir);
    damaged.load();
    CHECK(damaged.reservations().empty());
    CHECK(damaged.password_hash().empty());
    CHECK(std::filesystem::exists(dir + "/web-reservations.json.bad"));
    CHECK(std::filesystem::exists(dir + "/web-password.bad"));
    CHECK(damaged.blocked() == std::vector<std::string>{w("tracker.example")});  // the other files are kept
    std::filesystem::remove_all(dir);
}

TEST_CASE("page state: a directory that cannot be written keeps the lists as they were", "[web]") {
    PageState s("/proc/lanlord-no-such-dir");
    s.load();
    CHECK_FALSE(s.change_domain(w("ads.example"), DomainAction::block).empty());
    CHECK(s.blocked().empty());
}

}  // namespace lanlord
