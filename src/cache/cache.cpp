// Cache: sets are a power of two (checked by CoreConfig::resolve); the set index is the low
// bits of the line number.
#include "mtesim/cache/cache.h"

#include "mtesim/common/sim_assert.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define MTESIM_HAVE_MMAP 1
#endif

namespace mtesim {

Cache::Cache(const CacheConfig &config) : m_config(config), m_ways(config.ways) {
    const std::uint64_t sets = config.size_bytes / (std::uint64_t(config.ways) * config.line_bytes);
    MTESIM_ASSERT(sets > 0 && (sets & (sets - 1)) == 0, "cache sets must be a power of two (config not validated)");
    m_set_mask = sets - 1;
    while ((1u << m_line_shift) < config.line_bytes) ++m_line_shift;
    m_lines = allocate(sets * m_ways, m_mapped);
}

/*
 * Zeroed memory is an array of invalid lines (CacheLine's all-zero state). A large array is an
 * anonymous mapping: the OS zeroes its pages on first touch, so nothing is written here and a
 * set untouched by the run costs nothing. Small arrays (an L1D) come from aligned_alloc and are
 * cleared. Both are aligned to 64 bytes so that no 32-byte line straddles two host cache lines.
 */
CacheLine *Cache::allocate(std::size_t count, std::size_t &mapped) {
    static_assert(std::is_trivially_copyable_v<CacheLine> && std::is_trivially_destructible_v<CacheLine>,
                  "CacheLine lives in zeroed memory");
    constexpr std::size_t kHostLine = 64, kMapAbove = std::size_t(64) << 10;
    const std::size_t bytes = (count * sizeof(CacheLine) + kHostLine - 1) / kHostLine * kHostLine;
    mapped = 0;
#ifdef MTESIM_HAVE_MMAP
    if (bytes >= kMapAbove) {
        void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            mapped = bytes;
            return static_cast<CacheLine *>(p);
        }
    }
#endif
    void *p = std::aligned_alloc(kHostLine, bytes);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, bytes);
    return static_cast<CacheLine *>(p);
}

Cache::~Cache() {
#ifdef MTESIM_HAVE_MMAP
    if (m_mapped) {
        munmap(m_lines, m_mapped);
        return;
    }
#endif
    std::free(m_lines);
}

CacheLine *Cache::peek(std::uint64_t line_no) {
    CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
    const std::uint64_t key = ~line_no;
    for (std::uint32_t w = 0; w < m_ways; ++w)
        if (set[w].key == key) return &set[w];
    return nullptr;
}

CacheLine *Cache::insert(std::uint64_t line_no, CacheLine &victim) {
    CacheLine *set = &m_lines[(line_no & m_set_mask) * m_ways];
    CacheLine *v = set;
    for (std::uint32_t w = 1; w < m_ways; ++w)
        if (set[w].lru < v->lru) v = &set[w];
    victim = *v;
    *v = CacheLine{};
    v->key = ~line_no;
    v->lru = ++m_clock;
    return v;
}

void Cache::invalidate(std::uint64_t line_no) {
    if (CacheLine *l = peek(line_no)) *l = CacheLine{};
}

}  // namespace mtesim
