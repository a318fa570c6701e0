#include "foxport/endpoint.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>

#include "foxport/error.hpp"

namespace foxport {

namespace {

constexpr std::pair<EndpointKind, const char*> kind_names[] = {{EndpointKind::firefox, "firefox"},
                                                               {EndpointKind::geckodriver, "geckodriver"},
                                                               {EndpointKind::chromedriver, "chromedriver"},
                                                               {EndpointKind::grid, "grid"},
                                                               {EndpointKind::remote, "remote"},
                                                               {EndpointKind::chromium, "chromium"}};

using Lookup = std::function<std::string(const char*)>;

// A number in [low, high] from a variable, or an error that names the variable and its value.
long number_from(const Lookup& variable, const char* name, long low, long high) {
  const auto text = variable(name);
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    throw Error(errc::protocol_error, std::string(name) + "=\"" + text + "\" is not a number from " +
                                          std::to_string(low) + " to " + std::to_string(high) +
                                          " (FOXPORT_KIND=" + variable("FOXPORT_KIND") + ")");
  }
  return value;
}

}  // namespace

const char* to_string(EndpointKind kind) noexcept {
  for (const auto& [each, name] : kind_names) {
    if (each == kind) return name;
  }
  return "?";
}

std::optional<EndpointKind> endpoint_kind_from_string(std::string_view name) noexcept {
  for (const auto& [kind, each] : kind_names) {
    if (name == each) return kind;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Endpoint::to_environment() const {
  std::vector<std::pair<std::string, std::string>> vars = {{"FOXPORT_KIND", to_string(kind)}};
  if (kind != EndpointKind::remote) {
    vars.emplace_back("FOXPORT_PORT", std::to_string(port));
    vars.emplace_back("FOXPORT_PID", std::to_string(pid));
  }
  if (kind == EndpointKind::firefox) {
    vars.emplace_back("MARIONETTE_PORT", std::to_string(port));
    vars.emplace_back("FOXPORT_PROFILE", profile.string());
    if (!bidi_url.empty()) vars.emplace_back("WEBDRIVER_BIDI_URL", bidi_url);
  } else if (kind == EndpointKind::chromium) {
    vars.emplace_back("CDP_URL", url);
    vars.emplace_back("FOXPORT_PROFILE", profile.string());
  } else {
    vars.emplace_back("WEBDRIVER_URL", url);
  }
  if (!display.empty()) vars.emplace_back("DISPLAY", display);
  return vars;
}

std::optional<Endpoint> Endpoint::from_environment() {
  return from_lookup([](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value != nullptr ? value : "");
  });
}

std::optional<Endpoint> Endpoint::from_variables(const std::map<std::string, std::string>& variables) {
  return from_lookup([&](const char* name) {
    const auto found = variables.find(name);
    return found != variables.end() ? found->second : std::string();
  });
}

std::optional<Endpoint> Endpoint::from_lookup(const std::function<std::string(const char*)>& variable) {
  const auto name = variable("FOXPORT_KIND");
  if (name.empty()) return std::nullopt;
  const auto kind = endpoint_kind_from_string(name);
  if (!kind) {
    throw Error(errc::protocol_error,
                "FOXPORT_KIND=\"" + name + "\" is none of firefox, geckodriver, chromedriver, grid, remote, chromium");
  }
  Endpoint endpoint;
  endpoint.kind = *kind;
  if (*kind != EndpointKind::remote) {
    endpoint.display = variable("DISPLAY");
    endpoint.port = static_cast<std::uint16_t>(number_from(variable, "FOXPORT_PORT", 1, 65535));
    if (!variable("FOXPORT_PID").empty())
      endpoint.pid = static_cast<int>(number_from(variable, "FOXPORT_PID", 1, 1L << 22));
  }
  if (*kind == EndpointKind::firefox) {
    endpoint.profile = variable("FOXPORT_PROFILE");
    endpoint.bidi_url = variable("WEBDRIVER_BIDI_URL");
  } else if (*kind == EndpointKind::chromium) {
    endpoint.url = variable("CDP_URL");
    endpoint.profile = variable("FOXPORT_PROFILE");
    if (endpoint.url.empty()) throw Error(errc::protocol_error, "FOXPORT_KIND=chromium but CDP_URL is not set");
  } else {
    endpoint.url = variable("WEBDRIVER_URL");
    if (endpoint.url.empty())
      throw Error(errc::protocol_error, "FOXPORT_KIND=" + name + " but WEBDRIVER_URL is not set");
  }
  return endpoint;
}

}  // namespace foxport
