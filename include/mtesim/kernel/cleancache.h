// Cleancache: the index of a cleancache backend living in the tag-storage pool (the alternative
// raised in review of the RFC, BACKGROUND.md section 3; Linux's mm/cleancache.c, removed in
// 5.17, with an ephemeral tmem-style backend). Clean page-cache pages that reclaim evicts are
// copied into free pool pages (cleancache_put_page, from __delete_from_page_cache); a later
// page-cache miss of the same file page copies it back (cleancache_get_page, before the read is
// submitted) and the pool copy goes (an exclusive get, as tmem's private ephemeral pools do:
// the page is in the page cache or in the backend, never in both); a tag reservation that needs
// the block drops its pool pages outright (ephemeral: no write-back, no migration, no IPI).
// This class only indexes (file, page) <-> pool frame and keeps them oldest first, for the
// backend's own eviction when the pool has no free page; the copies and frames are the Kernel's.
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>

namespace mtesim {

class Cleancache {
public:
    struct Key {
        std::uint32_t file_id = 0;
        std::uint64_t index = 0; /* file page */
    };

    /// The pool frame holding (@file_id, @index), or nullopt.
    std::optional<Pfn> find(std::uint32_t file_id, std::uint64_t index) const;
    /// (@file_id, @index) is now held in @pfn (a put); it must not be held already.
    void insert(std::uint32_t file_id, std::uint64_t index, Pfn pfn);
    /// The page at @pfn leaves the backend (a get, a drop, an eviction); what it held, or nullopt
    /// when @pfn holds no cleancache page.
    std::optional<Key> erase(Pfn pfn);
    /// The frame put longest ago (the backend's eviction victim), or nullopt when empty.
    std::optional<Pfn> oldest() const;
    bool holds(Pfn pfn) const { return m_by_pfn.count(pfn.value()) != 0; }
    std::uint64_t size() const { return m_by_pfn.size(); }

private:
    static std::uint64_t key(std::uint32_t file, std::uint64_t index) { return (std::uint64_t(file) << 40) | index; }
    struct Entry {
        Key key;
        std::list<std::uint64_t>::iterator age;
    };
    std::unordered_map<std::uint64_t, std::uint64_t> m_by_key; /* (file << 40 | index) -> pfn */
    std::unordered_map<std::uint64_t, Entry> m_by_pfn;
    std::list<std::uint64_t> m_ages; /* pfns, oldest put first */
};

}  // namespace mtesim
