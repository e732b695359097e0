// Core: see the header. The hot path is an L1 hit: a TLB lookup, a set scan, a nibble compare.
#include "core/core.h"

#include "mtesim/common/format.h"
#include "mtesim/common/sim_assert.h"
#include "core/kernel_memory_router.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/kernel/user_pte.h"

#include <algorithm>
#include <cmath>

namespace mtesim {

namespace {
constexpr std::uint64_t kAccessBuffer = 4096; /* the largest single transaction, in bytes */

/* kGranuleMask[a][b]: the tag nibbles of granules a..b of a line (a <= b < 16). */
struct GranuleMasks {
    std::uint64_t m[16][16] = {};
    constexpr GranuleMasks() {
        for (unsigned a = 0; a < 16; ++a)
            for (unsigned b = a; b < 16; ++b) m[a][b] = ((b - a == 15) ? ~0ull : ((1ull << (4 * (b - a + 1))) - 1)) << (4 * a);
    }
    constexpr const std::uint64_t *operator[](unsigned a) const { return m[a]; }
};
constexpr GranuleMasks kGranuleMask;
}

Core::Core(sc_core::sc_module_name name, std::uint32_t id, std::uint64_t clock_hz, const CoreConfig &config,
           CoreEnvironment &env)
    : sc_core::sc_module(name), socket("socket"), m_id(id), m_clock_hz(clock_hz), m_config(config), m_env(env),
      m_period(sc_core::sc_time(1e12 / static_cast<double>(clock_hz), sc_core::SC_PS)), m_l1(config.l1d),
      m_tlb(config.tlb_entries, config.tlb_ways), m_line_shift(m_l1.line_shift()),
      m_line_bytes(config.l1d.line_bytes) {
    m_period_units = m_period.value();
    MTESIM_ASSERT(m_period_units > 0, "core clock faster than the SystemC time resolution");
    m_write_buffer.assign(config.write_buffer, 0);
    SC_THREAD(run);
}

void Core::flush_time() {
    if (m_pending_cycles) {
        m_qk.inc(sc_core::sc_time::from_value(m_pending_cycles * m_period_units));
        m_pending_cycles = 0;
    }
}

void Core::run() {
    m_qk.reset();
    // Boot runs on CPU 0 alone; the secondaries come up when it is done.
    if (m_id == 0 && m_env.boot) {
        m_env.exclusive = true;
        m_env.kernel->set_current(this);
        m_env.boot(*this);
        m_env.kernel->set_current(nullptr);
        m_env.exclusive = false;
        flush_time();
        m_qk.sync();
        m_env.boot_done = true;
        if (m_env.boot_done_event) m_env.boot_done_event->notify();
    } else if (m_env.boot && !m_env.boot_done) {
        wait(*m_env.boot_done_event);
        m_qk.reset();
    }
    try {
        for (;;) {
            if (ThreadContext *t = m_env.scheduler->try_next(m_id, now_ps())) {
                run_thread(*t);
                continue;
            }
            const ThreadScheduler::Idle idle = m_env.scheduler->idle_action(m_id);
            if (idle == ThreadScheduler::Idle::finish) break;
            if (idle == ThreadScheduler::Idle::read_ahead) {
                m_env.workload->pump();
            } else if (idle == ThreadScheduler::Idle::sleep) {
                flush_time();
                m_qk.sync();
                wait(m_wake);
                m_qk.reset();
            } else if (idle == ThreadScheduler::Idle::wait_sleeper) {
                // Only sleeping threads: idle until the first wakes (or a new thread arrives).
                flush_time();
                m_qk.sync();
                const std::uint64_t now = now_ps(), wake = m_env.scheduler->next_wake(m_id);
                if (wake > now) wait(sc_core::sc_time(static_cast<double>(wake - now), sc_core::SC_PS), m_wake);
                m_qk.reset();
            }
        }
    } catch (const TraceError &e) {
        // Bad input found while simulating: stop the run; Platform::run rethrows it.
        if (m_env.error.empty()) {
            m_env.error = e.what();
            sc_core::sc_stop();
        }
    }
    flush_time();
    m_stats.cycles = m_qk.get_current_time().value() / m_period_units;
    m_qk.sync();
}

VirtAddr Core::resolve(const Operand &op) const {
    if (op.name == Operand::kRaw) return VirtAddr(op.raw);
    return VirtAddr(m_env.workload->pointer(op.name).value() + static_cast<std::uint64_t>(op.offset));
}

void Core::report(ThreadContext &t, FaultKind kind, bool has_addr, std::uint64_t addr, bool write,
                  std::uint64_t position) {
    FaultRecord f;
    f.time_ps = (m_qk.get_current_time() + sc_core::sc_time::from_value(m_pending_cycles * m_period_units)).value() /
                sc_core::sc_time(1, sc_core::SC_PS).value();
    f.core = m_id;
    f.thread = t.info.id;
    f.kind = kind;
    f.has_address = has_addr;
    f.address = addr;
    f.write = write;
    f.mode = t.mte.tcf;
    f.position = position;
    m_env.faults.push_back(f);
    if (m_env.timeline)
        m_env.timeline->instant(fault_kind_name(kind), "fault", m_id, f.time_ps,
                                "\"thread\": " + std::to_string(f.thread) + ", \"address\": \"" +
                                    (has_addr ? hex(addr) : std::string("none")) + "\", \"position\": " + std::to_string(position));
    switch (kind) {
    case FaultKind::tag_sync: ++m_stats.faults_sync; break;
    case FaultKind::tag_async: ++m_stats.faults_async; break;
    case FaultKind::maperr: ++m_stats.faults_maperr; break;
    case FaultKind::heap_double_free:
    case FaultKind::heap_invalid_free: break; /* counted as faults_heap by the caller */
    default: ++m_stats.faults_other; break;
    }
    if (m_config.kill_on_fault) kill_thread(t);
}

bool Core::kernel_entry(ThreadContext &t, std::uint64_t position) {
    m_pending_cycles += m_config.kernel_entry_cycles;
    ++m_stats.kernel_entries;
    if (TagCheckUnit::take_async_fault(t.mte)) report(t, FaultKind::tag_async, false, 0, false, position);
    // A thread whose process the OOM killer took dies at its next kernel entry.
    if (!t.killed && t.started && m_env.os && !m_env.os->alive(t.info.process)) kill_thread(t);
    return !t.killed;
}

void Core::kill_thread(ThreadContext &t) {
    if (t.killed) return;
    t.killed = true;
    ++m_stats.threads_killed;
    m_env.workload->discard(t.info.id);
}

void Core::enter_kernel() {
    KernelMemoryRouter &k = *m_env.kernel;
    if (k.current() && k.current() != this) {
        ++m_stats.kernel_lock_waits;
        const std::uint64_t before = now_cycles();
        flush_time();
        m_qk.sync();
        while (k.current()) wait(k.released());
        m_stats.kernel_lock_wait_cycles += now_cycles() - before;
    }
    k.set_current(this);
}

void Core::leave_kernel() {
    sample_pool();
    m_env.kernel->set_current(nullptr);
    // Waiters may go once this core's local time has passed.
    flush_time();
    m_env.kernel->released().notify(m_qk.get_local_time());
}

/* Pool utilisation over time, after every kernel operation. */
void Core::sample_pool() {
    // Pool utilisation over time: every stride-th event; when 4096 samples are held, every
    // other one is dropped and the stride doubles, so the series stays evenly spaced.
    auto &samples = m_env.pool_samples;
    if (!m_env.allocator || m_env.pool_sample_events++ % m_env.pool_sample_stride) return;
    const PageAllocator &alloc = *m_env.allocator;
    if (samples.size() >= 4096) {
        for (std::size_t i = 0; i < samples.size() / 2; ++i) samples[i] = samples[2 * i];
        samples.resize(samples.size() / 2);
        m_env.pool_sample_stride *= 2;
    }
    samples.push_back({now_cycles() * m_period_units / sc_core::sc_time(1, sc_core::SC_PS).value(),
                       alloc.pool_pages_holding_data(), alloc.pool_pages_holding_tags(), alloc.free_pages(MigrateType::cma)});
}

void Core::finish_thread(ThreadContext &t) {
    if (t.finished || !t.started) return;
    t.finished = true;
    enter_kernel();
    m_env.os->thread_exit(t.info.process);
    leave_kernel();
}

std::uint64_t Core::walk(PhysAddr root, std::uint64_t va) {
    ++m_stats.page_walks;
    std::uint64_t table = root.value();
    for (unsigned level = 0; level < pgtable::kLevels; ++level) {
        const std::uint64_t slot = table + 8ull * pgtable::index(va, level);
        line_access(slot >> m_line_shift, false, false);
        const std::uint64_t desc = m_env.memory->read_word(PhysAddr(slot));
        if (level == pgtable::kLevels - 1 || !(desc & pgtable::kValid)) return level == pgtable::kLevels - 1 ? desc : 0;
        table = desc & pgtable::kAddrMask;
    }
    return 0;
}

/*
 * Translation. A TLB hit (keyed by the thread's ASID) is done. A miss walks the process's four
 * levels of tables in simulated memory through this core's caches (the hardware walker); a
 * valid page descriptor fills the TLB and tells the kernel model the page was referenced (the
 * access flag). Anything else is a page fault: a kernel entry, the kernel model's fault handler
 * on this core (its work costs this core time), and the walk again.
 */
Core::Translated Core::translate(ThreadContext &t, VirtAddr va, bool write, std::uint64_t position) {
    const std::uint64_t u = va.value();
    if (u >= kUserVaLimit) return Translated{};
    const std::uint64_t key = (u >> kPageShift) | t.asid_key;
    if (const Tlb::Entry *e = m_tlb.lookup(key)) {
        ++m_stats.tlb_hits;
        return Translated{Translated::ok, PhysAddr((e->pfn << kPageShift) | (u & (kPageSize - 1))), e->tagged};
    }
    ++m_stats.tlb_misses;
    for (int attempt = 0; attempt < 4; ++attempt) {
        const PhysAddr root = m_env.os->root(t.info.process);
        if (!root.value()) {
            kill_thread(t);
            return Translated{Translated::killed, {}, false};
        }
        const std::uint64_t pte = walk(root, u);
        if (upte::kind(pte) == upte::Kind::present) {
            const Pfn pfn = upte::pfn(pte);
            m_tlb.insert(key, pfn.value(), upte::tagged(pte));
            m_env.os->mark_accessed(pfn);
            return Translated{Translated::ok, phys_of(pfn) + (u & (kPageSize - 1)), upte::tagged(pte)};
        }
        ++m_stats.page_faults;
        if (!kernel_entry(t, position)) return Translated{Translated::killed, {}, false};
        const std::uint64_t start = now_ps();
        enter_kernel();
        const Kernel::Result r = m_env.os->handle_fault(t.info.process, u, write);
        leave_kernel();
        if (m_env.timeline)
            m_env.timeline->span(std::string("page fault (") + m_env.os->last_fault() + ")", "fault", m_id, start,
                                 now_ps() - start,
                                 "\"thread\": " + std::to_string(t.info.id) + ", \"address\": \"" + hex(u) +
                                     "\", \"position\": " + std::to_string(position));
        if (r.outcome == Kernel::Outcome::segv_maperr) return Translated{};
        if (r.outcome == Kernel::Outcome::killed) {
            kill_thread(t);
            return Translated{Translated::killed, {}, false};
        }
    }
    return Translated{}; /* the fault handler made no progress: reported as SEGV_MAPERR */
}

bool Core::memory_transaction(std::uint64_t pa, std::uint32_t len, bool write, MteExtension *ext, bool posted) {
    static unsigned char scratch[kAccessBuffer];
    flush_time();
    // Requests reach the DRAM model in simulated-time order (docs/timing-model.md); a core
    // running alone (boot) has no one to be ordered with.
    if (!m_env.exclusive && m_qk.get_local_time() != sc_core::SC_ZERO_TIME) m_qk.sync();
    // A posted write-back needs a free write-buffer entry: if the oldest is still in flight,
    // the core stalls until it completes (backpressure from memory).
    std::uint64_t &slot = m_write_buffer[m_write_slot];
    if (posted) {
        const std::uint64_t now = m_qk.get_current_time().value();
        if (slot > now) m_qk.inc(sc_core::sc_time::from_value(slot - now));
    }
    tlm::tlm_generic_payload trans;
    trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(pa);
    trans.set_data_ptr(scratch);
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (ext) trans.set_extension(ext);
    // The request leaves at this core's local time (zero after a sync).
    sc_core::sc_time delay = m_qk.get_local_time();
    socket->b_transport(trans, delay);
    if (ext) trans.clear_extension(ext);
    write ? ++m_stats.dram_writes : ++m_stats.dram_reads;
    if (posted) {
        slot = (sc_core::sc_time_stamp() + delay).value();
        m_write_slot = (m_write_slot + 1) % m_write_buffer.size();
    }
    if (!trans.is_response_ok()) return false;
    if (!posted) m_qk.set(delay);
    return true;
}

void Core::writeback_to_dram(const CacheLine &victim) {
    if (!victim.dirty && !victim.tag_dirty) return;
    const std::uint64_t pa = victim.line << m_line_shift;
    MteExtension ext;
    MteExtension *e = nullptr;
    if (victim.tag_dirty) {
        // The TagStore holds every tag store already; write back its current values.
        ext.tag_op = MteExtension::TagOp::write;
        ext.tag_only = !victim.dirty;
        m_env.tags->get_range(PhysAddr(pa), m_line_bytes / kGranuleSize, ext.tags.data());
        e = &ext;
    }
    memory_transaction(pa, static_cast<std::uint32_t>(m_line_bytes), true, e, true);
}

void Core::writeback_to_llc(const CacheLine &victim) {
    if (!victim.dirty && !victim.tag_dirty) return;
    CacheLine *l = m_env.llc->find(victim.line);
    if (!l) {
        CacheLine evicted;
        l = m_env.llc->insert(victim.line, evicted);
        if (evicted.valid()) writeback_to_dram(evicted);
        l->tags = victim.tags;
        l->tags_valid = victim.tags_valid;
    }
    l->dirty |= victim.dirty;
    if (victim.tag_dirty) {
        l->tags = victim.tags;
        l->tags_valid = true;
        l->tag_dirty = true;
    }
}

/*
 * Bringing a line in. L1 hit (with tags when needed): done. Otherwise the LLC: a hit copies the
 * line and its tags; a miss evicts an LLC victim (written back to DRAM if dirty) and reads the
 * line over TLM, asking for its tags on a tagged access. A line present without its tags (it
 * came in through an untagged access) costs a tag-only read. The L1 victim is written back
 * into the LLC.
 */
CacheLine *Core::line_access(std::uint64_t line_no, bool write, bool need_tags) {
    m_pending_cycles += m_config.l1d_latency;
    CacheLine *l = m_l1.find(line_no);
    if (l && (!need_tags || l->tags_valid)) {
        ++m_stats.l1_hits;
        l->dirty |= write;
        return l;
    }
    ++m_stats.l1_misses;
    m_pending_cycles += m_config.llc_latency;
    CacheLine *shared = m_env.llc->find(line_no);
    if (shared && (!need_tags || shared->tags_valid)) {
        ++m_stats.llc_hits;
    } else {
        ++m_stats.llc_misses;
        const std::uint64_t pa = line_no << m_line_shift;
        MteExtension ext;
        if (need_tags) ext.tag_op = MteExtension::TagOp::read;
        if (!shared) {
            CacheLine evicted;
            shared = m_env.llc->insert(line_no, evicted);
            if (evicted.valid()) writeback_to_dram(evicted);
        } else {
            ext.tag_only = true; /* the data is here; only the tags are missing */
        }
        if (!memory_transaction(pa, static_cast<std::uint32_t>(m_line_bytes), false, need_tags ? &ext : nullptr, false)) {
            m_env.llc->invalidate(line_no);
            return nullptr;
        }
        if (need_tags) {
            ++m_stats.tag_fetches;
            std::uint64_t packed = 0;
            if (ext.tagged_memory)
                for (std::uint64_t g = 0; g < m_line_bytes / kGranuleSize; ++g)
                    packed |= std::uint64_t(ext.tags[g] & 0xf) << (4 * g);
            shared->tags = packed;
            shared->tags_valid = true;
        }
    }
    if (!l) {
        CacheLine evicted;
        l = m_l1.insert(line_no, evicted);
        if (evicted.valid()) writeback_to_llc(evicted);
    }
    l->tags = shared->tags;
    l->tags_valid = shared->tags_valid;
    l->dirty |= write;
    if (m_id < 64) shared->sharers |= 1ull << m_id;
    return l;
}

void Core::invalidate_peer_tags(std::uint64_t line_no, const CacheLine *shared) {
    auto invalidate = [&](std::size_t c) {
        if (CacheLine *p = m_env.l1s[c]->peek(line_no)) {
            p->tags_valid = false;
            p->tag_dirty = false; /* the TagStore already holds the newer tags */
        }
    };
    // The LLC's sharer bits name every L1 that took the line since it entered the LLC; without
    // an LLC copy (or beyond 64 cores) every other L1 is asked.
    if (shared && m_env.l1s.size() <= 64) {
        for (std::uint64_t bits = shared->sharers & ~(1ull << m_id); bits; bits &= bits - 1)
            invalidate(static_cast<std::size_t>(__builtin_ctzll(bits)));
        return;
    }
    for (std::size_t c = 0; c < m_env.l1s.size(); ++c)
        if (c != m_id) invalidate(c);
}

/*
 * A load or store. Each line touched is brought in; on Normal-Tagged memory of a thread with
 * tag checking on, every 16-byte granule touched is compared with the pointer's logical tag.
 * A mismatch raises a sync fault (access suppressed, reported with its address) or sets TFSR
 * (async: the access happens, the fault is reported at the next kernel entry).
 */
bool Core::access(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position) {
    // Fast path: inside one line, translation in the TLB, line (and its tags) in the L1D.
    const std::uint64_t u = untagged(va).value();
    if ((u & (m_line_bytes - 1)) + size <= m_line_bytes && u < kUserVaLimit) {
        if (const Tlb::Entry *e = m_tlb.lookup((u >> kPageShift) | t.asid_key)) {
            const std::uint64_t pa = (e->pfn << kPageShift) | (u & (kPageSize - 1));
            const bool check = e->tagged && TagCheckUnit::checking(t.mte);
            CacheLine *l = m_l1.find(pa >> m_line_shift);
            if (l && (!check || l->tags_valid)) {
                ++m_stats.tlb_hits;
                ++m_stats.l1_hits;
                m_pending_cycles += m_config.l1d_latency;
                if (check) {
                    const unsigned g0 = static_cast<unsigned>((pa & (m_line_bytes - 1)) >> 4);
                    const unsigned g1 = static_cast<unsigned>(((pa + size - 1) & (m_line_bytes - 1)) >> 4);
                    const std::uint64_t mask = kGranuleMask[g0][g1]; /* the nibbles of granules g0..g1 */
                    ++m_stats.tag_checks;
                    m_stats.tag_check_granules += g1 - g0 + 1;
                    if (((l->tags ^ (0x1111111111111111ull * logical_tag(va))) & mask) == 0) {
                        l->dirty |= write;
                        return true;
                    }
                    if (TagCheckUnit::on_mismatch(t.mte, write) == CheckOutcome::sync_fault) {
                        report(t, FaultKind::tag_sync, true, va.value(), write, position);
                        kernel_entry(t, position);
                        return !t.killed;
                    }
                }
                l->dirty |= write;
                return true;
            }
        }
    }
    return access_slow(t, va, size, write, position);
}

bool Core::access_slow(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position) {
    const VirtAddr ua = untagged(va);
    const Tag ltag = logical_tag(va);
    std::uint64_t done = 0;
    bool mismatch = false, checked = false;
    std::uint64_t first_dirty_line = 0, last_dirty_line = 0;
    while (done < size) {
        const VirtAddr at = ua + done;
        const Translated tr = translate(t, at, write, position);
        if (tr.status != Translated::ok) {
            if (tr.status == Translated::killed) return false;
            report(t, FaultKind::maperr, true, va.value() + done, write, position);
            kernel_entry(t, position);
            return !t.killed;
        }
        const std::uint64_t page_left = kPageSize - (at.value() & (kPageSize - 1));
        const std::uint64_t chunk = std::min(size - done, page_left);
        const bool check = tr.tagged && TagCheckUnit::checking(t.mte);
        const std::uint64_t pa = tr.pa.value();
        for (std::uint64_t a = pa; a < pa + chunk;) {
            const std::uint64_t line_no = a >> m_line_shift;
            const std::uint64_t line_end = std::min(pa + chunk, (line_no + 1) << m_line_shift);
            // A checked store marks its lines dirty only once the check passed.
            CacheLine *l = line_access(line_no, write && !check, check);
            if (!l) {
                report(t, FaultKind::bus_error, true, va.value() + done, write, position);
                kernel_entry(t, position);
                return !t.killed;
            }
            if (check) {
                checked = true;
                const unsigned g0 = static_cast<unsigned>((a & (m_line_bytes - 1)) >> 4);
                const unsigned g1 = static_cast<unsigned>(((line_end - 1) & (m_line_bytes - 1)) >> 4);
                m_stats.tag_check_granules += g1 - g0 + 1;
                for (unsigned g = g0; g <= g1; ++g)
                    if (((l->tags >> (4 * g)) & 0xf) != ltag) mismatch = true;
                if (write) {
                    if (!first_dirty_line) first_dirty_line = line_no;
                    last_dirty_line = line_no;
                }
            }
            a = line_end;
        }
        done += chunk;
    }
    if (checked) ++m_stats.tag_checks;
    if (mismatch) {
        const CheckOutcome o = TagCheckUnit::on_mismatch(t.mte, write);
        if (o == CheckOutcome::sync_fault) {
            report(t, FaultKind::tag_sync, true, va.value(), write, position);
            kernel_entry(t, position);
            return !t.killed;
        }
    }
    if (first_dirty_line)
        for (std::uint64_t ln = first_dirty_line; ln <= last_dirty_line; ++ln)
            if (CacheLine *l = m_l1.peek(ln)) l->dirty = true;
    return true;
}

bool Core::store_tags(ThreadContext &t, VirtAddr va, std::uint64_t granules, bool zero, std::uint64_t position) {
    const VirtAddr ua = untagged(va);
    const Tag tag = logical_tag(va);
    if (ua.value() % kGranuleSize) {
        report(t, FaultKind::alignment, true, va.value(), true, position);
        kernel_entry(t, position);
        return !t.killed;
    }
    // Granules are handled a line at a time: one translation, one line access, one write of
    // their tags to the TagStore and the cached copies, one invalidation of other cores' copies.
    const std::uint64_t per_line = m_line_bytes / kGranuleSize;
    Tag same[64];
    for (std::uint64_t g = 0; g < granules;) {
        const VirtAddr at = ua + g * kGranuleSize;
        const Translated tr = translate(t, at, true, position);
        if (tr.status != Translated::ok) {
            if (tr.status == Translated::killed) return false;
            report(t, FaultKind::maperr, true, at.value(), true, position);
            kernel_entry(t, position);
            return !t.killed;
        }
        const std::uint64_t line_no = tr.pa.value() >> m_line_shift;
        const unsigned first = static_cast<unsigned>((tr.pa.value() & (m_line_bytes - 1)) >> 4);
        const std::uint64_t n = std::min<std::uint64_t>(granules - g, per_line - first);
        CacheLine *l = line_access(line_no, zero, tr.tagged);
        if (!l) {
            report(t, FaultKind::bus_error, true, at.value(), true, position);
            kernel_entry(t, position);
            return !t.killed;
        }
        g += n;
        // Tag stores to memory that is not Normal-Tagged have no effect on tags.
        if (!tr.tagged) continue;
        std::fill(same, same + n, tag);
        if (!m_env.tags->set_range(tr.pa, n, same)) continue;
        if (m_env.os->checking())
            for (std::uint64_t i = 0; i < n; ++i) m_env.os->program_set_tag(t.info.process, at.value() + i * kGranuleSize, tag);
        const std::uint64_t mask = (n == 16 ? ~0ull : ((1ull << (4 * n)) - 1)) << (4 * first);
        const std::uint64_t bits = (0x1111111111111111ull * tag) & mask;
        l->tags = (l->tags & ~mask) | bits;
        l->tag_dirty = true;
        CacheLine *sh = m_env.llc->peek(line_no);
        if (sh && sh->tags_valid) sh->tags = (sh->tags & ~mask) | bits;
        invalidate_peer_tags(line_no, sh);
    }
    return true;
}

bool Core::load_tag(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position) {
    const VirtAddr ua = VirtAddr(untagged(va).value() & ~(kGranuleSize - 1));
    const Translated tr = translate(t, ua, false, position);
    if (tr.status != Translated::ok) {
        if (tr.status == Translated::killed) return false;
        report(t, FaultKind::maperr, true, va.value(), false, position);
        kernel_entry(t, position);
        return false;
    }
    out = 0;
    if (!tr.tagged) return true; /* LDG of untagged memory reads tag 0 */
    CacheLine *l = line_access(tr.pa.value() >> m_line_shift, false, true);
    if (!l) {
        report(t, FaultKind::bus_error, true, va.value(), false, position);
        kernel_entry(t, position);
        return false;
    }
    out = static_cast<Tag>((l->tags >> (4 * ((tr.pa.value() & (m_line_bytes - 1)) >> 4))) & 0xf);
    return true;
}

void Core::run_thread(ThreadContext &t) {
    Workload &w = *m_env.workload;
    const std::uint64_t quantum_cycles =
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(m_config.quantum_ns * 1000.0 /
                                                              (static_cast<double>(m_period.value()) /
                                                               static_cast<double>(sc_core::sc_time(1, sc_core::SC_PS).value()))));
    const std::uint64_t cpi_milli = static_cast<std::uint64_t>(std::llround(m_config.base_cpi * 1000.0));
    // Instructions to cycles at the base CPI (rounded); a CPI of 1, the default, needs no division.
    const auto cycles_of = [cpi_milli](std::uint64_t instructions) {
        return cpi_milli == 1000 ? instructions : (instructions * cpi_milli + 500) / 1000;
    };
    if (!t.started) {
        t.started = true;
        t.asid_key = Tlb::key(t.info.process, 0);
        enter_kernel();
        const Kernel::Result r = m_env.os->thread_start(t.info.process);
        leave_kernel();
        if (r.outcome == Kernel::Outcome::killed) kill_thread(t);
    }
    TraceEvent ev;
    while (!t.killed && w.next(*t.stream, ev)) {
        ++m_stats.events;
        ++t.events;
        switch (ev.op) {
        case TraceOp::compute: {
            const std::uint64_t c = cycles_of(ev.arg);
            m_pending_cycles += c;
            m_stats.compute_cycles += c;
            break;
        }
        case TraceOp::load:
        case TraceOp::store: {
            const bool write = ev.op == TraceOp::store;
            write ? ++m_stats.stores : ++m_stats.loads;
            if (ev.aux) { /* gap=N: the instructions between this access and the previous event */
                const std::uint64_t c = cycles_of(ev.aux);
                m_pending_cycles += c;
                m_stats.compute_cycles += c;
            }
            access(t, resolve(ev.src), ev.arg, write, ev.position);
            break;
        }
        case TraceOp::irg: {
            const VirtAddr src = resolve(ev.src);
            std::uint16_t extra = static_cast<std::uint16_t>(ev.arg);
            if (ev.aux & 1) extra |= static_cast<std::uint16_t>(1u << logical_tag(src)); /* GMI */
            w.set_pointer(ev.dest, with_tag(src, TagCheckUnit::irg(t.mte, extra)));
            m_pending_cycles += (cpi_milli + 999) / 1000;
            ++m_stats.tag_ops[0];
            break;
        }
        case TraceOp::addg:
        case TraceOp::subg: {
            const VirtAddr src = resolve(ev.src);
            const std::uint64_t addr = ev.op == TraceOp::addg ? src.value() + ev.arg : src.value() - ev.arg;
            const Tag tag = TagCheckUnit::choose_non_excluded(logical_tag(src), ev.aux, t.mte.exclude);
            w.set_pointer(ev.dest, with_tag(VirtAddr(addr), tag));
            m_pending_cycles += (cpi_milli + 999) / 1000;
            ++m_stats.tag_ops[ev.op == TraceOp::addg ? 1 : 2];
            break;
        }
        case TraceOp::ldg: {
            const VirtAddr src = resolve(ev.src);
            Tag tag = 0;
            ++m_stats.tag_ops[3];
            if (load_tag(t, src, tag, ev.position)) w.set_pointer(ev.dest, with_tag(src, tag));
            break;
        }
        case TraceOp::stg: ++m_stats.tag_ops[4]; store_tags(t, resolve(ev.src), 1, false, ev.position); break;
        case TraceOp::st2g: ++m_stats.tag_ops[5]; store_tags(t, resolve(ev.src), 2, false, ev.position); break;
        case TraceOp::stzg: ++m_stats.tag_ops[6]; store_tags(t, resolve(ev.src), 1, true, ev.position); break;
        case TraceOp::stz2g: ++m_stats.tag_ops[7]; store_tags(t, resolve(ev.src), 2, true, ev.position); break;
        case TraceOp::dc_gzva: {
            ++m_stats.tag_ops[8];
            const VirtAddr src = resolve(ev.src);
            const VirtAddr block(src.value() & ~std::uint64_t(m_config.dczva_bytes - 1));
            store_tags(t, block, m_config.dczva_bytes / kGranuleSize, true, ev.position);
            break;
        }
        case TraceOp::mmap:
        case TraceOp::munmap:
        case TraceOp::mprotect:
        case TraceOp::read_file:
        case TraceOp::pageout:
        case TraceOp::pin_range: memory_syscall(t, ev); break;
        case TraceOp::prctl:
            if (!kernel_entry(t, ev.position)) break;
            if (ev.arg & 1) t.mte.tcf = static_cast<TcfMode>(ev.aux & 0xff);
            if (ev.arg & 2) t.mte.exclude = static_cast<std::uint16_t>(ev.aux >> 8);
            break;
        case TraceOp::syscall: kernel_entry(t, ev.position); break;
        case TraceOp::sleep:
            ++m_stats.context_switches;
            if (kernel_entry(t, ev.position)) {
                m_env.scheduler->sleep(&t, now_ps() + ev.arg * 1000);
                return;
            }
            break;
        case TraceOp::yield:
            ++m_stats.context_switches;
            if (kernel_entry(t, ev.position)) {
                m_env.scheduler->requeue(&t);
                return;
            }
            break;
        case TraceOp::exit:
            kernel_entry(t, ev.position);
            if (!t.killed) w.discard(t.info.id);
            finish_thread(t);
            return;
        case TraceOp::kalloc:
        case TraceOp::kfree:
        case TraceOp::pin: kernel_allocation_event(t, ev); break;
        case TraceOp::malloc:
        case TraceOp::calloc:
        case TraceOp::realloc:
        case TraceOp::free: heap_event(t, ev); break;
        case TraceOp::thread_create: break; /* consumed by Workload */
        }
        if (m_pending_cycles >= quantum_cycles) {
            flush_time();
            if (m_qk.need_sync()) {
                if (check_limits()) return;
                m_qk.sync();
            }
        }
    }
    // The thread ran out of events: an implicit exit, a last kernel entry.
    if (!t.killed) kernel_entry(t, ev.position);
    finish_thread(t);
}

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
void Core::heap_event(ThreadContext &t, const TraceEvent &ev) {
    auto &slot = m_env.heaps[t.info.process];
    if (!slot) {
        slot = std::make_unique<CoreEnvironment::Heap>();
        slot->model = std::make_unique<HeapModel>(m_env.heap_config.tagged && m_env.tags->layout().regions().size() > 0);
    }
    CoreEnvironment::Heap &lock = *slot;
    if (lock.busy) {
        flush_time();
        m_qk.sync();
        while (lock.busy) wait(lock.released);
    }
    lock.busy = true;
    heap_call(t, *lock.model, ev);
    lock.busy = false;
    flush_time();
    lock.released.notify(m_qk.get_local_time());
}

