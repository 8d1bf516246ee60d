// lanlordctl's side of the control socket: one request line out, one reply
// line back, with a deadline so that a stuck daemon cannot hang the shell.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace lanlord::ctl {

struct ClientResult {
    bool ok = false;    // a reply was read and parsed (it may still say "ok": false)
    std::string error;  // why not
    nlohmann::json reply;
};

ClientResult call_control(const std::string& socket_path, const nlohmann::json& request,
                          std::chrono::milliseconds timeout);

}  // namespace lanlord::ctl
