#include "broker/protocol.hpp"

#include <boost/json.hpp>
#include <map>

#include "foxport/error.hpp"

namespace foxport::detail {
namespace json = boost::json;

std::string take_request(EndpointKind kind) { return std::string("take ") + to_string(kind) + "\n"; }

std::variant<EndpointKind, std::string> parse_take_request(std::string_view line) {
  if (line.size() > max_broker_request) return std::string("request too long");
  constexpr std::string_view verb = "take ";
  if (line.substr(0, verb.size()) != verb) return "unknown request \"" + std::string(line.substr(0, 40)) + "\"";
  const auto kind = endpoint_kind_from_string(line.substr(verb.size()));
  if (!kind) return "unknown kind \"" + std::string(line.substr(verb.size(), 40)) + "\"";
  return *kind;
}

std::string endpoint_reply(const Endpoint& endpoint) {
  json::object reply;
  for (const auto& [name, value] : endpoint.to_environment()) reply[name] = value;
  return json::serialize(reply) + "\n";
}

std::string error_reply(std::string_view message) {
  return json::serialize(json::object{{"error", json::string(message)}}) + "\n";
}

std::variant<Endpoint, std::string> parse_broker_reply(std::string_view line) {
  boost::system::error_code ec;
  const auto value = json::parse(line, ec);
  const auto* object = ec ? nullptr : value.if_object();
  if (object == nullptr) return "not a broker reply: \"" + std::string(line.substr(0, 80)) + "\"";
  if (const auto* error = object->if_contains("error")) {
    return error->is_string() ? std::string(error->as_string()) : std::string("an error without text");
  }
  std::map<std::string, std::string> variables;
  for (const auto& [name, each] : *object) {
    if (!each.is_string()) return "not a broker reply: " + std::string(name) + " is not a string";
    variables[std::string(name)] = std::string(each.as_string());
  }
  try {
    auto endpoint = Endpoint::from_variables(variables);
    if (!endpoint) return std::string("a broker reply without FOXPORT_KIND");
    return *endpoint;
  } catch (const Error& e) {
    return std::string("a broker reply with bad variables: ") + e.what();
  }
}

}  // namespace foxport::detail
