#include <algorithm>
#include <system_error>

#include "process/locate.hpp"

// The pure part of the guard search (unit-tested): which paths, in which order.
namespace foxport::detail {
namespace fs = std::filesystem;

namespace {

// Whether `path` lies inside `dir` (both made canonical as far as they exist).
bool within(const fs::path& path, const fs::path& dir) {
  if (path.empty() || dir.empty()) return false;
  auto canonical = [](const fs::path& p) {
    std::error_code ec;
    auto result = fs::weakly_canonical(p, ec);
    if (ec) result = p.lexically_normal();
    if (!result.has_filename()) result = result.parent_path();  // "dir/" -> "dir"
    return result;
  };
  const auto p = canonical(path);
  const auto d = canonical(dir);
  auto pi = p.begin();
  for (auto di = d.begin(); di != d.end(); ++di, ++pi) {
    if (pi == p.end() || *pi != *di) return false;
  }
  return true;
}

}  // namespace

std::vector<fs::path> guard_candidates(const GuardSearch& search) {
  std::vector<fs::path> candidates;
  auto add = [&](const fs::path& path) {
    if (path.empty()) return;
    const auto normal = path.lexically_normal();
    if (std::find(candidates.begin(), candidates.end(), normal) == candidates.end()) candidates.push_back(normal);
  };
  if (within(search.executable, search.build_tree) || within(search.library, search.build_tree)) {
    add(search.build_guard);
  }
  add(search.install_guard);
  for (const auto& origin : {search.executable, search.library}) {
    if (origin.empty() || !origin.has_parent_path()) continue;
    const auto dir = origin.parent_path();
    add(dir / "foxport-guard");
    add(dir / ".." / "libexec" / "foxport-guard");
  }
  return candidates;
}

}  // namespace foxport::detail
