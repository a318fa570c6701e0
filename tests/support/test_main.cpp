// main() of every foxport test binary: GoogleTest plus the leak check.
#include <gtest/gtest.h>

#include <csignal>

#include "support/leak_check.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // A test that writes to a closed socket or pipe must see EPIPE, not die.
  std::signal(SIGPIPE, SIG_IGN);
  foxport::testing::install_leak_check();
  const int status = RUN_ALL_TESTS();
  foxport::testing::remove_private_tmpdir();
  return status;
}
