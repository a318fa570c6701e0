// The README's main job: launch Firefox with Marionette on a free port, prove that it
// answers (handshake, open a page, read its title), and tear it all down.
#include <unistd.h>

#include <signal.h>
#include <cstdio>
#include <exception>
#include <filesystem>

#include "foxport/firefox.hpp"

int main(int argc, char** argv) {
  const std::string url = argc > 1 ? argv[1] : "data:text/html,<title>Hello from foxport</title>";
  try {
    auto firefox = foxport::Firefox::launch();  // headless, temporary profile, port 0
    const auto& ready = firefox.ready_report();
    std::printf("launched  Firefox %s (pid %d), profile %s\n", firefox.version().c_str(), firefox.pid(),
                firefox.profile_dir().c_str());
    std::printf("ready     Marionette on 127.0.0.1:%d (port from the %s, listener pid %d) after %.0f ms\n",
                firefox.port(), ready.port_source.c_str(), ready.listener_pid,
                static_cast<double>(ready.startup().count()) / 1000.0);
    std::printf("handshake %s\n", ready.protocol_answer.c_str());
    std::printf("phases    %s\n", ready.phases().c_str());

    auto marionette = firefox.marionette();
    marionette.new_session();
    marionette.navigate(url);
    std::printf("title     \"%s\" (%s)\n", marionette.title().c_str(), url.c_str());
    marionette.delete_session();
    marionette.close();

    const auto tree = firefox.process().tree();
    const auto profile = firefox.profile_dir();
    firefox.stop();
    int alive = 0;
    for (const int pid : tree) alive += ::kill(pid, 0) == 0 ? 1 : 0;
    std::printf("stopped   %zu processes of Firefox's tree, %d still alive; profile %s\n", tree.size(), alive,
                std::filesystem::exists(profile) ? "still there" : "removed");
    return alive == 0 && !std::filesystem::exists(profile) ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "marionette_title: %s\n", e.what());
    return 1;
  }
}
