#pragma once
// What makes the guard the owner of a whole process tree. Linux: prctl. A port without a
// subreaper finds the tree through process groups instead (docs/porting.md).

namespace foxport::platform {

/// Orphaned descendants re-parent to this process instead of init. False if unsupported.
bool become_subreaper() noexcept;

/// In a freshly forked child: receive `signal` when the parent dies. False if unsupported.
bool die_with_parent(int signal) noexcept;

}  // namespace foxport::platform
