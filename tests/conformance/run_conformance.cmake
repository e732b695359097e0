# Runs one conformance trace (tests/conformance/CMakeLists.txt): `mtesim run --trace TRACE` with
# functional data on. A trace whose header has "# expect-exit: N" must exit with N and print the
# "# expect-message: TEXT" on stderr; any other trace must exit 0.
file(STRINGS ${TRACE} header LIMIT_COUNT 6)
set(want_exit 0)
set(want_message "")
foreach(l ${header})
    if(l MATCHES "^# expect-exit: ([0-9]+)")
        set(want_exit ${CMAKE_MATCH_1})
    elseif(l MATCHES "^# expect-message: (.*)$")
        set(want_message "${CMAKE_MATCH_1}")
    endif()
endforeach()
execute_process(COMMAND ${MTESIM} run --trace ${TRACE} --set vm.data=true
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL want_exit)
    message(FATAL_ERROR "${TRACE}: exit status ${rc}, expected ${want_exit}\nstderr: ${err}\nstdout: ${out}")
endif()
if(want_message)
    string(FIND "${err}" "${want_message}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "${TRACE}: stderr lacks '${want_message}'\nstderr: ${err}")
    endif()
endif()
