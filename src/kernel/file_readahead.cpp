// FileReadahead: see the header. Each function follows its v6.6 namesake; the pages are order 0
// (page_cache_ra_order falls back to do_page_cache_ra for a mapping without large folios, as
// ext4's in v6.6), and the device's io_pages is taken as its read-ahead size (so a read larger
// than the window is not read in one larger window: ondemand_readahead's "max_pages =
// min(req_size, bdi->io_pages)" never applies).
#include "mtesim/kernel/file_readahead.h"

#include <algorithm>

namespace mtesim {

namespace {
constexpr unsigned kPageShift = 12;

/* page_cache_next_miss (v6.6): the first page from @index, looking at @max_scan at most, that is
 * not in the page cache; when all are, the last one looked at (v6.6 returns that, not an index
 * past the range). */
std::uint64_t next_miss(const FileReadahead::Present &present, std::uint64_t index, std::uint64_t max_scan) {
    for (std::uint64_t i = index;; ++i) {
        if (!present(i) || --max_scan == 0) return i;
    }
}

/* page_cache_prev_miss (v6.6): the same backwards from @index; ~0 when every page down to page 0
 * is present (the xarray index wraps). */
std::uint64_t prev_miss(const FileReadahead::Present &present, std::uint64_t index, std::uint64_t max_scan) {
    for (std::uint64_t i = index;; --i) {
        if (!present(i) || --max_scan == 0) return i;
        if (i == 0) return ~0ull;
    }
}
}  // namespace

std::uint64_t FileReadahead::init_size(std::uint64_t req, std::uint64_t max) {
    std::uint64_t n = 1;
    while (n < req) n <<= 1; /* roundup_pow_of_two */
    if (n <= max / 32) return n * 4;
    if (n <= max / 4) return n * 2;
    return max;
}

std::uint64_t FileReadahead::next_size(std::uint64_t cur, std::uint64_t max) {
    if (cur < max / 16) return 4 * cur;
    if (cur <= max / 2) return 2 * cur;
    return max;
}

/* page_cache_sync_ra: with read-ahead off (ra_pages 0) force_page_cache_ra reads the one page. */
std::optional<RaWindow> FileReadahead::sync(FileRaState &ra, std::uint64_t index, std::uint64_t req,
                                            const Present &present) {
    if (!ra.ra_pages) return RaWindow{index, 1, 0};
    return ondemand(ra, index, std::max<std::uint64_t>(req, 1), false, present);
}

std::optional<RaWindow> FileReadahead::async(FileRaState &ra, std::uint64_t index, std::uint64_t req,
                                             const Present &present) {
    if (!ra.ra_pages) return std::nullopt;
    return ondemand(ra, index, std::max<std::uint64_t>(req, 1), true, present);
}

/*
 * ondemand_readahead (v6.6, order 0):
 *  1. page 0 starts a fresh window (initial);
 *  2. the page the last window expected next (its marker, or the page after it): a sequential
 *     stream; the window moves on past the last one and grows (get_next_ra_size), all of it
 *     asynchronous;
 *  3. a marker hit the state does not explain (interleaved streams on one file): the pages
 *     present after it, up to the first gap, stand for the last window's asynchronous part; the
 *     next window starts at that gap, that size plus the request, grown;
 *  4. a read larger than the window: initial;
 *  5. a miss at or just after where the last read(2) ended: initial;
 *  6. try_context_readahead: more pages present just before @index than the request (a
 *     stream's leftovers) make a window of their count plus the request (twice the count when
 *     they reach back to page 0), with an asynchronous tail of one page;
 *  7. otherwise a small random read: just the request, no marker, the state untouched.
 * initial: a window of get_init_ra_size(request) from @index, the part beyond the request
 * asynchronous (all of it when the window is no larger). Then, when the reader is at the
 * window's start and all of it is asynchronous (it would hit its own marker at once), the next
 * window is merged into this one.
 */
std::optional<RaWindow> FileReadahead::ondemand(FileRaState &ra, std::uint64_t index, std::uint64_t req, bool marker,
                                                const Present &present) {
    const std::uint64_t max = ra.ra_pages;
    bool initial = index == 0;
    if (!initial) {
        const std::uint64_t expected = ra.start + ra.size - ra.async_size;
        if (index == expected || index == ra.start + ra.size) {
            ra.start += ra.size;
            ra.size = next_size(ra.size, max);
            ra.async_size = ra.size;
        } else if (marker) {
            const std::uint64_t start = next_miss(present, index + 1, max);
            if (!start || start - index > max) return std::nullopt;
            ra.start = start;
            ra.size = next_size(start - index + req, max);
            ra.async_size = ra.size;
        } else if (req > max || index - (ra.prev_pos >> kPageShift) <= 1) {
            initial = true;
        } else {
            const std::uint64_t head = prev_miss(present, index - 1, max);
            std::uint64_t history = index - 1 - head; /* count_history_pages */
            if (history <= req) return RaWindow{index, req, 0};
            if (history >= index) history *= 2;
            ra.start = index;
            ra.size = std::min(history + req, max);
            ra.async_size = 1;
        }
    }
    if (initial) {
        ra.start = index;
        ra.size = init_size(req, max);
        ra.async_size = ra.size > req ? ra.size - req : ra.size;
    }
    if (index == ra.start && ra.size == ra.async_size) {
        const std::uint64_t add = next_size(ra.size, max);
        if (ra.size + add <= max) {
            ra.async_size = add;
            ra.size += add;
        } else {
            ra.size = max;
            ra.async_size = max >> 1;
        }
    }
    return RaWindow{ra.start, ra.size, ra.async_size};
}

/*
 * do_sync_mmap_readahead (v6.6, no VM_HUGEPAGE, VM_SEQ_READ or VM_RAND_READ: the model has no
 * madvise hints): each miss counts in mmap_miss (up to 10 x MMAP_LOTSAMISS); above
 * MMAP_LOTSAMISS faults read no more than their page. Otherwise read-around: a whole window
 * from ra_pages / 2 pages before the faulting page (from page 0 near the file's start), its last
 * quarter asynchronous.
 */
std::optional<RaWindow> FileReadahead::mmap_sync(FileRaState &ra, std::uint64_t pgoff) {
    if (!ra.ra_pages) return std::nullopt;
    if (ra.mmap_miss < kMmapLotsaMiss * 10) ++ra.mmap_miss;
    if (ra.mmap_miss > kMmapLotsaMiss) return std::nullopt;
    ra.start = pgoff > ra.ra_pages / 2 ? pgoff - ra.ra_pages / 2 : 0;
    ra.size = ra.ra_pages;
    ra.async_size = ra.ra_pages / 4;
    return RaWindow{ra.start, ra.size, ra.async_size};
}

bool FileReadahead::mmap_hit(FileRaState &ra) {
    if (!ra.ra_pages) return false;
    if (ra.mmap_miss) --ra.mmap_miss;
    return true;
}

}  // namespace mtesim
