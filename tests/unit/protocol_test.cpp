// Marionette framing and the WebDriver status, from the real captured exchanges; and the
// two clients against fake peers that misbehave on purpose.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "foxport/error.hpp"
#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"
#include "foxport/websocket.hpp"
#include "protocol/framing.hpp"

#include <boost/json.hpp>
#include "support/sockets.hpp"

using foxport::testing::FakePeer;

namespace fs = std::filesystem;
using foxport::detail::frame;
using foxport::detail::parse_handshake;
using foxport::detail::parse_status;
using foxport::detail::take_frame;
using namespace std::chrono_literals;

namespace {

std::string capture_line(const std::string& file, const std::string& prefix) {
  std::ifstream in(fs::path(FOXPORT_TEST_CAPTURES_DIR) / file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return {};
}

void send_text(int fd, const std::string& text) { (void)!::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

std::string receive_some(int fd) {
  char buffer[4096];
  const auto n = ::recv(fd, buffer, sizeof buffer, 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

// The next whole frame from `fd` (empty when the connection ends first).
std::string receive_frame(int fd, std::string& buffer) {
  for (;;) {
    if (auto frame = take_frame(buffer, foxport::detail::max_reply_frame)) return *frame;
    const auto more = receive_some(fd);
    if (more.empty()) return {};
    buffer += more;
  }
}

const std::string handshake_frame = R"(50:{"applicationType":"gecko","marionetteProtocol":3})";

}  // namespace

TEST(MarionetteFraming, ParsesTheCapturedHandshake) {
  std::string buffer = capture_line("marionette-firefox-esr-153-exchange.txt", "<< ");
  ASSERT_EQ(buffer, R"(50:{"applicationType":"gecko","marionetteProtocol":3})");
  const auto json = take_frame(buffer, foxport::detail::max_reply_frame);
  ASSERT_TRUE(json.has_value());
  EXPECT_TRUE(buffer.empty());
  const auto handshake = parse_handshake(*json);
  EXPECT_EQ(handshake.application_type, "gecko");
  EXPECT_EQ(handshake.protocol, 3);
  EXPECT_EQ(frame(*json), R"(50:{"applicationType":"gecko","marionetteProtocol":3})");
}

TEST(MarionetteFraming, WaitsForPartialFramesAndSplitsJoinedOnes) {
  const std::string one = frame(R"([1,3,null,{"value":"New Tab"}])");
  EXPECT_EQ(one, R"(30:[1,3,null,{"value":"New Tab"}])");  // the captured reply, byte for byte
  std::string buffer;
  for (const char c : one.substr(0, one.size() - 1)) {
    buffer += c;
    EXPECT_FALSE(take_frame(buffer, foxport::detail::max_reply_frame).has_value());
  }
  buffer += one.back();
  buffer += one;  // a second frame in the same read
  EXPECT_EQ(take_frame(buffer, foxport::detail::max_reply_frame), R"([1,3,null,{"value":"New Tab"}])");
  EXPECT_EQ(take_frame(buffer, foxport::detail::max_reply_frame), R"([1,3,null,{"value":"New Tab"}])");
  EXPECT_FALSE(take_frame(buffer, foxport::detail::max_reply_frame).has_value());
}

TEST(MarionetteFraming, RejectsGarbage) {
  for (std::string bad : {std::string("x5:{}"), std::string(":{}"), std::string("HTTP/1.1 200 OK\r\n")}) {
    EXPECT_THROW(take_frame(bad, foxport::detail::max_reply_frame), foxport::Error) << bad;
  }
  EXPECT_THROW(parse_handshake(R"({"value":{"ready":true}})"), foxport::Error);
}

TEST(WebDriverStatus, ParsesTheCapturedBodies) {
  const auto ready = parse_status(R"({"value":{"message":"","ready":true}})");
  ASSERT_TRUE(ready.has_value());
  EXPECT_TRUE(ready->ready);
  const auto busy = parse_status(R"({"value":{"message":"Session already started","ready":false}})");
  ASSERT_TRUE(busy.has_value());
  EXPECT_FALSE(busy->ready);
  EXPECT_EQ(busy->message, "Session already started");
  EXPECT_FALSE(parse_status("50:{\"applicationType\":\"gecko\"}").has_value());
  EXPECT_FALSE(parse_status(R"({"value":null})").has_value());
}

// WebDriver BiDi's and the DevTools protocol's messages, as firefox-esr 153 and chromium 156
// sent them here.
TEST(SocketMessages, ParseRepliesErrorsAndEventsOfBothProtocols) {
  using foxport::detail::parse_socket_message;
  const auto bidi = parse_socket_message(R"({"type":"success","id":1,"result":{"ready":true,"message":""}})");
  EXPECT_EQ(bidi.id, 1);
  EXPECT_FALSE(bidi.error);
  ASSERT_TRUE(foxport::detail::parse_bidi_status(bidi.result_json).has_value());
  EXPECT_TRUE(foxport::detail::parse_bidi_status(bidi.result_json)->ready);
  const auto bidi_error = parse_socket_message(
      R"({"type":"error","id":2,"error":"invalid session id","message":"WebDriver session does not exist"})");
  EXPECT_EQ(bidi_error.error, "invalid session id: WebDriver session does not exist");
  const auto cdp_error = parse_socket_message(R"({"id":3,"error":{"code":-32601,"message":"'X' wasn't found"}})");
  EXPECT_EQ(cdp_error.error, "'X' wasn't found (-32601)");
  const auto event = parse_socket_message(R"({"method":"Target.targetCreated","params":{}})");
  EXPECT_FALSE(event.id);
  EXPECT_THROW(parse_socket_message("[1,2]"), foxport::Error);
  EXPECT_EQ(foxport::detail::socket_command_json(4, "Runtime.evaluate", R"({"expression":"1"})", "S1"),
            R"({"id":4,"method":"Runtime.evaluate","params":{"expression":"1"},"sessionId":"S1"})");
  EXPECT_THROW(foxport::detail::socket_command_json(5, "session.new", "[]"), foxport::Error);
  EXPECT_EQ(
      foxport::detail::parse_devtools_version(
          R"({"Browser":"Chrome/156.0.8078.79","webSocketDebuggerUrl":"ws://127.0.0.1:43151/devtools/browser/78e0"})"),
      "ws://127.0.0.1:43151/devtools/browser/78e0");
  EXPECT_FALSE(foxport::detail::parse_devtools_version(R"({"Browser":"Chrome/156.0.8078.79"})"));
}

TEST(WebSocketClient, RejectsWhatIsNotAWsUrlAndTimesOutOnAMutePeer) {
  for (const char* bad : {"http://127.0.0.1:1/", "ws://127.0.0.1/session", "127.0.0.1:9222"}) {
    try {
      foxport::WebSocketClient::connect(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const foxport::Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  FakePeer peer([](int fd) {  // reads the handshake, never answers it, waits for our close
    receive_some(fd);
    receive_some(fd);
  });
  try {
    foxport::WebSocketClient::connect("ws://127.0.0.1:" + std::to_string(peer.port()) + "/session", 300ms);
    FAIL() << "a mute peer completed the handshake";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), std::errc::timed_out) << e.what();
    EXPECT_NE(std::string(e.what()).find("websocket handshake: no answer within 300 ms"), std::string::npos)
        << e.what();
  }
}

TEST(MarionetteClient, RoundTripsACommandAndReportsFirefoxErrors) {
  FakePeer peer([](int fd) {
    send_text(fd, R"(50:{"applicationType":"gecko","marionetteProtocol":3})");
    auto request = receive_some(fd);  // WebDriver:GetTitle, id 1
    send_text(fd, frame(R"([1,1,null,{"value":"Fake Title"}])"));
    request = receive_some(fd);  // Marionette:Quit without a session
    send_text(
        fd,
        frame(
            R"([1,2,{"error":"invalid session id","message":"WebDriver session does not exist, or is not active","stacktrace":""},null])"));
  });
  auto client = foxport::Marionette::connect("127.0.0.1", peer.port(), 5s);
  EXPECT_EQ(client.handshake().application_type, "gecko");
  EXPECT_EQ(client.title(), "Fake Title");
  try {
    client.quit();
    FAIL() << "quit without a session succeeded";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::remote_error);
    EXPECT_NE(std::string(e.what()).find("invalid session id: WebDriver session does not exist"), std::string::npos)
        << e.what();
  }
}

TEST(MarionetteFraming, ParsesRepliesAndBuildsCommands) {
  const auto ok = foxport::detail::parse_reply(R"([1,7,null,{"value":"t"}])");
  EXPECT_EQ(ok.id, 7);
  EXPECT_FALSE(ok.error.has_value());
  EXPECT_EQ(ok.result_json, R"({"value":"t"})");
  const auto failed = foxport::detail::parse_reply(R"([1,2,{"error":"invalid session id","message":"gone"},null])");
  EXPECT_EQ(failed.error.value_or(""), "invalid session id: gone");
  for (const char* garbage : {"", "[]", "[0,1,null,{}]", R"([1,"x",null,{}])", "[1,1,null]", "{}"}) {
    EXPECT_THROW(foxport::detail::parse_reply(garbage), foxport::Error) << garbage;
  }
  EXPECT_EQ(foxport::detail::command_json(3, "WebDriver:Navigate", R"({"url":"a\"b"})"),
            R"([0,3,"WebDriver:Navigate",{"url":"a\"b"}])");
  EXPECT_THROW(foxport::detail::command_json(1, "X", "{not json"), foxport::Error);
}

// Marionette closes a new client's connection before the handshake while it still ends the
// previous client's session: connect tries again instead of failing with "End of file".
TEST(MarionetteClient, RetriesAConnectionClosedBeforeTheHandshake) {
  FakePeer peer(
      [](int fd, int index) {
        if (index == 2) send_text(fd, handshake_frame), receive_some(fd);
      },
      3);
  auto client = foxport::Marionette::connect("127.0.0.1", peer.port(), 5s);
  EXPECT_EQ(client.handshake().protocol, 3);
}

TEST(MarionetteClient, GivesUpOnAPeerThatAlwaysClosesAndSaysSo) {
  FakePeer peer([](int, int) {}, 1000);
  try {
    foxport::Marionette::connect("127.0.0.1", peer.port(), 300ms);
    FAIL() << "connected to a peer that never sends a handshake";
  } catch (const foxport::Error& e) {
    EXPECT_NE(std::string(e.what()).find("closed every connection before its handshake for 300 ms"), std::string::npos)
        << e.what();
  }
}

// The connection is RAII: a client that goes away with its session open (a test that stopped
// at an ASSERT) ends the session and waits for Firefox's answer, so the next client gets in.
TEST(MarionetteClient, ClosingEndsTheOpenSessionAndAwaitsTheAnswer) {
  std::vector<std::string> names;
  bool answered_delete = false;
  {
    FakePeer peer([&](int fd) {
      send_text(fd, handshake_frame);
      std::string buffer;
      for (std::string text; !(text = receive_frame(fd, buffer)).empty();) {
        const auto request = boost::json::parse(text).as_array();
        names.emplace_back(request[2].as_string());
        const auto id = request[1].as_int64();
        const std::string result =
            names.back() == "WebDriver:NewSession" ? R"({"sessionId":"s-1","capabilities":{}})" : R"({"value":null})";
        send_text(fd, frame("[1," + std::to_string(id) + ",null," + result + "]"));
        if (names.back() == "WebDriver:DeleteSession") answered_delete = true;
      }
    });
    auto client = foxport::Marionette::connect("127.0.0.1", peer.port(), 5s);
    EXPECT_EQ(client.new_session(), "s-1");
    EXPECT_EQ(client.session_id(), "s-1");
  }  // the client closes here, then the peer's thread is joined
  EXPECT_EQ(names, (std::vector<std::string>{"WebDriver:NewSession", "WebDriver:DeleteSession"}));
  EXPECT_TRUE(answered_delete);
}

TEST(MarionetteClient, APeerThatNeverAnswersTimesOut) {
  FakePeer peer([](int fd) { receive_some(fd); });  // accepts, says nothing, waits for our close
  const auto start = std::chrono::steady_clock::now();
  try {
    foxport::Marionette::connect("127.0.0.1", peer.port(), 300ms);
    FAIL() << "connected to a mute peer";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), std::errc::timed_out);
    EXPECT_NE(std::string(e.what()).find("no answer within 300 ms"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// #15 item 13: one deadline for the whole handshake, however slowly the peer drips it.
TEST(MarionetteClient, APeerThatDripsItsHandshakeIsCutOffAtTheDeadline) {
  FakePeer peer([](int fd) {
    send_text(fd, "1000:");
    for (int sent = 0; sent < 1000; ++sent) {             // 100 s in all, one byte a time: every read gets something
      if (::send(fd, "x", 1, MSG_NOSIGNAL) != 1) return;  // the client gave up
      std::this_thread::sleep_for(100ms);
    }
  });
  try {
    foxport::Marionette::connect("127.0.0.1", peer.port(), 500ms);
    FAIL() << "connected to a dripping peer";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), std::errc::timed_out) << e.what();
    EXPECT_NE(std::string(e.what()).find("no answer within 500 ms"), std::string::npos) << e.what();
  }
}

// The length comes first: an oversized frame is refused before any of it is read, so a peer
// announcing 250 MB (and sending none of it) gets an error, not a wait and not an allocation.
TEST(MarionetteClient, AHugeFrameIsRefusedBeforeItsBytesArrive) {
  FakePeer peer([](int fd) {
    send_text(fd, "262144000:");
    receive_some(fd);  // holds the connection until the client closes it
  });
  try {
    foxport::Marionette::connect("127.0.0.1", peer.port(), 60s);
    FAIL() << "connected to a peer announcing a 250 MB handshake";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::protocol_error) << e.what();
    EXPECT_NE(std::string(e.what()).find("Marionette at 127.0.0.1:" + std::to_string(peer.port()) +
                                         ": Marionette frame too large: 262144000 bytes announced, at most " +
                                         std::to_string(foxport::detail::max_handshake_frame)),
              std::string::npos)
        << e.what();
  }
}

TEST(MarionetteClient, AnOversizedAnswerIsRefusedBeforeItsBytesArrive) {
  FakePeer peer([](int fd) {
    send_text(fd, handshake_frame);
    receive_some(fd);  // the command
    send_text(fd, std::to_string(foxport::detail::max_reply_frame + 1) + ":");
    receive_some(fd);
  });
  auto client = foxport::Marionette::connect("127.0.0.1", peer.port(), 60s);
  try {
    client.title();
    FAIL() << "took an answer larger than the cap";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), foxport::errc::protocol_error) << e.what();
    EXPECT_NE(std::string(e.what()).find("frame too large"), std::string::npos) << e.what();
  }
}