void Core::heap_call(ThreadContext &t, HeapModel &h, const TraceEvent &ev) {
    Workload &w = *m_env.workload;
    switch (ev.op) {
    case TraceOp::malloc:
    case TraceOp::calloc: {
        const bool zero = ev.op == TraceOp::calloc;
        const VirtAddr p = heap_allocate(t, h, zero ? std::uint64_t(ev.aux) * ev.arg : ev.arg, zero, ev.position);
        if (!t.killed) w.set_pointer(ev.dest, p);
        break;
    }
    case TraceOp::free: heap_free(t, h, resolve(ev.src), ev.position); break;
    case TraceOp::realloc: {
        const VirtAddr old = resolve(ev.src);
        const HeapModel::Chunk *c = untagged(old).value() ? h.live(untagged(old).value()) : nullptr;
        if (untagged(old).value() && !c) { /* not a live chunk: the free half reports it */
            heap_free(t, h, old, ev.position);
            break;
        }
        const std::uint64_t keep = c ? std::min(c->size, ev.arg) : 0;
        const VirtAddr p = heap_allocate(t, h, ev.arg, false, ev.position);
        if (t.killed) break;
        for (std::uint64_t off = 0; off < keep && !t.killed; off += 64) {
            const std::uint64_t n = std::min<std::uint64_t>(64, keep - off);
            if (!access(t, old + off, n, false, ev.position)) break;
            if (!access(t, p + off, n, true, ev.position)) break;
        }
        if (!t.killed) heap_free(t, h, old, ev.position);
        if (!t.killed) w.set_pointer(ev.dest, p);
        break;
    }
    default: MTESIM_ASSERT(false, "not a heap event");
    }
}

