// RunControl: how the cores' event loops start and stop together, owned by the Platform: the
// boot (core 0 runs it alone, the others wait), the run limits checked at every quantum, and
// the first bad-input error raised inside a core thread.
#pragma once

#include <systemc>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>

namespace mtesim {

class Core;

struct RunControl {
    std::function<void(Core &)> boot;             /* run by core 0 before any thread */
    bool boot_done = false;
    sc_core::sc_event *boot_done_event = nullptr; /* secondary cores wait for it */
    bool exclusive = false;                       /* one core runs alone: no need to order its memory requests */
    /* Run limits: checked by the cores at every quantum; a stop ends the run early, cleanly. */
    std::chrono::steady_clock::time_point host_deadline = std::chrono::steady_clock::time_point::max();
    const volatile std::sig_atomic_t *interrupt = nullptr; /* set by SIGINT */
    std::string stop_reason;                               /* why the run ended early; empty if it did not */
    std::string error;                                     /* first bad-input error raised inside a core thread */
    std::string assertion_failure;                         /* first failed trace assertion (exit status 1) */
};

}  // namespace mtesim
