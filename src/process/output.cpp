#include "process/output.hpp"

#include <algorithm>
#include <array>
#include <cerrno>

#include "foxport/error.hpp"

namespace foxport::detail {
namespace asio = boost::asio;

namespace {
constexpr std::size_t longest_line = 65536;  // a longer line is cut: output is for people
}

OutputCapture::OutputCapture(std::size_t keep_lines, LineCallback on_line)
    : keep_lines_(std::max<std::size_t>(keep_lines, 1)), on_line_(std::move(on_line)) {}

void OutputCapture::open_log(const std::filesystem::path& file) {
  errno = 0;
  log_.open(file, std::ios::app);
  if (!log_) {  // the open(2) underneath leaves its errno: say the real cause, not "I/O error"
    const int error = errno != 0 ? errno : EIO;
    throw Error(std::error_code(error, std::system_category()), "cannot open the log file " + file.string());
  }
}

void OutputCapture::start(asio::readable_pipe& out, asio::readable_pipe& err) {
  open_streams_ = 2;
  read(out, Stream::out, std::make_shared<std::string>());
  read(err, Stream::err, std::make_shared<std::string>());
}

void OutputCapture::add(Stream stream, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (on_line_) on_line_(stream, line);
  std::lock_guard lock(mutex_);
  if (log_.is_open()) log_ << (stream == Stream::err ? "[err] " : "") << line << '\n' << std::flush;
  ring_.push_back(std::move(line));
  while (ring_.size() > keep_lines_) ring_.pop_front();
}

void OutputCapture::read(asio::readable_pipe& pipe, Stream stream, std::shared_ptr<std::string> pending) {
  auto chunk = std::make_shared<std::array<char, 16384>>();
  pipe.async_read_some(asio::buffer(*chunk),
                       [this, &pipe, stream, pending, chunk](boost::system::error_code ec, std::size_t n) {
                         pending->append(chunk->data(), n);
                         std::size_t start = 0;
                         for (std::size_t eol; (eol = pending->find('\n', start)) != std::string::npos; start = eol + 1)
                           add(stream, pending->substr(start, eol - start));
                         pending->erase(0, start);
                         if (pending->size() > longest_line) add(stream, std::exchange(*pending, {}));
                         if (!ec) return read(pipe, stream, pending);
                         if (!pending->empty()) add(stream, std::exchange(*pending, {}));
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
