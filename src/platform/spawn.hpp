#pragma once
// Starting a program without copying the caller: the caller (a test process, the foxport
// command) is large and has threads, so fork() copies page tables the exec throws away.
// Linux: posix_spawn, which glibc implements with clone(CLONE_VM | CLONE_VFORK).

#include <sys/types.h>
#include <array>
#include <functional>

namespace foxport::platform {

/// The child's descriptors 0..4: `fds[i]` becomes descriptor i, -1 is /dev/null (read-only).
using SpawnDescriptors = std::array<int, 5>;

/// Starts `path` with `argv` and `envp` (both ending in nullptr) as the leader of a new
/// process group, with `fds` as its descriptors 0..4 and every other descriptor closed; the
/// signal mask is inherited, as across fork. Returns the pid, or -errno when it could not
/// be started (the exec failed: the child is already reaped).
pid_t spawn_in_new_group(const char* path, const char* const* argv, const char* const* envp,
                         const SpawnDescriptors& fds) noexcept;

/// Runs `child(argument)` in a fork of this process named `name` (its comm), as the leader of
/// a new process group with `fds` as its descriptors 0..4 and every other one closed; its
/// return value is the child's exit status (_exit: no atexit handler or destructor of the
/// caller runs there). Only for a process that is still single-threaded, e.g. at the top of
/// a command's main: fork copies the calling thread alone. Returns the pid, or -errno.
pid_t fork_in_new_group(const char* name, int (*child)(void*), void* argument, const SpawnDescriptors& fds) noexcept;

/// Linux queues a fork's child on its parent's core, where it waits until the parent blocks
/// (measured: 0.1 to 1 ms, with another core idle). For a child meant to work beside its busy
/// parent: keeps `pid` off the caller's current core, on the others it may use, until
/// share_cores(pid). Returns whether it did (not with one core, nor on a failure).
bool keep_off_this_core(pid_t pid) noexcept;

/// Lets `pid` run on every core the caller may use again; before it starts anything, so that
/// nothing it starts inherits keep_off_this_core's restriction.
void share_cores(pid_t pid) noexcept;

/// Calls `start`, which starts threads, with the calling thread held to the core it is on:
/// the threads it starts inherit that and stay there. Starting a thread queued on another
/// core wakes that core, which costs the caller 0.02 to 0.03 ms on a VM whose idle cores halt
/// (#19); for threads that mostly wait (a signal watcher), which run once the caller blocks.
void start_threads_on_this_core(const std::function<void()>& start);

/// Runs `child(argument)` in a new process that borrows this one's memory until it execs or
/// exits, while this thread waits (Linux: vfork): nothing of the caller is copied. `child`
/// must only make system calls (no allocation, no locks, nothing that returns into the
/// caller's frames) and end in exec or _exit. For callers whose child needs more set-up than
/// posix_spawn offers (the guard's: PR_SET_PDEATHSIG). Returns the pid, or -errno.
pid_t run_until_exec(void (*child)(void*), void* argument) noexcept;

}  // namespace foxport::platform
