// IKernelThread: a kernel thread (kswapd, kcompactd) as the scheduler sees it. It sleeps until
// something wakes it; the scheduler then places it on a core's run queue like a user thread,
// and the core that picks it up runs it pass by pass, holding the kernel model, its work
// charged to that core as it runs (KernelMemoryWork through the KernelMemoryRouter).
#pragma once

#include <cstdint>

namespace mtesim {

class IKernelThread {
public:
    virtual ~IKernelThread() = default;
    /// Its name, as ps shows it ("kswapd0", "kcompactd0").
    virtual const char *name() const = 0;
    /// One pass of the thread's loop (one SWAP_CLUSTER_MAX batch of reclaim, one compaction
    /// run). The cycles of its kernel work are added to @cycles, for accounting (they are
    /// already charged to the core running it). True while it has more to do (it stays
    /// runnable); false when it went back to sleep.
    virtual bool run_once(std::uint64_t &cycles) = 0;
    /// The core time it took, its context switches included: its own stats.
    virtual void account(std::uint64_t cycles) = 0;
    /// After run_once() returned false: how long it sleeps before its timer wakes it (an
    /// interruptible timed sleep, schedule_timeout), in ps; 0: until something wakes it.
    virtual std::uint64_t sleep_timeout_ps() const { return 0; }
    /// Its timer expired with no wake-up meanwhile: true when it is to run again (the
    /// scheduler places it as a woken thread), false when it went to sleep until woken.
    virtual bool timed_out() { return false; }
};

}  // namespace mtesim