TEST(MarionetteClient, ConnectionRefusedNamesTheAddress) {
  std::uint16_t port = 0;
  {
    FakePeer closed([](int) {});
    port = closed.port();
  }  // listened once, now nobody does
  try {
    foxport::Marionette::connect("127.0.0.1", port, 2s);
    FAIL() << "connected to nobody";
  } catch (const foxport::Error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos) << e.what();
  }
}

TEST(WebDriverClient, SendsJsonAndReportsDriverErrors) {
  std::string request;
  {
    FakePeer peer([&request](int fd) {
      request = receive_some(fd);
      const std::string body =
          R"({"value":{"error":"session not created","message":"Session is already started","stacktrace":""}})";
      send_text(
          fd,
          "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
    });
    foxport::WebDriverClient client("http://127.0.0.1:" + std::to_string(peer.port()), 5s);
    try {
      client.new_session();
      FAIL() << "new_session succeeded";
    } catch (const foxport::Error& e) {
      EXPECT_EQ(e.code(), foxport::errc::remote_error);
      EXPECT_NE(std::string(e.what()).find("session not created: Session is already started"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_NE(request.find("POST /session HTTP/1.1"), std::string::npos) << request;
  EXPECT_NE(request.find("Content-Type: application/json; charset=utf-8"), std::string::npos) << request;
}

TEST(WebDriverClient, StatusOfAMutePeerTimesOut) {
  FakePeer peer([](int fd) {
    receive_some(fd);
    receive_some(fd);
  });
  std::error_code ec;
  foxport::WebDriverClient("http://127.0.0.1:" + std::to_string(peer.port()), 300ms).status(ec);
  EXPECT_EQ(ec, std::errc::timed_out);
}
