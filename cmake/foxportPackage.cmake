# A Debian package of everything `cmake --install` installs: the foxport command, the guard,
# the library (static by default), foxport::gtest, headers, CMake config and pkg-config files.
# Build it with the `package` presets (CMAKE_INSTALL_PREFIX=/usr, so the library looks for
# /usr/libexec/foxport-guard):
#   cmake --preset package && cmake --build --preset package && cpack --preset package
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME foxport)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "foxport developers")
set(CPACK_PACKAGE_CONTACT "foxport developers <foxport@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "foxport starts Firefox with Marionette, geckodriver or chromedriver on a port no other process can be using, waits until it is really ready, and takes the whole process tree down afterwards, under a guard process that outlives a killed caller. This package holds the foxport command, the guard, the C++ library (with its headers, CMake package and pkg-config files) and its GoogleTest integration.")
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/foxport/foxport")
# Run-time libraries: computed, with versions, by dpkg-shlibdeps (dpkg-dev) when it is there
# (libc6 alone with FOXPORT_STATIC_RUNTIME, for the guard, which links libstdc++ statically,
# the command linking everything; else libboost-filesystem1.81.0, libboost-json1.81.0, libssl3,
# libstdc++6, libgcc-s1, libc6); else the latter by hand.
find_program(FOXPORT_DPKG_SHLIBDEPS dpkg-shlibdeps)
mark_as_advanced(FOXPORT_DPKG_SHLIBDEPS)
if(FOXPORT_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost-filesystem1.81.0, libboost-json1.81.0, libboost-url1.81.0, libssl3, libstdc++6, libgcc-s1, libc6")
endif()
# What building against the library needs (the -dev part of this package).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libboost1.81-dev, libboost-filesystem1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libssl-dev, libgtest-dev, firefox-esr")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "chromium-driver, cmake, pkgconf")
set(CPACK_STRIP_FILES ON)
# The .deb lands in the build tree whatever the working directory (cpack -B overrides it).
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR})
include(CPack)
