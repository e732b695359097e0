// DirtyFilePages: the page-cache pages waiting for write-back, reduced to what the flusher reads
// (the PAGECACHE_TAG_DIRTY marks of each file's xarray, and the writeback's b_dirty/b_io/b_more_io
// lists of inodes in fs/fs-writeback.c): which pages of each file are dirty, and the order in
// which the flusher visits the files. A file joins the end of the queue when its first page is
// dirtied (__mark_inode_dirty puts a clean inode on b_dirty, in dirtied_when order). The flusher
// takes the front file's dirty pages in index order from where its last visit stopped
// (write_cache_pages with range_cyclic starts at mapping->writeback_index and runs to the end of
// the file, without wrapping); a file that still has dirty pages after a visit, or after a chunk
// of kChunkPages, goes to the end of the queue (requeue_inode -> b_more_io). Shmem pages are
// never here: shmem has no backing device to write to (mapping_can_writeback is false, and its
// pages are not counted in NR_FILE_DIRTY). Holds no simulated cost.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <unordered_map>

namespace mtesim {

class DirtyFilePages {
public:
    /// writeback_chunk_size for the flusher's background and "all" work: at least
    /// MIN_WRITEBACK_PAGES (4 MiB, 1,024 pages of 4 KiB), in multiples of it (fs/fs-writeback.c),
    /// in pages.
    static constexpr std::uint64_t kChunkPages = 1024;

    static constexpr std::uint64_t kAny = ~0ull;

    /// Page @index of @file became dirty at @now_ps (folio_mark_dirty -> __folio_mark_dirty tags
    /// it and __mark_inode_dirty queues a clean file, its dirtied_when @now_ps). Marking a dirty
    /// page again changes nothing. True when no page was dirty before (the writeback gets its
    /// first dirty inode: wb_io_lists_populated, which arms the periodic write-back).
    bool mark(std::uint32_t file, std::uint64_t index, std::uint64_t now_ps = 0);
    /// The page is clean again (its write started: folio_clear_dirty_for_io), or left the cache.
    void clear(std::uint32_t file, std::uint64_t index);
    bool contains(std::uint32_t file, std::uint64_t index) const;
    /// NR_FILE_DIRTY, in pages.
    std::uint64_t size() const { return m_size; }

    /// The next dirty page the flusher looks at, into @file and @index; false when none is
    /// dirty. The page stays dirty until clear(): a page the flusher skips (locked, or still
    /// under write-back) is left for a later visit, which starts after it.
    /// With @dirtied_before (the periodic write-back's expiry: move_expired_inodes), only files
    /// first dirtied at or before it are visited.
    bool next(std::uint32_t &file, std::uint64_t &index, std::uint64_t dirtied_before = kAny);

private:
    struct File {
        std::set<std::uint64_t> pages; /* dirty page indices */
        std::uint64_t cursor = 0;      /* mapping->writeback_index: where the next visit starts */
        std::uint64_t chunk = 0;       /* pages taken in the current visit */
        bool queued = false;           /* on the queue (possibly with no dirty page left) */
        std::uint64_t dirtied_ps = 0;  /* inode->dirtied_when: when it last went from clean to dirty, in ps */
    };
    /// The visit of the file at queue position @pos ends: it goes to the back of the queue if it
    /// still has dirty pages, else leaves the queue (a clean inode).
    void end_visit(std::size_t pos);
    std::unordered_map<std::uint32_t, File> m_files;
    std::deque<std::uint32_t> m_queue; /* files in the order the flusher visits them */
    std::uint64_t m_size = 0;          /* in pages */
};

}  // namespace mtesim