VirtAddr Core::heap_allocate(ThreadContext &t, HeapModel &h, std::uint64_t size, bool zero, std::uint64_t position) {
    std::vector<HeapModel::Map> maps;
    const HeapModel::Chunk c = h.allocate(size, maps);
    for (const auto &m : maps) heap_syscall(t, m.base, m.length, true, h.tagged(), position);
    if (t.killed) return VirtAddr();
    const std::uint64_t cpi_milli = static_cast<std::uint64_t>(std::llround(m_config.base_cpi * 1000.0));
    m_pending_cycles += (m_env.heap_config.malloc_instructions * cpi_milli + 500) / 1000;
    ++m_stats.mallocs;
    if (!h.tagged()) {
        // An untagged heap zeroes calloc memory with ordinary stores.
        for (std::uint64_t off = 0; zero && off < c.span && !t.killed; off += 4096)
            access(t, VirtAddr(c.addr + off), std::min<std::uint64_t>(4096, c.span - off), true, position);
        return VirtAddr(c.addr);
    }
    const Tag tag = TagCheckUnit::irg(t.mte, HeapModel::parity_exclude(c.odd));
    h.set_tag(c.addr, tag);
    const VirtAddr p = with_tag(VirtAddr(c.addr), tag);
    m_stats.heap_tag_granules += c.span / kGranuleSize;
    store_tags(t, p, c.span / kGranuleSize, zero, position);
    return p;
}

