// TagCache: set index = line number modulo sets; LRU by a use counter per way.
#include "mtesim/mte/tag_cache.h"

#include "mtesim/common/config_error.h"
#include "mtesim/common/sim_assert.h"
#include "mtesim/config/config_store.h"

namespace mtesim {

TagCacheConfig TagCacheConfig::resolve(ConfigStore &s) {
    TagCacheConfig c;
    c.size_bytes = s.get_u64("tag_cache.size", 32768, "bytes", "tag cache capacity (0: no tag cache)", 0, 1ull << 32);
    c.ways = static_cast<std::uint32_t>(s.get_u64("tag_cache.ways", 8, "count", "tag cache associativity", 1, 64));
    c.line_bytes = static_cast<std::uint32_t>(s.get_u64("tag_cache.line", 64, "bytes", "tag cache line (of tag bytes)", 8, 4096));
    if (c.line_bytes & (c.line_bytes - 1)) throw ConfigError(s.where("tag_cache.line") + ", expected a power of two");
    if (c.size_bytes && (c.size_bytes % (std::uint64_t(c.ways) * c.line_bytes) != 0 ||
                         c.size_bytes < std::uint64_t(c.ways) * c.line_bytes))
        throw ConfigError(s.where("tag_cache.size") + ", expected a multiple of ways x line (" +
                          std::to_string(std::uint64_t(c.ways) * c.line_bytes) + ") or 0");
    return c;
}

TagCache::TagCache(const TagCacheConfig &config) : m_config(config) {
    if (config.size_bytes == 0) return;
    MTESIM_ASSERT(config.ways > 0 && config.line_bytes > 0, "tag cache geometry not validated");
    m_sets = config.size_bytes / (std::uint64_t(config.ways) * config.line_bytes);
    MTESIM_ASSERT(m_sets > 0, "tag cache smaller than one set");
    while ((1u << m_line_shift) < config.line_bytes) ++m_line_shift;
    m_ways.resize(m_sets * config.ways);
}

TagCache::Outcome TagCache::access(TagAddr addr, bool dirty) {
    Outcome out;
    if (m_sets == 0) {
        ++m_stats.misses;
        if (dirty) { out.writeback = line_of(addr); ++m_stats.writebacks; }
        return out;
    }
    const std::uint64_t line = addr.value() >> m_line_shift;
    Way *set = &m_ways[(line % m_sets) * m_config.ways];
    Way *victim = set;
    ++m_clock;
    for (std::uint32_t w = 0; w < m_config.ways; ++w) {
        if (set[w].tag == line) {
            set[w].lru = m_clock;
            set[w].dirty |= dirty;
            ++m_stats.hits;
            out.hit = true;
            return out;
        }
        if (set[w].lru < victim->lru) victim = &set[w];
    }
    ++m_stats.misses;
    if (victim->tag != ~0ull && victim->dirty) {
        out.writeback = TagAddr(victim->tag << m_line_shift);
        ++m_stats.writebacks;
    }
    *victim = Way{line, m_clock, dirty};
    return out;
}

std::uint64_t TagCache::invalidate_range(TagAddr base, std::uint64_t bytes) {
    if (m_sets == 0 || bytes == 0) return 0;
    std::uint64_t dropped = 0;
    const std::uint64_t first = base.value() >> m_line_shift, last = (base.value() + bytes - 1) >> m_line_shift;
    for (std::uint64_t line = first; line <= last; ++line) {
        Way *set = &m_ways[(line % m_sets) * m_config.ways];
        for (std::uint32_t w = 0; w < m_config.ways; ++w) {
            if (set[w].tag == line) {
                set[w] = Way{};
                ++dropped;
            }
        }
    }
    return dropped;
}

bool TagCache::present(TagAddr addr) const {
    if (m_sets == 0) return false;
    const std::uint64_t line = addr.value() >> m_line_shift;
    const Way *set = &m_ways[(line % m_sets) * m_config.ways];
    for (std::uint32_t w = 0; w < m_config.ways; ++w)
        if (set[w].tag == line) return true;
    return false;
}

}  // namespace mtesim
