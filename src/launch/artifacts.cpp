#include "foxport/artifacts.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "foxport/marionette.hpp"
#include "foxport/webdriver.hpp"
#include "foxport/websocket.hpp"
#include "platform/process_tree.hpp"

namespace foxport {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// A picture is worth waiting for briefly, never for long: the test run goes on after it.
constexpr auto screenshot_timeout = std::chrono::seconds(10);
constexpr std::size_t log_lines_in_index = 20;

std::string decode_base64(std::string_view text) {
  namespace base64 = boost::beast::detail::base64;
  std::string bytes(base64::decoded_size(text.size()), '\0');
  bytes.resize(base64::decode(bytes.data(), text.data(), text.size()).first);
  return bytes;
}

// The picture in a screenshot answer: Marionette's {"value": BASE64}, or the value alone as
// WebDriverClient::request gives it.
std::string png_from_answer(const std::string& answer) {
  const auto parsed = json::parse(answer);
  const json::value* value = parsed.is_object() ? parsed.as_object().if_contains("value") : &parsed;
  if (value == nullptr || !value->is_string())
    throw std::runtime_error("the answer has no picture: " + answer.substr(0, 200));
  return decode_base64(value->as_string());
}

// Chromium's first page, through a DevTools session attached to it (the browser's own
// websocket has no page to capture).
std::string chromium_screenshot(const std::string& cdp_url) {
  auto cdp = WebSocketClient::connect(cdp_url, screenshot_timeout);
  const auto targets = json::parse(cdp.command("Target.getTargets"));
  for (const auto& target : targets.at("targetInfos").as_array()) {
    if (target.at("type").as_string() != "page") continue;
    const auto attached =
        json::parse(cdp.command("Target.attachToTarget",
                                json::serialize(json::object{{"targetId", target.at("targetId")}, {"flatten", true}})));
    const std::string session(attached.at("sessionId").as_string());
    const auto shot = json::parse(cdp.command("Page.captureScreenshot", R"({"format":"png"})", session));
    return decode_base64(shot.at("data").as_string());
  }
  throw std::runtime_error("Chromium has no page open");
}

// A session a client left open (one that died, say): chromedriver lists them (GET /sessions,
// from the protocol before W3C WebDriver); "" when there is none.
std::string open_session(WebDriverClient& client) {
  const auto sessions = json::parse(client.request("GET", "/sessions"));
  if (!sessions.is_array() || sessions.as_array().empty()) return "";
  const auto* id = sessions.as_array().front().as_object().if_contains("id");
  return id != nullptr && id->is_string() ? std::string(id->as_string()) : "";
}

}  // namespace

// Sessions share Firefox's window, so a Marionette session of our own shows the page the test
// left; a WebDriver session is its own browser, so only the test's session shows its page.
std::string take_screenshot(const ArtifactSources& sources) {
  if (sources.endpoint.kind == EndpointKind::chromium) return chromium_screenshot(sources.endpoint.url);
  if (!sources.endpoint.speaks_webdriver()) {
    auto marionette = Marionette::connect("127.0.0.1", sources.endpoint.port, screenshot_timeout);
    marionette.new_session();
    // The viewport, as a WebDriver screenshot shows it (not the whole document).
    return png_from_answer(marionette.command("WebDriver:TakeScreenshot", R"({"full":false})"));
  }
  WebDriverClient client(sources.endpoint.url, screenshot_timeout);
  auto session = sources.webdriver_session;
  if (session.empty() && sources.endpoint.kind == EndpointKind::chromedriver) session = open_session(client);
  if (session.empty())
    throw std::runtime_error("no WebDriver session was open to take it from (a driver's sessions are its client's)");
  return png_from_answer(client.request("GET", "/session/" + session + "/screenshot"));
}

namespace {

std::string tree_text(const Process& process) {
  std::ostringstream text;
  auto pids = process.tree();
  if (process.pid() > 0 && std::find(pids.begin(), pids.end(), process.pid()) == pids.end())
    pids.insert(pids.begin(), process.pid());
  for (const int pid : pids) text << pid << ' ' << platform::command_line(pid) << '\n';
  return text.str();
}

std::string ready_text(const ReadyReport& ready) {
  std::ostringstream text;
  text << "port " << ready.port << " (from the " << ready.port_source << ")\n"
       << "listener held by pid " << ready.listener_pid << '\n'
       << "phases since spawn: " << ready.phases() << '\n'
       << "protocol answer: " << ready.protocol_answer << '\n';
  return text.str();
}

// Bundle names become directory names and URLs: letters, digits, '.', '_' and '-' only.
std::string safe_name(const std::string& name) {
  std::string safe;
  for (const char c : name) safe += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return safe.empty() || safe[0] == '.' ? "_" + safe : safe;
}

// Firefox's minidumps (.dmp) and what it knew at the crash (.extra), into bundle/crashes/.
void copy_crash_dumps(const fs::path& from, const fs::path& bundle) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    const auto extension = entry.path().extension();
    if (extension != ".dmp" && extension != ".extra") continue;
    fs::create_directories(bundle / "crashes", ec);
    fs::copy_file(entry.path(), bundle / "crashes" / entry.path().filename(), ec);
  }
}

