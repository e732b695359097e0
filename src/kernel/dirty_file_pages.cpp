// DirtyFilePages: see the header.
#include "mtesim/kernel/dirty_file_pages.h"

namespace mtesim {

bool DirtyFilePages::mark(std::uint32_t file, std::uint64_t index, std::uint64_t now_ps) {
    File &f = m_files[file];
    if (!f.pages.insert(index).second) return false;
    const bool first = m_size == 0;
    ++m_size;
    if (f.pages.size() == 1) f.dirtied_ps = now_ps; /* the inode was clean */
    if (!f.queued) {
        f.queued = true;
        m_queue.push_back(file);
    }
    return first;
}

void DirtyFilePages::clear(std::uint32_t file, std::uint64_t index) {
    auto it = m_files.find(file);
    if (it != m_files.end() && it->second.pages.erase(index)) --m_size;
}

bool DirtyFilePages::contains(std::uint32_t file, std::uint64_t index) const {
    auto it = m_files.find(file);
    return it != m_files.end() && it->second.pages.count(index) != 0;
}

void DirtyFilePages::end_visit(std::size_t pos) {
    const std::uint32_t id = m_queue[pos];
    m_queue.erase(m_queue.begin() + static_cast<std::ptrdiff_t>(pos));
    File &f = m_files.at(id);
    f.chunk = 0;
    if (f.pages.empty()) f.queued = false;
    else m_queue.push_back(id);
}

/*
 * The first queued file (first dirtied at or before @dirtied_before) and its next dirty page at
 * or after its cursor. A visit ends at the end of the file (the next one starts again from
 * index 0: writeback_index is reset when write_cache_pages reaches the end) or after
 * kChunkPages pages; the file then goes to the back of the queue if it still has dirty pages.
 * A file whose pages were all cleaned meanwhile leaves the queue. A file's visit can end at
 * most twice in a call (its chunk used up, then the end of the file) before it gives a page,
 * so 3 steps a file bound the scan.
 */
bool DirtyFilePages::next(std::uint32_t &file, std::uint64_t &index, std::uint64_t dirtied_before) {
    std::size_t pos = 0;
    for (std::size_t steps = 3 * m_queue.size() + 1; m_size && pos < m_queue.size() && steps; --steps) {
        File &f = m_files.at(m_queue[pos]);
        if (f.pages.empty() || f.chunk >= kChunkPages) {
            end_visit(pos);
            continue;
        }
        if (f.dirtied_ps > dirtied_before) { /* not expired: stays where it is */
            ++pos;
            continue;
        }
        auto it = f.pages.lower_bound(f.cursor);
        if (it == f.pages.end()) {
            f.cursor = 0;
            end_visit(pos);
            continue;
        }
        file = m_queue[pos];
        index = *it;
        f.cursor = index + 1;
        ++f.chunk;
        return true;
    }
    return false;
}

}  // namespace mtesim
