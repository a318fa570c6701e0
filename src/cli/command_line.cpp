#include "cli/command_line.hpp"

#include <charconv>
#include <cstdlib>
#include <utility>

#include "cli/options.hpp"

namespace foxport::cli {

namespace {

// Calls `each` with every name of an option ("-q,--quiet": "-q", then "--quiet"; a negation
// keeps its "!") until it returns true; whether it did. No allocation: this runs for every word
// of every start.
template <typename Each>
bool any_name(std::string_view names, Each each) {
  while (!names.empty()) {
    const auto comma = names.find(',');
    if (each(names.substr(0, comma))) return true;
    names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
  }
  return false;
}

// The longest name, for messages: "--quiet".
std::string_view main_name(std::string_view names) {
  std::string_view longest;
  any_name(names, [&longest](std::string_view name) {
    if (name[0] != '!' && name.size() > longest.size()) longest = name;
    return false;
  });
  return longest;
}

// The option named `name` ("--port"), and whether it was by its negation.
std::pair<Option*, bool> find(Command& command, std::string_view name) {
  for (auto& option : command.options) {
    bool negated = false;
    const bool named = any_name(option.names, [&](std::string_view candidate) {
      negated = candidate[0] == '!' && candidate.substr(1) == name;
      return negated || candidate == name;
    });
    if (named) return {&option, negated};
  }
  return {nullptr, false};
}

[[noreturn]] void usage(const Command& command, const std::string& what) {
  throw UsageError(what + " (see foxport " + std::string(command.name) + " --help)");
}

}  // namespace

Option flag(std::string_view names, std::string_view help, bool& target) {
  return {names, {}, help, [&target](std::string_view value) { target = value == "true"; }};
}

Option action(std::string_view names, std::string_view help, std::function<void()> action) {
  return {names, {}, help, [action = std::move(action)](std::string_view) { action(); }, true};
}

Option text(std::string_view names, std::string_view value, std::string_view help, std::string& target) {
  return {names, value, help, [&target](std::string_view given) { target = given; }};
}

Option texts(std::string_view names, std::string_view value, std::string_view help, std::vector<std::string>& target) {
  return {names, value, help, [&target](std::string_view given) { target.emplace_back(given); }, true};
}

Option choice(std::string_view names, std::string_view value, std::string_view help, std::string& target,
              std::initializer_list<std::string_view> allowed) {
  std::vector<std::string_view> choices(allowed);
  return {names, value, help, [&target, choices, names](std::string_view given) {
            std::string listed;
            for (const auto choice : choices) {
              if (choice == given) {
                target = given;
                return;
              }
              listed += (listed.empty() ? "" : ", ") + std::string(choice);
            }
            throw UsageError(std::string(main_name(names)) + " must be one of " + listed + ", not \"" +
                             std::string(given) + "\"");
          }};
}

Option number(std::string_view names, std::string_view value, std::string_view help, double& target) {
  return {names, value, help, [&target, names](std::string_view given) {
            const std::string text(given);
            char* end = nullptr;
            const double read = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size())
              throw UsageError(std::string(main_name(names)) + " takes a number, not \"" + text + "\"");
            target = read;
          }};
}

Option integer(std::string_view names, std::string_view value, std::string_view help, int& target, int low, int high) {
  return {
      names, value, help, [&target, names, low, high](std::string_view given) {
        int read = 0;
        const auto [end, error] = std::from_chars(given.data(), given.data() + given.size(), read);
        if (given.empty() || error != std::errc{} || end != given.data() + given.size() || read < low || read > high) {
          throw UsageError(std::string(main_name(names)) + " takes a whole number from " + std::to_string(low) +
                           " to " + std::to_string(high) + ", not \"" + std::string(given) + "\"");
        }
        target = read;
      }};
}

Option heading(std::string_view title) { return {{}, {}, title, {}}; }

bool parse(Command& command, const std::vector<std::string_view>& words) {
  std::vector<const Option*> given;
  bool operand_seen = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto word = words[i];
    if (word == "--help" || word == "-h") return false;
    const bool ends_options = word == "--";
    if (ends_options || word.size() < 2 || word[0] != '-') {
      // Operands: COMMAND [ARGS...] takes this word (not "--") and every one after it.
      if (command.rest != nullptr) {
        for (std::size_t j = ends_options ? i + 1 : i; j < words.size(); ++j) command.rest->emplace_back(words[j]);
        break;
      }
      if (!command.operand || ends_options || operand_seen) usage(command, "unexpected \"" + std::string(word) + "\"");
      command.operand(word);
      operand_seen = true;
      continue;
    }
    const auto equals = word.find('=');
    const auto name = word.substr(0, equals);
    auto [option, negated] = find(command, name);
    if (option == nullptr) usage(command, std::string(command.name) + " has no option " + std::string(name));
    if (option->value.empty()) {
      if (equals != std::string_view::npos) usage(command, std::string(name) + " takes no value");
      option->take(negated ? "false" : "true");
      continue;
    }
    std::string_view value;
    if (equals != std::string_view::npos) {
      value = word.substr(equals + 1);
    } else if (i + 1 < words.size()) {
      value = words[++i];  // whatever it is: "--remote --" is refused by what it means
    } else {
      usage(command, std::string(name) + " needs a value (" + std::string(option->value) + ")");
    }
    for (const Option* earlier : given) {
      if (earlier == option && !option->repeatable)
        usage(command, std::string(main_name(option->names)) + " was given twice");
    }
    given.push_back(option);
    option->take(value);
  }
  if (command.operand && !operand_seen)
    usage(command, std::string(command.name) + " needs " + std::string(command.operands));
  return true;
}

std::string wrap(std::string_view text, std::size_t indent) {
  constexpr std::size_t width = 100;
  std::string wrapped;
  std::size_t column = indent;
  while (!text.empty()) {
    const auto space = text.find(' ');
    const auto word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    if (column > indent && column + 1 + word.size() > width) {
      wrapped += '\n' + std::string(indent, ' ');
      column = indent;
    } else if (column > indent) {
      wrapped += ' ';
      ++column;
    }
    wrapped += word;
    column += word.size();
  }
  return wrapped;
}

std::string help(const Command& command) {
  constexpr std::size_t column = 30;
  std::string text = std::string(command.summary) + "\n\nUsage: foxport " + std::string(command.name) + " [OPTIONS]";
  if (!command.operands.empty()) text += " " + std::string(command.operands);
  text += "\n\nOptions:\n  -h, --help                  Print this help and exit\n";
  for (const auto& option : command.options) {
    if (option.names.empty()) {
      text += "\n" + std::string(option.help) + ":\n";
      continue;
    }
    std::string left = "  ";
    any_name(option.names, [&left](std::string_view name) {
      left += (left.size() > 2 ? ", " : "") + std::string(name[0] == '!' ? name.substr(1) : name);
      return false;
    });
    if (!option.value.empty()) left += " " + std::string(option.value);
    left += left.size() + 2 > column ? "\n" + std::string(column, ' ') : std::string(column - left.size(), ' ');
    text += left + wrap(option.help, column) + "\n";
  }
  if (!command.footer.empty()) text += "\n" + wrap(command.footer, 0) + "\n";
  return text;
}

}  // namespace foxport::cli
