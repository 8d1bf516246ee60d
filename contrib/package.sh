#!/usr/bin/env bash
# Builds lanlord's Debian package (CPack's DEB generator: contrib/package.cmake) in a release build
# directory of its own and checks it with lintian. The package lands in build-package/.
#   contrib/package.sh            # amd64 (the machine's architecture)
# Install it with: sudo apt install ./build-package/lanlord_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-package}
# Install (and so cpack) needs only what is installed, not the whole test build.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target lanlord lanlordctl lanlord_man_pages lanlord_changelog
(cd "$BUILD_DIR" && cpack -G DEB)
if command -v lintian >/dev/null; then lintian --allow-root "$BUILD_DIR"/lanlord_*.deb; fi
ls -l "$BUILD_DIR"/lanlord_*.deb
