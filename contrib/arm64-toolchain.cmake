# CMake toolchain for an arm64 (aarch64, e.g. Raspberry Pi 3/4/5 running 64-bit Debian) build on an
# amd64 Debian 12 machine, with Debian's cross compiler and multiarch :arm64 libraries
# (contrib/cross-arm64.sh installs both and uses this file):
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=contrib/arm64-toolchain.cmake -DBUILD_TESTING=OFF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# No sysroot and so no CMAKE_FIND_ROOT_PATH: with multiarch the arm64 libraries live in this machine's
# own root, in /usr/lib/aarch64-linux-gnu (their CMake packages in .../cmake, .pc files in .../pkgconfig),
# next to the amd64 ones in /usr/lib/x86_64-linux-gnu. CMake takes the directory name from the compiler
# (CMAKE_LIBRARY_ARCHITECTURE) and searches /usr/lib/<arch> instead of the amd64 directory; headers in
# /usr/include are shared, and the Debian cross compiler already searches /usr/include/aarch64-linux-gnu.
# Setting it here too keeps find_library/find_package right before the compiler has been probed.
# Host programs (pkg-config, gzip, sh) are found in /usr/bin as usual: they run at build time.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# pkg-config must read the arm64 .pc files (libsystemd, ldns and toml++ ship theirs in the arch's
# directory only): the native one would hand out amd64 ones. pkgconf:arm64 (Multi-Arch: same; the
# program it runs is the native pkgconf-bin) provides this wrapper, whose personality searches
# /usr/lib/aarch64-linux-gnu/pkgconfig and the arch-independent directories, never the amd64 one.
set(PKG_CONFIG_EXECUTABLE /usr/bin/aarch64-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for arm64")

# Lets CMake (try_run, add_test) run arm64 programs; lanlord's build itself runs none.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
