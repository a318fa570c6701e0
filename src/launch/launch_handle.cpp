#include "foxport/launch_handle.hpp"

#include "foxport/error.hpp"
#include "launch/launcher.hpp"

namespace foxport {

LaunchHandle::LaunchHandle(const char* name) noexcept : name_(name) {}
LaunchHandle::LaunchHandle(const char* name, std::unique_ptr<detail::LaunchState> state) noexcept
    : name_(name), state_(std::move(state)) {}
LaunchHandle::LaunchHandle(LaunchHandle&&) noexcept = default;

LaunchHandle& LaunchHandle::operator=(LaunchHandle&& other) noexcept {
  if (this != &other) {
    stop();
    name_ = other.name_;
    state_ = std::move(other.state_);
  }
  return *this;
}

LaunchHandle::~LaunchHandle() { stop(); }

bool LaunchHandle::valid() const noexcept { return state_ && state_->process.valid(); }
std::uint16_t LaunchHandle::port() const noexcept { return state_ ? state_->report.port : 0; }
int LaunchHandle::pid() const noexcept { return state_ ? state_->process.pid() : -1; }

std::string LaunchHandle::display() const {
  return state_ && state_->display ? state_->display->display : std::string();
}

const ReadyReport& LaunchHandle::ready_report() const noexcept {
  static const ReadyReport none;
  return state_ ? state_->report : none;
}

const Process& LaunchHandle::process() const noexcept {
  static const Process none;
  return state_ ? state_->process : none;
}

const std::filesystem::path& LaunchHandle::launch_directory() const noexcept {
  static const std::filesystem::path none;
  return state_ ? state_->directory : none;
}

void LaunchHandle::stop() noexcept {
  if (state_) state_->stop();  // the kind's graceful step first (LaunchState::before_stop)
}

DetachedProcess LaunchHandle::detach() {
  if (!state_) throw Error(errc::stopped, std::string(name_) + "::detach: this handle owns no running " + name_);
  return state_->detach();
}

}  // namespace foxport
