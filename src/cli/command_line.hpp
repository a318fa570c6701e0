#pragma once
// The command line, read without a parsing library: a subcommand declares each option once,
// and that one table both parses its words and shows its --help. (CLI11 cost 0.16 ms of every
// start, in static initialisers and in building its options, #19.)

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace foxport::cli {

/// One option of a subcommand.
struct Option {
  std::string_view names;  ///< "--port", "-q,--quiet"; a flag's negation: "--headless,!--no-headless"
  std::string_view value;  ///< the word --help shows for its value ("SECONDS"); empty: a flag
  std::string_view help;   ///< empty names: a heading in --help
  /// Takes one value: a flag's is "true", or "false" by its negation. Throws UsageError.
  std::function<void(std::string_view)> take;
  bool repeatable = false;  ///< else a value given twice is an error
};

/// A flag setting `target` (to false by a "!--name" negation).
Option flag(std::string_view names, std::string_view help, bool& target);
/// A flag that runs `action` each time it is given.
Option action(std::string_view names, std::string_view help, std::function<void()> action);
/// An option with a value, kept as it is.
Option text(std::string_view names, std::string_view value, std::string_view help, std::string& target);
/// A repeatable option, each value appended.
Option texts(std::string_view names, std::string_view value, std::string_view help, std::vector<std::string>& target);
/// A value that must be one of `allowed`.
Option choice(std::string_view names, std::string_view value, std::string_view help, std::string& target,
              std::initializer_list<std::string_view> allowed);
/// A number (whatever strtod reads in full, "inf" too: the caller bounds it).
Option number(std::string_view names, std::string_view value, std::string_view help, double& target);
/// An integer from `low` to `high`.
Option integer(std::string_view names, std::string_view value, std::string_view help, int& target, int low, int high);
/// A heading in --help, above the options that follow it.
Option heading(std::string_view title);

/// A subcommand: `foxport NAME [OPTIONS] OPERANDS`.
struct Command {
  std::string_view name;
  std::string_view summary;   ///< one line, for foxport --help and the top of its own
  std::string_view operands;  ///< for the usage line: "-- COMMAND [ARGS...]", "PORT", or empty
  std::string_view footer;
  std::vector<Option> options;
  /// The first word that is no option (or the words after "--") and every word after it; null:
  /// the subcommand takes none.
  std::vector<std::string>* rest = nullptr;
  /// One operand, required (who's PORT); null: none. Throws UsageError.
  std::function<void(std::string_view)> operand;
};

/// Parses `words` (those after the subcommand's name) into `command`'s options; false when
/// --help or -h was among them, so that the caller shows help(command). Throws UsageError
/// naming the word that is wrong.
bool parse(Command& command, const std::vector<std::string_view>& words);

/// `foxport NAME --help`.
std::string help(const Command& command);

/// `text` wrapped at 100 columns, every line after the first indented by `indent`.
std::string wrap(std::string_view text, std::size_t indent);

}  // namespace foxport::cli
