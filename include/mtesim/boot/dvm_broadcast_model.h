// DvmBroadcastModel: how long a broadcast TLB invalidation by VA (TLBI VAALE1IS / VAE1IS) and
// the DSB ISH after it keep the issuing core waiting, from the interconnect's topology.
//
// In a CHI system (AMBA CHI spec, "DVM operations"; Arm CMN-600 TRM, "DVM node") the core's
// TLBI becomes a DVMOp request to the DVM node (DN). The DN sends each other core of the
// inner-shareable domain a DVM snoop (SnpDVMOp, sent in two parts: two flits at the DN's port,
// one interconnect cycle each), each core invalidates its TLBs and acknowledges (SnpResp), and
// the DN completes the request when every acknowledgement has arrived. The DSB ISH then sends
// a DVMSync, which the DN broadcasts and completes the same way: the DSB retires when every
// core of the domain has finished the earlier invalidation. So one TLBI + DSB ISH costs two
// broadcast rounds; each round lasts
//     to_dn + max_k( (k + 1) * flits * t_icn + 2 * hops(DN, core_k) * t_hop + ack ) + from_dn,
// with to_dn = from_dn = hops(requester, DN) * t_hop,
// with core_k the k-th target in DN issue order (the domain's order, the requester left out), hops counted along XY
// routing with the two device-port crossings, t_hop = hop_cycles / interconnect clock, and
// ack the target core's invalidation and response (dvm.ack_cycles). The cost grows with the
// cores of the domain (the serial issue) and with the mesh's size (the hops).
//
// The boot's TLBIs come from the boot CPU (requester 0); the kernel's TLB flushes at run time
// from whichever core runs them, so each core has its own cost (its distance to the DN).
// A board without an /interconnect node has no topology: the TLBI costs kernel.tlbi_cycles.
#pragma once

#include "mtesim/dt/topology_desc.h"

#include <cstddef>
#include <cstdint>

namespace mtesim {

struct DvmRound {
    double ps = 0;            /* one broadcast round, request to completion, in ps */
    unsigned targets = 0;     /* cores snooped */
    unsigned max_hops = 0;    /* the farthest target's hops from the DN */
    double issue_ps = 0;      /* the DN's port busy sending the snoops (two flits a target), in ps */
};

class DvmBroadcastModel {
public:
    /// @core_hz: the issuing core's clock; @ack_cycles: a target's invalidation and response,
    /// in its core cycles; @fallback_cycles: the cost without a topology (kernel.tlbi_cycles);
    /// @requester: the issuing core's index in the domain (TopologyDesc::cpu_xps).
    DvmBroadcastModel(const TopologyDesc &topology, std::uint64_t core_hz, std::uint32_t ack_cycles,
                      std::uint32_t fallback_cycles, std::size_t requester = 0);

    /// Core cycles the issuing core waits for TLBI + DSB ISH (two rounds).
    std::uint64_t tlbi_sync_cycles() const { return m_cycles; }
    /// Core cycles of one round (a DVMOp or a DVMSync), rounded up; zero without a topology.
    std::uint64_t round_cycles() const { return m_round_cycles; }
    /// One round (DVMOp or DVMSync); zero without a topology.
    const DvmRound &round() const { return m_round; }
    bool modelled() const { return m_modelled; }

    /// Hops between two crosspoints: XY-routed links plus the two device-port crossings.
    static unsigned hops(XpCoord a, XpCoord b);
    /// One broadcast round from core @requester of @t to every other core, in ps.
    static DvmRound broadcast(const TopologyDesc &t, double ack_ps, std::size_t requester = 0);

private:
    DvmRound m_round;
    std::uint64_t m_cycles = 0;
    std::uint64_t m_round_cycles = 0;
    bool m_modelled = false;
};

}  // namespace mtesim
