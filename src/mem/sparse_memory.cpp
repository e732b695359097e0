// SparseMemory: a hash map of pages with a one-entry cache of the last page used (tag and
// page-table accesses are strongly local).
#include "mtesim/mem/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace mtesim {

void SparseMemory::materialize(Pfn pfn) {
    auto it = m_patterns.find(pfn.value());
    if (it == m_patterns.end()) return;
    const Pattern p = it->second;
    m_patterns.erase(it);
    auto page = std::make_unique<Page>();
    for (std::uint64_t i = 0; i < kPageSize / 8; ++i) {
        const std::uint64_t w = p.word(i);
        std::memcpy(page->data() + 8 * i, &w, 8);
    }
    m_pages.emplace(pfn.value(), std::move(page));
}

SparseMemory::Page *SparseMemory::page(Pfn pfn, bool create) {
    if (pfn.value() == m_last_pfn && m_last_page) return m_last_page;
    auto it = m_pages.find(pfn.value());
    if (it == m_pages.end()) {
        if (!create) return nullptr;
        if (m_patterns.count(pfn.value())) {
            materialize(pfn);
            it = m_pages.find(pfn.value());
        } else {
            it = m_pages.emplace(pfn.value(), std::make_unique<Page>()).first;
            it->second->fill(0);
        }
    }
    m_last_pfn = pfn.value();
    m_last_page = it->second.get();
    return m_last_page;
}

const SparseMemory::Page *SparseMemory::page(Pfn pfn) const {
    if (pfn.value() == m_last_pfn && m_last_page) return m_last_page;
    auto it = m_pages.find(pfn.value());
    if (it == m_pages.end()) return nullptr;
    m_last_pfn = pfn.value();
    m_last_page = it->second.get();
    return m_last_page;
}

void SparseMemory::read(PhysAddr addr, std::uint8_t *out, std::uint64_t len) const {
    while (len) {
        const std::uint64_t off = addr.value() & (kPageSize - 1);
        const std::uint64_t n = std::min(len, kPageSize - off);
        if (const Page *p = page(pfn_of(addr))) {
            std::memcpy(out, p->data() + off, n);
        } else if (auto it = m_patterns.find(pfn_of(addr).value()); it != m_patterns.end()) {
            for (std::uint64_t i = 0; i < n; ++i) {
                const std::uint64_t w = it->second.word((off + i) / 8);
                out[i] = static_cast<std::uint8_t>(w >> (8 * ((off + i) % 8)));
            }
        } else {
            std::memset(out, 0, n);
        }
        addr += n;
        out += n;
        len -= n;
    }
}

void SparseMemory::write(PhysAddr addr, const std::uint8_t *in, std::uint64_t len) {
    while (len) {
        const std::uint64_t off = addr.value() & (kPageSize - 1);
        const std::uint64_t n = std::min(len, kPageSize - off);
        std::memcpy(page(pfn_of(addr), true)->data() + off, in, n);
        addr += n;
        in += n;
        len -= n;
    }
}

std::uint8_t SparseMemory::read_byte_slow(PhysAddr addr) const {
    if (const Page *p = page(pfn_of(addr))) return (*p)[addr.value() & (kPageSize - 1)];
    std::uint8_t b = 0;
    if (!m_patterns.empty()) read(addr, &b, 1);
    return b;
}

std::uint64_t SparseMemory::read_word(PhysAddr addr) const {
    if (const Page *p = page(pfn_of(addr))) {
        std::uint64_t w;
        std::memcpy(&w, p->data() + (addr.value() & (kPageSize - 1)), 8);
        return w;
    }
    auto it = m_patterns.find(pfn_of(addr).value());
    return it == m_patterns.end() ? 0 : it->second.word((addr.value() & (kPageSize - 1)) / 8);
}

/*
 * Word writes keep a page compact while they extend its sequence in order from word 0 (the
 * first word sets the base, the second the stride); anything else, or a page that already
 * holds bytes, is written as bytes.
 */
void SparseMemory::write_words(PhysAddr addr, const std::uint64_t *words, std::uint64_t n) {
    const std::uint64_t key = pfn_of(addr).value();
    std::uint64_t idx = (addr.value() & (kPageSize - 1)) / 8;
    if (!m_pages.count(key)) {
        auto it = m_patterns.find(key);
        if (it == m_patterns.end() && idx == 0 && n > 0) it = m_patterns.emplace(key, Pattern{}).first;
        if (it != m_patterns.end()) {
            Pattern &p = it->second;
            std::uint64_t i = 0;
            if (idx == p.count) {
                // The first two words set the sequence; the rest extend it while they follow
                // it (one compare a word: a leaf table's 512 PTEs are one such run).
                if (p.count == 0 && i < n) {
                    p.base = words[i++];
                    ++p.count;
                    ++idx;
                }
                if (p.count == 1 && i < n) {
                    p.stride = words[i++] - p.base;
                    ++p.count;
                    ++idx;
                }
                const std::uint64_t first = i;
                std::uint64_t expect = p.base + idx * p.stride;
                // Four words a step while they all follow, then one at a time to the first
                // that does not.
                for (const std::uint64_t s = p.stride; i + 4 <= n; i += 4, expect += 4 * s)
                    if (((words[i] ^ expect) | (words[i + 1] ^ (expect + s)) | (words[i + 2] ^ (expect + 2 * s)) |
                         (words[i + 3] ^ (expect + 3 * s))) != 0)
                        break;
                for (; i < n && words[i] == expect; ++i) expect += p.stride;
                p.count += static_cast<std::uint32_t>(i - first);
                idx += i - first;
            }
            if (i == n) return;
            words += i;
            n -= i;
            materialize(Pfn(key));
        }
    }
    write(PhysAddr((key << kPageShift) + idx * 8), reinterpret_cast<const std::uint8_t *>(words), n * 8);
}

void SparseMemory::zero_page(Pfn pfn) {
    m_patterns.erase(pfn.value());
    if (m_pages.erase(pfn.value()) && pfn.value() == m_last_pfn) {
        m_last_pfn = ~0ull;
        m_last_page = nullptr;
    }
}

void SparseMemory::write_byte_slow(PhysAddr addr, std::uint8_t value) {
    (*page(pfn_of(addr), true))[addr.value() & (kPageSize - 1)] = value;
}

}  // namespace mtesim