bool Core::heap_free(ThreadContext &t, HeapModel &h, VirtAddr p, std::uint64_t position) {
    const std::uint64_t cpi_milli = static_cast<std::uint64_t>(std::llround(m_config.base_cpi * 1000.0));
    m_pending_cycles += (m_env.heap_config.free_instructions * cpi_milli + 500) / 1000;
    HeapModel::Chunk c;
    const HeapModel::FreeResult r = h.release(untagged(p).value(), c);
    if (r != HeapModel::FreeResult::ok) {
        ++m_stats.faults_heap;
        report(t, r == HeapModel::FreeResult::double_free ? FaultKind::heap_double_free : FaultKind::heap_invalid_free, true,
               p.value(), true, position);
        kernel_entry(t, position); /* the abort's signal */
        return false;
    }
    ++m_stats.heap_frees;
    if (c.secondary) {
        heap_syscall(t, c.mapping, c.mapping_length, false, false, position);
    } else if (h.tagged()) {
        const Tag tag = TagCheckUnit::irg(t.mte, static_cast<std::uint16_t>(HeapModel::parity_exclude(c.odd) | (1u << c.tag)));
        m_stats.heap_tag_granules += c.span / kGranuleSize;
        store_tags(t, with_tag(VirtAddr(c.addr), tag), c.span / kGranuleSize, false, position);
    }
    return true;
}

