#include "foxport/chromium.hpp"

#include <unistd.h>

#include "foxport/error.hpp"
#include "launch/chromium_arguments.hpp"
#include "launch/launcher.hpp"
#include "protocol/framing.hpp"
#include "support/no_throw.hpp"

namespace foxport {
namespace fs = std::filesystem;

namespace detail {

std::vector<std::string> chromium_arguments(bool headless) {
  std::vector<std::string> arguments;
  if (headless) arguments.insert(arguments.end(), {"--headless=new", "--disable-gpu"});
  if (::geteuid() == 0) arguments.emplace_back("--no-sandbox");
  arguments.insert(arguments.end(), {"--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"});
  return arguments;
}

}  // namespace detail

namespace {

// Chromium's profile, inside the launch's directory (which is also its TMPDIR, for its
// SingletonSocket and the like): DevToolsActivePort appears here.
constexpr const char* user_data = "user-data";

}  // namespace

fs::path find_chromium(const fs::path& explicit_browser) {
  if (auto named = detail::named_binary(explicit_browser, "FOXPORT_CHROMIUM", "Chromium"); !named.empty()) return named;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::error_code ec;
    if (auto path = find_executable(name, ec); !ec) return path;
  }
  return {};
}

Chromium Chromium::launch(ChromiumOptions options) {
  auto binary = find_chromium(options.binary);
  if (binary.empty()) {
    throw Error(errc::binary_not_found,
                "Chromium not found; set ChromiumOptions::binary or FOXPORT_CHROMIUM. "
                "Searched PATH for chromium, chromium-browser, google-chrome");
  }
  detail::LaunchPlan plan;
  plan.kind = EndpointKind::chromium;
  plan.directory_purpose = "chromium";
  plan.tmpdir = std::filesystem::path();  // the launch's directory: Chromium's temporary files go with it
  plan.binary = std::move(binary);
  plan.port = options.port;
  plan.lease_range = options.port_range;
  plan.xvfb = options.xvfb;
  plan.ready = {"Chromium", PortReport::devtools, fs::path(user_data) / "DevToolsActivePort", detail::Probe::devtools,
                options.ready_timeout};
  plan.ready.port_file_format = PortFile::devtools;
  plan.configure = [&](ProcessOptions& process, std::uint16_t port, const fs::path& directory) {
    fs::create_directory(directory / user_data);  // watched for DevToolsActivePort from the start
    process.arguments = detail::chromium_arguments(options.headless);
    process.arguments.insert(process.arguments.end(), {"--remote-debugging-port=" + std::to_string(port),
                                                       "--user-data-dir=" + (directory / user_data).string()});
    process.arguments.insert(process.arguments.end(), options.arguments.begin(), options.arguments.end());
    process.arguments.emplace_back("about:blank");  // not the new-tab page, which goes online
    for (const auto& [name, value] : options.environment) process.environment[name] = value;
  };
  plan.process.log_file = options.log_file;
  plan.process.on_line = options.on_line;
  plan.process.stop_policy = options.stop_policy;
  Chromium chromium(detail::launch(std::move(plan)));
  chromium.cdp_url_ = detail::parse_devtools_version(chromium.ready_report().protocol_answer).value_or("");
  return chromium;
}

Chromium Chromium::launch(ChromiumOptions options, std::error_code& ec) {
  return detail::no_throw(ec, [&] { return launch(std::move(options)); });
}

Chromium::Chromium() noexcept : LaunchHandle("Chromium") {}
Chromium::Chromium(std::unique_ptr<detail::LaunchState> state) noexcept : LaunchHandle("Chromium", std::move(state)) {}

const std::string& Chromium::cdp_url() const noexcept { return cdp_url_; }
fs::path Chromium::user_data_dir() const { return state() ? launch_directory() / user_data : fs::path(); }

Endpoint Chromium::endpoint() const {
  return {EndpointKind::chromium, port(), pid(), cdp_url_, user_data_dir(), {}, display()};
}

}  // namespace foxport
