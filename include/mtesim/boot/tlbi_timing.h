// TlbiTiming: what each core's TLB flushes cost at run time (kernel.tlbi_timing,
// CoreConfig::TlbiTiming). On a board with an /interconnect (auto or dvm), each core's flush is
// the DVM broadcast from its own crosspoint (DvmBroadcastModel), as the boot's is from the boot
// CPU's: a TLBI + DSB ISH is two rounds (tlbi_cycles: the DVMOp and the DVMSync), each further
// TLBI before one DSB ISH one more DVMOp round (tlbi_page_cycles), and the DVM node is busy
// sending a round's snoops for dvm_issue_ps (DvmNode, shared by the cores). On a virtualised
// board a guest's vCPU i issues from the host domain's core i. Elsewhere, or with fixed, the
// kernel.tlbi_cycles and kernel.tlbi_page_cycles keys stand.
#pragma once

#include "mtesim/config/config_store.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/dt/platform_desc.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class TlbiTiming {
public:
    /// Sets @cfgs[i]'s TLBI costs for cpu i of @desc; @ack_cycles is dvm.ack_cycles. Throws
    /// ConfigError naming @store's kernel.tlbi_timing when it is dvm on a board without an
    /// /interconnect.
    static void apply(const PlatformDesc &desc, const ConfigStore &store, std::uint32_t ack_cycles, std::vector<CoreConfig> &cfgs);
};

}  // namespace mtesim
