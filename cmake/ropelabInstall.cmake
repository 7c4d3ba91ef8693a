# `cmake --install`: the public headers, the static libraries as namespaced imported targets (ropelab::precision,
# ropelab::io, ropelab::rope, ropelab::stats, ropelab::attention, ropelab::theory, ropelab::experiments) and ropelabConfig.cmake with its
# version file, so another CMake project can find_package(ropelab). The C++ package is install component "dev" (the
# CLI keeps the default component); the Python package installs only component "python" (python/CMakeLists.txt).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ROPELAB_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ropelab)
set(ROPELAB_EXPORTED_LAYERS precision io rope stats attention theory experiments)
foreach(layer ${ROPELAB_EXPORTED_LAYERS})
  # The libraries add <source>/include as a plain path; an exported target must not carry a source-tree path.
  set_target_properties(ropelab_${layer} PROPERTIES
    EXPORT_NAME ${layer}
    INTERFACE_INCLUDE_DIRECTORIES "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>")
  install(TARGETS ropelab_${layer} EXPORT ropelabTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ropelab DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(EXPORT ropelabTargets NAMESPACE ropelab:: DESTINATION ${ROPELAB_INSTALL_CMAKEDIR} COMPONENT dev)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ropelabConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/ropelabConfig.cmake
                              INSTALL_DESTINATION ${ROPELAB_INSTALL_CMAKEDIR})
# 0.x: a minor release may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/ropelabConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/ropelabConfig.cmake ${PROJECT_BINARY_DIR}/cmake/ropelabConfigVersion.cmake
        DESTINATION ${ROPELAB_INSTALL_CMAKEDIR} COMPONENT dev)
