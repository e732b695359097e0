// DvmNode: the interconnect's DVM node (CMN-600's DN, in the HN-D) as a resource the cores'
// TLB flushes share. The DN sends a DVM operation's snoops to the domain's cores one after
// another through its one port (DvmBroadcastModel: two flits a target, one interconnect cycle
// each), so while it issues one core's operation another core's waits. Each flush books the DN
// for the issue time of its operations (DvmRound::issue_ps per round), at the earliest time at
// or after its request when the DN is free that long; the wait is the flushing core's.
// Published evidence of the effect, without figures for a mesh: "the latency of the tlbi
// broadcast instruction increases almost linearly with the number of CPUs trying to send tlbi
// broadcasts at the same time" (Andrea Arcangeli, "[PATCH 3/3] arm64: tlb: skip tlbi
// broadcast", linux-arm-kernel 2020-02, of arm64 within one NUMA node).
//
// The DN is a BusyCalendar: a flush another core makes at an earlier simulated time than a long
// kernel operation's finds the gaps between that operation's bookings.
#pragma once

#include "mtesim/common/busy_calendar.h"

namespace mtesim {

class DvmNode : public BusyCalendar {};

}  // namespace mtesim
