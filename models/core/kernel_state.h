// KernelState: the kernel model as the cores reach it, owned by the Platform. The page
// allocator and the kernel model exist once the boot has built them; the router tells them
// which core runs kernel code, and holds the run's kernel locks.
#pragma once

#include "mtesim/kernel/kernel.h"
#include "mtesim/mm/page_allocator.h"

namespace mtesim {

class KernelMemoryRouter;

struct KernelState {
    PageAllocator *allocator = nullptr;   /* set by the boot */
    Kernel *os = nullptr;                 /* the kernel model, set by the boot */
    KernelMemoryRouter *router = nullptr; /* tells the allocator which core runs it */
};

}  // namespace mtesim
