// DirtyFilePages: see the header.
#include "mtesim/kernel/dirty_file_pages.h"

namespace mtesim {

void DirtyFilePages::mark(std::uint32_t file, std::uint64_t index) {
    File &f = m_files[file];
    if (!f.pages.insert(index).second) return;
    ++m_size;
    if (!f.queued) {
        f.queued = true;
        m_queue.push_back(file);
    }
}

void DirtyFilePages::clear(std::uint32_t file, std::uint64_t index) {
    auto it = m_files.find(file);
    if (it != m_files.end() && it->second.pages.erase(index)) --m_size;
}

bool DirtyFilePages::contains(std::uint32_t file, std::uint64_t index) const {
    auto it = m_files.find(file);
    return it != m_files.end() && it->second.pages.count(index) != 0;
}

void DirtyFilePages::end_visit() {
    const std::uint32_t id = m_queue.front();
    m_queue.pop_front();
    File &f = m_files.at(id);
    f.chunk = 0;
    if (f.pages.empty()) f.queued = false;
    else m_queue.push_back(id);
}

/*
 * The front file's next dirty page at or after its cursor. A visit ends at the end of the file
 * (the next one starts again from index 0: writeback_index is reset when write_cache_pages
 * reaches the end) or after kChunkPages pages; the file then goes to the back of the queue if
 * it still has dirty pages. A file whose pages were all cleaned meanwhile leaves the queue.
 */
bool DirtyFilePages::next(std::uint32_t &file, std::uint64_t &index) {
    while (m_size && !m_queue.empty()) {
        File &f = m_files.at(m_queue.front());
        if (f.pages.empty() || f.chunk >= kChunkPages) {
            end_visit();
            continue;
        }
        auto it = f.pages.lower_bound(f.cursor);
        if (it == f.pages.end()) {
            f.cursor = 0;
            end_visit();
            continue;
        }
        file = m_queue.front();
        index = *it;
        f.cursor = index + 1;
        ++f.chunk;
        return true;
    }
    return false;
}

}  // namespace mtesim
