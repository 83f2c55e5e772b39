# Helpers that register GoogleTest suites with ctest, one ctest entry per test case.
include(GoogleTest)

# Where the shared local cluster of one ctest run lives (started by the `cluster` fixture).
set(KUBEDBT_CLUSTER_DIR "${CMAKE_BINARY_DIR}/cluster" CACHE PATH "State folder of the test cluster")
# Where the private PostgreSQL of one ctest run lives (started by the `postgres` fixture).
set(KUBEDBT_POSTGRES_DIR "${CMAKE_BINARY_DIR}/postgres" CACHE PATH "State folder of the test PostgreSQL")

# kubedbt_unit_test(<name> SOURCES <files...> [LIBS <libs...>]): pure logic, no services. Every
# suite reads time zones from the pinned tz database (TZDIR), never the machine's.
function(kubedbt_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       PROPERTIES LABELS unit TIMEOUT 120 ENVIRONMENT "TZDIR=${KUBEDBT_TZDIR}")
endfunction()

# kubedbt_integration_test(<name> SOURCES <files...> [LIBS <libs...>] [NEEDS <fixtures...>]
#                          [SERIAL] [TIMEOUT <s>] [LABEL <label>]):
# runs against the shared services named in NEEDS (default: cluster; also: postgres); SERIAL for
# suites that disturb them (restart a component); LABEL is the ctest label (default: integration).
function(kubedbt_integration_test name)
  cmake_parse_arguments(T "SERIAL" "TIMEOUT;LABEL" "SOURCES;LIBS;NEEDS" ${ARGN})
  if(NOT T_LABEL)
    set(T_LABEL integration)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT T_NEEDS)
    set(T_NEEDS cluster)
  endif()
  add_executable(${name} ${T_SOURCES})
  set(support)
  if(cluster IN_LIST T_NEEDS)
    list(APPEND support kubedbt_test_cluster)
  endif()
  if(postgres IN_LIST T_NEEDS)
    list(APPEND support kubedbt_test_postgres)
  endif()
  target_link_libraries(${name} PRIVATE ${T_LIBS} ${support} GTest::gmock GTest::gtest_main)
  set(env "KUBEDBT_CLUSTER_DIR=${KUBEDBT_CLUSTER_DIR}" "KUBEDBT_POSTGRES_DIR=${KUBEDBT_POSTGRES_DIR}"
      "KUBEDBT_CACHE=${KUBEDBT_CACHE}" "KUBEDBT_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      "KUBEDBT_BINARY_DIR=${PROJECT_BINARY_DIR}" "TZDIR=${KUBEDBT_TZDIR}")
  set(props LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
  if(T_SERIAL)
    list(APPEND props RUN_SERIAL TRUE)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST TEST_LIST ${name}_TESTS PROPERTIES ${props})
  # List-valued properties do not survive gtest_discover_tests' PROPERTIES; a script included after
  # its test list sets them on every discovered test.
  set(script "${CMAKE_CURRENT_BINARY_DIR}/${name}_properties.cmake")
  file(CONFIGURE OUTPUT "${script}" CONTENT [[
foreach(test IN LISTS @name@_TESTS)
  set_tests_properties("${test}" PROPERTIES FIXTURES_REQUIRED "@T_NEEDS@" ENVIRONMENT "@env@")
endforeach()
]] @ONLY)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${script}")
endfunction()
