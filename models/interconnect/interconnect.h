// Interconnect: the system bus. Initiators (cores, the kernel's memory agent) bind to
// target_socket; memory-mapped targets (DRAM controllers) bind to initiator_socket, each
// with the address ranges the device tree gives it. b_transport adds one hop of latency
// and forwards by address; an address no target claims is answered with
// TLM_ADDRESS_ERROR_RESPONSE and counted, which the core reports as a bus error. Addresses
// are forwarded unchanged (global physical addresses), because the DRAM controller needs
// them to find an access's tag storage.
#pragma once

#include "mtesim/common/addr_range.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstdint>
#include <vector>

namespace mtesim {

struct InterconnectConfig {
    sc_core::sc_time hop_latency = sc_core::SC_ZERO_TIME; /* added to every transaction */
};

struct InterconnectStats {
    std::uint64_t transactions = 0;   /* in requests routed */
    std::uint64_t decode_errors = 0;  /* in requests no target claimed */
    std::uint64_t debug_accesses = 0; /* in transport_dbg calls */
};

class Interconnect : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<Interconnect> target_socket;
    tlm_utils::multi_passthrough_initiator_socket<Interconnect> initiator_socket;

    Interconnect(sc_core::sc_module_name name, const InterconnectConfig &config);

    /// Routes @range to the target bound as initiator_socket[@target]. Ranges must not
    /// overlap (the PlatformValidator has already checked the DT).
    void add_route(const AddrRange &range, unsigned target);

    const InterconnectStats &stats() const { return m_stats; }

private:
    struct Route {
        AddrRange range;
        unsigned target;
    };

    /// Index into m_routes of the route claiming @pa, or -1.
    int decode(PhysAddr pa);
    void b_transport(int initiator, tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
    unsigned int transport_dbg(int initiator, tlm::tlm_generic_payload &trans);

    InterconnectConfig m_config;
    std::vector<Route> m_routes; /* sorted by base */
    int m_last_route = -1;       /* the route that claimed the previous access */
    InterconnectStats m_stats;
};

}  // namespace mtesim
