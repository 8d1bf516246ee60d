// Runs an io_context behind the last catch boundary: an exception that
// escaped every handler's own boundary (common/fault.h) is logged and counted
// and the loop runs on. Asio allows run() to be called again after a handler
// threw; what that handler was doing is lost, nothing else is.
#pragma once

#include <boost/asio/io_context.hpp>

#include "common/fault.h"

namespace lanlord::io {

inline void run_guarded(boost::asio::io_context& io) {
    while (!guarded(FaultSite::event_loop, [&io] { io.run(); })) {
    }
}

}  // namespace lanlord::io
