// LoadStoreUnit: see the header. The hot path is an L1 hit: a TLB lookup, a set scan, a
// nibble compare.
#include "core/load_store_unit.h"

#include "mtesim/kernel/user_pte.h"
#include "mtesim/mte/tag_check_unit.h"

#include <algorithm>

namespace mtesim {

namespace {
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
}  // namespace

LoadStoreUnit::LoadStoreUnit(const CoreConfig &config, LocalClock &clock, CoreStats &stats, TimingModel &timing,
                             MemoryPath &path, SystemCallGate &gate, TagStore &tags, KernelState &kernel)
    : m_config(config), m_clock(clock), m_stats(stats), m_timing(timing), m_path(path), m_gate(gate), m_tags(tags), m_kernel(kernel),
      m_l1(path.l1()), m_tlb(path.tlb()), m_line_shift(path.line_shift()), m_line_bytes(path.line_bytes()),
      m_write_stream(config.write_stream_lines, config.write_stream_memory_lines, path.line_bytes()) {}

/*
 * Translation. An L1 dTLB hit (keyed by the thread's ASID) is done: its lookup runs beside the
 * L1D's (a hit "provides a single CLK cycle access", Cortex-A76 TRM A5.2.2), inside the L1D's
 * load-to-use latency. An L1 dTLB miss looks up the L2 TLB (tlb.l2_latency cycles, "usually
 * three", A76 TRM A5.2.3); a hit refills the L1 dTLB. An L2 TLB miss walks the process's four
 * levels of tables in simulated memory through this core's caches (the hardware walker; the walk
 * cache skips the upper levels it holds); a valid page descriptor fills both TLBs and tells the
 * kernel model the page was referenced (the access flag). Anything else is a page fault: a
 * kernel entry, the kernel model's fault handler on this core (its work costs this core time),
 * and the walk again.
 */
LoadStoreUnit::Translated LoadStoreUnit::translate_miss(ThreadContext &t, std::uint64_t u, std::uint64_t key, const Tlb::Entry *e,
                                                        bool write, std::uint64_t position) {
    ++m_stats.tlb_misses;
    if (!e) {
        m_path.charge_latency(m_config.l2_tlb_latency);
        e = m_tlb.lookup_l2(key);
        if (e && (!write || e->writable)) {
            ++m_stats.l2_tlb_hits;
            return Translated{Translated::ok, PhysAddr((e->pfn << kPageShift) | (u & (kPageSize - 1))), e->tagged};
        }
        ++m_stats.l2_tlb_misses;
    }
    Kernel &os = *m_kernel.os;
    // Four faults that leave the PTE neither present nor "metadata none" are no progress
    // (SEGV_MAPERR). A PTE left "metadata none" is a tag reservation that failed and is
    // replayed at the next access, as the RFC does: that fault is not counted (up to 2^20
    // replays, a guard against a simulated livelock rather than a Linux limit).
    std::uint32_t replays = 0;
    for (int attempt = 0; attempt < 4;) {
        const PhysAddr root = os.root(t.info.process);
        if (!root.value()) {
            m_gate.kill_thread(t);
            return Translated{Translated::killed, {}, false};
        }
        std::uint64_t pte = m_path.walk(root, u, static_cast<std::uint32_t>(t.asid_key >> Tlb::kAsidShift));
        // FEAT_HAFDBS: a store through a writable-clean entry (a file page mapped clean) is
        // not a fault: the walker marks the descriptor dirty itself (MemoryPath::set_hw_dirty).
        if (write && upte::kind(pte) == upte::Kind::present && upte::writable_clean(pte)) {
            pte = m_path.set_hw_dirty(root, u);
            ++m_stats.hw_dirty_updates;
        }
        // A store through a read-only entry is a permission fault: do_wp_page for a COW-shared
        // page, SEGV_ACCERR for a mapping without PROT_WRITE (the kernel model tells them apart).
        if (upte::kind(pte) == upte::Kind::present && (!write || upte::writable(pte))) {
            const Pfn pfn = upte::pfn(pte);
            if (e) { /* the read-only entry a store found, replaced in both TLB levels */
                m_tlb.l1().flush_key(key);
                m_tlb.l2().flush_key(key);
            }
            m_tlb.insert(key, pfn.value(), upte::tagged(pte), upte::writable(pte));
            os.mark_accessed(t.info.process, u, pfn);
            return Translated{Translated::ok, phys_of(pfn) + (u & (kPageSize - 1)), upte::tagged(pte)};
        }
        const SystemCallGate::FaultResult r = m_gate.page_fault(t, u, write, position);
        if (r == SystemCallGate::FaultResult::killed) return Translated{Translated::killed, {}, false};
        if (r == SystemCallGate::FaultResult::maperr) return Translated{};
        if (r == SystemCallGate::FaultResult::accerr) return Translated{Translated::accerr, {}, false};
        if (upte::kind(os.pte_of(t.info.process, u)) != upte::Kind::metadata_none || ++replays > (1u << 20)) {
            ++attempt;
        } else {
            // A replay waits for simulated time to catch up, so that the other cores (one of
            // which may free what the reservation needs) run meanwhile.
            m_clock.sync();
        }
    }
    return Translated{}; /* the fault handler made no progress: reported as SEGV_MAPERR */
}

/*
 * A load or store. Each line touched is brought in; on Normal-Tagged memory of a thread with
 * tag checking on, every 16-byte granule touched is compared with the pointer's logical tag.
 * A mismatch raises a sync fault (access suppressed, reported with its address) or sets TFSR
 * (async: the access happens, the fault is reported at the next kernel entry).
 */
bool LoadStoreUnit::access_inner(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position) {
    // Fast path: inside one line, translation in the TLB, line (and its tags) in the L1D.
    const std::uint64_t u = untagged(va).value();
    if ((u & (m_line_bytes - 1)) + size <= m_line_bytes && u < kUserVaLimit) {
        const Tlb::Entry *e = m_tlb.lookup_l1((u >> kPageShift) | t.asid_key);
        if (e && (!write || e->writable)) {
            const std::uint64_t pa = (e->pfn << kPageShift) | (u & (kPageSize - 1));
            const bool check = e->tagged && TagCheckUnit::checking(t.mte);
            CacheLine *l = m_l1.find(pa >> m_line_shift);
            if (l && (!check || l->tags_valid)) {
                ++m_stats.tlb_hits;
                ++m_stats.l1_hits;
                const std::uint64_t latency = m_path.hit_latency(pa >> m_line_shift);
                m_path.charge_latency(latency);
                if (check) {
                    const unsigned g0 = static_cast<unsigned>((pa & (m_line_bytes - 1)) >> 4);
                    const unsigned g1 = static_cast<unsigned>(((pa + size - 1) & (m_line_bytes - 1)) >> 4);
                    const std::uint64_t mask = kGranuleMask[g0][g1]; /* the nibbles of granules g0..g1 */
                    ++m_stats.tag_checks;
                    // A line still on its way (a fill or a prefetch in flight): a sync store's
                    // check waits for it (precise_check_waited).
                    if (__builtin_expect(latency > m_config.l1d_latency, 0) && write) precise_check_waited(t);
                    m_stats.tag_check_granules += g1 - g0 + 1;
                    if (__builtin_expect(((l->tags ^ (0x1111111111111111ull * logical_tag(va))) & mask) != 0, 0))
                        return hit_mismatch(t, va, *l, pa, size, write, position);
                }
                l->dirty |= write;
                // The rest of the hit, when there is any, is a tail call: the fast path makes no
                // call that returns here, so it needs few saved registers.
                if (__builtin_expect(write || m_data_op, 0)) return hit_data(pa, size, write);
                return true;
            }
        }
    }
    return access_slow(t, va, size, write, position);
}

/*
 * A checked store whose tags were not in the L1D at once (a miss, a line held without its
 * tags, a streamed line's tags-only read, or a line still on its way by a fill or a prefetch).
 * If its check faults synchronously it cannot retire before the check (the fault is precise):
 * out of order, it holds its place in the window until its tags are back, as a load miss does
 * (MemoryPath::mark_precise_store, TimingModel). The wait counted is the line accesses' own,
 * not the translation's: a walk delays every store alike, checked or not, and the model lets
 * every store retire before its translation.
 */
void LoadStoreUnit::precise_check_waited(const ThreadContext &t) {
    if (TagCheckUnit::faults_sync(t.mte, !m_rmw)) m_path.mark_precise_store();
}

/* access_inner's L1 hit whose tag check failed: a sync fault suppresses the access; otherwise
 * (async, asymmetric load) it completes. */
bool LoadStoreUnit::hit_mismatch(ThreadContext &t, VirtAddr va, CacheLine &l, std::uint64_t pa, std::uint64_t size, bool write,
                                 std::uint64_t position) {
    if (TagCheckUnit::on_mismatch(t.mte, write && !m_rmw) == CheckOutcome::sync_fault) {
        m_gate.report(t, FaultKind::tag_sync, true, va.value(), write, position);
        m_gate.kernel_entry(t, position);
        return !t.killed;
    }
    l.dirty |= write;
    return hit_data(pa, size, write);
}

/* access_inner's L1 hit, completed: its functional data (vm.data). */
bool LoadStoreUnit::hit_data(std::uint64_t pa, std::uint64_t size, bool write) {
    if (write) m_write_stream.on_store_hit(pa >> m_line_shift, pa & (m_line_bytes - 1), size);
    if ((write || m_data_op) && data_store()) move_data(pa, size, 0, write);
    return true;
}

bool LoadStoreUnit::access_slow(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position) {
    const VirtAddr ua = untagged(va);
    const Tag ltag = logical_tag(va);
    std::uint64_t done = 0;
    bool mismatch = false, checked = false;
    bool suppressed = false; /* a streamed line's synchronous check failed: the access writes nothing */
    bool tags_waited = false; /* out of order: a checked line's tags came from beyond the L1D (or were on their way) */
    std::uint64_t first_dirty_line = 0, last_dirty_line = 0;
    struct Piece {
        std::uint64_t pa, len, done;
    } pieces[2]; /* the access's part in each page (at most 4096 bytes: two pages) */
    unsigned npieces = 0;
    while (done < size) {
        const VirtAddr at = ua + done;
        const Translated tr = translate(t, at, write, position);
        if (tr.status != Translated::ok) {
            if (tr.status == Translated::killed) return false;
            m_gate.report(t, segv_kind(tr), true, va.value() + done, write, position);
            m_gate.kernel_entry(t, position);
            return !t.killed;
        }
        const std::uint64_t page_left = kPageSize - (at.value() & (kPageSize - 1));
        const std::uint64_t chunk = std::min(size - done, page_left);
        const bool check = tr.tagged && TagCheckUnit::checking(t.mte);
        const std::uint64_t pa = tr.pa.value();
        if (npieces < 2) pieces[npieces++] = Piece{pa, chunk, done};
        for (std::uint64_t a = pa; a < pa + chunk;) {
            const std::uint64_t line_no = a >> m_line_shift;
            const std::uint64_t line_end = std::min(pa + chunk, (line_no + 1) << m_line_shift);
            if (suppressed) { /* a streamed line before it failed a sync check: nothing is written */
                a = line_end;
                continue;
            }
            // A checked store marks its lines dirty only once the check passed. A store that
            // misses the L1D tells the write streaming detector whether it writes the whole
            // line; in the mode it is written without a read (an atomic always reads it, and
            // ends the mode). A load that misses tells it too.
            const bool cached = m_l1.peek(line_no) != nullptr;
            if (write) {
                const std::uint64_t first = a & (m_line_bytes - 1), len = line_end - a;
                WriteStreamDetector::Miss miss = WriteStreamDetector::Miss::read;
                if (cached) m_write_stream.on_store_hit(line_no, first, len);
                else if (m_rmw) m_write_stream.on_read_modify_write_miss();
                else miss = m_write_stream.on_store_miss(line_no, first, len);
                if (miss != WriteStreamDetector::Miss::read) {
                    // An L1D miss without a linefill: the line is written out to the L2
                    // (stream), or this store joins the line so written (join).
                    ++m_stats.l1_misses;
                    std::uint64_t tags = 0;
                    if (check) {
                        const std::uint64_t before = m_path.latency_so_far();
                        const StreamCheck c = check_streamed(t, line_no, a, line_end, ltag, miss, tags);
                        if (m_path.latency_so_far() - before > m_config.l1d_latency) tags_waited = true;
                        if (c == StreamCheck::bus_error) {
                            m_gate.report(t, FaultKind::bus_error, true, va.value() + done, write, position);
                            m_gate.kernel_entry(t, position);
                            return !t.killed;
                        }
                        checked = true;
                        if (c == StreamCheck::mismatch) mismatch = true;
                        if (c == StreamCheck::suppressed) {
                            mismatch = suppressed = true;
                            m_write_stream.on_store_suppressed();
                            a = line_end;
                            continue;
                        }
                    }
                    if (miss != WriteStreamDetector::Miss::join) {
                        if (m_path.stream_line(line_no, miss == WriteStreamDetector::Miss::stream_dram, check ? &tags : nullptr))
                            ++m_stats.write_streamed_memory_lines;
                        ++m_stats.write_streamed_lines;
                        if (check) ++m_stats.write_streamed_checked_lines;
                    } else {
                        m_path.charge_latency(m_config.l1d_latency);
                    }
                    a = line_end;
                    continue;
                }
            } else if (!cached) {
                m_write_stream.on_load_miss(line_no);
            }
            const std::uint64_t before = m_path.latency_so_far();
            CacheLine *l = m_path.line_access(line_no, write && !check, check);
            if (check && m_path.latency_so_far() - before > m_config.l1d_latency) tags_waited = true;
            if (!l) {
                m_gate.report(t, FaultKind::bus_error, true, va.value() + done, write, position);
                m_gate.kernel_entry(t, position);
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
    if (tags_waited && write) precise_check_waited(t);
    if (mismatch) {
        const CheckOutcome o = TagCheckUnit::on_mismatch(t.mte, write && !m_rmw);
        if (o == CheckOutcome::sync_fault) {
            m_gate.report(t, FaultKind::tag_sync, true, va.value(), write, position);
            m_gate.kernel_entry(t, position);
            return !t.killed;
        }
    }
    if (first_dirty_line)
        for (std::uint64_t ln = first_dirty_line; ln <= last_dirty_line; ++ln)
            if (CacheLine *l = m_l1.peek(ln)) l->dirty = true;
    // The access completed as a whole: only now do its bytes move (a fault anywhere in it,
    // a sync tag fault on any granule, wrote nothing).
    if ((write || m_data_op) && data_store())
        for (unsigned i = 0; i < npieces; ++i) move_data(pieces[i].pa, pieces[i].len, pieces[i].done, write);
    return true;
}

/*
 * The tag check of a checked store that streams its line [@a, @line_end) (write streaming: no
 * linefill). The first store of a streamed line fetches the line's tags without its data
 * (MemoryPath::stream_tags; a synchronous check waits for them, an asynchronous one does not)
 * and leaves them in @tags for the copies the line makes; a store that joins the line is
 * checked against the line's current allocation tags (the TagStore's: those fetched for it,
 * held with the gathered line, as any tag store since has updated them) at no further cost.
 * Each granule the store writes is compared with @ltag. A mismatch in sync mode suppresses the
 * store (nothing of the line is written: suppressed); otherwise the store proceeds (mismatch).
 * A bus error of the tag read, which no user page can raise (its frame is DRAM the kernel
 * model allocated), is reported at the store in either mode.
 */
LoadStoreUnit::StreamCheck LoadStoreUnit::check_streamed(ThreadContext &t, std::uint64_t line_no, std::uint64_t a, std::uint64_t line_end,
                                                         Tag ltag, WriteStreamDetector::Miss miss, std::uint64_t &tags) {
    const bool sync = TagCheckUnit::faults_sync(t.mte, true); /* an atomic never streams */
    if (miss == WriteStreamDetector::Miss::join) {
        Tag each[MteExtension::kMaxGranules];
        const std::uint64_t granules = m_line_bytes / kGranuleSize;
        if (m_tags.get_range(PhysAddr(line_no << m_line_shift), granules, each))
            for (std::uint64_t g = 0; g < granules; ++g) tags |= std::uint64_t(each[g] & 0xf) << (4 * g);
    } else {
        if (!m_path.stream_tags(line_no, sync, tags)) return StreamCheck::bus_error;
    }
    const unsigned g0 = static_cast<unsigned>((a & (m_line_bytes - 1)) >> 4);
    const unsigned g1 = static_cast<unsigned>(((line_end - 1) & (m_line_bytes - 1)) >> 4);
    m_stats.tag_check_granules += g1 - g0 + 1;
    if (((tags ^ (0x1111111111111111ull * ltag)) & kGranuleMask[g0][g1]) == 0) return StreamCheck::pass;
    return sync ? StreamCheck::suppressed : StreamCheck::mismatch;
}

void LoadStoreUnit::resolve_data() {
    if (!m_kernel.os) return; /* not built yet: ask again later */
    m_data_resolved = true;
    PageDataStore &d = m_kernel.os->page_data();
    m_data = d.enabled() ? &d : nullptr;
}

/*
 * Functional data of a completed access (vm.data): a store writes its bytes (the operand's
 * little-endian bytes repeated from the access's first byte, or a source buffer; LDADD adds),
 * a load whose bytes someone reads (realloc's copy) reads them. @done: the offset of this
 * piece in the access.
 */
void LoadStoreUnit::move_data(std::uint64_t pa, std::uint64_t size, std::uint64_t done, bool write) {
    const Data *op = m_data_op;
    if (!write) {
        if (op && op->dst) m_data->read(PhysAddr(pa), op->dst + done, size);
        return;
    }
    std::uint8_t buf[4096];
    if (op && op->src) {
        m_data->write(PhysAddr(pa), op->src + done, size);
        return;
    }
    const std::uint64_t value = op ? op->value : kDefaultStoreValue;
    if (op && op->add) { /* LDADD: size <= 8, one piece */
        std::uint64_t old = 0;
        m_data->read(PhysAddr(pa), buf, size);
        for (std::uint64_t i = 0; i < size; ++i) old |= std::uint64_t(buf[i]) << (8 * i);
        if (op->dst)
            for (std::uint64_t i = 0; i < size; ++i) op->dst[i] = buf[i];
        const std::uint64_t sum = old + value;
        for (std::uint64_t i = 0; i < size; ++i) buf[i] = static_cast<std::uint8_t>(sum >> (8 * i));
    } else {
        for (std::uint64_t i = 0; i < size; ++i) buf[i] = static_cast<std::uint8_t>(value >> (8 * ((done + i) & 7)));
    }
    m_data->write(PhysAddr(pa), buf, size);
}

/*
 * Atomics and exclusives (Arm ARM C3.2.12 "Atomic instructions", C3.2.? "Load/Store
 * exclusive"): an unaligned one is an alignment fault (SIGBUS BUS_ADRALN; no FEAT_LSE2 here).
 * LDADD, CAS and SWP read and write memory in one access: tag-checked like a store (a sync
 * fault suppresses both halves), and in asymmetric mode checked as the read they begin with
 * (synchronously); the fault's access kind is write, as ESR_ELx.WnR reports for atomics. LDXR
 * is a load, STXR a store (the exclusive monitor is taken to succeed). Functional data: LDADD
 * adds the operand, CAS (taken to compare equal), SWP and STXR write it.
 */
bool LoadStoreUnit::atomic(ThreadContext &t, VirtAddr va, std::uint64_t size, AtomicKind kind, bool has_value,
                           std::uint64_t operand, std::uint64_t position) {
    if (untagged(va).value() % size) {
        m_gate.report(t, FaultKind::alignment, true, va.value(), kind != AtomicKind::ldxr, position);
        m_gate.kernel_entry(t, position);
        return !t.killed;
    }
    Data d;
    if (kind == AtomicKind::ldadd) {
        d.add = true;
        d.value = has_value ? operand : 0;
    } else if (has_value) {
        d.value = operand;
    }
    const bool write = kind != AtomicKind::ldxr;
    m_rmw = kind == AtomicKind::ldadd || kind == AtomicKind::cas || kind == AtomicKind::swp;
    const bool ok = access(t, va, size, write, position, 0, write ? &d : nullptr);
    m_rmw = false;
    return ok;
}

/*
 * DC ZVA (Arm ARM C5.3.? "DC ZVA"): zeroes the DCZID_EL0 block holding @va. With MTE it is a
 * tag-checked store of the whole block: every granule's allocation tag is compared with the
 * pointer's (a mismatch in sync mode zeroes nothing). Its tags are not changed (DC GZVA does).
 */
bool LoadStoreUnit::zero_block(ThreadContext &t, VirtAddr va, std::uint64_t block_bytes, std::uint64_t position) {
    const VirtAddr block = with_tag(VirtAddr(untagged(va).value() & ~(block_bytes - 1)), logical_tag(va));
    Data zero;
    zero.value = 0;
    return access(t, block, block_bytes, true, position, 0, &zero, true);
}

bool LoadStoreUnit::store_tags(ThreadContext &t, VirtAddr va, std::uint64_t granules, bool zero, std::uint64_t position) {
    const VirtAddr ua = untagged(va);
    const Tag tag = logical_tag(va);
    if (ua.value() % kGranuleSize) {
        m_gate.report(t, FaultKind::alignment, true, va.value(), true, position);
        m_gate.kernel_entry(t, position);
        return !t.killed;
    }
    // Granules are handled a line at a time: one translation, one line access, one write of
    // their tags to the TagStore and the cached copies, one invalidation of other cores' copies.
    const std::uint64_t per_line = m_line_bytes / kGranuleSize;
    for (std::uint64_t g = 0; g < granules;) {
        const VirtAddr at = ua + g * kGranuleSize;
        // Each line's tag store is one store of the out-of-order window.
        m_timing.begin_access(0, true);
        const Translated tr = translate(t, at, true, position);
        if (tr.status != Translated::ok) {
            m_path.take_latency();
            if (tr.status == Translated::killed) return false;
            m_gate.report(t, segv_kind(tr), true, va.value() + g * kGranuleSize, true, position);
            m_gate.kernel_entry(t, position);
            return !t.killed;
        }
        const std::uint64_t line_no = tr.pa.value() >> m_line_shift;
        const unsigned first = static_cast<unsigned>((tr.pa.value() & (m_line_bytes - 1)) >> 4);
        const std::uint64_t n = std::min<std::uint64_t>(granules - g, per_line - first);
        CacheLine *l = tag_store_line(line_no, zero, tr.tagged);
        m_timing.end_access(true, m_path.take_latency());
        if (!l) {
            m_gate.report(t, FaultKind::bus_error, true, va.value() + g * kGranuleSize, true, position);
            m_gate.kernel_entry(t, position);
            return !t.killed;
        }
        g += n;
        if (zero && data_store()) m_data->zero(tr.pa, n * kGranuleSize); /* STZG, STZ2G, DC GZVA zero the data too */
        // Tag stores to memory that is not Normal-Tagged have no effect on tags.
        if (!tr.tagged) continue;
        if (!m_tags.set_same(tr.pa, n, tag)) continue;
        Kernel &os = *m_kernel.os;
        if (os.checking())
            for (std::uint64_t i = 0; i < n; ++i) os.program_set_tag(t.info.process, at.value() + i * kGranuleSize, tag);
        const std::uint64_t mask = (n == 16 ? ~0ull : ((1ull << (4 * n)) - 1)) << (4 * first);
        m_path.store_line_tags(line_no, *l, mask, (0x1111111111111111ull * tag) & mask);
    }
    return true;
}

bool LoadStoreUnit::load_tag(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position) {
    m_timing.begin_access(0);
    const bool ok = load_tag_inner(t, va, out, position);
    m_timing.end_access(false, m_path.take_latency());
    return ok;
}

bool LoadStoreUnit::load_tag_inner(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position) {
    const VirtAddr ua = VirtAddr(untagged(va).value() & ~(kGranuleSize - 1));
    const Translated tr = translate(t, ua, false, position);
    if (tr.status != Translated::ok) {
        if (tr.status == Translated::killed) return false;
        m_gate.report(t, FaultKind::maperr, true, va.value(), false, position);
        m_gate.kernel_entry(t, position);
        return false;
    }
    out = 0;
    if (!tr.tagged) return true; /* LDG of untagged memory reads tag 0 */
    CacheLine *l = m_path.line_access(tr.pa.value() >> m_line_shift, false, true);
    if (!l) {
        m_gate.report(t, FaultKind::bus_error, true, va.value(), false, position);
        m_gate.kernel_entry(t, position);
        return false;
    }
    out = static_cast<Tag>((l->tags >> (4 * ((tr.pa.value() & (m_line_bytes - 1)) >> 4))) & 0xf);
    return true;
}

}  // namespace mtesim
