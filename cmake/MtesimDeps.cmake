# Finds the dependencies chosen in shared/DESIGN.md (all from Debian 12 packages; see
# docs/dependencies.md) and exposes them as imported targets.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc tlm)
add_library(mtesim::systemc INTERFACE IMPORTED)
target_link_libraries(mtesim::systemc INTERFACE PkgConfig::SYSTEMC)

find_path(FDT_INCLUDE_DIR libfdt.h REQUIRED)
find_library(FDT_LIBRARY fdt REQUIRED)
add_library(mtesim::fdt UNKNOWN IMPORTED)
set_target_properties(mtesim::fdt PROPERTIES IMPORTED_LOCATION ${FDT_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${FDT_INCLUDE_DIR})

find_program(DTC_EXECUTABLE dtc REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(Threads REQUIRED)

find_path(ZSTD_INCLUDE_DIR zstd.h REQUIRED)
find_library(ZSTD_LIBRARY zstd REQUIRED)
add_library(mtesim::zstd UNKNOWN IMPORTED)
set_target_properties(mtesim::zstd PROPERTIES IMPORTED_LOCATION ${ZSTD_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${ZSTD_INCLUDE_DIR})
