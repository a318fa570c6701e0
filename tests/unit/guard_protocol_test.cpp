// The guard's wire protocol: every message survives format -> parse, and malformed lines
// are refused rather than guessed at (the guard ignores them; the library never acts on them).

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "guard/protocol.hpp"

namespace {

using foxport::guard::Control;
using RunMessage = foxport::guard::Run;
using foxport::guard::Status;

// Splits a whole "run" message into its header and bytes, as the guard reads it.
std::optional<RunMessage> parse_run_message(const std::string& message) {
  const auto eol = message.find('\n');
  if (eol == std::string::npos) return std::nullopt;
  const auto header = foxport::guard::parse_run_header(message.substr(0, eol));
  if (!header || message.size() != eol + 1 + header->bytes) return std::nullopt;
  return foxport::guard::parse_run(*header, std::string_view(message).substr(eol + 1));
}

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

TEST(GuardProtocol, RunMessagesRoundTripWithNewlinesAndEmptyFields) {
  const RunMessage run{"/tmp/dir with\nnewline",
                       {"/usr/bin/chromedriver", "", "--port=0", "two\nlines"},
                       {"PATH=/usr/bin", "EMPTY=", "MULTI=a\nb"}};
  const auto message = foxport::guard::format(run);
  const auto parsed = parse_run_message(message);
  ASSERT_TRUE(parsed) << message;
  EXPECT_EQ(parsed->cwd, run.cwd);
  EXPECT_EQ(parsed->argv, run.argv);
  EXPECT_EQ(parsed->env, run.env);
  const auto no_cwd = parse_run_message(foxport::guard::format(RunMessage{"", {"/bin/true"}, {}}));
  ASSERT_TRUE(no_cwd);
  EXPECT_EQ(no_cwd->cwd, "");
  EXPECT_EQ(no_cwd->argv, std::vector<std::string>{"/bin/true"});
  EXPECT_TRUE(no_cwd->env.empty());
}

TEST(GuardProtocol, MalformedRunMessagesAreRefused) {
  for (const char* line : {"run", "run ", "run 1 0", "run 1 0 ", "run 0 0 2", "run 1 0 1", "run x 0 3", "run 1 0 3x",
                           "run 1 -1 3", "run 1 0 999999999999", "dir /tmp"}) {
    EXPECT_FALSE(foxport::guard::parse_run_header(line)) << '"' << line << '"';
  }
  const foxport::guard::RunHeader two_fields{1, 0, 0};
  EXPECT_FALSE(foxport::guard::parse_run(two_fields, std::string_view("\0a\0b\0", 5)));  // one field too many
  EXPECT_FALSE(foxport::guard::parse_run(two_fields, std::string_view("\0a", 2)));       // not ended by a NUL
  EXPECT_TRUE(foxport::guard::parse_run(two_fields, std::string_view("\0a\0", 3)));
  EXPECT_FALSE(foxport::guard::parse_control("run 1 0 3")) << "a run line is no control line";
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
