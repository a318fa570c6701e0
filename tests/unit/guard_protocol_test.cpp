// The guard's wire protocol: every message survives format -> parse, and malformed lines
// are refused rather than guessed at (the guard ignores them; the library never acts on them).

#include <gtest/gtest.h>

#include "guard/protocol.hpp"

namespace {

using foxport::guard::Control;
using foxport::guard::Status;

TEST(GuardProtocol, StatusLinesRoundTrip) {
  for (const Status status :
       {Status{Status::Kind::started, 4242}, Status{Status::Kind::started, 0}, Status{Status::Kind::failed, 2},
        Status{Status::Kind::exited, 69}, Status{Status::Kind::signaled, 9}, Status{Status::Kind::done, 0}}) {
    const auto line = foxport::guard::format(status);
    const auto parsed = foxport::guard::parse_status(line);
    ASSERT_TRUE(parsed) << line;
    EXPECT_EQ(parsed->kind, status.kind) << line;
    EXPECT_EQ(parsed->value, status.value) << line;
  }
  EXPECT_EQ(foxport::guard::format(Status{Status::Kind::exited, 69}), "exited 69");
}

TEST(GuardProtocol, ControlLinesRoundTrip) {
  for (const Control& control : {Control{Control::Kind::signal, 15, {}}, Control{Control::Kind::dir, 0, "/tmp/a b/c"},
                                 Control{Control::Kind::delete_url, 0, "http://127.0.0.1:4444/session/x"},
                                 Control{Control::Kind::cleanup, 0, {}}, Control{Control::Kind::detach, 0, {}}}) {
    const auto line = foxport::guard::format(control);
    const auto parsed = foxport::guard::parse_control(line);
    ASSERT_TRUE(parsed) << line;
    EXPECT_EQ(parsed->kind, control.kind) << line;
    EXPECT_EQ(parsed->signal, control.signal) << line;
    EXPECT_EQ(parsed->argument, control.argument) << line;
  }
  EXPECT_EQ(foxport::guard::format(Control{Control::Kind::signal, 9, {}}), "signal 9");
}

TEST(GuardProtocol, MalformedLinesAreRefused) {
  for (const char* line : {"", "start 1", "started", "started ", "started x", "started 12x", "exited -", "done ",
                           "signaled 9 9", "DONE"}) {
    EXPECT_FALSE(foxport::guard::parse_status(line)) << '"' << line << '"';
  }
  for (const char* line : {"", "signal", "signal ", "signal 0", "signal -9", "signal 99", "signal 9x", "dir", "dir ",
                           "delete ", "cleanup now", "detach!", "kill 9"}) {
    EXPECT_FALSE(foxport::guard::parse_control(line)) << '"' << line << '"';
  }
}

}  // namespace
