// KernelInvariantChecker: the kernel model's accounting invariants (Kernel::check_invariants),
// checked from outside the operations that keep them: PTEs against the page records, the
// page records against the allocator and the LRU lists, swap PTEs against the swap slots and
// the saved-tag xarray, parked tags against the pending-storage flags. Used by the randomized
// and stress tests after every operation. O(mapped pages); no simulated cost.
#pragma once

#include "mtesim/kernel/kernel.h"

#include <string>

namespace mtesim {

class KernelInvariantChecker {
public:
    explicit KernelInvariantChecker(const Kernel &kernel) : m_kernel(kernel) {}
    /// Empty when every invariant holds, else the first one found broken.
    std::string check() const;

private:
    const Kernel &m_kernel;
};

}  // namespace mtesim
