# find_package(mtesim): the installed mtesim executable (MTESIM_EXECUTABLE) and
# mtesim_add_regression().
get_filename_component(_mtesim_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(MTESIM_EXECUTABLE "${_mtesim_prefix}/bin/mtesim" CACHE FILEPATH "the mtesim executable")
include(${CMAKE_CURRENT_LIST_DIR}/MtesimRegression.cmake)
set(mtesim_FOUND TRUE)
