// foxport-test-launcher: a caller of the library that tests can SIGKILL, to prove that the
// guard takes the launched tree down when its caller dies.
//
//   process DIR EXE [ARGS...]   launch EXE (owning DIR), print "pid N", "guard N", each
//                               child line as "line TEXT", then block
//
//   firefox [BINARY]            launch Firefox, print "pid", "guard", "profile", "port", block
//   firefox-xvfb                a headful Firefox on a private Xvfb: "pid", "guard", "display"
//   firefox-bidi                the same with WebDriver BiDi
//   chromium                    launch Chromium, print "pid", "guard", "profile" (its
//                               directory), "port", block
//   marionette-client URL EXIT  (under `foxport run --firefox`) open URL over $MARIONETTE_PORT,
//                               print "title TITLE", exit with EXIT
//   webdriver-client URL EXIT   (under `foxport run --*driver`) the same through $WEBDRIVER_URL
//   webdriver-client-keep URL EXIT  the same, leaving the session open (a client that died)
//   cdp-client URL EXIT         (under `foxport run --chromium`) open URL in Chromium's first
//                               page over $CDP_URL, print "title TITLE" once loaded, exit with EXIT
//   show-env                    print the FOXPORT_* variables, then block
//   geckodriver-session DRIVER  launch geckodriver, open a session (Firefox starts), print
//                               "tree PID..." and "root DIR", then block
//   remote-session URL          create a foxport::RemoteSession (Chromium) at URL, print
//                               "session ID", then block
//   raw-session URL             the same without foxport: a plain POST /session
//   chromedrivers N             launch N chromedrivers at once, print "port P" for each,
//                               then hold them until stdin closes

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cdp.hpp"  // beside this file
#include "foxport/chromium.hpp"
#include "foxport/driver.hpp"
#include "foxport/firefox.hpp"
#include "foxport/marionette.hpp"
#include "foxport/process.hpp"
#include "foxport/remote.hpp"
#include "foxport/webdriver.hpp"
#include "foxport/websocket.hpp"

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc >= 4 && std::strcmp(argv[1], "process") == 0) {
    foxport::ProcessOptions options;
    options.owned_directories = {argv[2]};
    options.executable = argv[3];
    options.arguments.assign(argv + 4, argv + argc);
    options.on_line = [](foxport::Stream, std::string_view line) {
      std::printf("line %.*s\n", static_cast<int>(line.size()), line.data());
    };
    auto process = foxport::Process::spawn(std::move(options));
    std::printf("pid %d\nguard %d\n", process.pid(), process.guard_pid());
    for (;;) ::pause();
  }
  if (((argc == 2 || argc == 3) && std::strcmp(argv[1], "firefox") == 0) ||
      (argc == 2 && std::strcmp(argv[1], "firefox-bidi") == 0)) {
    foxport::FirefoxOptions options;
    if (argc == 3) options.binary = argv[2];
    options.bidi = std::strcmp(argv[1], "firefox-bidi") == 0;
    auto firefox = foxport::Firefox::launch(options);
    std::printf("pid %d\nguard %d\nprofile %s\nport %d\n", firefox.pid(), firefox.process().guard_pid(),
                firefox.profile_dir().c_str(), firefox.port());
    for (;;) ::pause();
  }
  if (argc == 2 && std::strcmp(argv[1], "firefox-xvfb") == 0) {
    foxport::FirefoxOptions options;
    options.xvfb = true;
    options.headless = false;
    auto firefox = foxport::Firefox::launch(options);
    std::printf("pid %d\nguard %d\ndisplay %s\n", firefox.pid(), firefox.process().guard_pid(),
                firefox.display().c_str());
    for (;;) ::pause();
  }
  if (argc == 2 && std::strcmp(argv[1], "chromium") == 0) {
    auto chromium = foxport::Chromium::launch();
    std::printf("pid %d\nguard %d\nprofile %s\nport %d\n", chromium.pid(), chromium.process().guard_pid(),
                chromium.user_data_dir().parent_path().c_str(), chromium.port());
    for (;;) ::pause();
  }
  if (argc == 4 && std::strcmp(argv[1], "marionette-client") == 0) {
    const char* port = std::getenv("MARIONETTE_PORT");
    if (port == nullptr) return 100;
    auto client = foxport::Marionette::connect("127.0.0.1", static_cast<std::uint16_t>(std::atoi(port)));
    client.new_session();
    client.navigate(argv[2]);
    std::printf("title %s\n", client.title().c_str());
    client.delete_session();
    return std::atoi(argv[3]);
  }
  if (argc == 4 && std::strcmp(argv[1], "cdp-client") == 0) {
    namespace json = boost::json;
    const char* url = std::getenv("CDP_URL");
    if (url == nullptr) return 100;
    auto cdp = foxport::WebSocketClient::connect(url);
    std::string target_id;
    const auto targets = json::parse(cdp.command("Target.getTargets"));
    for (const auto& target : targets.at("targetInfos").as_array()) {
      if (target.at("type").as_string() == "page") {
        target_id = json::value_to<std::string>(target.at("targetId"));
        break;
      }
    }
    if (target_id.empty()) return 101;
    const auto session = foxport::testing::attach_to_page(cdp, target_id);
    const auto title = foxport::testing::navigate_and_read_title(cdp, session, argv[2]);
    std::printf("title %s\n", title.c_str());
    return std::atoi(argv[3]);
  }
  if (argc == 4 &&
      (std::strcmp(argv[1], "webdriver-client") == 0 || std::strcmp(argv[1], "webdriver-client-keep") == 0)) {
    const char* url = std::getenv("WEBDRIVER_URL");
    const char* kind = std::getenv("FOXPORT_KIND");
    if (url == nullptr || kind == nullptr) return 100;
    foxport::WebDriverClient client(url);
    const bool chrome = std::strcmp(kind, "geckodriver") != 0;  // chromedriver, grid, remote (a Grid here)
    const auto session =
        client.new_session(chrome ? foxport::chromium_capabilities() : foxport::firefox_capabilities());
    client.navigate(session, argv[2]);
    std::printf("title %s\n", client.title(session).c_str());
    if (std::strcmp(argv[1], "webdriver-client") == 0) client.delete_session(session);
    return std::atoi(argv[3]);
  }
  if (argc == 3 && std::strcmp(argv[1], "geckodriver-session") == 0) {
    foxport::GeckodriverOptions options;
    options.driver = argv[2];
    auto driver = foxport::Geckodriver::launch(options);
    driver.new_session(foxport::firefox_capabilities());
    std::printf("tree");
    for (const int pid : driver.process().tree()) std::printf(" %d", pid);
    std::printf("\nguard %d\nroot %s\n", driver.process().guard_pid(), driver.profile_root().c_str());
    for (;;) ::pause();
  }
  if (argc == 3 && std::strcmp(argv[1], "remote-session") == 0) {
    auto session = foxport::RemoteSession::create(argv[2], foxport::chromium_capabilities());
    std::printf("session %s\n", session.id().c_str());
    for (;;) ::pause();
  }
  if (argc == 3 && std::strcmp(argv[1], "raw-session") == 0) {
    const auto id = foxport::WebDriverClient(argv[2]).new_session(foxport::chromium_capabilities());
    std::printf("session %s\n", id.c_str());
    for (;;) ::pause();
  }
  if (argc == 3 && std::strcmp(argv[1], "chromedrivers") == 0) {
    std::vector<foxport::Chromedriver> drivers(static_cast<std::size_t>(std::atoi(argv[2])));
    std::vector<std::thread> threads;
    for (auto& driver : drivers) threads.emplace_back([&driver] { driver = foxport::Chromedriver::launch(); });
    for (auto& thread : threads) thread.join();
    for (const auto& driver : drivers) std::printf("port %d\n", driver.port());
    char buffer[256];
    while (::read(STDIN_FILENO, buffer, sizeof buffer) > 0) {}
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "show-env") == 0) {
    for (const char* name :
         {"FOXPORT_PORT", "FOXPORT_PID", "FOXPORT_KIND", "FOXPORT_PROFILE", "MARIONETTE_PORT", "WEBDRIVER_URL"}) {
      const char* value = std::getenv(name);
      std::printf("%s=%s\n", name, value != nullptr ? value : "");
    }
    std::printf("ready\n");
    for (;;) ::pause();
  }
  std::fprintf(stderr,
               "usage: foxport-test-launcher process DIR EXE [ARGS...] | firefox | marionette-client URL EXIT | "
               "webdriver-client URL EXIT | show-env\n");
  return 64;
}
