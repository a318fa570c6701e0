# Per-target warning and sanitizer settings (spdlog's cmake/utils.cmake pattern).

function(foxport_set_warnings target)
  if(FOXPORT_DEVELOP)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra)
  endif()
endfunction()

function(foxport_enable_sanitizers target)
  if(FOXPORT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# One call for every foxport target: warnings, sanitizers.
function(foxport_target_defaults target)
  foxport_set_warnings(${target})
  foxport_enable_sanitizers(${target})
endfunction()

# For the executables that start once per launch, the command and the guard: libstdc++ and
# libgcc linked in, and no shared library kept that nothing uses. The dynamic loader's symbol
# lookups were 80% of their start (docs/benchmarks.md, #19). Not under the sanitizers.
# Relative relocations packed (DT_RELR, binutils 2.38 + glibc 2.36) where the linker can.
# Not position-independent: relocating a PIE's 440 kB of vtables and tables (Boost, OpenSSL)
# copied ~105 pages at every start, 0.3 ms of the command's 1.5 (docs/benchmarks.md, #19);
# neither executable is setuid or serves a network. The library stays position-independent.
include(CheckLinkerFlag)
check_linker_flag(CXX "LINKER:-z,pack-relative-relocs" FOXPORT_LINKER_HAS_RELR)
function(foxport_link_for_fast_start target)
  if(FOXPORT_STATIC_RUNTIME AND NOT FOXPORT_SANITIZE)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc -no-pie LINKER:--as-needed LINKER:-O1)
    if(FOXPORT_LINKER_HAS_RELR)
      target_link_options(${target} PRIVATE LINKER:-z,pack-relative-relocs)
    endif()
  endif()
endfunction()

# For a target linking libcrypto's static archive on x86-64: OpenSSL's CPU probe runs at
# OpenSSL's first use instead of before main (src/cli/openssl_cpu_probe.cpp).
function(foxport_defer_openssl_cpu_probe target)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src/cli/openssl_cpu_probe.cpp)
    target_link_options(${target} PRIVATE LINKER:--wrap=OPENSSL_cpuid_setup)
  endif()
endfunction()

# The static archive beside an imported shared library (libX.so[.N] -> libX.a), or empty.
function(foxport_static_archive_of out target)
  set(${out} "" PARENT_SCOPE)
  foreach(property IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION IMPORTED_LOCATION_NOCONFIG)
    get_target_property(location ${target} ${property})
    if(location)
      string(REGEX REPLACE "\\.so(\\.[0-9.]*)?$" ".a" archive "${location}")
      if(NOT archive STREQUAL location AND EXISTS "${archive}")
        set(${out} "${archive}" PARENT_SCOPE)
      endif()
      return()
    endif()
  endforeach()
endfunction()
