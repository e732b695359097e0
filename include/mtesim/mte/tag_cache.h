// TagCache: the memory controller's cache of tag-storage lines (BACKGROUND.md section 2). It
// models timing only (which tag accesses reach DRAM): set-associative, true LRU, write-back.
// Tag values always live in TagStore. A miss costs one DRAM read of a tag line; evicting a
// dirty line costs one DRAM write.
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mtesim {

class ConfigStore;

struct TagCacheConfig {
    std::uint64_t size_bytes = 0;  /* 0 disables the cache: every tag access goes to DRAM */
    std::uint32_t ways = 0;
    std::uint32_t line_bytes = 0;  /* of tag storage; 64 B of tags cover 2 KiB of data */

    /// Reads and validates [tag_cache]. Throws ConfigError naming the key.
    static TagCacheConfig resolve(ConfigStore &store);
};

struct TagCacheStats {
    std::uint64_t hits = 0, misses = 0, writebacks = 0; /* in tag-line accesses */
};

class TagCache {
public:
    explicit TagCache(const TagCacheConfig &config);

    struct Outcome {
        bool hit = false;
        std::optional<TagAddr> writeback; /* dirty line evicted: written to DRAM */
    };

    /// Looks up the line holding tag byte @addr, filling it on a miss; @dirty marks it modified.
    Outcome access(TagAddr addr, bool dirty);

    /// Drops every line of [@base, @base + @bytes), dirty ones unwritten (the RFC's
    /// dcache_inval_tags_poc: their contents are stale once the block changes use); returns
    /// the lines that were present.
    std::uint64_t invalidate_range(TagAddr base, std::uint64_t bytes);
    /// True when the line holding @addr is cached (no LRU update).
    bool present(TagAddr addr) const;

    TagAddr line_of(TagAddr addr) const { return TagAddr(addr.value() & ~std::uint64_t(m_config.line_bytes - 1)); }
    const TagCacheStats &stats() const { return m_stats; }
    const TagCacheConfig &config() const { return m_config; }

private:
    struct Way {
        std::uint64_t tag = ~0ull; /* line number, ~0: invalid */
        std::uint64_t lru = 0;     /* last use, larger is newer */
        bool dirty = false;
    };

    TagCacheConfig m_config;
    std::uint64_t m_sets = 0;
    unsigned m_line_shift = 0;
    std::vector<Way> m_ways; /* [set][way] */
    std::uint64_t m_clock = 0;
    TagCacheStats m_stats;
};

}  // namespace mtesim
