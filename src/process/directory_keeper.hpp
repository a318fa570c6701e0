#pragma once
// A launch's directory is owned by something that outlives the caller from the moment it
// exists: it is made, then at once handed to a watch-only foxport-guard (the "keeper"), so a
// caller SIGKILLed before the launch's own guard exists (while it copies a profile, or blocks
// opening a FIFO given as the log) leaves nothing behind.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace foxport::detail {

class DirectoryKeeper {
 public:
  /// Makes make_temporary_directory(purpose, parent) and starts a guard that removes it when
  /// this process dies before release(). Throws Error, leaving nothing behind, when either fails.
  DirectoryKeeper(std::string_view purpose, const std::filesystem::path& parent);
  /// Not released: the guard removes the directory; returns once it has.
  ~DirectoryKeeper();
  DirectoryKeeper(const DirectoryKeeper&) = delete;
  DirectoryKeeper& operator=(const DirectoryKeeper&) = delete;

  const std::filesystem::path& directory() const noexcept { return directory_; }
  /// The launch's own guard owns the directory now: the keeper exits without removing it.
  void release() noexcept;

 private:
  void end(bool remove) noexcept;

  std::filesystem::path directory_;
  int control_ = -1;  // the keeper's fd 3: closing it without "detach" means "remove"
  pid_t guard_ = -1;
};

}  // namespace foxport::detail
