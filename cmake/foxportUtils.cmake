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

# For the command, when every library it links has a static archive: libc too, so no shared
# library at all. exec reaches main without the dynamic loader, and the guard it forks copies
# fewer mappings: 0.10-0.16 ms less for each `foxport start` (docs/benchmarks.md, #19).
# GCC links a -static program with crtbeginT.o, which registers its unwind tables for the
# unwinder to sort at the first exception: 4.4 ms, measured, for every usage error. The spec
# file swaps in crtbegin.o, and --eh-frame-hdr gives the unwinder the sorted table it finds
# through dl_iterate_phdr, as in a dynamic program. Checked here by running a program that
# throws; glibc's name services in such a program: platform/name_services.hpp.
include(CheckCXXSourceRuns)
set(foxport_static_specs "${PROJECT_BINARY_DIR}/foxport-static.specs")
file(WRITE "${foxport_static_specs}" "*startfile:\ncrt1.o%s crti.o%s crtbegin.o%s\n\n*endfile:\ncrtend.o%s crtn.o%s\n")
set(foxport_static_link_options -static -no-pie "-specs=${foxport_static_specs}" -Wl,--eh-frame-hdr)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND FOXPORT_STATIC_RUNTIME AND NOT FOXPORT_SANITIZE)
  set(CMAKE_REQUIRED_LINK_OPTIONS ${foxport_static_link_options})
  check_cxx_source_runs([[
    #include <stdexcept>
    int main(int argc, char**) {
      try { if (argc > 0) throw std::runtime_error("unwound"); } catch (const std::exception&) { return 0; }
      return 1;
    }]] FOXPORT_STATIC_LIBC_UNWINDS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
endif()
function(foxport_link_statically target)
  target_link_options(${target} PRIVATE ${foxport_static_link_options} LINKER:-O1)
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
