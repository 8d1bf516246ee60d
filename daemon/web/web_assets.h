// The web page's files (daemon/web/assets/), compiled into the binary by
// web_assets.cmake: no file is read at run time, nothing to install or lose.
#pragma once

#include <string_view>

namespace lanlord {

struct WebAsset {
    std::string_view path;          // "/app.js"; "/" for index.html
    std::string_view content_type;  // with charset for text
    std::string_view body;
    std::string_view etag;  // a hash of the body, quoted
};

// nullptr when no file has this path.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace lanlord
