// EmptySource: a workload with no threads (`mtesim boot` runs the boot alone).
#pragma once

#include "mtesim/trace/i_event_source.h"

namespace mtesim {

class EmptySource : public IEventSource {
public:
    bool next(TraceEvent &) override { return false; }
    std::string name_of(std::uint32_t) const override { return ""; }
    std::uint32_t name_count() const override { return 0; }
    std::string description() const override { return "no workload"; }
};

}  // namespace mtesim
