// KernelResult: what a system call or a page fault of the kernel model returns to the core that
// ran it: the outcome for the thread, the core cycles the work took, and a system call's return
// value. Kernel::Result and Kernel::Outcome name it.
#pragma once

#include <cstdint>

namespace mtesim {

enum class KernelOutcome {
    ok,           /* done (for a fault: the page is mapped, retry the access) */
    segv_maperr,  /* no VMA: SIGSEGV for the thread */
    segv_accerr,  /* a write to a VMA without PROT_WRITE: SIGSEGV (SEGV_ACCERR) for the thread */
    killed,       /* the calling process was killed by the OOM killer (or was already dead) */
};

struct KernelResult {
    KernelOutcome outcome = KernelOutcome::ok;
    std::uint64_t cycles = 0; /* core cycles the kernel work took */
    std::int64_t error = 0;   /* a system call's -errno (0: success), its return value to user space */
};

}  // namespace mtesim
