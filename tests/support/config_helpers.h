// Loading config text in tests: a Config that must load, or the errors as
// "file:line:column: key: message" strings.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/config.h"

namespace lanlord::test {

inline Config config_ok(const std::string& text) {
    auto r = load_config_text(text, "t.toml");
    for (const auto& e : r.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(r.config);
    return *r.config;
}

inline std::vector<std::string> config_errors(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& e : load_config_text(text, "t.toml").errors) out.push_back(e.to_string());
    return out;
}

}  // namespace lanlord::test
