#include "resolver/dnssec/validation_result.h"

namespace lanlord {

const char* security_name(Security s) {
    switch (s) {
        case Security::secure:
            return "secure";
        case Security::insecure:
            return "insecure";
        case Security::bogus:
            return "bogus";
        default:
            return "indeterminate";
    }
}

}  // namespace lanlord
