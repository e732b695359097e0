// Cache: sets are a power of two (checked by CoreConfig::resolve); the set index is the low
// bits of the line number.
#include "mtesim/cache/cache.h"

#include "mtesim/common/sim_assert.h"

namespace mtesim {

Cache::Cache(const CacheConfig &config) : m_config(config), m_ways(config.ways) {
    const std::uint64_t sets = config.size_bytes / (std::uint64_t(config.ways) * config.line_bytes);
    MTESIM_ASSERT(sets > 0 && (sets & (sets - 1)) == 0, "cache sets must be a power of two (config not validated)");
    m_set_mask = sets - 1;
    while ((1u << m_line_shift) < config.line_bytes) ++m_line_shift;
    m_lines.resize(sets * m_ways);
}

CacheLine *Cache::peek(std::uint64_t line_no) {
    CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
    for (std::uint32_t w = 0; w < m_ways; ++w)
        if (set[w].line == line_no) return &set[w];
    return nullptr;
}

CacheLine *Cache::insert(std::uint64_t line_no, CacheLine &victim) {
    CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
    CacheLine *v = set;
    for (std::uint32_t w = 1; w < m_ways; ++w)
        if (set[w].lru < v->lru) v = &set[w];
    victim = *v;
    *v = CacheLine{};
    v->line = line_no;
    v->lru = ++m_clock;
    return v;
}

void Cache::invalidate(std::uint64_t line_no) {
    if (CacheLine *l = peek(line_no)) *l = CacheLine{};
}

}  // namespace mtesim
