// The command line without a parsing library (#19): one table per subcommand parses its words
// and shows its --help; every wrong word is a UsageError that names it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/options.hpp"

namespace {

using namespace foxport::cli;

// A subcommand with one option of each sort.
struct Example {
  bool json = false, headless = true;
  std::string log, level;
  std::vector<std::string> prefs, rest;
  double timeout = 30;
  int port = 0, kinds = 0;
  Command command{"demo", "A demonstration", "-- COMMAND [ARGS...]", "Exits with COMMAND's status.", {}, &rest, {}};
  Example() {
    command.options = {
        heading("What"),
        action("--thing", "Count a kind", [this] { ++kinds; }),
        flag("--json", "Print JSON", json),
        flag("--headless,!--no-headless", "Headless (default: on)", headless),
        text("--log", "FILE", "Append the output to FILE", log),
        texts("--pref", "NAME=VALUE", "A preference (repeatable)", prefs),
        choice("--level", "LEVEL", "How much", level, {"debug", "info"}),
        number("--timeout", "SECONDS", "How long", timeout),
        integer("-p,--port", "PORT", "Where", port, 1, 65535),
    };
  }
  bool parse(std::vector<std::string_view> words) { return foxport::cli::parse(command, words); }
};

// What parse throws for `words`: the UsageError's text, or "" when it throws none.
std::string refusal(std::vector<std::string_view> words) {
  Example example;
  try {
    example.parse(words);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CommandLine, EachSortOfOptionTakesItsValue) {
  Example e;
  ASSERT_TRUE(e.parse({"--json", "--no-headless", "--log", "out.txt", "--pref=a=1", "--pref", "b=2", "--level", "info",
                       "--timeout", "2.5", "-p", "4444", "--thing", "--thing"}));
  EXPECT_TRUE(e.json);
  EXPECT_FALSE(e.headless);
  EXPECT_EQ(e.log, "out.txt");
  EXPECT_EQ(e.prefs, (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(e.level, "info");
  EXPECT_EQ(e.timeout, 2.5);
  EXPECT_EQ(e.port, 4444);
  EXPECT_EQ(e.kinds, 2);
  EXPECT_TRUE(e.rest.empty());
}

TEST(CommandLine, TheCommandIsEverythingFromItsFirstWordOrAfterTheDoubleDash) {
  Example after_dashes;
  ASSERT_TRUE(after_dashes.parse({"--json", "--", "ctest", "--json", "-j4"}));
  EXPECT_EQ(after_dashes.rest, (std::vector<std::string>{"ctest", "--json", "-j4"}));
  Example first_word;
  ASSERT_TRUE(first_word.parse({"--json", "ctest", "--", "-j4"}));
  EXPECT_EQ(first_word.rest, (std::vector<std::string>{"ctest", "--", "-j4"}));
}

TEST(CommandLine, AValueIsTheNextWordWhateverItIs) {
  Example e;
  ASSERT_TRUE(e.parse({"--log", "--", "true"}));
  EXPECT_EQ(e.log, "--");  // refused later by what it means (--remote --)
  EXPECT_EQ(e.rest, (std::vector<std::string>{"true"}));
}

TEST(CommandLine, HelpIsAskedForAnywhereAndListsEveryOption) {
  Example e;
  EXPECT_FALSE(e.parse({"--json", "--help"}));
  EXPECT_FALSE(Example().parse({"-h"}));
  const auto text = help(e.command);
  for (const char* part :
       {"A demonstration", "Usage: foxport demo [OPTIONS] -- COMMAND [ARGS...]", "What:", "--headless, --no-headless",
        "--log FILE", "-p, --port PORT", "Exits with COMMAND's status."})
    EXPECT_NE(text.find(part), std::string::npos) << part << " in\n" << text;
}

TEST(CommandLine, EveryWrongWordIsRefusedByName) {
  EXPECT_NE(refusal({"--nope"}).find("demo has no option --nope"), std::string::npos);
  EXPECT_NE(refusal({"--log"}).find("--log needs a value (FILE)"), std::string::npos);
  EXPECT_NE(refusal({"--json=yes"}).find("--json takes no value"), std::string::npos);
  EXPECT_NE(refusal({"--log", "a", "--log", "b"}).find("--log was given twice"), std::string::npos);
  EXPECT_NE(refusal({"--level", "loud"}).find("--level must be one of debug, info, not \"loud\""), std::string::npos);
  EXPECT_NE(refusal({"--timeout", "soon"}).find("--timeout takes a number, not \"soon\""), std::string::npos);
  for (const char* port : {"0", "65536", "12x", "", "-1"})
    EXPECT_NE(refusal({"--port", port}).find("--port takes a whole number from 1 to 65535"), std::string::npos) << port;
  EXPECT_EQ(refusal({"--timeout", "inf"}), "");  // a number: its bounds are the caller's (--timeout's message)
}

TEST(CommandLine, AnOperandIsRequiredAndSingle) {
  int port = 0;
  Command who{"who", "What listens", "PORT", {}, {}, nullptr, integer("PORT", "PORT", "", port, 1, 65535).take};
  EXPECT_TRUE(parse(who, {"4444"}));
  EXPECT_EQ(port, 4444);
  EXPECT_THROW(parse(who, {}), UsageError);
  EXPECT_THROW(parse(who, {"1", "2"}), UsageError);
  EXPECT_THROW(parse(who, {"--", "1"}), UsageError);
  Command none{"start", "Launch", {}, {}, {}, nullptr, {}};
  EXPECT_THROW(parse(none, {"extra"}), UsageError);
}

TEST(CommandLine, LongHelpIsWrappedUnderItsColumn) {
  // The text starts at column 10 (after the names) and lines end by column 100.
  const auto text = wrap(std::string(30, 'a') + " " + std::string(59, 'b') + " " + std::string(20, 'c'), 10);
  EXPECT_EQ(text,
            std::string(30, 'a') + " " + std::string(59, 'b') + "\n" + std::string(10, ' ') + std::string(20, 'c'));
}
