// PageDataStore: see the header.
#include "mtesim/mem/page_data_store.h"

#include <algorithm>
#include <cstring>

namespace mtesim {

PageDataStore::Page *PageDataStore::page(Pfn pfn, bool create) {
    auto it = m_pages.find(pfn.value());
    if (it != m_pages.end()) return it->second.get();
    if (!create) return nullptr;
    auto p = std::make_unique<Page>();
    p->fill(0);
    Page *raw = p.get();
    m_pages.emplace(pfn.value(), std::move(p));
    return raw;
}

const PageDataStore::Page *PageDataStore::page(Pfn pfn) const {
    auto it = m_pages.find(pfn.value());
    return it == m_pages.end() ? nullptr : it->second.get();
}

void PageDataStore::read(PhysAddr pa, std::uint8_t *out, std::uint64_t len) const {
    std::uint64_t a = pa.value();
    while (len) {
        const std::uint64_t off = a & (kPageSize - 1), n = std::min(len, kPageSize - off);
        if (const Page *p = m_enabled ? page(pfn_of(PhysAddr(a))) : nullptr) std::memcpy(out, p->data() + off, n);
        else std::memset(out, 0, n);
        out += n;
        a += n;
        len -= n;
    }
}

void PageDataStore::write(PhysAddr pa, const std::uint8_t *in, std::uint64_t len) {
    if (!m_enabled) return;
    std::uint64_t a = pa.value();
    while (len) {
        const std::uint64_t off = a & (kPageSize - 1), n = std::min(len, kPageSize - off);
        std::memcpy(page(pfn_of(PhysAddr(a)), true)->data() + off, in, n);
        in += n;
        a += n;
        len -= n;
    }
}

void PageDataStore::zero(PhysAddr pa, std::uint64_t len) {
    if (!m_enabled) return;
    std::uint64_t a = pa.value();
    while (len) {
        const std::uint64_t off = a & (kPageSize - 1), n = std::min(len, kPageSize - off);
        if (off == 0 && n == kPageSize) m_pages.erase(pfn_of(PhysAddr(a)).value());
        else if (Page *p = page(pfn_of(PhysAddr(a)), false)) std::memset(p->data() + off, 0, n);
        a += n;
        len -= n;
    }
}

void PageDataStore::zero_page(Pfn pfn) {
    if (m_enabled) m_pages.erase(pfn.value());
}

void PageDataStore::copy_page_data(Pfn src, Pfn dst) {
    if (!m_enabled || src == dst) return;
    const Page *s = page(src);
    if (!s) {
        m_pages.erase(dst.value());
        return;
    }
    *page(dst, true) = *s;
}

void PageDataStore::save_to_swap(Pfn pfn, std::uint64_t slot) {
    if (!m_enabled) return;
    auto it = m_pages.find(pfn.value());
    if (it == m_pages.end()) {
        m_swap.erase(slot);
        return;
    }
    m_swap[slot] = std::make_unique<Page>(*it->second);
}

void PageDataStore::restore_from_swap(std::uint64_t slot, Pfn pfn) {
    if (!m_enabled) return;
    auto it = m_swap.find(slot);
    if (it == m_swap.end()) {
        m_pages.erase(pfn.value());
        return;
    }
    m_pages[pfn.value()] = std::move(it->second);
    m_swap.erase(it);
}

void PageDataStore::copy_from_swap(std::uint64_t slot, Pfn pfn) {
    if (!m_enabled) return;
    auto it = m_swap.find(slot);
    if (it == m_swap.end()) m_pages.erase(pfn.value());
    else *page(pfn, true) = *it->second;
}

void PageDataStore::read_swap(std::uint64_t slot, std::uint64_t offset, std::uint8_t *out, std::uint64_t len) const {
    auto it = m_swap.find(slot);
    if (!m_enabled || it == m_swap.end()) std::memset(out, 0, len);
    else std::memcpy(out, it->second->data() + offset, len);
}

}  // namespace mtesim
