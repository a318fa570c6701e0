// foxport::Error says each cause once (#15 item 14: "No such file or directory: No such file
// or directory" from a message that named its cause and then got it appended again).
#include <gtest/gtest.h>

#include <string>

#include "foxport/error.hpp"

namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

}  // namespace

TEST(Error, AppendsTheCausesMessage) {
  const foxport::Error error(std::make_error_code(std::errc::no_such_file_or_directory), "cannot open /x");
  EXPECT_STREQ(error.what(), "cannot open /x: No such file or directory");
  EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory);
}

TEST(Error, AMessageThatSaysItsCauseAlreadyIsNotRepeated) {
  const auto enoent = std::make_error_code(std::errc::no_such_file_or_directory);
  const foxport::Error spelled_out(enoent, "cannot execute /x: No such file or directory");
  EXPECT_EQ(count(spelled_out.what(), "No such file or directory"), 1u) << spelled_out.what();
  // A wrapped error with a hint after it, as webdriver.cpp and pool.cpp do.
  const foxport::Error inner(foxport::errc::guard_missing, "FOXPORT_GUARD=/tmp names a directory");
  const foxport::Error outer(inner.code(), std::string("the pool could not launch: ") + inner.what() + " (a hint)");
  EXPECT_EQ(count(outer.what(), "foxport-guard not found"), 1u) << outer.what();
  EXPECT_EQ(std::string(outer.what()),
            "the pool could not launch: FOXPORT_GUARD=/tmp names a directory: foxport-guard not found (a hint)");
}

// The guard search's message begins with the cause and ends with a hint: it said the cause
// again after the hint ("...exists): foxport-guard not found").
TEST(Error, AMessageThatBeginsWithItsCauseIsNotRepeated) {
  const std::string message = "foxport-guard not found; tried /a /b (set FOXPORT_GUARD to its path)";
  const foxport::Error error(foxport::errc::guard_missing, message);
  EXPECT_EQ(std::string(error.what()), message);
}

// A readiness report names its cause on its first line and ends with the child's output: the
// code's message appended after that stood alone on a line of its own (": child exited before
// it was ready", after the last output lines), saying the cause a second time.
TEST(Error, AReportOfSeveralLinesIsKeptAsItIs) {
  const std::string report =
      "Firefox (pid 7) exited before it was ready: killed by signal 9 (Killed)\n  seen: process not running\n"
      "  last output:\n  | Marionette\tINFO\tListening on port 4444\n";
  const foxport::Error error(foxport::errc::exited_early, report);
  EXPECT_EQ(std::string(error.what()), report);
  EXPECT_EQ(error.code(), foxport::errc::exited_early);
}
