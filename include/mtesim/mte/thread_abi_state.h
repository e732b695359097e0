// ThreadAbiState: what Linux user space sees of a thread beyond its registers, as the trace's
// assertions and the fault records need it (docs/trace-format.md, "Assertions"; Linux
// Documentation/arch/arm64/memory-tagging-extension.rst):
//   - the result of its last system call (a signed long: >= 0, or -errno), as x0 holds it;
//   - its signal disposition for SIGSEGV/SIGBUS/SIGILL: the default action (the thread is
//     killed, core.on_fault = kill) or a handler (the fault is reported and the thread goes
//     on), and whether the handler was installed with SA_EXPOSE_TAGBITS (si_addr keeps bits
//     59:56 of the faulting address);
//   - which fault kinds were reported during which of its events (expect_fault looks at the
//     previous event).
#pragma once

#include <cstdint>

namespace mtesim {

struct ThreadAbiState {
    std::int64_t last_result = 0;   /* the last system call's return value (Linux: >= 0 or -errno) */
    bool result_set = false;        /* a system call has returned on this thread */
    bool handler = false;           /* sigaction: a SIGSEGV/SIGBUS/SIGILL handler is installed */
    bool expose_tagbits = false;    /* ... with SA_EXPOSE_TAGBITS */
    std::uint64_t event_index = 0;  /* the trace's event index of the event running now */
    std::uint64_t fault_event = 0;  /* the thread's event count (ThreadContext::events) of the last fault */
    std::uint32_t fault_kinds = 0;  /* bit FaultKind: kinds reported during that event */
    std::uint64_t fault_si_addr[9] = {}; /* per FaultKind: si_addr of its first report during that event */

    /// The system call returned @r.
    void set_result(std::int64_t r) {
        last_result = r;
        result_set = true;
    }
};

}  // namespace mtesim
