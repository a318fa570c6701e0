// Tree ownership through prctl.

#include <sys/prctl.h>

#include "platform/tree_owner.hpp"

namespace foxport::platform {

bool become_subreaper() noexcept { return ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }

bool die_with_parent(int signal) noexcept { return ::prctl(PR_SET_PDEATHSIG, signal) == 0; }

}  // namespace foxport::platform
