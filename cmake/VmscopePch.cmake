# The build's speed-ups: precompiled headers, the compiler cache, the lld linker, and line
# tables only where nobody steps through the code.
#
# Why: on a 2-core CI machine the build is most of the test run, and most of each compile is
# parsing the same standard-library (and, above the server, nlohmann/json; in tests, GoogleTest)
# headers again — 4.5 of a test file's 8 s. Only system headers go into a precompiled header, so
# a change to one of ours never rebuilds it, and a layer's header set never leaks a higher layer's
# dependency into a lower one (the dump layer never sees JSON).
#
# Tests share one precompiled header (vmscope_test_pch): every test target compiles with the same
# flags, so they can all reuse the one that target builds (REUSE_FROM).

option(VMSCOPE_PCH "Use precompiled headers" ON)

set(VMSCOPE_PCH_STD
    <algorithm> <array> <atomic> <chrono> <cstddef> <cstdint> <cstdio> <cstring> <filesystem>
    <functional> <map> <memory> <mutex> <optional> <span> <sstream> <string> <string_view>
    <unordered_map> <unordered_set> <utility> <variant> <vector>)

# libstdc++ 12 inlines trip GCC 12's middle-end bounds warnings once its headers come from a
# precompiled header (they lose their system-header status there): false positives in
# std::string, so those warnings are off when GCC uses precompiled headers.
if(VMSCOPE_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND VMSCOPE_WARNINGS -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread
       -Wno-restrict)
endif()

# Release tests keep line tables only (-g1): enough for a backtrace, a third faster to compile
# than full debug info, and nobody steps through a test binary of a CI build. They are not
# optimized either (-O0: 6.1 s instead of 9.3 s of CPU for rpc/dispatcher_test.cpp): the work a
# test measures happens in the layer libraries, which keep the build type's -O2.
set(VMSCOPE_TEST_OPTIONS ${VMSCOPE_WARNINGS} $<$<CONFIG:RelWithDebInfo>:-g1 -O0>)

# A layer library's precompiled header: the standard library plus EXTRA (system headers of the
# Debian libraries the layer itself links).
function(vmscope_layer_pch target)
  if(VMSCOPE_PCH)
    target_precompile_headers(${target} PRIVATE ${VMSCOPE_PCH_STD} ${ARGN})
  endif()
endfunction()

# Called once GoogleTest is found (tests/CMakeLists.txt).
function(vmscope_add_test_pch)
  if(NOT VMSCOPE_PCH)
    return()
  endif()
  set(anchor ${CMAKE_BINARY_DIR}/generated/test_pch_anchor.cpp)
  file(CONFIGURE OUTPUT ${anchor} CONTENT "// Anchor for the tests' precompiled header.\n")
  add_library(vmscope_test_pch OBJECT ${anchor})
  target_compile_options(vmscope_test_pch PRIVATE ${VMSCOPE_TEST_OPTIONS})
  target_link_libraries(vmscope_test_pch PRIVATE nlohmann_json::nlohmann_json GTest::gtest
                                                 GTest::gmock)
  target_precompile_headers(vmscope_test_pch PRIVATE ${VMSCOPE_PCH_STD} <gtest/gtest.h>
                            <gmock/gmock.h> <nlohmann/json.hpp>)
endfunction()

# A test target (unit, fixture, receiver): test compile options and the shared precompiled
# header.
function(vmscope_test_target target)
  target_compile_options(${target} PRIVATE ${VMSCOPE_TEST_OPTIONS})
  target_link_libraries(${target} PRIVATE nlohmann_json::nlohmann_json GTest::gtest GTest::gmock)
  if(VMSCOPE_PCH)
    target_precompile_headers(${target} REUSE_FROM vmscope_test_pch)
  endif()
endfunction()

# The compiler cache (Debian's ccache), kept outside the clone (scripts/build points CCACHE_DIR
# at /var/cache/vmscope/ccache), so a CI run on a fresh clone recompiles only what changed.
option(VMSCOPE_CCACHE "Compile through ccache when it is installed" ON)
find_program(VMSCOPE_CCACHE_PROGRAM ccache)
if(VMSCOPE_CCACHE AND VMSCOPE_CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${VMSCOPE_CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${VMSCOPE_CCACHE_PROGRAM})
  # ccache can cache a compile that uses a precompiled header only when the header is named in
  # the preprocessed output (GCC's -fpch-preprocess); CCACHE_SLOPPINESS is set by scripts/build.
  if(VMSCOPE_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-fpch-preprocess)
  endif()
endif()

# lld: a test binary carries the static layer libraries and their debug information, and GNU ld
# spends seconds on each (measured: 5.7 s against lld's 1.3 s for an rpc fixture test); with
# about two hundred test binaries, in two builds, that is minutes of CI time.
option(VMSCOPE_LLD "Link with lld when the compiler can use it" ON)
if(VMSCOPE_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld VMSCOPE_HAVE_LLD)
  if(VMSCOPE_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
