#include "protocol/framing.hpp"

#include <boost/json.hpp>
#include <cctype>

#include "foxport/error.hpp"

namespace foxport::detail {
namespace json = boost::json;

std::optional<std::string> take_frame(std::string& buffer, std::size_t max_size) {
  const auto colon = buffer.find(':');
  if (colon == std::string::npos) {
    if (buffer.size() > 10)
      throw Error(errc::protocol_error, "no Marionette length prefix in \"" + buffer.substr(0, 20) + "\"");
    return std::nullopt;
  }
  std::size_t length = 0;
  if (colon == 0 || colon > 10)
    throw Error(errc::protocol_error, "bad Marionette length prefix \"" + buffer.substr(0, 20) + "\"");
  for (std::size_t i = 0; i < colon; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(buffer[i])))
      throw Error(errc::protocol_error, "bad Marionette length prefix \"" + buffer.substr(0, colon) + "\"");
    length = length * 10 + static_cast<std::size_t>(buffer[i] - '0');
  }
  if (length > max_size) {
    throw Error(errc::protocol_error, "Marionette frame too large: " + std::to_string(length) +
                                          " bytes announced, at most " + std::to_string(max_size) + " accepted");
  }
  if (buffer.size() < colon + 1 + length) return std::nullopt;
  auto payload = buffer.substr(colon + 1, length);
  buffer.erase(0, colon + 1 + length);
  return payload;
}

std::string frame(std::string_view json) { return std::to_string(json.size()) + ":" + std::string(json); }

MarionetteHandshake parse_handshake(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* type = object != nullptr ? object->if_contains("applicationType") : nullptr;
  const auto* protocol = object != nullptr ? object->if_contains("marionetteProtocol") : nullptr;
  if (type == nullptr || !type->is_string() || protocol == nullptr || !protocol->is_int64()) {
    throw Error(errc::protocol_error, "not a Marionette handshake: " + std::string(text.substr(0, 200)));
  }
  return {std::string(type->as_string()), static_cast<int>(protocol->as_int64())};
}

std::string command_json(std::int64_t id, std::string_view name, std::string_view params_json) {
  boost::system::error_code ec;
  auto params = json::parse(params_json.empty() ? "{}" : params_json, ec);
  if (ec)
    throw Error(errc::protocol_error,
                "Marionette " + std::string(name) + ": parameters are not JSON: " + std::string(params_json));
  return json::serialize(json::array{0, id, json::string(name), params});
}

MarionetteReply parse_reply(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  const auto* fields = ec ? nullptr : value.if_array();
  if (fields == nullptr || fields->size() != 4 || (*fields)[0] != 1 || !(*fields)[1].is_int64())
    throw Error(errc::protocol_error, "not a Marionette reply: " + std::string(text.substr(0, 200)));
  MarionetteReply reply;
  reply.id = (*fields)[1].as_int64();
  if (const auto* error = (*fields)[2].if_object()) {
    auto field = [&](const char* key) {
      const auto* found = error->if_contains(key);
      return found != nullptr && found->is_string() ? std::string(found->as_string()) : std::string();
    };
    reply.error = field("error") + ": " + field("message");
    reply.result_json = "null";
  } else {
    reply.result_json = json::serialize((*fields)[3]);
  }
  return reply;
}

std::optional<WebDriverStatus> parse_status(std::string_view body) {
  boost::system::error_code ec;
  const auto value = json::parse(body, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* inner = object != nullptr ? object->if_contains("value") : nullptr;
  const auto* fields = inner != nullptr ? inner->if_object() : nullptr;
  const auto* ready = fields != nullptr ? fields->if_contains("ready") : nullptr;
  if (ready == nullptr || !ready->is_bool()) return std::nullopt;
  WebDriverStatus status{ready->as_bool(), {}};
  if (const auto* message = fields->if_contains("message"); message != nullptr && message->is_string())
    status.message = std::string(message->as_string());
  return status;
}

std::string socket_command_json(std::int64_t id, std::string_view method, std::string_view params_json,
                                std::string_view session_id) {
  boost::system::error_code ec;
  auto params = json::parse(params_json.empty() ? "{}" : params_json, ec);
  if (ec || !params.is_object())
    throw Error(errc::protocol_error,
                std::string(method) + ": parameters are not a JSON object: " + std::string(params_json.substr(0, 200)));
  json::object command{{"id", id}, {"method", json::string(method)}, {"params", std::move(params)}};
  if (!session_id.empty()) command["sessionId"] = json::string(session_id);
  return json::serialize(command);
}

SocketMessage parse_socket_message(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  const auto* object = ec ? nullptr : value.if_object();
  if (object == nullptr) throw Error(errc::protocol_error, "not a JSON message: " + std::string(text.substr(0, 200)));
  SocketMessage message;
  message.result_json = "null";
  if (const auto* id = object->if_contains("id"); id != nullptr && id->is_int64()) message.id = id->as_int64();
  auto text_of = [](const json::object& fields, const char* key) {
    const auto* found = fields.if_contains(key);
    return found != nullptr && found->is_string() ? std::string(found->as_string()) : std::string();
  };
  if (const auto* error = object->if_contains("error"); error != nullptr && error->is_string()) {
    message.error = std::string(error->as_string()) + ": " + text_of(*object, "message");  // BiDi
  } else if (error != nullptr && error->is_object()) {                                     // DevTools
    const auto* code = error->as_object().if_contains("code");
    message.error = text_of(error->as_object(), "message") +
                    (code != nullptr && code->is_int64() ? " (" + std::to_string(code->as_int64()) + ")" : "");
  } else if (const auto* result = object->if_contains("result")) {
    message.result_json = json::serialize(*result);
  }
  return message;
}

std::optional<WebDriverStatus> parse_bidi_status(std::string_view result_json) {
  return parse_status("{\"value\":" + std::string(result_json) + "}");
}

std::optional<std::string> parse_devtools_version(std::string_view body) {
  boost::system::error_code ec;
  const auto value = json::parse(body, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* url = object != nullptr ? object->if_contains("webSocketDebuggerUrl") : nullptr;
  if (url == nullptr || !url->is_string() || url->as_string().empty()) return std::nullopt;
  return std::string(url->as_string());
}

}  // namespace foxport::detail
