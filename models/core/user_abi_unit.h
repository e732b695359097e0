// UserAbiUnit: the trace events of issue 17 that describe what Linux user space sees of MTE,
// on this core: the assertions (expect_value, expect_tag, expect_result, expect_fault), signal
// disposition (sigaction, SA_EXPOSE_TAGBITS), prctl (PR_SET_TAGGED_ADDR_CTRL: TCF mode and
// include mask), PSTATE.TCO, DC ZVA and DC GVA, atomics and exclusives, and LDGM/STGM at EL0
// (undefined: SIGILL). The loads, stores and tag stores themselves go through the
// LoadStoreUnit, kernel entries through the SystemCallGate.
//
// Assertions cost no simulated time: they are the test's view of the machine, as a debugger's
// would be. They read the page tables, tags and data without side effects (no page fault, no
// cache fill): a page never touched reads as zero with tag 0; a swapped-out page reads from its
// swap copy (data) and the swap xarray (tags).
#pragma once

#include "core/core_stats.h"
#include "core/kernel_state.h"
#include "core/load_store_unit.h"
#include "core/local_clock.h"
#include "core/system_call_gate.h"
#include "core/timing_model.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/sched/thread_scheduler.h"
#include "mtesim/trace/trace_event.h"
#include "mtesim/trace/workload.h"

#include <string>

namespace mtesim {

class UserAbiUnit {
public:
    UserAbiUnit(const CoreConfig &config, LocalClock &clock, TimingModel &timing, Workload &workload, LoadStoreUnit &lsu,
                SystemCallGate &gate, KernelState &kernel);

    /// One event of the ops above (and prctl); throws AssertionFailed when an assertion fails,
    /// TraceError when it asks for something never set.
    void event(ThreadContext &t, const TraceEvent &ev);

private:
    void prctl(ThreadContext &t, const TraceEvent &ev);
    void expect_value(ThreadContext &t, const TraceEvent &ev);
    void expect_tag(ThreadContext &t, const TraceEvent &ev);
    void expect_result(ThreadContext &t, const TraceEvent &ev);
    void expect_fault(ThreadContext &t, const TraceEvent &ev);
    /// The bytes of @t's process at @va (untagged), without side effects.
    void peek_data(ThreadContext &t, std::uint64_t va, std::uint8_t *out, std::uint64_t len) const;
    /// "<trace>:<line>: " (text) or "<trace>: event N: " (binary), for messages.
    std::string where(const TraceEvent &ev) const;
    [[noreturn]] void fail(const TraceEvent &ev, const std::string &what, const std::string &expected, const std::string &found) const;

    const CoreConfig &m_config;
    LocalClock &m_clock;
    TimingModel &m_timing;
    Workload &m_workload;
    LoadStoreUnit &m_lsu;
    SystemCallGate &m_gate;
    KernelState &m_kernel;
};

}  // namespace mtesim
