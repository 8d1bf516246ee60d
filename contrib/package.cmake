# The Debian package (issue 16): `cpack -G DEB` in the build directory, after a build
# (contrib/package.sh does both and runs lintian). CPack's DEB generator rather than a debian/ directory
# built by dpkg-buildpackage: the package is made from the very install rules and build a developer
# uses (no second build of ~10 minutes on a Pi-class 2-core machine, so CI can build and check it on
# every run), and dpkg-shlibdeps still computes the dependencies. The maintainer scripts, conffiles and
# copyright are in contrib/deb/.
include(GNUInstallDirs)

# Debian wants compressed manual pages (gzip -9n: reproducible, no name or date inside).
set(LANLORD_MAN_GZ "")
foreach(page lanlord.8 lanlord.toml.5 lanlordctl.1)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
  set(gz ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND sh -c "gzip -9nc '${PROJECT_SOURCE_DIR}/man/${page}' > '${gz}'"
    DEPENDS ${PROJECT_SOURCE_DIR}/man/${page} VERBATIM)
  list(APPEND LANLORD_MAN_GZ ${gz})
  install(FILES ${gz} DESTINATION share/man/man${section})
endforeach()
add_custom_target(lanlord_man_pages ALL DEPENDS ${LANLORD_MAN_GZ})

set(LANLORD_CHANGELOG ${CMAKE_BINARY_DIR}/changelog.Debian.gz)
add_custom_command(OUTPUT ${LANLORD_CHANGELOG}
  COMMAND sh -c "printf 'lanlord (${PROJECT_VERSION}-1) unstable; urgency=medium\\n\\n  * Release ${PROJECT_VERSION}: see the README.\\n\\n -- lanlord developers <lanlord@example.org>  Thu, 03 Dec 2026 00:00:00 +0000\\n' | gzip -9n > '${LANLORD_CHANGELOG}'"
  VERBATIM)
add_custom_target(lanlord_changelog ALL DEPENDS ${LANLORD_CHANGELOG})

install(FILES contrib/lanlord.service contrib/lanlord.socket DESTINATION lib/systemd/system)
install(FILES contrib/lanlord.toml DESTINATION /etc/lanlord)
install(FILES contrib/deb/copyright ${LANLORD_CHANGELOG} DESTINATION share/doc/lanlord)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lanlord)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)  # 0.1.0-1: a Debian revision (not a native package)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "lanlord developers <lanlord@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "DNS resolver and DHCP server for a small network")
# The long description (CPack puts the summary above it and indents each line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "lanlord is a caching DNS resolver (forwarding, or recursive from the root
servers, validating DNSSEC), a local names layer (hosts files, records,
blocklists, the names of DHCP clients), a DHCPv4 server with a crash-safe
lease journal and a web page, in one daemon configured from TOML.
lanlordctl import-dnsmasq turns a dnsmasq configuration into lanlord's.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/lanlord/lanlord")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONFLICTS "")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/contrib/deb/postinst ${PROJECT_SOURCE_DIR}/contrib/deb/prerm
  ${PROJECT_SOURCE_DIR}/contrib/deb/postrm ${PROJECT_SOURCE_DIR}/contrib/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
# CPack takes the architecture from `dpkg --print-architecture`, the build machine's: a cross build
# (contrib/cross-arm64.sh) names the target's in Debian's words instead.
if(CMAKE_CROSSCOMPILING)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^armv7")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE armhf)
  endif()
endif()
include(CPack)
