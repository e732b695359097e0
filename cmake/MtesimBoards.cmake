# Compiles every board in dts/*.dts with dtc into ${CMAKE_BINARY_DIR}/dts/NAME.dtb and embeds
# all of them in the binary (generated built_in_boards_data.cpp), so `mtesim run` and
# `--board NAME` work from any directory. The .dtb files stay in build/dts for users' tools.
file(GLOB MTESIM_BOARD_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dts/*.dts)
file(GLOB MTESIM_BOARD_INCLUDES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dts/*.dtsi)
set(MTESIM_BOARD_DTBS "")
foreach(dts ${MTESIM_BOARD_SOURCES})
  get_filename_component(name ${dts} NAME_WE)
  set(dtb ${CMAKE_BINARY_DIR}/dts/${name}.dtb)
  add_custom_command(
    OUTPUT ${dtb}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/dts
    COMMAND ${DTC_EXECUTABLE} -Wno-unique_unit_address -I dts -O dtb -o ${dtb} ${dts}
    DEPENDS ${dts} ${MTESIM_BOARD_INCLUDES}
    COMMENT "dtc ${name}.dts"
    VERBATIM)
  list(APPEND MTESIM_BOARD_DTBS ${dtb})
endforeach()

set(MTESIM_BOARDS_CPP ${CMAKE_BINARY_DIR}/generated/built_in_boards_data.cpp)
add_custom_command(
  OUTPUT ${MTESIM_BOARDS_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${MTESIM_BOARDS_CPP} "-DDTBS=${MTESIM_BOARD_DTBS}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedBoards.cmake
  DEPENDS ${MTESIM_BOARD_DTBS} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedBoards.cmake
  COMMENT "Embedding built-in boards"
  VERBATIM)
add_custom_target(mtesim_boards ALL DEPENDS ${MTESIM_BOARD_DTBS} ${MTESIM_BOARDS_CPP})
