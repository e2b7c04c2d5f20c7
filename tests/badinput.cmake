# Bad-input tests: broken routines and sound files through the real binary.
# Included from tests/CMakeLists.txt with include(badinput.cmake).
add_test(NAME test_badinput COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_badinput.sh)
set_tests_properties(test_badinput PROPERTIES ENVIRONMENT
  "CALFPACE=$<TARGET_FILE:calfpace>;CALFPACE_SOURCE=${CMAKE_SOURCE_DIR}")
