# Compiles every board in dts/*.dts with dtc into ${CMAKE_BINARY_DIR}/dts/NAME.dtb and embeds
# them, and every configs/**/*.ini, in the binary (cmake/EmbedFiles.cmake), so `mtesim run`,
# `--board NAME` and the DRAM presets work from any directory. The .dtb files stay in
# build/dts for users' tools.
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

set(MTESIM_EMBED_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedFiles.cmake)
set(MTESIM_BOARDS_CPP ${CMAKE_BINARY_DIR}/generated/built_in_boards_data.cpp)
add_custom_command(
  OUTPUT ${MTESIM_BOARDS_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${MTESIM_BOARDS_CPP} -DTABLE=kBuiltInBoards
          -DBASE=${CMAKE_BINARY_DIR}/dts "-DFILES=${MTESIM_BOARD_DTBS}" -P ${MTESIM_EMBED_SCRIPT}
  DEPENDS ${MTESIM_BOARD_DTBS} ${MTESIM_EMBED_SCRIPT}
  COMMENT "Embedding built-in boards"
  VERBATIM)

file(GLOB_RECURSE MTESIM_CONFIG_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/configs/*.ini)
set(MTESIM_CONFIGS_CPP ${CMAKE_BINARY_DIR}/generated/built_in_configs_data.cpp)
add_custom_command(
  OUTPUT ${MTESIM_CONFIGS_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${MTESIM_CONFIGS_CPP} -DTABLE=kBuiltInConfigs
          -DBASE=${CMAKE_CURRENT_SOURCE_DIR}/configs "-DFILES=${MTESIM_CONFIG_FILES}" -P ${MTESIM_EMBED_SCRIPT}
  DEPENDS ${MTESIM_CONFIG_FILES} ${MTESIM_EMBED_SCRIPT}
  COMMENT "Embedding built-in configs"
  VERBATIM)
set(MTESIM_EMBEDDED_CPP ${MTESIM_BOARDS_CPP} ${MTESIM_CONFIGS_CPP})
add_custom_target(mtesim_boards ALL DEPENDS ${MTESIM_BOARD_DTBS} ${MTESIM_EMBEDDED_CPP})
