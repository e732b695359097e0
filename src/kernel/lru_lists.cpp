// LruLists: see the header.
#include "mtesim/kernel/lru_lists.h"

namespace mtesim {

LruLists::Handle LruLists::add(Pfn pfn, List list) {
    ++m_sizes[list];
    m_lists[list].push_front(pfn.value());
    return m_lists[list].begin();
}

void LruLists::remove(Handle h, List list) {
    --m_sizes[list];
    m_lists[list].erase(h);
}

LruLists::Handle LruLists::move(Handle h, List from, List to) {
    m_lists[to].splice(m_lists[to].begin(), m_lists[from], h);
    --m_sizes[from];
    ++m_sizes[to];
    return m_lists[to].begin();
}

}  // namespace mtesim
