// TagXarray: see the header.
#include "mtesim/kernel/tag_xarray.h"

namespace mtesim {

namespace {
constexpr std::uint64_t kXaNodeBytes = 576; /* sizeof(struct xa_node) with XA_CHUNK_SHIFT 6 on 64-bit */
constexpr unsigned kXaChunkShift = 6;
}  // namespace

void TagXarray::store(std::uint64_t index, const PageTags &tags) {
    auto [it, fresh] = m_entries.insert_or_assign(index, tags);
    (void)it;
    if (fresh) ++m_leaf_nodes[index >> kXaChunkShift];
    ++m_stores;
    update_peak();
}

const TagXarray::PageTags *TagXarray::find(std::uint64_t index) const {
    auto it = m_entries.find(index);
    return it == m_entries.end() ? nullptr : &it->second;
}

bool TagXarray::take(std::uint64_t index, PageTags *out) {
    auto it = m_entries.find(index);
    if (it == m_entries.end()) return false;
    if (out) *out = it->second;
    m_entries.erase(it);
    auto n = m_leaf_nodes.find(index >> kXaChunkShift);
    if (--n->second == 0) m_leaf_nodes.erase(n);
    return true;
}

std::uint64_t TagXarray::kernel_bytes() const {
    // Leaf nodes, plus the interior nodes above them (at most one per 64 leaves per level).
    std::uint64_t nodes = m_leaf_nodes.size(), level = nodes;
    while (level > 1) {
        level = (level + 63) / 64;
        nodes += level;
    }
    return m_entries.size() * kTagBytes + nodes * kXaNodeBytes;
}

void TagXarray::update_peak() {
    if (m_entries.size() > m_peak) m_peak = m_entries.size();
    const std::uint64_t b = kernel_bytes();
    if (b > m_peak_bytes) m_peak_bytes = b;
}

}  // namespace mtesim
