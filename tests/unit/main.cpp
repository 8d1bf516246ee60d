#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "common/fault.h"

namespace {
// A failed LANLORD_CHECK aborts in tests, whatever the build type.
const bool kAbortOnCheck = (lanlord::set_abort_on_check(true), true);
}  // namespace
