// DramController: see the header.
#include "dram/dram_controller.h"

#include "mtesim/common/sim_assert.h"
#include "protocol/mte_extension.h"

#include <algorithm>

namespace mtesim {

DramController::DramController(sc_core::sc_module_name name, const DramControllerParams &params,
                               SparseMemory &memory, TagStore &tags)
    : sc_core::sc_module(name), socket("socket"), m_ranges(params.ranges), m_engine(params.dram),
      m_tag_cache(params.tag_cache), m_memory(memory), m_tags(tags) {
    std::uint64_t offset = 0;
    for (const auto &r : m_ranges) {
        m_range_offsets.push_back(offset);
        offset += r.size();
    }
    m_tck_units = sc_core::sc_time(params.dram.tck_ps, sc_core::SC_PS).value();
    MTESIM_ASSERT(m_tck_units > 0, "tCK below the SystemC time resolution");
    socket.register_b_transport(this, &DramController::b_transport);
    socket.register_transport_dbg(this, &DramController::transport_dbg);
}

DramAddr DramController::dram_addr(PhysAddr pa) const {
    for (std::size_t i = 0; i < m_ranges.size(); ++i)
        if (m_ranges[i].contains(pa)) return DramAddr(m_range_offsets[i] + (pa - m_ranges[i].base()));
    MTESIM_ASSERT(false, "access outside the controller's ranges (the interconnect routes only ours)");
    return DramAddr();
}

bool DramController::move_tags(tlm::tlm_generic_payload &trans, MteExtension &ext) {
    const PhysAddr pa(trans.get_address() & ~(kGranuleSize - 1));
    const std::uint64_t end = trans.get_address() + std::max<std::uint64_t>(trans.get_data_length(), 1);
    const std::uint64_t granules = std::min<std::uint64_t>((end - pa.value() + kGranuleSize - 1) / kGranuleSize,
                                                           MteExtension::kMaxGranules);
    if (ext.tag_op == MteExtension::TagOp::read) return m_tags.get_range(pa, granules, ext.tags.data());
    return m_tags.set_range(pa, granules, ext.tags.data());
}

std::uint64_t DramController::tag_timing(PhysAddr pa, std::uint64_t len, bool write, std::uint64_t arrival) {
    std::uint64_t ready = arrival;
    auto first = m_tags.layout().locate(pa);
    auto last = m_tags.layout().locate(pa + (len ? len - 1 : 0));
    if (!first || !last) return ready;
    const std::uint32_t line = m_tag_cache.config().line_bytes;
    for (TagAddr t = m_tag_cache.line_of(first->byte); t <= last->byte; t += line) {
        TagCache::Outcome o = m_tag_cache.access(t, write);
        if (!o.hit) {
            // Fill (also before a partial write: write-allocate).
            auto r = m_engine.access(dram_addr(phys_of(t)), false, arrival, line, DramTimingEngine::Klass::tag);
            ready = std::max(ready, r.done);
        }
        if (o.writeback) {
            // Posted: occupies the bank and bus, does not delay this access.
            m_engine.submit(dram_addr(phys_of(*o.writeback)), true, arrival, line, DramTimingEngine::Klass::tag);
        }
    }
    return ready;
}

/*
 * One access: the arrival cycle is the initiator's local time (sc_time_stamp + annotated
 * delay) rounded up to tCK. Half the controller pipeline latency is spent before the request
 * enters its queue and half after the data returns. A read is answered when the engine
 * predicts its last data beat; a write when it has entered the write queue (posted). A tagged
 * access also looks up its tag lines; the response is ready when both data and tags are.
 * A request that reaches the controller after requests with later timestamps (temporal
 * decoupling) enters at the scheduler's clock; the initiator is charged the service time from
 * there, not the skew (docs/timing-model.md).
 */
void DramController::b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay) {
    const PhysAddr pa(trans.get_address());
    const std::uint64_t len = trans.get_data_length();
    const bool write = trans.is_write();
    const std::uint64_t now_units = (sc_core::sc_time_stamp() + delay).value();
    const std::uint64_t arrival = (now_units + m_tck_units - 1) / m_tck_units;
    const std::uint32_t front = m_engine.config().controller_latency / 2;
    const std::uint32_t back = m_engine.config().controller_latency - front;
    MteExtension *ext = trans.get_extension<MteExtension>();

    std::uint64_t done = arrival + front;
    std::uint64_t skew = 0; /* cycles the scheduler's clock was past the arrival */
    if (!ext || !ext->tag_only) {
        // Data traffic whatever the address: a payload to a tag-storage page is the pool's data
        // (the page holds data while it holds no tags); tags reach DRAM only through the tag cache.
        auto r = m_engine.access(dram_addr(pa), write, arrival + front, static_cast<std::uint32_t>(len),
                                 DramTimingEngine::Klass::data);
        done = r.done;
        skew = r.skew;
        if (ext && ext->functional) {
            if (write) m_memory.write(pa, trans.get_data_ptr(), len);
            else m_memory.read(pa, trans.get_data_ptr(), len);
        }
    }
    if (ext && ext->tag_op != MteExtension::TagOp::none) {
        ext->tagged_memory = move_tags(trans, *ext);
        if (ext->tagged_memory)
            done = std::max(done, tag_timing(pa, len, ext->tag_op == MteExtension::TagOp::write, arrival + front));
    }
    done += back;
    m_last_done = std::max(m_last_done, done);
    // Skew: the scheduler had moved past the arrival (out-of-order arrival); not charged.
    done -= std::min(skew, done - arrival);
    const std::uint64_t total_units = done * m_tck_units;
    delay += sc_core::sc_time::from_value(total_units > now_units ? total_units - now_units : 0);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int DramController::transport_dbg(tlm::tlm_generic_payload &trans) {
    const PhysAddr pa(trans.get_address());
    const std::uint64_t len = trans.get_data_length();
    MteExtension *ext = trans.get_extension<MteExtension>();
    if (ext && ext->tag_op != MteExtension::TagOp::none) ext->tagged_memory = move_tags(trans, *ext);
    if (ext && ext->tag_only) {
        trans.set_response_status(tlm::TLM_OK_RESPONSE);
        return 0;
    }
    if (trans.is_write()) m_memory.write(pa, trans.get_data_ptr(), len);
    else m_memory.read(pa, trans.get_data_ptr(), len);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return static_cast<unsigned int>(len);
}

DramControllerStats DramController::stats() const {
    m_engine.flush();
    DramControllerStats s;
    s.data = m_engine.traffic(DramTimingEngine::Klass::data);
    s.tag = m_engine.traffic(DramTimingEngine::Klass::tag);
    s.scheduler = m_engine.scheduler();
    s.tag_cache = m_tag_cache.stats();
    s.refreshes = m_engine.refreshes();
    s.bus_busy_cycles = m_engine.bus_busy_cycles();
    s.last_done_cycle = std::max(m_last_done, m_engine.last_done());
    s.host_lookaheads_adopted = m_engine.lookaheads_adopted();
    s.host_lookaheads_dropped = m_engine.lookaheads_dropped();
    s.host_late_entries = m_engine.late_entries();
    s.host_late_commands = m_engine.late_commands();
    s.host_steps = m_engine.host_counts().steps;
    s.host_commands = m_engine.host_counts().commands;
    return s;
}

}  // namespace mtesim
