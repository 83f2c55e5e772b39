# Helpers that register GoogleTest suites with ctest, one ctest entry per test case.
include(GoogleTest)

# Where the shared local cluster of one ctest run lives (started by the `cluster` fixture).
set(KUBEDBT_CLUSTER_DIR "${CMAKE_BINARY_DIR}/cluster" CACHE PATH "State folder of the test cluster")

# kubedbt_unit_test(<name> SOURCES <files...> [LIBS <libs...>]): pure logic, no services.
function(kubedbt_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

# kubedbt_integration_test(<name> SOURCES <files...> [LIBS <libs...>] [SERIAL] [TIMEOUT <s>]):
# runs against the shared local cluster; SERIAL for suites that disturb it (restart a component).
function(kubedbt_integration_test name)
  cmake_parse_arguments(T "SERIAL" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} kubedbt_test_cluster GTest::gmock GTest::gtest_main)
  set(props LABELS integration FIXTURES_REQUIRED cluster TIMEOUT ${T_TIMEOUT}
      ENVIRONMENT "KUBEDBT_CLUSTER_DIR=${KUBEDBT_CLUSTER_DIR};KUBEDBT_CACHE=${KUBEDBT_CACHE}")
  if(T_SERIAL)
    list(APPEND props RUN_SERIAL TRUE)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props})
endfunction()
