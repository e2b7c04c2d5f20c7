# What a listener hears of the shipped sounds: loudness (BS.1770, with
# libebur128), the trim, and a recogniser in noise.
pkg_check_modules(EBUR128 REQUIRED IMPORTED_TARGET libebur128)
add_executable(loudness ${CMAKE_SOURCE_DIR}/tools/loudness.c)
target_compile_options(loudness PRIVATE ${CALFPACE_WARNINGS})
target_link_libraries(loudness PRIVATE PkgConfig::EBUR128 PkgConfig::SNDFILE m)

foreach(t heard loudness trim click_loudness)
  add_test(NAME test_${t} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_${t}.sh)
  set_tests_properties(test_${t} PROPERTIES ENVIRONMENT
    "CALFPACE=$<TARGET_FILE:calfpace>;CALFPACE_SOURCE=${CMAKE_SOURCE_DIR};LOUDNESS=$<TARGET_FILE:loudness>")
endforeach()