void Core::heap_syscall(ThreadContext &t, std::uint64_t base, std::uint64_t len, bool map, bool mte, std::uint64_t position) {
    if (!kernel_entry(t, position)) return;
    enter_kernel();
    const Kernel::Result r = map ? m_env.os->mmap(t.info.process, base, len, mte) : m_env.os->munmap(t.info.process, base, len);
    leave_kernel();
    if (r.outcome == Kernel::Outcome::killed) kill_thread(t);
}

/*
 * The memory system calls: a kernel entry, then the kernel model on this core. Lengths are
 * rounded up to whole pages, as the kernel does.
 */
void Core::memory_syscall(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return;
    const std::uint64_t start = now_ps();
    Kernel &os = *m_env.os;
    const std::uint32_t pid = t.info.process;
    const std::uint64_t base = ev.src.raw, len = (ev.arg + kPageSize - 1) & ~(kPageSize - 1);
    enter_kernel();
    Kernel::Result r;
    switch (ev.op) {
    case TraceOp::mmap: r = os.mmap(pid, base, len, ev.aux & 1, (ev.aux & 2) != 0, ev.dest, ev.aux >> 8); break;
    case TraceOp::munmap: r = os.munmap(pid, base, len); break;
    case TraceOp::mprotect: r = os.mprotect(pid, base, len, ev.aux != 0); break;
    case TraceOp::read_file: r = os.read_file(pid, ev.dest, ev.src.raw, ev.arg); break;
    case TraceOp::pageout: r = os.pageout(pid, base, len); break;
    case TraceOp::pin_range: r = os.pin(pid, base, len, ev.aux != 0); break;
    default: MTESIM_ASSERT(false, "not a memory system call");
    }
    leave_kernel();
    if (m_env.timeline)
        m_env.timeline->span(trace_op_name(ev.op), "syscall", m_id, start, now_ps() - start,
                             "\"thread\": " + std::to_string(t.info.id) + ", \"base\": \"" + hex(base) +
                                 "\", \"length\": " + std::to_string(len) + ", \"position\": " + std::to_string(ev.position));
    if (r.outcome == Kernel::Outcome::killed) kill_thread(t);
}

}  // namespace mtesim

