// `foxport run`'s broker, as test processes use it: each taker gets a Firefox of its own,
// a taker's death takes its Firefox down and the pool refills, bad requests get an error
// reply and the broker keeps serving.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "foxport/broker.hpp"
#include "foxport/error.hpp"
#include "foxport/marionette.hpp"
#include "support/foxport_cli.hpp"
#include "support/subprocess.hpp"
#include "support/wait.hpp"

namespace fs = std::filesystem;
using foxport::testing::foxport_command;
using foxport::testing::Subprocess;
using foxport::testing::wait_exited;
using namespace std::chrono_literals;

namespace {

// `foxport run --firefox` around `cat`: it lives until the test closes its stdin, and tells
// the test its broker.
class RunWithBroker {
 public:
  RunWithBroker()
      : run_(foxport_command(
            {"run", "--firefox", "-q", "--pool", "1", "--", "/bin/sh", "-c", "echo \"$FOXPORT_BROKER\"; exec cat"})) {
    socket_ = run_.read_line();
  }
  ~RunWithBroker() { finish(); }
  const fs::path& socket() const { return socket_; }
  // Ends the run; returns its status.
  int finish() {
    if (status_ < 0) {
      run_.close_stdin();
      status_ = run_.wait();
    }
    return status_;
  }

 private:
  Subprocess run_;
  fs::path socket_;
  int status_ = -1;
};

// A raw client: sends `request`, returns the broker's reply line (or "" if it hung up).
std::string ask(const fs::path& socket, const std::string& request) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return "connect failed: " + std::string(std::strerror(errno));
  }
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string reply;
  char buffer[512];
  for (ssize_t n; reply.find('\n') == std::string::npos && (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
    reply.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return reply;
}

}  // namespace

TEST(Broker, EveryTakerGetsAFirefoxOfItsOwnAndNothingOutlivesTheRun) {
  RunWithBroker run;
  ASSERT_FALSE(run.socket().empty()) << "foxport run exported no FOXPORT_BROKER";
  std::set<int> pids;
  {
    auto first = foxport::BrokerLease::take(run.socket(), foxport::EndpointKind::firefox);
    auto second = foxport::BrokerLease::take(run.socket(), foxport::EndpointKind::firefox);
    for (const auto* lease : {&first, &second}) {
      pids.insert(lease->endpoint().pid);
      // Each answers a session of its own, at the same time as the other.
      auto marionette = foxport::Marionette::connect("127.0.0.1", lease->endpoint().port, 60s);
      marionette.new_session();
      marionette.navigate("data:text/html,<title>mine</title>");
      EXPECT_EQ(marionette.title(), "mine");
    }
    EXPECT_EQ(pids.size(), 2U) << "two takers got the same Firefox";
    EXPECT_NE(first.endpoint().port, second.endpoint().port);
  }
  for (int pid : pids) EXPECT_TRUE(wait_exited(pid, 10s)) << "a released Firefox survived: " << pid;
  EXPECT_EQ(run.finish(), 0);
  EXPECT_FALSE(fs::exists(run.socket().parent_path())) << "the broker's directory is left";
}

TEST(Broker, AKilledTakersFirefoxIsGoneAndThePoolRefills) {
  RunWithBroker run;
  ::setenv("FOXPORT_BROKER", run.socket().c_str(), 1);
  ::setenv("FOXPORT_KIND", "firefox", 1);
  Subprocess taker(foxport_command({"take", "--", "/bin/sh", "-c", "echo $FOXPORT_PID; exec cat"}));
  ::unsetenv("FOXPORT_BROKER");
  ::unsetenv("FOXPORT_KIND");
  const int browser = std::stoi(taker.read_line());
  ASSERT_GT(browser, 0);
  ::kill(taker.pid(), SIGKILL);
  taker.wait();
  EXPECT_TRUE(wait_exited(browser, 2s)) << "the SIGKILLed taker's Firefox is still running";
  // The pool goes on serving.
  auto next = foxport::BrokerLease::take(run.socket(), foxport::EndpointKind::firefox);
  EXPECT_NE(next.endpoint().pid, browser);
  EXPECT_EQ(foxport::Marionette::connect("127.0.0.1", next.endpoint().port, 60s).handshake().application_type, "gecko");
  next.release();
  taker.close_stdin();  // its cat, orphaned by the kill, ends with its stdin
  EXPECT_EQ(run.finish(), 0);
}

TEST(Broker, BadRequestsGetAnErrorReplyAndTheBrokerKeepsServing) {
  RunWithBroker run;
  EXPECT_NE(ask(run.socket(), "hello\n").find(R"({"error":"unknown request \"hello\""})"), std::string::npos);
  EXPECT_NE(ask(run.socket(), std::string(4000, 'x')).find("request too long"), std::string::npos);
  EXPECT_NE(ask(run.socket(), "take chromedriver\n").find("this broker serves firefox, not chromedriver"),
            std::string::npos);
  EXPECT_NE(ask(run.socket(), "take nothing\n").find("unknown kind"), std::string::npos);
  try {
    foxport::BrokerLease::take(run.socket(), foxport::EndpointKind::geckodriver);
    ADD_FAILURE() << "a firefox broker gave a geckodriver";
  } catch (const foxport::Error& e) {
    EXPECT_NE(std::string(e.what()).find("this broker serves firefox"), std::string::npos) << e.what();
  }
  auto lease = foxport::BrokerLease::take(run.socket(), foxport::EndpointKind::firefox);
  EXPECT_GT(lease.endpoint().port, 0);
}

TEST(Broker, APeerOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user";
  RunWithBroker run;
  // Open the way in, so that only the broker's own check stands between.
  fs::permissions(run.socket().parent_path().parent_path(), fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(run.socket().parent_path(), fs::perms::all);
  fs::permissions(run.socket(), fs::perms::all);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    const auto reply = ask(run.socket(), "take firefox\n");
    (void)!::write(pipe_fds[1], reply.data(), reply.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string reply;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    reply.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_NE(reply.find("this broker serves uid 0 only; peer uid 65534"), std::string::npos) << reply;
}
