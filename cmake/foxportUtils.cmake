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