namespace mtesim {

bool Core::check_limits() {
    if (!m_env.stop_reason.empty()) return true;
    if (m_env.progress) m_env.progress();
    if (m_env.interrupt && *m_env.interrupt) m_env.stop_reason = "interrupted (SIGINT)";
    else if (std::chrono::steady_clock::now() >= m_env.host_deadline) m_env.stop_reason = "host time limit (--max-host-seconds)";
    else return false;
    sc_core::sc_stop();
    return true;
}

std::uint64_t Core::now_ps() const {
    return (m_qk.get_current_time().value() + m_pending_cycles * m_period_units) / sc_core::sc_time(1, sc_core::SC_PS).value();
}

std::uint64_t Core::now_cycles() const {
    return m_qk.get_current_time().value() / m_period_units + m_pending_cycles;
}

std::uint64_t Core::kernel_named_cost(std::uint64_t cycles) {
    m_pending_cycles += cycles;
    m_stats.kernel_cycles += cycles;
    return cycles;
}

void Core::zero_line(std::uint64_t line_no) {
    m_pending_cycles += m_config.l1d_latency;
    CacheLine *l = m_l1.find(line_no);
    if (!l) {
        CacheLine evicted;
        l = m_l1.insert(line_no, evicted);
        if (evicted.valid()) writeback_to_llc(evicted);
    }
    l->dirty = true;
    l->tags_valid = false;
    // The LLC is inclusive: it holds the line too (no read: the whole line is written), and
    // records this L1 as a sharer, so a later tag store on another core finds this copy.
    CacheLine *shared = m_env.llc->find(line_no);
    if (!shared) {
        CacheLine evicted;
        shared = m_env.llc->insert(line_no, evicted);
        if (evicted.valid()) writeback_to_dram(evicted);
    }
    shared->tags_valid = false;
    if (m_id < 64) shared->sharers |= 1ull << m_id;
}

std::uint64_t Core::kernel_copy_pages(Pfn src, Pfn dst, std::uint64_t pages) {
    const std::uint64_t before = now_cycles();
    const std::uint64_t lines = pages * kPageSize / m_line_bytes;
    const std::uint64_t s = phys_of(src).value() >> m_line_shift, d = phys_of(dst).value() >> m_line_shift;
    for (std::uint64_t i = 0; i < lines; ++i) {
        line_access(s + i, false, false);
        line_access(d + i, true, false);
    }
    const std::uint64_t c = now_cycles() - before;
    m_stats.kernel_cycles += c;
    return c;
}

std::uint64_t Core::kernel_access_tags(Pfn pfn, std::uint64_t pages, bool write) {
    const std::uint64_t before = now_cycles();
    const std::uint64_t lines = pages * kPageSize / m_line_bytes;
    const std::uint64_t first = phys_of(pfn).value() >> m_line_shift;
    const std::uint64_t granules = m_line_bytes / kGranuleSize;
    for (std::uint64_t i = 0; i < lines; ++i) {
        const std::uint64_t ln = first + i;
        CacheLine *l = line_access(ln, false, !write);
        if (!write || !l) continue;
        Tag t[64] = {};
        if (!m_env.tags->get_range(PhysAddr(ln << m_line_shift), granules, t)) continue;
        std::uint64_t packed = 0;
        for (std::uint64_t g = 0; g < granules; ++g) packed |= std::uint64_t(t[g] & 0xf) << (4 * g);
        l->tags = packed;
        l->tags_valid = true;
        l->tag_dirty = true;
        CacheLine *s = m_env.llc->peek(ln);
        if (s && s->tags_valid) s->tags = packed;
        invalidate_peer_tags(ln, s);
    }
    const std::uint64_t c = now_cycles() - before;
    m_stats.kernel_cycles += c;
    return c;
}

std::uint64_t Core::kernel_write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n) {
    const std::uint64_t before = now_cycles();
    const std::uint64_t first = pa.value() >> m_line_shift, last = (pa.value() + 8 * n - 1) >> m_line_shift;
    for (std::uint64_t ln = first; ln <= last; ++ln) line_access(ln, true, false);
    m_env.memory->write_words(pa, words, n);
    const std::uint64_t c = now_cycles() - before;
    m_stats.kernel_cycles += c;
    return c;
}

