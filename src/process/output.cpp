#include "process/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <utility>

#include "foxport/error.hpp"
#include "platform/pipe_write.hpp"

namespace foxport::detail {
namespace asio = boost::asio;

namespace {

constexpr std::size_t longest_line = 65536;  // a longer line is cut: output is for people
constexpr auto fifo_reader_wait = std::chrono::seconds(10);

// A FIFO that nobody reads yet: opening it for writing waits for a reader, as a shell's > does,
// but boundedly. The open runs on a thread of its own, which a reader of ours releases when
// nobody came. The descriptor, or -1 with errno.
int open_when_read(const std::filesystem::path& file) {
  auto opened = std::make_shared<std::promise<int>>();  // the descriptor, or -errno
  auto result = opened->get_future();
  std::thread([file, opened] {
    int fd;
    while ((fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)) < 0 && errno == EINTR) {}
    opened->set_value(fd >= 0 ? fd : -errno);
  }).detach();  // it ends once the open returns: by a reader, ours at the latest
  if (result.wait_for(fifo_reader_wait) == std::future_status::ready) {
    const int fd = result.get();
    if (fd >= 0) return fd;
    errno = -fd;
    return -1;
  }
  const int reader = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (reader >= 0) {
    if (result.wait_for(std::chrono::seconds(1)) == std::future_status::ready) {
      if (const int fd = result.get(); fd >= 0) ::close(fd);
    }
    ::close(reader);
  }
  errno = ETIMEDOUT;
  return -1;
}

}  // namespace

OutputCapture::OutputCapture(std::size_t keep_lines, LineCallback on_line)
    : keep_lines_(std::max<std::size_t>(keep_lines, 1)), on_line_(std::move(on_line)) {}

OutputCapture::~OutputCapture() {
  if (log_ >= 0) ::close(log_);
}

int open_log_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0666);
  const bool unread_fifo = fd < 0 && errno == ENXIO;
  if (unread_fifo) fd = open_when_read(file);
  if (fd < 0) {
    const int error = errno;
    throw Error(std::error_code(error, std::system_category()),
                "cannot open the log file " + file.string() +
                    (unread_fifo ? ": no process opened that FIFO for reading within " +
                                       std::to_string(fifo_reader_wait.count()) + " s"
                                 : std::string()));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);  // a slow reader is waited for, as by a shell's >
  return fd;
}

void OutputCapture::use_log(int fd) noexcept {
  std::lock_guard lock(mutex_);
  if (log_ >= 0) ::close(log_);
  log_ = fd;
}

void OutputCapture::start(asio::readable_pipe& out, asio::readable_pipe& err) {
  open_streams_ = 2;
  read(out, Stream::out, std::make_shared<Reading>());
  read(err, Stream::err, std::make_shared<Reading>());
}

void OutputCapture::add(Stream stream, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (on_line_) on_line_(stream, line);
  std::lock_guard lock(mutex_);
  if (log_ >= 0) {
    const std::string text = (stream == Stream::err ? "[err] " : "") + line + '\n';
    if (!platform::write_without_sigpipe(log_, text)) ::close(std::exchange(log_, -1));  // the log ends, not we
  }
  ring_.push_back(std::move(line));
  while (ring_.size() > keep_lines_) ring_.pop_front();
}

// One buffer per stream for all its reads: a new 16 KiB for each read was an allocation and
// fresh pages on the way from the program's first line to its readiness (#19).
void OutputCapture::read(asio::readable_pipe& pipe, Stream stream, std::shared_ptr<Reading> reading) {
  pipe.async_read_some(asio::buffer(reading->chunk),
                       [this, &pipe, stream, reading](boost::system::error_code ec, std::size_t n) {
                         auto& pending = reading->pending;
                         pending.append(reading->chunk.data(), n);
                         std::size_t start = 0;
                         for (std::size_t eol; (eol = pending.find('\n', start)) != std::string::npos; start = eol + 1)
                           add(stream, pending.substr(start, eol - start));
                         pending.erase(0, start);
                         if (pending.size() > longest_line) add(stream, std::exchange(pending, {}));
                         if (!ec) return read(pipe, stream, reading);
                         if (!pending.empty()) add(stream, std::exchange(pending, {}));
                         std::lock_guard lock(mutex_);
                         --open_streams_;
                         closed_.notify_all();
                       });
}

std::vector<std::string> OutputCapture::lines() const {
  std::lock_guard lock(mutex_);
  return {ring_.begin(), ring_.end()};
}

bool OutputCapture::wait_closed(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mutex_);
  return closed_.wait_until(lock, deadline, [this] { return open_streams_ == 0; });
}

}  // namespace foxport::detail
