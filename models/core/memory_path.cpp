// MemoryPath: see the header.
#include "core/memory_path.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/user_pte.h"

#include <algorithm>
#include <optional>

namespace mtesim {

namespace {
constexpr std::uint64_t kAccessBuffer = 4096; /* the largest single transaction, in bytes */
constexpr std::size_t kMaxFills = 64;          /* demand fills remembered (beyond any core's MSHRs) */
}

MemoryPath::MemoryPath(std::uint32_t core_id, const CoreConfig &config, LocalClock &clock, CoreStats &stats,
                       SharedCaches &shared, TagStore &tags, SparseMemory &memory, const bool &exclusive,
                       tlm::tlm_initiator_socket<> &socket, TimingModel &timing)
    : m_id(core_id), m_config(config), m_clock(clock), m_stats(stats), m_shared(shared), m_tags(tags), m_memory(memory),
      m_exclusive(exclusive), m_socket(socket), m_timing(timing), m_l1(config.l1d), m_tlb(config.tlb),
      m_line_shift(m_l1.line_shift()), m_line_bytes(config.l1d.line_bytes), m_defer(config.out_of_order) {
    const unsigned page_lines = kPageShift - m_line_shift;
    if (config.prefetch_degree) {
        StridePrefetcher::Config pc;
        pc.entries = config.stride_entries;
        pc.max_stride = config.stride_max_lines;
        pc.confirm = config.stride_confirm;
        pc.degree = config.prefetch_degree;
        pc.region_shift = page_lines;
        m_stride = std::make_unique<StridePrefetcher>(pc);
    }
    if (config.l2_prefetch_degree)
        m_stream = std::make_unique<StreamPrefetcher>(8, config.l2_prefetch_degree, page_lines);
    m_write_buffer.assign(config.write_buffer, 0);
    // An L2 the Platform placed for this core is the one its complex shares (a cpu node's
    // next-level-cache, docs/bindings.md); otherwise the preset's private L2, if any.
    if (m_shared.l2s.size() <= core_id) m_shared.l2s.resize(core_id + 1, nullptr);
    if (m_shared.l2s[core_id]) {
        m_l2 = m_shared.l2s[core_id];
    } else if (config.has_l2()) {
        m_own_l2 = std::make_unique<Cache>(config.l2);
        m_l2 = m_own_l2.get();
        m_shared.l2s[core_id] = m_l2;
    }
}

/*
 * Cache maintenance of a physical range that changes use (a tag block turning from data to
 * tags or back): every cached copy goes, in every core's L1D and in the LLC, and the tag
 * caches drop the range's tag lines, so the next access of any of them misses. Dirty copies
 * are discarded: what they hold belongs to the block's previous use (the RFC's
 * dcache_inval_tags_poc "avoid writeback of dirty tag cache lines corrupting data").
 */
std::uint64_t MemoryPath::invalidate_range(PhysAddr base, std::uint64_t bytes) {
    if (bytes == 0) return 0;
    std::uint64_t present = 0;
    const std::uint64_t first = base.value() >> m_line_shift, last = (base.value() + bytes - 1) >> m_line_shift;
    for (std::uint64_t line = first; line <= last; ++line) {
        bool cached = false;
        for (const auto *level : {&m_shared.l1s, &m_shared.l2s}) {
            for (Cache *c : *level) {
                if (c && c->peek(line)) {
                    c->invalidate(line);
                    cached = true;
                }
            }
        }
        if (m_shared.llc && m_shared.llc->peek(line)) {
            m_shared.llc->invalidate(line);
            cached = true;
        }
        present += cached ? 1 : 0;
    }
    for (TagCache *t : m_shared.tag_caches) t->invalidate_range(TagAddr(base.value()), bytes);
    return present;
}

/*
 * The hardware table walk (Arm ARM AArch64.TranslationTableWalk, 4 KiB granule, 4 levels). The
 * walk cache is looked up deepest level first: an entry for level L holds the table that level
 * L's descriptor points to, so the walk reads only the levels below it. Each descriptor read is
 * a load through this core's L1D, L2 and LLC (the walker's requests are cacheable, as on
 * Cortex-A7x / Neoverse). The walk's table descriptors fill the walk cache.
 *
 * The descriptors are read functionally at every level, cached or not: the walk cache changes
 * what the walk costs, never what it finds. A cached table address that no longer matches memory
 * (tables changed without a TLBI; the kernel model broadcasts TLBIs where Linux does) is counted
 * as a miss and that level read again.
 */
std::uint64_t MemoryPath::walk(PhysAddr root, std::uint64_t va, std::uint32_t asid) {
    ++m_stats.page_walks;
    const std::uint64_t start = m_clock.now_cycles() + m_latency;
    // The functional walk: the table read at each level, and the leaf descriptor.
    std::uint64_t tables[pgtable::kLevels] = {};
    unsigned depth = 0; /* levels read */
    std::uint64_t result = 0, table = root.value();
    for (unsigned level = 0; level < pgtable::kLevels; ++level) {
        tables[level] = table;
        depth = level + 1;
        const std::uint64_t desc = m_memory.read_word(PhysAddr(table + 8ull * pgtable::index(va, level)));
        if (level == pgtable::kLevels - 1) result = desc;
        else if (!(desc & pgtable::kValid)) break;
        else table = desc & pgtable::kAddrMask;
    }
    // The walk cache: the deepest level whose entry names the table the walk really uses.
    Tlb &wc = m_tlb.walk_cache();
    unsigned skip = 0; /* levels 0..skip-1 come from the walk cache */
    for (unsigned level = std::min<unsigned>(TlbHierarchy::kWalkLevels, depth - 1); level-- > 0;) {
        const std::uint64_t key = TlbHierarchy::walk_key(asid, level, va);
        if (const Tlb::Entry *e = wc.lookup(key)) {
            if ((e->pfn << kPageShift) == tables[level + 1]) {
                skip = level + 1;
                break;
            }
            wc.flush_key(key); /* stale: the tables changed under it */
        }
    }
    skip ? ++m_stats.walk_cache_hits : ++m_stats.walk_cache_misses;
    for (unsigned level = skip; level < depth; ++level) {
        line_access((tables[level] + 8ull * pgtable::index(va, level)) >> m_line_shift, false, false);
        if (level < TlbHierarchy::kWalkLevels && level + 1 < depth)
            wc.insert(TlbHierarchy::walk_key(asid, level, va), tables[level + 1] >> kPageShift, false, true);
    }
    m_stats.walk_cycles += m_clock.now_cycles() + m_latency - start;
    return depth == pgtable::kLevels ? result : 0;
}

/* Arm ARM D8.4.6 "Hardware management of the dirty state": a store through a descriptor with
 * DBM set and AP[2] set makes the walker clear AP[2] in memory (an atomic read-modify-write of
 * the descriptor, no fault); arm64 Linux reads it back as pte_hw_dirty. The walk that found it
 * left the table lines in this core's caches: the update is a store to the entry's line. */
std::uint64_t MemoryPath::set_hw_dirty(PhysAddr root, std::uint64_t va) {
    std::uint64_t table = root.value();
    for (unsigned level = 0; level < pgtable::kLevels; ++level) {
        const std::uint64_t slot = table + 8ull * pgtable::index(va, level);
        const std::uint64_t desc = m_memory.read_word(PhysAddr(slot));
        if (level == pgtable::kLevels - 1) {
            const std::uint64_t dirty = desc & ~(1ull << 7); /* AP[2] */
            line_access(slot >> m_line_shift, true, false);
            m_memory.write_words(PhysAddr(slot), &dirty, 1);
            return dirty;
        }
        if (!(desc & pgtable::kValid)) return 0;
        table = desc & pgtable::kAddrMask;
    }
    return 0;
}

bool MemoryPath::memory_transaction(std::uint64_t pa, std::uint32_t len, bool write, MteExtension *ext, bool posted) {
    static unsigned char scratch[kAccessBuffer];
    m_clock.flush();
    // In order, requests reach the DRAM model in simulated-time order: the blocking core
    // synchronises before each one. Out of order, the core keeps up to its MSHRs of requests in
    // flight and synchronises only when its local time is a quantum ahead (temporal
    // decoupling, as for any other work): a request may then reach the controller up to a
    // quantum out of order, which the controller enters at its clock without charging the skew
    // (docs/timing-model.md, "Ordering under temporal decoupling"). A core running alone
    // (boot) has no one to be ordered with.
    if (!m_exclusive) {
        if (m_defer) {
            if (m_clock.need_sync()) m_clock.sync();
        } else if (m_clock.local_time() != sc_core::SC_ZERO_TIME) {
            m_clock.sync();
        }
    }
    // A posted write-back needs a free write-buffer entry: if the oldest is still in flight,
    // the core stalls until it completes (backpressure from memory).
    std::uint64_t &slot = m_write_buffer[m_write_slot];
    if (posted) {
        const std::uint64_t now = m_clock.current_time().value();
        if (slot > now) m_clock.advance(sc_core::sc_time::from_value(slot - now));
    }
    // One payload per core, reused: a fresh tlm_generic_payload allocates its extension array
    // on the heap. b_transport does not yield, so it is free again when the call returns.
    tlm::tlm_generic_payload &trans = m_trans;
    trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(pa);
    trans.set_data_ptr(scratch);
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (ext) trans.set_extension(ext);
    // The request leaves at this core's local time (zero after a sync); out of order, after
    // the lookups of this access so far, since dispatch has not waited for them.
    const sc_core::sc_time issue = m_clock.local_time();
    sc_core::sc_time delay = issue;
    if (m_defer && !posted) delay += sc_core::sc_time::from_value(m_latency * m_clock.period_units());
    m_socket->b_transport(trans, delay);
    if (ext) trans.clear_extension(ext);
    write ? ++m_stats.dram_writes : ++m_stats.dram_reads;
    if (posted) {
        slot = (sc_core::sc_time_stamp() + delay).value();
        m_write_slot = (m_write_slot + 1) % m_write_buffer.size();
    }
    if (!trans.is_response_ok()) return false;
    if (posted) return true;
    if (m_defer) /* the access's latency now runs to the data's return */
        m_latency = (delay - issue).value() / m_clock.period_units() + ((delay - issue).value() % m_clock.period_units() != 0);
    else
        m_clock.set_local_time(delay);
    return true;
}

void MemoryPath::writeback_to_dram(const CacheLine &victim) {
    if (!victim.dirty && !victim.tag_dirty) return;
    const std::uint64_t pa = victim.line() << m_line_shift;
    MteExtension ext;
    MteExtension *e = nullptr;
    if (victim.tag_dirty) {
        // The TagStore holds every tag store already; write back its current values.
        ext.tag_op = MteExtension::TagOp::write;
        ext.tag_only = !victim.dirty;
        m_tags.get_range(PhysAddr(pa), m_line_bytes / kGranuleSize, ext.tags.data());
        e = &ext;
    }
    memory_transaction(pa, static_cast<std::uint32_t>(m_line_bytes), true, e, true);
}

void MemoryPath::merge_victim(Cache &level, const CacheLine &victim, void (MemoryPath::*next)(const CacheLine &)) {
    if (!victim.dirty && !victim.tag_dirty) return;
    CacheLine evicted;
    bool hit;
    CacheLine *l = level.find_or_insert(victim.line(), evicted, hit);
    if (!hit) {
        if (evicted.valid()) (this->*next)(evicted);
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

namespace {
/*
 * Core @core no longer holds @line_no in its L2 (or its L1D, when it has no L2): unless some
 * core of its sharer group still holds the line in an L1D or an L2, the group's bit in the
 * LLC entry is cleared. A bit only tells tag stores and LLC evictions which caches to visit,
 * and a visit to a cache that does not hold the line finds nothing and changes nothing, so
 * this changes no simulated result: it keeps bits that no longer name a copy from making
 * every later tag store to a line visit every core that ever held it (host time that grew
 * with the core count: 60% of a 192-core run). A bit that stays set (a clean L1D victim that
 * the L2 no longer holds) costs only a wasted visit.
 */
void forget_sharer(const SharedCaches &shared, std::size_t core, std::uint64_t line_no) {
    CacheLine *entry = shared.llc->peek(line_no);
    const std::uint64_t bit = shared.sharer_bit(core);
    if (!entry || !(entry->sharers & bit)) return;
    bool held = false;
    shared.for_each_sharer(bit, [&](std::size_t c) {
        for (Cache *cache : {c < shared.l1s.size() ? shared.l1s[c] : nullptr, c < shared.l2s.size() ? shared.l2s[c] : nullptr})
            held = held || (cache && cache->peek(line_no));
    });
    if (!held) entry->sharers &= ~bit;
}
}  // namespace

void MemoryPath::writeback_to_llc(const CacheLine &victim) {
    // Only beyond 64 cores, where a stale bit costs visits to a whole group of cores; below, a
    // stale bit costs two look-ups, about what the clean-up itself costs on every L2 victim.
    if (m_shared.sharer_shift) forget_sharer(m_shared, m_id, victim.line());
    merge_victim(*m_shared.llc, victim, &MemoryPath::evict_from_llc);
}

/*
 * An LLC victim. The sharer bits of the LLC's entry are how a tag store finds the other cores'
 * copies (invalidate_peer_tags); once the entry is gone, copies in the L1Ds and L2s of its
 * sharers would be invisible to a later tag store, so their tags are dropped now (the TagStore
 * holds the current tags: a later checked access refetches them). Data presence is unchanged.
 * Beyond 64 cores each bit stands for a group of cores (SharedCaches::sharer_shift).
 */
void MemoryPath::evict_from_llc(const CacheLine &victim) {
    m_shared.for_each_sharer(victim.sharers, [&](std::size_t c) {
        for (Cache *cache : {c < m_shared.l1s.size() ? m_shared.l1s[c] : nullptr, c < m_shared.l2s.size() ? m_shared.l2s[c] : nullptr})
            if (CacheLine *p = cache ? cache->peek(victim.line()) : nullptr) {
                p->tags_valid = false;
                p->tag_dirty = false;
            }
    });
    writeback_to_dram(victim);
}

void MemoryPath::writeback_from_l1(const CacheLine &victim) {
    if (m_l2) merge_victim(*m_l2, victim, &MemoryPath::writeback_to_llc);
    else writeback_to_llc(victim);
}

/*
 * Bringing a line in. L1 hit (with tags when needed): done. Otherwise the private L2, when the
 * core has one: a hit copies the line and its tags into the L1D. Otherwise the LLC
 * (fetch_from_llc). The line fills the L2 and the L1D; the L1 victim is written back into the L2
 * (or the LLC), the L2 victim into the LLC. A demand miss then trains the
 * prefetchers: the L2 stream prefetcher on a miss of the L2 (of the L1D without an L2), the L1D
 * stride prefetcher on every L1D miss.
 */
CacheLine *MemoryPath::line_access(std::uint64_t line_no, bool write, bool need_tags) {
    charge_latency(m_config.l1d_latency);
    // When each prefetcher sees this access (cycles into it): the L1D stride prefetcher at the
    // L1D lookup, the L2 stream prefetcher at the L2 lookup. Their prefetches leave then, not
    // when this access's own data is back.
    const std::uint64_t l1_seen = prefetcher_sees();
    std::uint64_t l2_seen = l1_seen;
    if (!m_in_prefetch) m_access_seen = l1_seen;
    CacheLine *l = m_l1.find(line_no);
    if (l && (!need_tags || l->tags_valid)) {
        ++m_stats.l1_hits;
        l->dirty |= write;
        charge_latency(hit_latency(line_no) - m_config.l1d_latency);
        return l;
    }
    ++m_stats.l1_misses;
    if (!m_in_prefetch) m_demand_miss = true;
    std::uint64_t tags = 0;
    bool tags_valid = false, found = false;
    if (m_l2) {
        charge_latency(m_config.l2_latency);
        l2_seen = prefetcher_sees();
        const CacheLine *p = m_l2->find(line_no);
        if (p && (!need_tags || p->tags_valid)) {
            ++m_stats.l2_hits;
            tags = p->tags;
            tags_valid = p->tags_valid;
            found = true;
            // A complex's L2 may hold the line for a sibling core, whose fetch alone made the
            // LLC entry's sharer bits: this core's L1D now holds the tags too, and must be among
            // the cores a tag store elsewhere visits (invalidate_peer_tags). A private L2's
            // valid copy already has this core's bit.
            if (tags_valid && !m_own_l2)
                if (CacheLine *sh = m_shared.llc->peek(line_no)) sh->sharers |= m_shared.sharer_bit(m_id);
            if (!m_l2_prefetching.empty()) l2_prefetch_used(line_no);
        } else {
            ++m_stats.l2_misses;
            // A demand miss of the L2 (a load, a store or a walk's read) waits for one of its
            // miss buffers, which prefetches may hold (a prefetch's own lookups took one when
            // it was issued), and holds it until its data is back.
            if (!m_in_prefetch) {
                const std::uint64_t wait = l2_buffer_wait(l2_seen);
                count_l2_buffer_wait(true, wait);
                charge_latency(wait);
            }
        }
    }
    if (!found) {
        const bool llc_prefetched = !m_l2 && !m_l2_prefetching.empty() && m_shared.llc->peek(line_no);
        const std::uint64_t l2_miss_start = seen_cycle(prefetcher_sees());
        CacheLine *shared = fetch_from_llc(line_no, need_tags);
        if (!shared) return nullptr;
        // Recorded before this miss trains the stream prefetcher, whose prefetches see it held.
        if (m_l2 && !m_in_prefetch) hold_l2_buffer(l2_miss_start, seen_cycle(prefetcher_sees()));
        if (llc_prefetched) l2_prefetch_used(line_no);
        tags = shared->tags;
        tags_valid = shared->tags_valid;
        // The sharer bit names every core whose L1D or L2 took the line.
        shared->sharers |= m_shared.sharer_bit(m_id);
        if (m_l2) {
            CacheLine evicted;
            bool hit;
            CacheLine *p = m_l2->find_or_insert(line_no, evicted, hit);
            if (!hit && evicted.valid()) writeback_to_llc(evicted);
            p->tags = tags;
            p->tags_valid = tags_valid;
        }
        if (m_stream && !m_in_prefetch) {
            std::uint64_t lines[StreamPrefetcher::kMaxDegree];
            if (const unsigned n = m_stream->on_miss(line_no, lines)) issue_l2_prefetches(lines, n, need_tags, l2_seen);
        }
    }
    if (!l) {
        CacheLine evicted;
        l = m_l1.insert(line_no, evicted);
        if (evicted.valid()) writeback_from_l1(evicted);
    }
    l->tags = tags;
    l->tags_valid = tags_valid;
    l->dirty |= write;
    if (!m_in_prefetch) {
        // Out of order, the fill is in flight until the data is back: a later access to the
        // line (the other LDPs of a copy's line, the next 8 bytes of a stream) merges into this
        // miss. In order, the core has waited for it.
        if (m_defer) {
            if (m_fills.size() >= kMaxFills) {
                m_fill_lines.remove(m_fills.front().line);
                m_fills.erase(m_fills.begin());
            }
            const std::uint64_t ready = m_clock.now_cycles() + m_latency;
            m_fills_min_ready = m_fills.empty() ? ready : std::min(m_fills_min_ready, ready);
            m_fills.push_back(Fill{line_no, ready});
            m_fill_lines.add(line_no);
        }
        if (m_stride) {
            std::uint64_t lines[StridePrefetcher::kMaxDegree];
            if (const unsigned n = m_stride->train(line_no, lines)) issue_l1_prefetches(lines, n, need_tags, l1_seen);
        }
    }
    return l;
}

/*
 * The LLC's part of a miss: a hit copies the line and its tags; a miss evicts an LLC victim
 * (written back to DRAM if dirty) and reads the line over TLM, asking for its tags on a tagged
 * access. A line present without its tags (it came in through an untagged access) costs a
 * tag-only read.
 */
CacheLine *MemoryPath::fetch_from_llc(std::uint64_t line_no, bool need_tags) {
    charge_latency(m_config.llc_latency);
    Cache &llc = *m_shared.llc;
    CacheLine evicted;
    bool hit;
    CacheLine *shared = llc.find_or_insert(line_no, evicted, hit);
    if (hit && (!need_tags || shared->tags_valid)) {
        ++m_stats.llc_hits;
        return shared;
    }
    ++m_stats.llc_misses;
    const std::uint64_t pa = line_no << m_line_shift;
    MteExtension ext;
    if (need_tags) ext.tag_op = MteExtension::TagOp::read;
    if (!hit) {
        if (evicted.valid()) evict_from_llc(evicted);
    } else {
        ext.tag_only = true; /* the data is here; only the tags are missing */
    }
    if (!memory_transaction(pa, static_cast<std::uint32_t>(m_line_bytes), false, need_tags ? &ext : nullptr, false)) {
        llc.invalidate(line_no);
        return nullptr;
    }
    if (need_tags) {
        ++m_stats.tag_fetches;
        shared->tags = packed_tags(ext);
        shared->tags_valid = true;
    }
    return shared;
}

/* The tags a memory read returned, 4 bits a granule of the line (0 where memory has no tag
 * storage). */
std::uint64_t MemoryPath::packed_tags(const MteExtension &ext) const {
    std::uint64_t packed = 0;
    if (ext.tagged_memory)
        for (std::uint64_t g = 0; g < m_line_bytes / kGranuleSize; ++g) packed |= std::uint64_t(ext.tags[g] & 0xf) << (4 * g);
    return packed;
}

/*
 * A tag-checked store that streams its line needs the line's tags, not its data. AMBA CHI
 * (Issue F.b, B12.4.1, "TagOp values") gives a read with TagOp Fetch for this: "Returned data is
 * not required to be valid. The Requester must ignore the received data"; only the tags count,
 * so the memory controller need read no data. The lookups: the private L2's copy, then the
 * LLC's (a copy without valid tags is passed over), then a tag-only read from memory (the
 * DRAM controller's tag cache, then the tag storage). A synchronous check (@wait) is part of
 * the store, which cannot complete before it: the core is charged the lookups' latency as for
 * a linefill. An asynchronous one completes after the store, which does not wait: its lookups
 * and read run as a request the core does not wait for (PrefetchTime), still real traffic; the
 * tags it brings are installed with the streamed line at once (the read is not tracked as in
 * flight, so a later access of the line finds them without waiting for it). Either way a read
 * past the private L2 holds one of its miss buffers. Tag lookups count as no cache hit or miss;
 * a read from memory counts in tag_fetches.
 */
bool MemoryPath::stream_tags(std::uint64_t line_no, bool wait, std::uint64_t &tags) {
    std::optional<PrefetchTime> detached;
    if (!wait) detached.emplace(*this, prefetcher_sees());
    if (m_l2) {
        charge_latency(m_config.l2_latency);
        if (const CacheLine *p = m_l2->peek(line_no); p && p->tags_valid) {
            tags = p->tags;
            return true;
        }
    }
    // Past the private L2 the read holds one of its miss buffers (l2_buffer_wait), from when
    // one is free until the tags are back, as a demand miss does.
    std::uint64_t start = 0;
    if (m_l2) {
        const std::uint64_t at = prefetcher_sees();
        const std::uint64_t buffer_wait = l2_buffer_wait(at);
        count_l2_buffer_wait(wait, buffer_wait); /* a detached read's wait counts as a prefetch's */
        charge_latency(buffer_wait);
        start = seen_cycle(at) + buffer_wait;
    }
    charge_latency(m_config.llc_latency);
    const CacheLine *shared = m_shared.llc->peek(line_no);
    if (shared && shared->tags_valid) {
        tags = shared->tags;
    } else {
        MteExtension ext;
        ext.tag_op = MteExtension::TagOp::read;
        ext.tag_only = true;
        if (!memory_transaction(line_no << m_line_shift, static_cast<std::uint32_t>(m_line_bytes), false, &ext, false))
            return false;
        ++m_stats.tag_fetches;
        tags = packed_tags(ext);
    }
    if (m_l2) hold_l2_buffer(start, seen_cycle(prefetcher_sees()));
    return true;
}

/*
 * A hit on a line whose fill may not be back: the demand misses in flight first (the access
 * waits for the rest of the miss it merges into; completed fills are dropped on the way), then
 * the prefetches (counted useful, and late when still in flight).
 */
std::uint64_t MemoryPath::in_flight_hit(std::uint64_t line_no) {
    if (!m_fills.empty()) {
        const std::uint64_t now = m_clock.now_cycles() + m_latency;
        // Nothing to drop and not the line of any fill: the scan would change nothing.
        if (now >= m_fills_min_ready || m_fill_lines.may_hold(line_no)) {
            std::size_t keep = 0;
            std::uint64_t ready = 0, min_ready = ~0ull;
            for (const Fill &f : m_fills) {
                if (f.ready <= now) {
                    m_fill_lines.remove(f.line);
                    continue;
                }
                if (f.line == line_no) ready = f.ready;
                min_ready = std::min(min_ready, f.ready);
                m_fills[keep++] = f;
            }
            m_fills.resize(keep);
            m_fills_min_ready = min_ready;
            if (ready) return std::max<std::uint64_t>(m_config.l1d_latency, ready - now);
        }
    }
    return m_prefetching.empty() ? m_config.l1d_latency : prefetched_hit(line_no);
}

namespace {
/* The demand-lookup counters a prefetch's own lookups must not move. */
struct DemandCounters {
    std::uint64_t l1_hits, l1_misses, l2_hits, l2_misses, llc_hits, llc_misses, tag_fetches;
    explicit DemandCounters(const CoreStats &s)
        : l1_hits(s.l1_hits), l1_misses(s.l1_misses), l2_hits(s.l2_hits), l2_misses(s.l2_misses), llc_hits(s.llc_hits),
          llc_misses(s.llc_misses), tag_fetches(s.tag_fetches) {}
    void restore(CoreStats &s) const {
        s.l1_hits = l1_hits;
        s.l1_misses = l1_misses;
        s.l2_hits = l2_hits;
        s.l2_misses = l2_misses;
        s.llc_hits = llc_hits;
        s.llc_misses = llc_misses;
        s.tag_fetches = tag_fetches;
    }
};
constexpr std::size_t kMaxPrefetches = 32; /* prefetched lines remembered per level */
}  // namespace

/*
 * A prefetch's timing. Out of order, its lookups add up from @seen, cycles into the access that
 * trained it, in m_latency (the access's own latency is put back afterwards). In order, the
 * blocking core has already charged that access's lookups (and its miss) to its clock, so the
 * prefetch is timed as a deferred access from the cycle its prefetcher saw the access: local
 * time is set back to that cycle, clamped to SystemC time (a synchronisation of the demand
 * miss may have moved it past), its latencies add up in m_latency, and its requests leave at
 * local time plus them, without synchronising each (as an out-of-order core's). Afterwards the
 * core's time is restored, or left later when the prefetch's posted write-backs had to wait for
 * the write buffer or it synchronised at a quantum boundary.
 */
MemoryPath::PrefetchTime::PrefetchTime(MemoryPath &path, std::uint64_t seen)
    : m_path(path), m_saved_latency(path.m_latency), m_in_order(!path.m_defer) {
    if (!m_in_order) {
        m_path.m_latency = seen; /* its requests leave from when the prefetcher saw the access */
        return;
    }
    // In order: local time goes back to the cycle the prefetcher saw the access (the level
    // latencies since then are the demand access's, not the prefetch's), but never before
    // SystemC time, which a synchronisation since may have moved past it.
    LocalClock &clock = m_path.m_clock;
    clock.flush();
    m_saved_time = clock.current_time();
    const std::uint64_t now = sc_core::sc_time_stamp().value(), at = seen * clock.period_units();
    clock.set_local_time(sc_core::sc_time::from_value(at > now ? at - now : 0));
    m_path.m_defer = true;
    m_path.m_latency = 0;
}

MemoryPath::PrefetchTime::~PrefetchTime() {
    m_path.m_latency = m_saved_latency;
    if (!m_in_order) return;
    m_path.m_defer = false;
    // The core resumes where it was; a synchronisation during the prefetch (a quantum boundary)
    // or a write-back's wait for the write buffer may have moved it later, never earlier.
    LocalClock &clock = m_path.m_clock;
    clock.flush();
    if (clock.current_time() < m_saved_time) clock.set_local_time(m_saved_time - sc_core::sc_time_stamp());
}

/*
 * The L1D prefetches (l1d.prefetcher = stride, in-order and out-of-order cores; the lines come
 * from the StridePrefetcher). Each line not present in the L1D nor already in flight is brought in through
 * the same path as a demand miss (its L2, LLC and DRAM reads are real traffic, and it may use an
 * L2 prefetch), but the core does not wait for it. Its requests leave when the prefetcher saw the
 * access that trained it (at that access's L1D lookup, not once that access's own data is back:
 * a hardware prefetcher trains on the miss, not on the fill), and it is ready its own lookups and
 * reads later. A demand access that finds it still in flight waits for the rest (a late
 * prefetch). Prefetches take none of the L1D's demand MSHRs; one that misses the private L2
 * holds one of its miss buffers (l2_buffer_wait), and their lookups do not count as demand
 * hits or misses. After the L1D prefetchers of Cortex-A7x/Neoverse cores (their TRMs
 * describe a stride/stream prefetcher on the L1D miss stream).
 */
void MemoryPath::issue_l1_prefetches(const std::uint64_t *lines, unsigned n, bool need_tags, std::uint64_t at) {
    m_in_prefetch = true;
    for (unsigned i = 0; i < n; ++i) {
        const std::uint64_t line = lines[i];
        if (m_l1.peek(line)) continue;
        if (m_prefetching_lines.may_hold(line) &&
            std::any_of(m_prefetching.begin(), m_prefetching.end(), [line](const Prefetch &p) { return p.line == line; }))
            continue;
        const DemandCounters before(m_stats);
        const bool l2_miss = l2_prefetch_miss(line, need_tags);
        const std::uint64_t wait = l2_miss ? l2_buffer_wait(at) : 0;
        const std::uint64_t start = seen_cycle(at) + wait;
        std::uint64_t ready; /* core cycle its data is in the L1D */
        CacheLine *l;
        {
            PrefetchTime time(*this, at);
            m_latency += wait; /* it leaves once an L2 miss buffer is free */
            l = line_access(line, false, need_tags);
            ready = time.ready();
        }
        before.restore(m_stats);
        if (!l) continue;
        if (l2_miss) {
            count_l2_buffer_wait(false, wait);
            hold_l2_buffer(start, ready);
        }
        ++m_stats.prefetch_issued;
        if (m_prefetching.size() >= kMaxPrefetches) {
            m_prefetching_lines.remove(m_prefetching.front().line);
            m_prefetching.erase(m_prefetching.begin());
        }
        m_prefetching.push_back(Prefetch{line, ready});
        m_prefetching_lines.add(line);
    }
    m_in_prefetch = false;
}

/*
 * The private L2's miss buffers (l2.mshrs) serve every request that misses it: demand
 * accesses, walks' reads and prefetches. Cortex-A76's L2 "can support up to 46 outstanding
 * misses to the L3", where the L1D's 20 are "non-prefetch misses" only (docs/timing-model.md,
 * "Limits"). A prefetch that will miss the L2 therefore waits, from when its prefetcher saw the
 * access, for one of them to be free, and then holds it until its data is back; it is not
 * dropped (gem5's queued prefetchers keep a prefetch until the cache can take it). A demand
 * request that misses the L2 waits for one the same way at its L2 lookup (line_access), and
 * holds it until its data is back. Only a true miss holds one: an access that finds its line on
 * its way (a prefetch or a demand fill in flight) merges into that request. Buffers free before
 * the core's cycle (in order: before the L1D lookup of the access under way, from which its
 * prefetches are seen) are forgotten.
 */
std::uint64_t MemoryPath::l2_buffer_wait(std::uint64_t at) {
    const std::uint64_t from = seen_cycle(at);
    const std::uint64_t free = m_timing.l2_buffer_free_at(from, m_defer ? m_clock.now_cycles() : m_access_seen);
    return free > from ? free - from : 0;
}

void MemoryPath::count_l2_buffer_wait(bool demand, std::uint64_t cycles) {
    if (!cycles) return;
    ++(demand ? m_stats.demand_l2_buffer_waits : m_stats.prefetch_l2_buffer_waits);
    (demand ? m_stats.demand_l2_buffer_wait_cycles : m_stats.prefetch_l2_buffer_wait_cycles) += cycles;
}

void MemoryPath::hold_l2_buffer(std::uint64_t start, std::uint64_t done) {
    const std::size_t peak = m_timing.hold_l2_buffer(start, done);
    if (peak > m_stats.l2_buffers_peak) m_stats.l2_buffers_peak = peak;
}

/*
 * The L2 stream prefetches (l2.prefetcher = stream): each line not in the private L2 (without
 * one, not in the LLC) nor already in flight is read from the LLC or DRAM into the L2, not the
 * L1D. The first access that then finds it there uses it (l2_prefetch_used).
 */
void MemoryPath::issue_l2_prefetches(const std::uint64_t *lines, unsigned n, bool need_tags, std::uint64_t at) {
    const bool was = m_in_prefetch;
    m_in_prefetch = true;
    for (unsigned i = 0; i < n; ++i) {
        const std::uint64_t line = lines[i];
        if (m_l1.peek(line)) continue;
        const CacheLine *there = m_l2 ? m_l2->peek(line) : m_shared.llc->peek(line);
        if (there && (!need_tags || there->tags_valid)) continue;
        if (m_l2_prefetching_lines.may_hold(line) &&
            std::any_of(m_l2_prefetching.begin(), m_l2_prefetching.end(), [line](const Prefetch &p) { return p.line == line; }))
            continue;
        const DemandCounters before(m_stats);
        const std::uint64_t wait = m_l2 ? l2_buffer_wait(at) : 0; /* it misses the L2 (tested above) */
        const std::uint64_t start = seen_cycle(at) + wait;
        std::uint64_t ready; /* core cycle its data is in the L2 (the LLC) */
        CacheLine *shared;
        {
            PrefetchTime time(*this, at);
            m_latency += wait; /* it leaves once an L2 miss buffer is free */
            shared = fetch_from_llc(line, need_tags);
            if (shared && m_l2) {
                shared->sharers |= m_shared.sharer_bit(m_id);
                CacheLine evicted;
                bool hit;
                CacheLine *p = m_l2->find_or_insert(line, evicted, hit);
                if (!hit && evicted.valid()) writeback_to_llc(evicted);
                p->tags = shared->tags;
                p->tags_valid = shared->tags_valid;
            }
            ready = time.ready();
        }
        before.restore(m_stats);
        if (!shared) continue;
        if (m_l2) {
            count_l2_buffer_wait(false, wait);
            hold_l2_buffer(start, ready);
        }
        ++m_stats.l2_prefetch_issued;
        if (m_l2_prefetching.size() >= kMaxPrefetches) {
            m_l2_prefetching_lines.remove(m_l2_prefetching.front().line);
            m_l2_prefetching.erase(m_l2_prefetching.begin());
        }
        m_l2_prefetching.push_back(Prefetch{line, ready});
        m_l2_prefetching_lines.add(line);
    }
    m_in_prefetch = was;
}

/*
 * An L1D miss (a demand access or an L1D prefetch) found @line_no where the L2 stream
 * prefetcher put it: the prefetch was useful, and late if its data is not back yet (the access
 * waits for the rest). A demand use keeps the stream ahead.
 */
void MemoryPath::l2_prefetch_used(std::uint64_t line_no) {
    if (!m_l2_prefetching_lines.may_hold(line_no)) return;
    for (std::size_t i = 0; i < m_l2_prefetching.size(); ++i) {
        if (m_l2_prefetching[i].line != line_no) continue;
        const std::uint64_t seen = prefetcher_sees(), now = m_clock.now_cycles() + m_latency,
                            ready = m_l2_prefetching[i].ready;
        m_l2_prefetching.erase(m_l2_prefetching.begin() + static_cast<std::ptrdiff_t>(i));
        m_l2_prefetching_lines.remove(line_no);
        ++m_stats.l2_prefetch_useful;
        if (ready > now) {
            ++m_stats.l2_prefetch_late;
            charge_latency(ready - now);
        }
        if (m_stream && !m_in_prefetch) {
            std::uint64_t lines[StreamPrefetcher::kMaxDegree];
            if (const unsigned n = m_stream->on_use(line_no, lines)) {
                const CacheLine *l2 = m_l2 ? m_l2->peek(line_no) : m_shared.llc->peek(line_no);
                issue_l2_prefetches(lines, n, l2 && l2->tags_valid, seen);
            }
        }
        return;
    }
}

std::uint64_t MemoryPath::prefetched_hit(std::uint64_t line_no) {
    if (!m_prefetching_lines.may_hold(line_no)) return m_config.l1d_latency;
    for (std::size_t i = 0; i < m_prefetching.size(); ++i) {
        if (m_prefetching[i].line != line_no) continue;
        const std::uint64_t seen = prefetcher_sees(), now = m_clock.now_cycles() + m_latency, ready = m_prefetching[i].ready;
        m_prefetching.erase(m_prefetching.begin() + static_cast<std::ptrdiff_t>(i));
        m_prefetching_lines.remove(line_no);
        ++m_stats.prefetch_useful;
        std::uint64_t latency = m_config.l1d_latency;
        if (ready > now + latency) {
            ++m_stats.prefetch_late;
            latency = ready - now;
        }
        if (!m_in_prefetch && m_stride) {
            std::uint64_t lines[StridePrefetcher::kMaxDegree];
            if (const unsigned n = m_stride->train(line_no, lines)) {
                const CacheLine *l = m_l1.peek(line_no);
                issue_l1_prefetches(lines, n, l && l->tags_valid, seen);
            }
        }
        return latency;
    }
    return m_config.l1d_latency;
}

/*
 * A tag store's line: the L1D copy's tags, then the private L2's and the LLC's copies (the
 * copies found through the memo of the last tag store's: the four STGs of a line find them in
 * one look-up each), then every other core's copy loses its tags.
 */
void MemoryPath::store_line_tags(std::uint64_t line_no, CacheLine &l, std::uint64_t mask, std::uint64_t bits) {
    l.tags = (l.tags & ~mask) | bits;
    l.tag_dirty = true;
    if (m_l2)
        if (CacheLine *p = memo_peek(*m_l2, m_tag_store_l2, line_no); p && p->tags_valid) p->tags = (p->tags & ~mask) | bits;
    CacheLine *sh = memo_peek(*m_shared.llc, m_tag_store_llc, line_no);
    if (sh && sh->tags_valid) sh->tags = (sh->tags & ~mask) | bits;
    invalidate_peer_tags(line_no, sh);
}

void MemoryPath::invalidate_peer_tags(std::uint64_t line_no, const CacheLine *shared) {
    const std::vector<Cache *> &l1s = m_shared.l1s;
    const std::vector<Cache *> &l2s = m_shared.l2s;
    auto drop = [line_no](Cache *cache) {
        if (!cache) return;
        if (CacheLine *p = cache->peek(line_no)) {
            p->tags_valid = false;
            p->tag_dirty = false; /* the TagStore already holds the newer tags */
        }
    };
    // A peer that shares this core's L2 (a complex) keeps that L2's copy: it holds the tags
    // just stored.
    auto invalidate = [&](std::size_t c) {
        if (c < l1s.size()) drop(l1s[c]);
        if (c < l2s.size() && l2s[c] != m_l2) drop(l2s[c]);
    };
    // The LLC's sharer bits name every L1 that took the line since it entered the LLC (beyond
    // 64 cores, every group with such an L1); without an LLC copy every other L1 is asked.
    if (shared) {
        // Up to 64 cores a bit is one core: with no bit but this core's there is no one to visit.
        if (!m_shared.sharer_shift && !(shared->sharers & ~m_shared.sharer_bit(m_id))) return;
        m_shared.for_each_sharer(shared->sharers, [&](std::size_t c) {
            if (c != m_id) invalidate(c);
        });
        return;
    }
    for (std::size_t c = 0; c < l1s.size(); ++c)
        if (c != m_id) invalidate(c);
}

void MemoryPath::zero_line(std::uint64_t line_no) { allocate_line(line_no, true); }

/*
 * Write streaming (Neoverse N1 TRM, "Write streaming mode"; the same in Cortex-A76/A78/A710):
 * a run of full-line stores is not read from memory first. The copy's destination lines are
 * allocated dirty, as DC ZVA allocates, but keep the tags they have.
 */
void MemoryPath::write_full_line(std::uint64_t line_no) { allocate_line(line_no, false); }

/*
 * Write streaming of user stores (docs/timing-model.md, "Write streaming"): stores that miss
 * "write out to L2 (or possibly L3, system cache, or DRAM) rather than starting a linefill"
 * (Cortex-A76 TRM A6.2.6), and the Cortex-A55 allocates such writes in its L2 ("Optional
 * integrated L2 cache"). The line is allocated dirty in the L2 (in the LLC on a core without
 * one), not in the L1D, and is present in the inclusive LLC with this core among its sharers, so
 * that a tag store elsewhere finds the L2 copy. It keeps the tags a cached copy has (a fresh
 * line has none: a later checked access fetches them). Past the stream's no-allocate threshold
 * (the Cortex-A55's "1024th consecutive streaming cache line does not allocate in the L1, L2, or
 * L3 cache", the A76's 1 MB to DRAM) a line that no cache holds is written to memory as a posted
 * write, like a write-back; one the L2 or the LLC holds is written there as before.
 */
bool MemoryPath::stream_line(std::uint64_t line_no, bool to_memory, const std::uint64_t *tags) {
    charge_latency(m_config.l1d_latency);
    if (to_memory && !(m_l2 && m_l2->peek(line_no)) && !m_shared.llc->peek(line_no)) {
        CacheLine line;
        line.key = ~line_no;
        line.dirty = true;
        writeback_to_dram(line);
        return true;
    }
    CacheLine *shared = llc_copy_without_read(line_no);
    if (tags) {
        shared->tags = *tags;
        shared->tags_valid = true;
    }
    if (!m_l2) {
        shared->dirty = true;
        return false;
    }
    CacheLine evicted;
    bool hit;
    CacheLine *p = m_l2->find_or_insert(line_no, evicted, hit);
    if (!hit) {
        if (evicted.valid()) writeback_to_llc(evicted);
        p->tags = shared->tags;
        p->tags_valid = shared->tags_valid;
    } else if (tags) {
        p->tags = *tags;
        p->tags_valid = true;
    }
    p->dirty = true;
    return false;
}

void MemoryPath::allocate_line(std::uint64_t line_no, bool drop_tags) {
    charge_latency(m_config.l1d_latency);
    CacheLine evicted;
    bool hit;
    CacheLine *l = m_l1.find_or_insert(line_no, evicted, hit);
    const bool fresh = !hit;
    if (fresh && evicted.valid()) writeback_from_l1(evicted);
    l->dirty = true;
    // The L2's copy, if any, is older than this L1D line; its tags go with the L1D's.
    CacheLine *p = m_l2 ? m_l2->peek(line_no) : nullptr;
    CacheLine *shared = llc_copy_without_read(line_no);
    if (drop_tags) {
        l->tags_valid = false;
        shared->tags_valid = false;
        if (p) p->tags_valid = false;
    } else if (fresh) {
        if (p) {
            l->tags = p->tags;
            l->tags_valid = p->tags_valid;
        } else {
            l->tags = shared->tags;
            l->tags_valid = shared->tags_valid;
        }
    }
}

/* The LLC is inclusive: a line written whole without a read is in it too (its entry made, the
 * victim evicted), with this core among its sharers, so that a later tag store on another core
 * finds this core's copy. */
CacheLine *MemoryPath::llc_copy_without_read(std::uint64_t line_no) {
    CacheLine evicted;
    bool hit;
    CacheLine *shared = m_shared.llc->find_or_insert(line_no, evicted, hit);
    if (!hit && evicted.valid()) evict_from_llc(evicted);
    shared->sharers |= m_shared.sharer_bit(m_id);
    return shared;
}

}  // namespace mtesim
