# Install rules and the package config, so consumers can find_package(foxport).
include(CMakePackageConfigHelpers)

set(FOXPORT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/foxport)

set(FOXPORT_EXPORTED foxport)
if(TARGET foxport_gtest)
  list(APPEND FOXPORT_EXPORTED foxport_gtest)
endif()
install(TARGETS ${FOXPORT_EXPORTED} EXPORT foxportTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The guard goes where the library looks for it (FOXPORT_GUARD_INSTALL_PATH).
install(TARGETS foxport-guard RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR})
install(DIRECTORY include/foxport DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT foxportTargets NAMESPACE foxport:: DESTINATION ${FOXPORT_CMAKE_DIR})
export(EXPORT foxportTargets NAMESPACE foxport:: FILE ${PROJECT_BINARY_DIR}/foxportTargets.cmake)

configure_package_config_file(cmake/foxportConfig.cmake.in
  ${PROJECT_BINARY_DIR}/foxportConfig.cmake INSTALL_DESTINATION ${FOXPORT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/foxportConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/foxportConfig.cmake ${PROJECT_BINARY_DIR}/foxportConfigVersion.cmake
  DESTINATION ${FOXPORT_CMAKE_DIR})
