// Cleancache: see the header.
#include "mtesim/kernel/cleancache.h"

#include "mtesim/common/sim_assert.h"

namespace mtesim {

std::optional<Pfn> Cleancache::find(std::uint32_t file_id, std::uint64_t index) const {
    auto it = m_by_key.find(key(file_id, index));
    return it == m_by_key.end() ? std::nullopt : std::optional<Pfn>(Pfn(it->second));
}

void Cleancache::insert(std::uint32_t file_id, std::uint64_t index, Pfn pfn) {
    const bool fresh = m_by_key.emplace(key(file_id, index), pfn.value()).second;
    MTESIM_ASSERT(fresh, "a file page put into cleancache twice");
    m_ages.push_back(pfn.value());
    m_by_pfn.emplace(pfn.value(), Entry{Key{file_id, index}, std::prev(m_ages.end())});
}

std::optional<Cleancache::Key> Cleancache::erase(Pfn pfn) {
    auto it = m_by_pfn.find(pfn.value());
    if (it == m_by_pfn.end()) return std::nullopt;
    const Key k = it->second.key;
    m_ages.erase(it->second.age);
    m_by_key.erase(key(k.file_id, k.index));
    m_by_pfn.erase(it);
    return k;
}

std::optional<Pfn> Cleancache::oldest() const {
    return m_ages.empty() ? std::nullopt : std::optional<Pfn>(Pfn(m_ages.front()));
}

}  // namespace mtesim
