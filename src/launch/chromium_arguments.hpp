#pragma once
// The flags every Chromium foxport starts gets, whether it starts it itself (Chromium) or
// chromedriver does through the headless wrapper (Chromedriver).

#include <string>
#include <vector>

namespace foxport::detail {

/// --headless=new and --disable-gpu when headless; --no-sandbox as root (Chromium refuses to
/// run as root otherwise); no /dev/shm (small in containers), no first-run or default-browser
/// prompts.
std::vector<std::string> chromium_arguments(bool headless);

}  // namespace foxport::detail
