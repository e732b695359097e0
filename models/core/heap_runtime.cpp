// HeapRuntime: see the header.
#include "core/heap_runtime.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/mte/tag_check_unit.h"

#include <algorithm>

namespace mtesim {

HeapRuntime::HeapRuntime(LocalClock &clock, CoreStats &stats, TimingModel &timing, Workload &workload,
                         HeapRegistry &heaps, LoadStoreUnit &lsu, SystemCallGate &gate, const TagStore &tags)
    : m_clock(clock), m_stats(stats), m_timing(timing), m_workload(workload), m_heaps(heaps), m_lsu(lsu), m_gate(gate),
      m_tags(tags) {}

/*
 * The heap (HeapModel places chunks; the work is this core's). An allocation maps any new
 * region through the kernel model (an mmap system call), charges heap.malloc_instructions, and
 * on a tagged heap draws the chunk's tag with IRG (tag 0 and the other parity excluded, so
 * neighbours differ) and stores it on every granule; calloc zeroes while tagging (STZG). A
 * free charges heap.free_instructions, reports a double or invalid free as a fault (Scudo
 * aborts), unmaps a secondary chunk, and retags a primary one excluding its old tag, so a
 * stale pointer no longer matches. realloc allocates, copies through the caches with both
 * pointers (tag-checked), and frees the old chunk.
 */
void HeapRuntime::heap_event(ThreadContext &t, const TraceEvent &ev) {
    HeapRegistry::Heap &lock = m_heaps.heap_of(t.info.process, m_heaps.config().tagged && m_tags.layout().regions().size() > 0);
    if (lock.busy) {
        m_clock.sync();
        while (lock.busy) sc_core::wait(lock.released);
        m_clock.waited();
    }
    lock.busy = true;
    // A tagging allocator enables its include mask before it tags anything: after exec
    // PR_MTE_TAG_MASK is 0 (IRG would return tag 0 only), and Android's bionic sets 0xfffe
    // (every tag but 0) with prctl(PR_SET_TAGGED_ADDR_CTRL) at process start. A thread whose
    // mask the trace never set gets it at its first heap call, as from that prctl (no cost
    // here: it happened before the trace). A mask the trace set is kept.
    if (lock.model->tagged() && !t.mte.mask_set) {
        t.mte.exclude = kAllocatorExclude;
        t.mte.mask_set = true;
    }
    heap_call(t, *lock.model, ev);
    lock.busy = false;
    m_clock.flush();
    lock.released.notify(m_clock.local_time());
}

void HeapRuntime::heap_call(ThreadContext &t, HeapModel &h, const TraceEvent &ev) {
    Workload &w = m_workload;
    switch (ev.op) {
    case TraceOp::malloc:
    case TraceOp::calloc: {
        const bool zero = ev.op == TraceOp::calloc;
        const VirtAddr p = allocate(t, h, zero ? std::uint64_t(ev.aux) * ev.arg : ev.arg, zero, ev.position);
        if (!t.killed) w.set_pointer(ev.dest, p);
        break;
    }
    case TraceOp::free: free_chunk(t, h, w.resolve(ev.src), ev.position); break;
    case TraceOp::realloc: {
        const VirtAddr old = w.resolve(ev.src);
        const HeapModel::Chunk *c = untagged(old).value() ? h.live(untagged(old).value()) : nullptr;
        if (untagged(old).value() && !c) { /* not a live chunk: the free half reports it */
            free_chunk(t, h, old, ev.position);
            break;
        }
        const std::uint64_t keep = c ? std::min(c->size, ev.arg) : 0;
        const VirtAddr p = allocate(t, h, ev.arg, false, ev.position);
        if (t.killed) break;
        std::uint8_t bytes[64];
        LoadStoreUnit::Data in, out; /* the copy carries the data (vm.data) */
        in.dst = bytes;
        out.src = bytes;
        for (std::uint64_t off = 0; off < keep && !t.killed; off += 64) {
            const std::uint64_t n = std::min<std::uint64_t>(64, keep - off);
            if (!m_lsu.access(t, old + off, n, false, ev.position, 0, &in)) break;
            if (!m_lsu.access(t, p + off, n, true, ev.position, 0, &out)) break;
        }
        if (!t.killed) free_chunk(t, h, old, ev.position);
        if (!t.killed) w.set_pointer(ev.dest, p);
        break;
    }
    default: MTESIM_ASSERT(false, "not a heap event");
    }
}

VirtAddr HeapRuntime::allocate(ThreadContext &t, HeapModel &h, std::uint64_t size, bool zero, std::uint64_t position) {
    std::vector<HeapModel::Map> maps;
    const HeapModel::Chunk c = h.allocate(size, maps);
    for (const auto &m : maps) m_gate.map_region(t, m.base, m.length, true, h.tagged(), position);
    if (t.killed) return VirtAddr();
    m_timing.compute(m_heaps.config().malloc_instructions);
    ++m_stats.mallocs;
    if (!h.tagged()) {
        // An untagged heap zeroes calloc memory with ordinary stores.
        LoadStoreUnit::Data zeros;
        zeros.value = 0;
        for (std::uint64_t off = 0; zero && off < c.span && !t.killed; off += 4096)
            m_lsu.access(t, VirtAddr(c.addr + off), std::min<std::uint64_t>(4096, c.span - off), true, position, 0, &zeros);
        return VirtAddr(c.addr);
    }
    const Tag tag = TagCheckUnit::irg(t.mte, HeapModel::parity_exclude(c.odd));
    h.set_tag(c.addr, tag);
    const VirtAddr p = with_tag(VirtAddr(c.addr), tag);
    m_stats.heap_tag_granules += c.span / kGranuleSize;
    m_lsu.store_tags(t, p, c.span / kGranuleSize, zero, position);
    return p;
}

bool HeapRuntime::free_chunk(ThreadContext &t, HeapModel &h, VirtAddr p, std::uint64_t position) {
    m_timing.compute(m_heaps.config().free_instructions);
    HeapModel::Chunk c;
    const HeapModel::FreeResult r = h.release(untagged(p).value(), c);
    if (r != HeapModel::FreeResult::ok) {
        ++m_stats.faults_heap;
        m_gate.report(t, r == HeapModel::FreeResult::double_free ? FaultKind::heap_double_free : FaultKind::heap_invalid_free,
                      true, p.value(), true, position);
        m_gate.kernel_entry(t, position); /* the abort's signal */
        return false;
    }
    ++m_stats.heap_frees;
    if (c.secondary) {
        m_gate.map_region(t, c.mapping, c.mapping_length, false, false, position);
    } else if (h.tagged()) {
        const Tag tag = TagCheckUnit::irg(t.mte, static_cast<std::uint16_t>(HeapModel::parity_exclude(c.odd) | (1u << c.tag)));
        m_stats.heap_tag_granules += c.span / kGranuleSize;
        m_lsu.store_tags(t, with_tag(VirtAddr(c.addr), tag), c.span / kGranuleSize, false, position);
    }
    return true;
}

}  // namespace mtesim
