// Launch a WebDriver service (chromedriver by default, or geckodriver), open a session,
// navigate, read the title, quit. Everything the driver started goes with it.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "foxport/driver.hpp"

int main(int argc, char** argv) {
  const bool gecko = argc > 1 && std::strcmp(argv[1], "geckodriver") == 0;
  const std::string url = "data:text/html,<title>Hello from foxport</title>";
  try {
    foxport::DriverService driver;
    if (gecko) {
      foxport::GeckodriverOptions options;
      if (argc > 2) options.driver = argv[2];
      driver = foxport::Geckodriver::launch(options);
    } else {
      driver = foxport::Chromedriver::launch();
    }
    std::printf("ready     %s at %s (pid %d)\n", gecko ? "geckodriver" : "chromedriver", driver.url().c_str(),
                driver.pid());
    const auto session = driver.new_session(gecko ? foxport::firefox_capabilities() : foxport::chromium_capabilities());
    auto client = driver.client();
    client.navigate(session, url);
    std::printf("title     \"%s\"\n", client.title(session).c_str());
    driver.delete_session(session);
    driver.stop();
    std::printf("stopped   driver and browser\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "webdriver_session: %s\n", e.what());
    return 1;
  }
}
