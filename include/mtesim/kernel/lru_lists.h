// LruLists: the four LRU lists of reclaim (mm/vmscan.c): inactive and active, for anonymous
// and for file pages. Pages enter at the head of the inactive list; reclaim scans from the
// tail. Membership handles are list iterators, stable while the page is on a list.
#pragma once

#include "mtesim/common/address.h"

#include <array>
#include <cstdint>
#include <list>

namespace mtesim {

class LruLists {
public:
    enum List : unsigned { inactive_anon = 0, active_anon = 1, inactive_file = 2, active_file = 3 };
    static constexpr unsigned kLists = 4;
    using Handle = std::list<std::uint64_t>::iterator;

    static List inactive(bool file) { return file ? inactive_file : inactive_anon; }
    static List active(bool file) { return file ? active_file : active_anon; }

    Handle add(Pfn pfn, List list);
    void remove(Handle h, List list);
    /// Moves the page at @h from @from to the head of @to; returns its new handle.
    Handle move(Handle h, List from, List to);
    /// Moves the page at @h to the tail of its @list (folio_rotate_reclaimable); @h stays valid.
    void rotate_to_tail(Handle h, List list) { m_lists[list].splice(m_lists[list].end(), m_lists[list], h); }
    bool empty(List list) const { return m_lists[list].empty(); }
    /// The page at @list's tail (the coldest); @list must not be empty.
    Handle tail(List list) { return std::prev(m_lists[list].end()); }
    std::uint64_t size(List list) const { return m_sizes[list]; } /* in pages */

private:
    std::array<std::list<std::uint64_t>, kLists> m_lists; /* pfns, head first */
    std::array<std::uint64_t, kLists> m_sizes{};
};

}  // namespace mtesim
