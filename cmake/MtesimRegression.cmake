# mtesim_add_regression(NAME BOARD TRACE BASELINE [CONFIG file.ini...] [SET key=value...]
#                       [TOLERANCE pattern=PCT%...])
#
# Registers a ctest case NAME that runs `mtesim run --board BOARD --trace TRACE` (TRACE may be
# "generated" for the built-in workload) with the given configs and settings, then
# `mtesim check --baseline BASELINE` on its stats: the test fails when a stat moved beyond its
# tolerance (exact by default). Set MTESIM_EXECUTABLE to choose the binary (find_package(mtesim)
# sets it to the installed one).
set(_MTESIM_REGRESSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/MtesimRegressionRun.cmake)

function(mtesim_add_regression name board trace baseline)
  cmake_parse_arguments(ARG "" "" "CONFIG;SET;TOLERANCE" ${ARGN})
  if(NOT MTESIM_EXECUTABLE)
    message(FATAL_ERROR "mtesim_add_regression: MTESIM_EXECUTABLE is not set (use find_package(mtesim))")
  endif()
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND}
                   "-DMTESIM=${MTESIM_EXECUTABLE}" "-DBOARD=${board}" "-DTRACE=${trace}" "-DBASELINE=${baseline}"
                   "-DOUT=${CMAKE_CURRENT_BINARY_DIR}/regression/${name}"
                   "-DCONFIGS=${ARG_CONFIG}" "-DSETS=${ARG_SET}" "-DTOLERANCES=${ARG_TOLERANCE}"
                   -P ${_MTESIM_REGRESSION_SCRIPT})
endfunction()
