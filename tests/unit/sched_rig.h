// SchedRig: a ThreadScheduler over a small text trace, for the scheduler's unit tests
// (sched_balance_test.cpp, sched_capacity_test.cpp). The trace is read whole at construction;
// wake-ups and charged instructions are recorded.
#pragma once

#include "mtesim/sched/thread_scheduler.h"
#include "mtesim/trace/text_trace_reader.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace mtesim {

struct SchedRig {
    std::string path;
    std::unique_ptr<Workload> w;
    std::unique_ptr<ThreadScheduler> s;
    std::vector<std::uint32_t> woken;
    std::uint64_t charged = 0; /* instructions */
    /// @capacities: per core (empty: every core 1024).
    SchedRig(std::uint32_t cores, const std::string &threads, const SchedConfig &config,
             const std::vector<std::uint32_t> &capacities = {})
        : path("/tmp/mtesim-sched-" + std::to_string(getpid()) + "-" + std::to_string(next_id()) + ".trace") {
        std::ofstream(path) << "mtesim-trace 1\n" << threads;
        w = std::make_unique<Workload>(std::make_unique<TextTraceReader>(path));
        s = std::make_unique<ThreadScheduler>(*w, cores, 1);
        s->configure(config);
        if (!capacities.empty()) s->set_capacities(capacities);
        s->set_wake([this](std::uint32_t core) { woken.push_back(core); });
        s->set_charge([this](std::uint32_t, std::uint64_t n) { charged += n; });
        while (!w->exhausted()) w->pump();
    }
    ~SchedRig() { std::remove(path.c_str()); }
    SchedRig(const SchedRig &) = delete;
    SchedRig &operator=(const SchedRig &) = delete;
    static unsigned next_id() {
        static unsigned n = 0;
        return n++;
    }
    ThreadContext *thread(std::uint32_t id) const {
        for (auto &t : s->threads())
            if (t->info.id == id) return t.get();
        return nullptr;
    }
    /// @core picks its next thread at @now and runs it from then.
    ThreadContext *dispatch(std::uint32_t core, std::uint64_t now) {
        ThreadContext *t = s->try_next(core, now);
        if (t) s->set_running(core, t, now);
        return t;
    }
};

}  // namespace mtesim
