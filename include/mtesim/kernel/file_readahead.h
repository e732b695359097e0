// File readahead's decisions (mm/readahead.c and mm/filemap.c, v6.6): which pages of a file a
// read(2) or a page fault reads ahead of its need, from the state each open file keeps
// (struct file_ra_state). The decisions only: FaultHandler allocates the pages, puts them into
// the page cache and submits their reads (page_cache_ra_unbounded). No simulated cost.
//
// Each window is part synchronous, part asynchronous: its last async_size pages are read
// before anyone asked for them, and the first of those carries PG_readahead (the marker). A
// reader that reaches the marker starts the next window while the pages it holds are still
// enough to go on with, so a sequential reader's I/O overlaps its work; each new window is
// larger (4x, then 2x), up to the device's read_ahead_kb. A read that misses where the last
// window said the stream would go, or far from the last read, starts afresh (a small random
// read reads only what it asked for). A page fault reads around the faulting page instead, a
// whole window centred on it, unless the file's faults have mostly missed (mmap_miss).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace mtesim {

/// struct file_ra_state: one per open file (the model keeps one per process and file).
struct FileRaState {
    std::uint64_t start = 0;      /* pages: the current window's first page */
    std::uint64_t size = 0;       /* pages in the current window */
    std::uint64_t async_size = 0; /* pages: the window's asynchronous tail, which begins at the marker */
    std::uint64_t ra_pages = 0;   /* pages: the most a window holds (the device's read_ahead_kb / 4 KiB) */
    std::uint32_t mmap_miss = 0;  /* page-cache misses of faults, less hits (read-around stops above 100) */
    std::uint64_t prev_pos = ~0ull; /* bytes: where the last read(2) ended ((loff_t)-1 at open) */
};

/// What do_page_cache_ra is asked to read: @nr pages from @start, the page @start + @nr -
/// @lookahead getting PG_readahead (none when @lookahead is 0).
struct RaWindow {
    std::uint64_t start = 0;
    std::uint64_t nr = 0;
    std::uint64_t lookahead = 0;
};

class FileReadahead {
public:
    /// Whether page @index of the file is in the page cache (a shadow entry is not).
    using Present = std::function<bool(std::uint64_t index)>;

    /// MMAP_LOTSAMISS: read-around stops while a file's faults miss more than this.
    static constexpr std::uint32_t kMmapLotsaMiss = 100;

    /// get_init_ra_size: the first window for a read of @req pages, at most @max.
    static std::uint64_t init_size(std::uint64_t req, std::uint64_t max);
    /// get_next_ra_size: the window after one of @cur pages, at most @max.
    static std::uint64_t next_size(std::uint64_t cur, std::uint64_t max);

    /// page_cache_sync_ra: read(2) missed page @index with @req pages left to read.
    static std::optional<RaWindow> sync(FileRaState &ra, std::uint64_t index, std::uint64_t req, const Present &present);
    /// page_cache_async_ra, after its caller's checks (the page at @index has PG_readahead and
    /// is not under write-back; the mark is cleared): @req pages left to read.
    static std::optional<RaWindow> async(FileRaState &ra, std::uint64_t index, std::uint64_t req, const Present &present);
    /// do_sync_mmap_readahead: a fault missed page @pgoff (no VM_SEQ_READ or VM_RAND_READ).
    static std::optional<RaWindow> mmap_sync(FileRaState &ra, std::uint64_t pgoff);
    /// do_async_mmap_readahead's bookkeeping for a fault that found its page: one miss
    /// forgiven. False when readahead is off (then the marker is not looked at).
    static bool mmap_hit(FileRaState &ra);

private:
    /// ondemand_readahead; @marker: a marked page was hit (async), else a miss (sync).
    static std::optional<RaWindow> ondemand(FileRaState &ra, std::uint64_t index, std::uint64_t req, bool marker,
                                            const Present &present);
};

}  // namespace mtesim
