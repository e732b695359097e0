// Zone: the buddy algorithm of mm/page_alloc.c over PageMeta. Free lists are intrusive doubly
// linked lists threaded through the head pages' metadata (zone page offsets, kNil-terminated).
#include "mtesim/mm/zone.h"

#include "mtesim/common/sim_assert.h"

namespace mtesim {

namespace {

bool mergeable(MigrateType t) { return static_cast<unsigned>(t) < kPcpTypes; }

/* can_steal_fallback() */
bool can_steal_fallback(unsigned order, MigrateType start) {
    if (order >= kPageblockOrder) return true;
    return order >= kPageblockOrder / 2 || start == MigrateType::reclaimable || start == MigrateType::unmovable;
}

}  // namespace

Zone::Zone(std::string name, Pfn start, std::uint64_t pages)
    : m_name(std::move(name)), m_start(start), m_pages(pages), m_meta(pages),
      m_pageblock((pages + kPageblockPages - 1) / kPageblockPages, static_cast<std::uint8_t>(MigrateType::movable)) {
    MTESIM_ASSERT(start.value() % kMaxOrderPages == 0, "zone start not aligned to the largest block");
    MTESIM_ASSERT(pages < PageMeta::kMaxZonePages, "zone larger than PageMeta can index");
    for (auto &row : m_head) row.fill(PageMeta::kNil);
}

void Zone::list_add(std::uint32_t o, unsigned order, MigrateType t) {
    auto &head = m_head[order][static_cast<unsigned>(t)];
    m_meta[o].set(PageMeta::State::free_head, order, t);
    m_meta[o].set_next(head);
    if (head != PageMeta::kNil) m_meta[head].set_prev(o);
    head = o;
    ++m_count[order][static_cast<unsigned>(t)];
    m_free[static_cast<unsigned>(t)] += 1ull << order;
    m_free_total += 1ull << order;
}

void Zone::list_del(std::uint32_t o) {
    const PageMeta m = m_meta[o];
    const unsigned order = m.order(), t = static_cast<unsigned>(m.type());
    if (m.prev() != PageMeta::kNil) m_meta[m.prev()].set_next(m.next());
    else m_head[order][t] = m.next();
    if (m.next() != PageMeta::kNil) m_meta[m.next()].set_prev(m.prev());
    --m_count[order][t];
    m_free[t] -= 1ull << order;
    m_free_total -= 1ull << order;
    m_meta[o].set(PageMeta::State::tail, 0, MigrateType::unmovable);
}

void Zone::expand(std::uint32_t o, unsigned low, unsigned high, MigrateType t) {
    while (high > low) {
        --high;
        list_add(o + (1u << high), high, t);
        struct_page_accessed(o + (1u << high), true);
    }
}

void Zone::add_free_range(Pfn pfn, std::uint64_t count, MigrateType type) {
    MTESIM_ASSERT(contains(pfn) && count <= end() - pfn, "free range outside the zone");
    for (Pfn pb(pfn.value() & ~(kPageblockPages - 1)); pb < pfn + count; pb += kPageblockPages)
        m_pageblock[(pb - m_start) >> kPageblockOrder] = static_cast<std::uint8_t>(type);
    for (std::uint64_t q = pfn - m_start; q < pfn - m_start + count; ++q) m_meta[q].set(PageMeta::State::tail, 0, type);
    std::uint64_t p = pfn - m_start;
    const std::uint64_t e = p + count;
    while (p < e) {
        unsigned k = kMaxOrder;
        while (k > 0 && ((p & ((1ull << k) - 1)) || p + (1ull << k) > e)) --k;
        m_meta[p].set(PageMeta::State::allocated_head, k, type);
        free_block(m_start + p);
        p += 1ull << k;
    }
    m_managed += count;
}

std::optional<Pfn> Zone::take_smallest(unsigned order, MigrateType type) {
    const unsigned t = static_cast<unsigned>(type);
    for (unsigned o = order; o <= kMaxOrder; ++o) {
        const std::uint32_t h = m_head[o][t];
        if (h == PageMeta::kNil) continue;
        list_del(h);
        expand(h, order, o, type);
        return m_start + h;
    }
    return std::nullopt;
}

/*
 * steal_suitable_fallback(): a block of order >= pageblock_order changes the type of every
 * pageblock it spans. A smaller one takes its pageblock's free pages with it, and the
 * pageblock changes type when at least half of it is free or already used alike.
 */
void Zone::steal(std::uint32_t o, unsigned order, MigrateType to) {
    if (order >= kPageblockOrder) {
        for (std::uint64_t pb = o >> kPageblockOrder; pb < (o + (1ull << order)) >> kPageblockOrder; ++pb)
            m_pageblock[pb] = static_cast<std::uint8_t>(to);
        list_del(o);
        list_add(o, order, to);
        ++m_steals;
        return;
    }
    const Pfn pfn = m_start + o;
    const MigrateType old = pageblock_type(pfn);
    const std::uint64_t free_moved = move_free_pages_block(pfn, to);
    std::uint64_t movable = 0;
    const std::uint64_t pb0 = o & ~(kPageblockPages - 1);
    for (std::uint64_t p = pb0; p < pb0 + kPageblockPages && p < m_pages;) {
        const PageMeta &m = m_meta[p];
        if (m.state() == PageMeta::State::allocated_head) {
            if (m.type() == MigrateType::movable) movable += 1ull << m.order();
            p += 1ull << m.order();
        } else if (m.state() == PageMeta::State::free_head) {
            p += 1ull << m.order();
        } else {
            ++p;
        }
    }
    std::uint64_t alike = 0;
    if (to == MigrateType::movable) alike = movable;
    else if (old == MigrateType::movable) alike = kPageblockPages - std::min(kPageblockPages, free_moved + movable);
    if (free_moved + alike >= kPageblockPages / 2) {
        set_pageblock_type(pfn, to);
        ++m_steals;
    }
}

/* __rmqueue_fallback(): the largest block of a fallback type if it may be stolen, else the smallest. */
std::optional<Pfn> Zone::take_fallback(unsigned order, MigrateType start) {
    const auto &fallbacks = kFallbacks[static_cast<unsigned>(start)];
    int found = -1;
    MigrateType from = MigrateType::unmovable;
    bool steal_block = false;
    for (int co = static_cast<int>(kMaxOrder); co >= static_cast<int>(order) && found < 0; --co) {
        for (MigrateType mt : fallbacks) {
            if (m_count[static_cast<unsigned>(co)][static_cast<unsigned>(mt)]) {
                found = co;
                from = mt;
                steal_block = can_steal_fallback(static_cast<unsigned>(co), start);
                break;
            }
        }
    }
    if (found < 0) return std::nullopt;
    if (!steal_block) {
        found = -1;
        for (unsigned co = order; co <= kMaxOrder && found < 0; ++co)
            for (MigrateType mt : fallbacks)
                if (m_count[co][static_cast<unsigned>(mt)]) {
                    found = static_cast<int>(co);
                    from = mt;
                    break;
                }
    }
    const std::uint32_t h = m_head[static_cast<unsigned>(found)][static_cast<unsigned>(from)];
    if (steal_block) {
        steal(h, static_cast<unsigned>(found), start);
    } else {
        list_del(h);
        list_add(h, static_cast<unsigned>(found), start);
    }
    return take_smallest(order, start);
}

bool Zone::can_merge(unsigned order, MigrateType a, std::uint32_t buddy) const {
    if (order < kPageblockOrder) return true;
    const MigrateType b = static_cast<MigrateType>(m_pageblock[buddy >> kPageblockOrder]);
    return a == b || (mergeable(a) && mergeable(b));
}

void Zone::free_block(Pfn pfn) {
    std::uint32_t o = off(pfn);
    unsigned order = m_meta[o].order();
    const MigrateType t = pageblock_type(pfn);
    m_meta[o].set(PageMeta::State::tail, 0, MigrateType::unmovable);
    while (order < kMaxOrder) {
        const std::uint32_t buddy = o ^ (1u << order);
        if (buddy >= m_pages) break;
        const PageMeta &bm = m_meta[buddy];
        const bool merges = bm.state() == PageMeta::State::free_head && bm.order() == order && can_merge(order, t, buddy);
        struct_page_accessed(buddy, merges); /* page_is_buddy reads it; a merge takes it off its list */
        if (!merges) break;
        list_del(buddy);
        o &= buddy;
        ++order;
    }
    list_add(o, order, t);
}

bool Zone::block_is_free(Pfn pfn, unsigned order) const {
    const std::uint32_t o = off(pfn);
    for (unsigned k = order; k <= kMaxOrder; ++k) {
        const std::uint32_t h = o & ~((1u << k) - 1);
        const PageMeta &m = m_meta[h];
        if (m.state() == PageMeta::State::free_head && m.order() >= k) return true;
        if (m.state() == PageMeta::State::allocated_head || m.state() == PageMeta::State::tag_storage) {
            if (m.order() >= k) return false;
        }
    }
    return false;
}

bool Zone::take_free_block(Pfn pfn, unsigned order) {
    const std::uint32_t target = off(pfn);
    for (unsigned k = order; k <= kMaxOrder; ++k) {
        std::uint32_t h = target & ~((1u << k) - 1);
        const PageMeta m = m_meta[h];
        if (m.state() != PageMeta::State::free_head || m.order() < k) continue;
        unsigned cur = m.order();
        list_del(h);
        // Split, giving back every half that does not hold the target block, each to its own
        // pageblock's list (the pageblock of its first page when it spans several).
        auto give_back = [&](std::uint32_t at, unsigned o) {
            list_add(at, o, static_cast<MigrateType>(m_pageblock[at >> kPageblockOrder]));
            struct_page_accessed(at, true);
        };
        while (cur > order) {
            --cur;
            const std::uint32_t half = 1u << cur;
            if (target >= h + half) {
                give_back(h, cur);
                h += half;
            } else {
                give_back(h + half, cur);
            }
        }
        return true;
    }
    return false;
}

void Zone::mark_allocated(Pfn pfn, unsigned order, MigrateType type, PageMeta::State state, std::uint64_t flags) {
    PageMeta &m = m_meta[off(pfn)];
    m.set(state, order, type);
    m.set_flags(flags);
}

std::optional<Pfn> Zone::allocated_head_of(Pfn pfn) const {
    const std::uint32_t o = off(pfn);
    for (unsigned k = 0; k <= kMaxOrder; ++k) {
        const std::uint32_t h = o & ~((1u << k) - 1);
        const PageMeta &m = m_meta[h];
        const auto s = m.state();
        if ((s == PageMeta::State::allocated_head || s == PageMeta::State::tag_storage) && m.order() >= k)
            return m_start + h;
        if (s == PageMeta::State::free_head && m.order() >= k) return std::nullopt;
        if (s == PageMeta::State::absent && k == 0) return std::nullopt;
    }
    return std::nullopt;
}

void Zone::set_pageblock_type(Pfn pfn, MigrateType type) {
    m_pageblock[(pfn - m_start) >> kPageblockOrder] = static_cast<std::uint8_t>(type);
}

std::uint64_t Zone::move_free_pages_block(Pfn pfn, MigrateType to) {
    const std::uint32_t pb0 = off(pfn) & ~static_cast<std::uint32_t>(kPageblockPages - 1);
    std::uint64_t moved = 0;
    // A free block larger than a pageblock that holds this one is split into pageblocks
    // first (split_free_page, as isolate_single_pageblock does): this pageblock's part moves,
    // each other part goes to its own pageblock's list (split_free_page frees each piece with
    // get_pfnblock_migratetype): a block freed whole onto an isolated head pageblock's list
    // gives its other pageblocks back to theirs.
    for (unsigned k = kPageblockOrder + 1; k <= kMaxOrder; ++k) {
        const std::uint32_t h = pb0 & ~((1u << k) - 1);
        const PageMeta m = m_meta[h];
        if (m.state() == PageMeta::State::free_head && m.order() >= k) {
            list_del(h);
            for (std::uint32_t part = h; part < h + (1u << m.order()); part += kPageblockPages)
                list_add(part, kPageblockOrder, part == pb0 ? to : static_cast<MigrateType>(m_pageblock[part >> kPageblockOrder]));
            return kPageblockPages;
        }
    }
    for (std::uint64_t p = pb0; p < pb0 + kPageblockPages && p < m_pages;) {
        const PageMeta m = m_meta[p];
        if (m.state() == PageMeta::State::free_head) {
            list_del(static_cast<std::uint32_t>(p));
            list_add(static_cast<std::uint32_t>(p), m.order(), to);
            moved += 1ull << m.order();
            p += 1ull << m.order();
        } else if (m.state() == PageMeta::State::allocated_head || m.state() == PageMeta::State::tag_storage) {
            p += 1ull << m.order();
        } else {
            ++p;
        }
    }
    return moved;
}

}  // namespace mtesim
