# Layer libraries and how the build enforces their order.
#
# Each backend folder backend/<layer>/ is one static library, vmscope_<layer>. Code includes a
# header by its layer-qualified path: #include "dump/elf_reader.h". Those paths resolve through
# a per-layer include root in the build tree, ${CMAKE_BINARY_DIR}/layers/<layer>/, which holds a
# single symlink <layer> -> backend/<layer>. A library sees only its own root and, through
# PUBLIC linking, the roots of the layers it declares below it. So "dump/…" resolves inside
# vmscope_arch, while "kernel/…" does not exist for vmscope_dump and fails to compile.
# tests/layering/ proves that a violation breaks the build; scripts/check-includes rejects the
# one escape hatch the compiler allows (#include "../other_layer/x.h").

#
# Sources: every backend/<layer>/*.cpp is compiled into the layer (globbed with
# CONFIGURE_DEPENDS, so adding a file needs no CMake edit); EXTRA_SOURCES adds generated ones.
# DIR names the folder when it is not backend/<layer> (the receiver lives in receiver/).
function(vmscope_layer name)
  cmake_parse_arguments(L "" "DIR" "EXTRA_SOURCES;DEPS;LIBS;PCH" ${ARGN})
  if(NOT L_DIR)
    set(L_DIR ${PROJECT_SOURCE_DIR}/backend/${name})
  endif()
  file(GLOB L_SOURCES CONFIGURE_DEPENDS ${L_DIR}/*.cpp)
  list(APPEND L_SOURCES ${L_EXTRA_SOURCES})
  set(root ${CMAKE_BINARY_DIR}/layers/${name})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${L_DIR} ${root}/${name} SYMBOLIC)
  # A layer whose code is still all headers is an INTERFACE library: same include rules.
  if(L_SOURCES)
    add_library(vmscope_${name} STATIC ${L_SOURCES})
    set(scope PUBLIC)
    target_compile_options(vmscope_${name} PRIVATE ${VMSCOPE_WARNINGS}
                                                   $<$<BOOL:${VMSCOPE_LINE_TABLES_ONLY}>:-g1>)
    vmscope_layer_pch(vmscope_${name} ${L_PCH})
  else()
    add_library(vmscope_${name} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(vmscope_${name} ${scope} ${root})
  foreach(dep IN LISTS L_DEPS)
    target_link_libraries(vmscope_${name} ${scope} vmscope_${dep})
  endforeach()
  if(L_LIBS)
    target_link_libraries(vmscope_${name} ${scope} ${L_LIBS})
  endif()
endfunction()

# What ctest counts as a skipped GoogleTest test. Its default counts any "[  SKIPPED ]" in the
# output, whatever the exit code, and GoogleTest prints that for every test of a suite whose
# SetUpTestSuite failed: a fixture that cannot open its dump would read as "skipped", not failed.
# So only a deliberate skip counts, one whose message starts with "vmscope-skip:"; anything else
# that exits non-zero fails.
set(VMSCOPE_GTEST_PROPERTIES SKIP_REGULAR_EXPRESSION "vmscope-skip:")

# Unit tests of one layer: every tests/unit/<layer>/<file>_test.cpp becomes its own GoogleTest
# binary <layer>_<file>_test, linked with that layer's library (and LIBS).
function(vmscope_layer_tests layer)
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${layer}/*_test.cpp)
  foreach(test IN LISTS tests)
    get_filename_component(stem ${test} NAME_WE)
    vmscope_test(${layer}_${stem} SOURCES ${test} LIBS vmscope_${layer} ${T_LIBS})
  endforeach()
endfunction()

# A GoogleTest binary.
function(vmscope_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  vmscope_test_target(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  # Test doubles shared by unit tests: #include "testing/…".
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  set(labels unit)
  if(T_LABELS)
    set(labels ${T_LABELS})
  endif()
  # `--target unit_tests` builds only what the ASan+UBSan run needs (scripts/build asan).
  if(NOT TARGET unit_tests)
    add_custom_target(unit_tests)
  endif()
  if("unit" IN_LIST labels)
    add_dependencies(unit_tests ${name})
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${labels}" ${VMSCOPE_GTEST_PROPERTIES}
                       DISCOVERY_TIMEOUT 60)
endfunction()
