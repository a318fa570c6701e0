# Install rules, the package config (find_package(foxport)) and pkg-config files.
#
# Two export sets: foxportTargets (foxport::foxport) and foxportGTestTargets (foxport::gtest,
# installed only when it was built). The config includes the second one only if it is there,
# so find_package(foxport) works the same whatever options foxport was built with.
include(CMakePackageConfigHelpers)

set(FOXPORT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/foxport)

install(TARGETS foxport EXPORT foxportTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT foxportTargets NAMESPACE foxport:: DESTINATION ${FOXPORT_CMAKE_DIR})
export(EXPORT foxportTargets NAMESPACE foxport:: FILE ${PROJECT_BINARY_DIR}/foxportTargets.cmake)

if(TARGET foxport_gtest)
  set(FOXPORT_WITH_GTEST TRUE)
  install(TARGETS foxport_gtest EXPORT foxportGTestTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(EXPORT foxportGTestTargets NAMESPACE foxport:: DESTINATION ${FOXPORT_CMAKE_DIR})
  export(EXPORT foxportGTestTargets NAMESPACE foxport:: FILE ${PROJECT_BINARY_DIR}/foxportGTestTargets.cmake)
else()
  set(FOXPORT_WITH_GTEST FALSE)
endif()

# The guard goes where the library looks for it (FOXPORT_GUARD_INSTALL_PATH).
install(TARGETS foxport-guard RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR})
install(DIRECTORY include/foxport DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/foxport/export.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/foxport)

# TRUE/FALSE, never empty, in the generated config.
get_target_property(foxport_type foxport TYPE)
if(foxport_type STREQUAL "STATIC_LIBRARY")
  set(FOXPORT_STATIC TRUE)
else()
  set(FOXPORT_STATIC FALSE)
endif()
configure_package_config_file(cmake/foxportConfig.cmake.in
  ${PROJECT_BINARY_DIR}/foxportConfig.cmake INSTALL_DESTINATION ${FOXPORT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/foxportConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/foxportConfig.cmake ${PROJECT_BINARY_DIR}/foxportConfigVersion.cmake
  DESTINATION ${FOXPORT_CMAKE_DIR})

# pkg-config: foxport.pc and foxport-gtest.pc. Boost ships no .pc files, so its libraries are
# named directly; a static libfoxport needs them (and Threads) on every link line.
if(FOXPORT_STATIC)
  set(FOXPORT_PC_CFLAGS "-DFOXPORT_STATIC_DEFINE")
  set(FOXPORT_PC_LIBS "-lboost_url -lboost_json -lboost_filesystem -lssl -lcrypto -pthread")
  set(FOXPORT_PC_LIBS_PRIVATE "")
else()
  set(FOXPORT_PC_CFLAGS "")
  set(FOXPORT_PC_LIBS "-pthread")
  set(FOXPORT_PC_LIBS_PRIVATE "-lboost_url -lboost_json -lboost_filesystem -lssl -lcrypto")
endif()
if(CMAKE_DL_LIBS)
  string(APPEND FOXPORT_PC_LIBS " -l${CMAKE_DL_LIBS}")
endif()
set(FOXPORT_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# The prefix relative to the .pc file, so a moved prefix still works.
file(RELATIVE_PATH FOXPORT_PC_TO_PREFIX ${CMAKE_INSTALL_PREFIX}/${FOXPORT_PC_DIR} ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" FOXPORT_PC_TO_PREFIX "${FOXPORT_PC_TO_PREFIX}")
configure_file(cmake/foxport.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/foxport.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/foxport.pc DESTINATION ${FOXPORT_PC_DIR})
if(FOXPORT_WITH_GTEST)
  configure_file(cmake/foxport-gtest.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/foxport-gtest.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/foxport-gtest.pc DESTINATION ${FOXPORT_PC_DIR})
endif()
