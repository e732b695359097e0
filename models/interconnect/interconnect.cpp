// Interconnect: address decode with a one-entry cache of the last route taken (accesses from
// one core mostly stay within one DRAM range), falling back to a binary search.
#include "interconnect/interconnect.h"

#include "mtesim/common/sim_assert.h"

#include <algorithm>

namespace mtesim {

Interconnect::Interconnect(sc_core::sc_module_name name, const InterconnectConfig &config)
    : sc_core::sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket"),
      m_config(config) {
    target_socket.register_b_transport(this, &Interconnect::b_transport);
    target_socket.register_transport_dbg(this, &Interconnect::transport_dbg);
}

void Interconnect::add_route(const AddrRange &range, unsigned target) {
    for (const auto &r : m_routes) MTESIM_ASSERT(!r.range.overlaps(range), "overlapping interconnect routes");
    m_routes.push_back(Route{range, target});
    std::sort(m_routes.begin(), m_routes.end(),
              [](const Route &a, const Route &b) { return a.range.base() < b.range.base(); });
    m_last_route = -1;
}

int Interconnect::decode(PhysAddr pa) {
    if (m_last_route >= 0 && m_routes[static_cast<std::size_t>(m_last_route)].range.contains(pa))
        return m_last_route;
    auto it = std::upper_bound(m_routes.begin(), m_routes.end(), pa,
                               [](PhysAddr a, const Route &r) { return a < r.range.base(); });
    if (it == m_routes.begin()) return -1;
    --it;
    if (!it->range.contains(pa)) return -1;
    m_last_route = static_cast<int>(it - m_routes.begin());
    return m_last_route;
}

void Interconnect::b_transport(int, tlm::tlm_generic_payload &trans, sc_core::sc_time &delay) {
    const PhysAddr pa(trans.get_address());
    const int route = decode(pa);
    delay += m_config.hop_latency;
    // The whole access must fall in one target: a straddling burst is a decode error too.
    const std::uint64_t len = trans.get_data_length();
    if (route < 0 || (len > 0 && !m_routes[static_cast<std::size_t>(route)].range.contains(
                                     AddrRange(pa, len)))) {
        ++m_stats.decode_errors;
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    ++m_stats.transactions;
    initiator_socket[m_routes[static_cast<std::size_t>(route)].target]->b_transport(trans, delay);
}

unsigned int Interconnect::transport_dbg(int, tlm::tlm_generic_payload &trans) {
    ++m_stats.debug_accesses;
    const int route = decode(PhysAddr(trans.get_address()));
    if (route < 0) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    return initiator_socket[m_routes[static_cast<std::size_t>(route)].target]->transport_dbg(trans);
}

}  // namespace mtesim
