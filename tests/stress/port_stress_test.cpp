// 8 processes x 500 leases held at once: 4,000 distinct ports, all in the range.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <vector>

#include "foxport/port.hpp"

TEST(PortLeaseStress, EightProcessesHoldFourThousandDistinctPorts) {
  constexpr int processes = 8;
  constexpr int per_process = 500;
  const foxport::PortRange range{20000, 29999};

  // Both signals to the children are a pipe's end of file, which reaches all of them at once:
  // with bytes, a fast child could read a second byte as "done", exit early and free its leases.
  int go[2], done[2];
  ASSERT_EQ(::pipe(go), 0);
  ASSERT_EQ(::pipe(done), 0);
  std::vector<pid_t> children;
  std::vector<int> outputs;
  for (int i = 0; i < processes; ++i) {
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(go[1]);
      ::close(done[1]);
      ::close(out[0]);
      char byte = 0;
      (void)!::read(go[0], &byte, 1);  // all start together: real contention
      std::vector<foxport::PortLease> leases;
      for (int n = 0; n < per_process; ++n) leases.push_back(foxport::PortLease::acquire(range));
      std::vector<std::uint16_t> ports;
      for (const auto& lease : leases) ports.push_back(lease.port());
      (void)!::write(out[1], ports.data(), ports.size() * sizeof(std::uint16_t));
      ::close(out[1]);
      (void)!::read(done[0], &byte, 1);  // hold every lease until the parent has read them all
      ::_exit(0);
    }
    ::close(out[1]);
    children.push_back(child);
    outputs.push_back(out[0]);
  }
  ::close(go[0]);
  ::close(done[0]);
  ::close(go[1]);  // go

  std::multiset<std::uint16_t> ports;
  for (const int fd : outputs) {
    std::vector<std::uint16_t> got(per_process);
    std::size_t bytes = 0;
    auto* data = reinterpret_cast<char*>(got.data());
    for (ssize_t n;
         bytes < got.size() * sizeof(std::uint16_t) && (n = ::read(fd, data + bytes, got.size() * 2 - bytes)) > 0;)
      bytes += static_cast<std::size_t>(n);
    EXPECT_EQ(bytes, got.size() * sizeof(std::uint16_t));
    ports.insert(got.begin(), got.end());
    ::close(fd);
  }
  ::close(done[1]);  // children see end of file and exit
  for (const pid_t child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  EXPECT_EQ(ports.size(), static_cast<std::size_t>(processes * per_process));
  EXPECT_EQ(std::set<std::uint16_t>(ports.begin(), ports.end()).size(), ports.size()) << "a port was leased twice";
  for (const auto port : ports) ASSERT_TRUE(range.contains(port)) << port;
}