bool write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out.flush());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string html_escape(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '&':
        escaped += "&amp;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string last_lines(const std::string& text, std::size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  std::string tail;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) tail += lines[i] + '\n';
  return tail;
}

std::set<std::string> bundles_in(const fs::path& root) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) names.insert(entry.path().filename().string());
  return names;
}

std::string index_html(const fs::path& root, const std::set<std::string>& names) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>foxport: " << names.size()
       << " failed</title>\n<style>body{font-family:sans-serif} section{margin:1em 0;border-top:1px solid #ccc}"
          " img{max-width:800px;border:1px solid #888} pre{background:#f4f4f4;padding:.5em;overflow:auto}</style>"
          "</head>\n<body><h1>"
       << names.size() << " failed</h1>\n";
  for (const auto& name : names) {
    const auto bundle = root / name;
    html << "<section id=\"" << name << "\"><h2><a href=\"" << name << "/\">" << html_escape(name) << "</a></h2>\n";
    std::error_code ec;
    if (fs::exists(bundle / "screenshot.png", ec))
      html << "<img src=\"" << name << "/screenshot.png\" alt=\"the page\">\n";
    for (const char* file : {"failure.txt", "notes.txt"})
      if (fs::exists(bundle / file, ec)) html << "<pre>" << html_escape(read_file(bundle / file)) << "</pre>\n";
    for (const auto& dump : fs::directory_iterator(bundle / "crashes", ec))
      if (dump.path().extension() == ".dmp")
        html << "<p>Crash dump: <a href=\"" << name << "/crashes/" << dump.path().filename().string() << "\">"
             << html_escape(dump.path().filename().string()) << "</a></p>\n";
    if (fs::exists(bundle / "log.txt", ec))
      html << "<p>The browser's last lines:</p><pre>"
           << html_escape(last_lines(read_file(bundle / "log.txt"), log_lines_in_index)) << "</pre>\n";
    html << "</section>\n";
  }
  html << "</body></html>\n";
  return html.str();
}

}  // namespace

std::optional<fs::path> artifacts_from_environment() {
  const char* value = std::getenv("FOXPORT_ARTIFACTS");
  if (value == nullptr || *value == '\0') return std::nullopt;
  return fs::path(value);
}

fs::path save_artifacts(const fs::path& root, const std::string& name, const ArtifactSources& sources) noexcept {
  try {
    const auto bundle = root / safe_name(name);
    std::error_code ec;
    fs::remove_all(bundle, ec);  // a bundle of an earlier run of the same test
    fs::create_directories(bundle, ec);
    if (ec) return {};
    std::string notes;
    try {
      if (!sources.screenshot_failed.empty()) throw std::runtime_error(sources.screenshot_failed);
      const auto png = sources.screenshot.empty() ? take_screenshot(sources) : sources.screenshot;
      if (!write_file(bundle / "screenshot.png", png)) notes += "screenshot: cannot write it\n";
    } catch (const std::exception& e) {
      fs::remove(bundle / "screenshot.png", ec);
      notes += std::string("screenshot: none, ") + e.what() + "\n";
    }
    if (!sources.failure.empty()) write_file(bundle / "failure.txt", sources.failure);
    if (sources.process != nullptr) {
      std::string log;
      for (const auto& line : sources.process->last_lines()) log += line + '\n';
      write_file(bundle / "log.txt", log);
      write_file(bundle / "tree.txt", tree_text(*sources.process));
    } else if (!sources.log.empty()) {
      write_file(bundle / "log.txt", sources.log);
    } else {
      notes += "log and process tree: not here (the browser was launched by another process, e.g. foxport run)\n";
    }
    if (sources.endpoint.kind == EndpointKind::firefox && !sources.endpoint.profile.empty())
      copy_crash_dumps(sources.endpoint.profile / "minidumps", bundle);
    if (sources.ready != nullptr) write_file(bundle / "ready.txt", ready_text(*sources.ready));
    if (!notes.empty()) write_file(bundle / "notes.txt", notes);
    write_artifact_index(root);
    return bundle;
  } catch (const std::exception&) {
    return {};
  }
}

void write_artifact_index(const fs::path& root) {
  // Test processes running at once each rewrite the index: write, then look again, until the
  // index written lists every bundle there is (the last one to look writes them all).
  for (int attempt = 0; attempt < 10; ++attempt) {
    const auto names = bundles_in(root);
    const auto temporary = root / (".index.html." + std::to_string(::getpid()));
    write_file(temporary, index_html(root, names));
    std::error_code ec;
    fs::rename(temporary, root / "index.html", ec);
    if (ec) fs::remove(temporary, ec);
    if (bundles_in(root) == names) return;
  }
}

}  // namespace foxport