std::uint64_t Core::kernel_read_word(PhysAddr pa, std::uint64_t &value) {
    const std::uint64_t before = now_cycles();
    line_access(pa.value() >> m_line_shift, false, false);
    value = m_env.memory->read_word(pa);
    const std::uint64_t c = now_cycles() - before;
    m_stats.kernel_cycles += c;
    return c;
}

std::uint64_t Core::kernel_zero_pages(Pfn pfn, std::uint64_t pages) {
    const std::uint64_t before = now_cycles();
    const std::uint64_t lines = pages * kPageSize / m_line_bytes;
    const std::uint64_t first = phys_of(pfn).value() >> m_line_shift;
    for (std::uint64_t i = 0; i < lines; ++i) zero_line(first + i);
    for (std::uint64_t p = 0; p < pages; ++p) m_env.memory->zero_page(pfn + p);
    const std::uint64_t c = now_cycles() - before;
    m_stats.kernel_cycles += c;
    return c;
}

/*
 * Kernel-side allocations from the trace: kalloc asks the page allocator on this core (its
 * reservation work, copies and IPIs are charged here), kfree and pin/unpin act on the block a
 * name holds. A name that does not hold an allocated block is counted, never a crash.
 */
void Core::kernel_allocation_event(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return;
    PageAllocator &alloc = *m_env.allocator;
    const std::uint64_t start = now_cycles();
    const MmStats before = alloc.stats();
    enter_kernel();
    if (ev.op == TraceOp::kalloc) {
        static const GfpFlags kinds[] = {kGfpKernel, kGfpReclaimable, kGfpHighUserMovable, kGfpHighUserMovableTagged};
        GfpFlags gfp = kinds[ev.aux & 0xff];
        gfp.atomic = (ev.aux & 0x100) != 0;
        const auto a = m_env.os->kalloc(static_cast<unsigned>(ev.arg), gfp);
        ++m_stats.kallocs;
        if (!a.ok) ++m_stats.kalloc_failures;
        m_env.workload->set_pointer(ev.dest, a.ok ? VirtAddr(phys_of(a.pfn).value()) : VirtAddr());
    } else {
        const Pfn pfn = pfn_of(PhysAddr(untagged(resolve(ev.src)).value()));
        if (!alloc.is_allocated_head(pfn)) {
            ++m_stats.bad_kernel_frees;
        } else if (ev.op == TraceOp::kfree) {
            m_pending_cycles += alloc.free_pages(pfn);
            ++m_stats.kfrees;
        } else {
            alloc.set_pinned(pfn, ev.aux != 0);
        }
    }
    leave_kernel();
    if (m_env.timeline) {
        const MmStats &after = alloc.stats();
        const double ps_per_cycle = 1e12 / static_cast<double>(m_clock_hz);
        const auto ps = [&](std::uint64_t c) { return static_cast<std::uint64_t>(static_cast<double>(c) * ps_per_cycle); };
        std::string args = "\"thread\": " + std::to_string(t.info.id) + ", \"position\": " + std::to_string(ev.position);
        if (ev.op == TraceOp::kalloc) args += ", \"order\": " + std::to_string(ev.arg);
        args += ", \"reserve_fast\": " + std::to_string(after.reserve_fast - before.reserve_fast) +
                ", \"reserve_slow\": " + std::to_string(after.reserve_slow - before.reserve_slow) +
                ", \"reserve_failed\": " + std::to_string(after.reserve_failed - before.reserve_failed) +
                ", \"pages_migrated\": " + std::to_string(after.pages_migrated - before.pages_migrated);
        m_env.timeline->span(trace_op_name(ev.op), "mm", m_id, ps(start), ps(now_cycles() - start), args);
        if (after.ipis > before.ipis)
            m_env.timeline->instant("IPIs x" + std::to_string(after.ipis - before.ipis), "ipi", m_id, ps(start));
    }
}

}  // namespace mtesim
