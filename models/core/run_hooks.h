// RunHooks: what the command line attaches to a run after the Platform is built: a progress
// report called at every quantum and the timeline of events of interest.
#pragma once

#include "mtesim/stats/timeline.h"

#include <functional>

namespace mtesim {

struct RunHooks {
    std::function<void()> progress; /* called at every quantum (rate-limited by the callee) */
    Timeline *timeline = nullptr;   /* --timeline: events of interest */
};

}  // namespace mtesim
