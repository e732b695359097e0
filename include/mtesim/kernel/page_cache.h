// PageCache: the index of the page cache (struct address_space's i_pages, for every file at
// once): which page frame holds page @index of file @file_id; the pages cleancache dropped
// (a later miss of one is a refault, not a first read). The pages
// themselves, their LRU state and mappings are the Kernel's user-page records; this class
// holds no simulated cost.
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace mtesim {

class PageCache {
public:
    /// The frame holding (@file_id, @index), or nullopt (filemap_get_folio).
    std::optional<Pfn> find(std::uint32_t file_id, std::uint64_t index) const {
        auto it = m_pages.find(key(file_id, index));
        return it == m_pages.end() ? std::nullopt : std::optional<Pfn>(Pfn(it->second));
    }
    /// Inserts a page just read (filemap_add_folio), or repoints one that migrated.
    void set(std::uint32_t file_id, std::uint64_t index, Pfn pfn) { m_pages[key(file_id, index)] = pfn.value(); }
    /// The page left the cache (reclaimed, dropped, truncated).
    void erase(std::uint32_t file_id, std::uint64_t index) { m_pages.erase(key(file_id, index)); }
    std::uint64_t size() const { return m_pages.size(); }

    /// Cleancache dropped (@file_id, @index): remember it so that the next miss is a refault.
    void note_dropped(std::uint32_t file_id, std::uint64_t index) { m_dropped.insert(key(file_id, index)); }
    /// True (once) when (@file_id, @index) was dropped by cleancache since it was last read.
    bool take_dropped(std::uint32_t file_id, std::uint64_t index) { return m_dropped.erase(key(file_id, index)) != 0; }

private:
    static std::uint64_t key(std::uint32_t file, std::uint64_t index) { return (std::uint64_t(file) << 40) | index; }
    std::unordered_map<std::uint64_t, std::uint64_t> m_pages; /* (file << 40 | index) -> pfn */
    std::unordered_set<std::uint64_t> m_dropped;
};

}  // namespace mtesim
