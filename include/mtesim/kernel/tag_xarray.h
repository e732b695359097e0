// TagXarray: saved allocation tags of whole pages, 128 bytes each (4096 / 16 granules, two
// 4-bit tags a byte), keyed by an index: the swap entry (arch/arm64/mm/mteswap.c's
// mte_save_tags / mte_restore_tags) or, when tag storage is missing at the moment tags must be
// written, the destination pfn (BACKGROUND.md section 3). Its host footprint is a result users
// want, so the entry count, its peak and the bytes Linux would spend are kept.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>

namespace mtesim {

class TagXarray {
public:
    static constexpr std::uint64_t kTagBytes = 128; /* MTE_PAGE_TAG_STORAGE */
    using PageTags = std::array<std::uint8_t, kTagBytes>;

    /// Stores @tags under @index, replacing an entry there.
    void store(std::uint64_t index, const PageTags &tags);
    /// The entry at @index, or nullptr.
    const PageTags *find(std::uint64_t index) const;
    /// Removes the entry at @index into @out (if given); false when there was none.
    bool take(std::uint64_t index, PageTags *out = nullptr);
    bool contains(std::uint64_t index) const { return m_entries.count(index) != 0; }

    std::uint64_t entries() const { return m_entries.size(); }
    std::uint64_t peak_entries() const { return m_peak; }
    std::uint64_t stores() const { return m_stores; }   /* entries ever stored */
    /// Kernel memory the entries need: a kmalloc'ed 128-byte buffer each, plus the xarray's
    /// nodes (one 576-byte xa_node per 64 slots in use, counted per distinct index / 64).
    std::uint64_t kernel_bytes() const;
    std::uint64_t peak_kernel_bytes() const { return m_peak_bytes; }

    template <typename F>
    void for_each(F &&f) const {
        for (const auto &[index, tags] : m_entries) f(index, tags);
    }

private:
    void update_peak();
    std::unordered_map<std::uint64_t, PageTags> m_entries;
    std::unordered_map<std::uint64_t, std::uint32_t> m_leaf_nodes; /* index / 64 -> entries in it */
    std::uint64_t m_peak = 0;
    std::uint64_t m_peak_bytes = 0;
    std::uint64_t m_stores = 0;
};

}  // namespace mtesim
