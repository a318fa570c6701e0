#pragma once
// A launched tree's output: read line by line from its stdout and stderr pipes on the
// process's I/O thread, handed to the caller's callback, appended to the log file, and the
// last lines kept for error messages.

#include <array>
#include <boost/asio/readable_pipe.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "foxport/process.hpp"

namespace foxport::detail {

/// Opens `file` to append a program's log to: a FIFO waits for its reader, as a shell's >
/// does, but boundedly. Throws Error naming the file, also when it is a FIFO nobody reads.
int open_log_file(const std::filesystem::path& file);

class OutputCapture {
 public:
  using LineCallback = std::function<void(Stream, std::string_view)>;

  OutputCapture(std::size_t keep_lines, LineCallback on_line);
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  /// Appends every line to `fd` (from open_log_file; owned from now on), until a FIFO's reader
  /// goes.
  void use_log(int fd) noexcept;
  /// Starts reading both pipes until end of file (on the pipes' io_context).
  void start(boost::asio::readable_pipe& out, boost::asio::readable_pipe& err);
  /// Stops calling the caller's callback (call on the I/O thread).
  void drop_callback() { on_line_ = nullptr; }

  /// The kept lines, oldest first.
  std::vector<std::string> lines() const;
  /// Waits until both pipes ended (every writer in the tree is gone).
  bool wait_closed(std::chrono::steady_clock::time_point deadline) const;

 private:
  /// What a stream has of a line yet, and the buffer each of its reads fills.
  struct Reading {
    std::string pending;
    std::array<char, 16384> chunk;
  };
  void read(boost::asio::readable_pipe& pipe, Stream stream, std::shared_ptr<Reading> reading);
  void add(Stream stream, std::string line);

  std::size_t keep_lines_;
  LineCallback on_line_;
  mutable std::mutex mutex_;
  mutable std::condition_variable closed_;
  std::deque<std::string> ring_;
  int log_ = -1;  // the log file's descriptor
  int open_streams_ = 0;
};

}  // namespace foxport::detail
