// Migratetypes and allocation flags, as in Linux include/linux/mmzone.h and gfp.h: what kind
// of memory a request may use, and in which order a type falls back to the others.
#pragma once

#include <array>
#include <cstdint>

namespace mtesim {

enum class MigrateType : std::uint8_t {
    unmovable = 0,
    movable = 1,
    reclaimable = 2,
    highatomic = 3,
    cma = 4,
    isolate = 5,
};
inline constexpr unsigned kMigrateTypes = 6;
/// Types with their own pages on the free lists that a request names (MIGRATE_PCPTYPES).
inline constexpr unsigned kPcpTypes = 3;

const char *migrate_type_name(MigrateType mt);

/// Linux's fallbacks[]: where a request looks when its own lists are empty, in order.
inline constexpr std::array<std::array<MigrateType, 2>, kPcpTypes> kFallbacks = {{
    {MigrateType::reclaimable, MigrateType::movable},   /* unmovable */
    {MigrateType::reclaimable, MigrateType::unmovable}, /* movable */
    {MigrateType::unmovable, MigrateType::movable},     /* reclaimable */
}};

/// An allocation request's flags (the meaning of Linux's GFP flags the model needs).
struct GfpFlags {
    MigrateType type = MigrateType::unmovable; /* GFP_KERNEL: unmovable; __GFP_MOVABLE: movable */
    bool tagged = false;                        /* __GFP_TAGGED: the data needs tag storage */
    bool atomic = false;                        /* may use the HIGHATOMIC reserve (ALLOC_HARDER) */
    bool page_cache = false;                    /* a clean page-cache page (the only data a cleancache pool takes) */
    bool noretry = false;                       /* __GFP_NORETRY: one round of reclaim and compaction, no OOM killer */
    bool retry_mayfail = false;                 /* __GFP_RETRY_MAYFAIL: retries (a costly order too), may fail, no OOM killer */
    /* ALLOC_OOM (an alloc flag, not a GFP bit): the allocating task is an OOM victim and may go
     * halfway below the min watermark (__zone_watermark_ok's "min -= min / 2"). */
    bool oom_reserves = false;

    /// ALLOC_CMA: only movable, untagged allocations may use the tag-storage pool.
    bool may_use_cma() const { return type == MigrateType::movable && !tagged; }
};

inline constexpr GfpFlags kGfpKernel{MigrateType::unmovable, false, false};
inline constexpr GfpFlags kGfpReclaimable{MigrateType::reclaimable, false, false};
inline constexpr GfpFlags kGfpHighUserMovable{MigrateType::movable, false, false};
inline constexpr GfpFlags kGfpHighUserMovableTagged{MigrateType::movable, true, false};
inline constexpr GfpFlags kGfpPageCache{MigrateType::movable, false, false, true};
/* readahead_gfp_mask: a page-cache page read ahead, __GFP_NORETRY | __GFP_NOWARN (readahead
 * stops at the first page it cannot get; no OOM kill for it) */
inline constexpr GfpFlags kGfpPageCacheReadahead{MigrateType::movable, false, false, true, true};

}  // namespace mtesim
