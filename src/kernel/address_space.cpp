// AddressSpace: see the header.
#include "mtesim/kernel/address_space.h"

#include "mtesim/kernel/tlb_gather.h"
#include "mtesim/mm/kernel_lock_guard.h"

#include "mtesim/boot/page_table_format.h"
#include "mtesim/common/sim_assert.h"

#include <algorithm>

namespace mtesim {

namespace {
/// Key of the table at @level covering @va: level in the top bits, the VA prefix below.
std::uint64_t table_key(unsigned level, std::uint64_t va) {
    const unsigned covered = pgtable::shift(level) + 9; /* a level-n table covers 2^(shift+9) bytes */
    return (std::uint64_t(level) << 60) | ((va & ((1ull << 48) - 1)) >> std::min(covered, 48u));
}
}  // namespace

AddressSpace::AddressSpace(std::uint32_t asid, PageAllocator &allocator, IKernelMemory &kmem)
    : m_asid(asid), m_alloc(allocator), m_kmem(kmem) {}

bool AddressSpace::init(std::uint64_t &cycles) {
    const auto a = m_alloc.alloc_pages(0, kGfpKernel);
    cycles += a.cycles;
    if (!a.ok) return false;
    cycles += m_kmem.zero_pages(a.pfn, 1);
    m_root = phys_of(a.pfn);
    m_tables.emplace(table_key(0, 0), a.pfn);
    ++m_tables_allocated;
    return true;
}

const Vma *AddressSpace::find_vma(std::uint64_t va) const {
    auto it = m_vmas.upper_bound(va);
    if (it == m_vmas.begin()) return nullptr;
    --it;
    return va < it->second.end ? &it->second : nullptr;
}

void AddressSpace::insert_vma(const Vma &vma) {
    MTESIM_ASSERT(vma.start < vma.end && vmas_in(vma.start, vma.end).empty(), "insert_vma over a mapped range");
    m_vmas.emplace(vma.start, vma);
}

void AddressSpace::split_at(std::uint64_t addr) {
    auto it = m_vmas.upper_bound(addr);
    if (it == m_vmas.begin()) return;
    --it;
    Vma &v = it->second;
    if (v.start >= addr || v.end <= addr) return;
    Vma right = v;
    right.start = addr;
    if (right.file) right.file_pgoff = v.file_index(addr);
    v.end = addr;
    m_vmas.emplace(addr, right);
}

void AddressSpace::remove_range(std::uint64_t start, std::uint64_t end) {
    split_at(start);
    split_at(end);
    for (auto it = m_vmas.lower_bound(start); it != m_vmas.end() && it->first < end;) it = m_vmas.erase(it);
}

std::vector<Vma> AddressSpace::set_prot(std::uint64_t start, std::uint64_t end, bool mte, bool writable) {
    split_at(start);
    split_at(end);
    std::vector<Vma> out;
    for (auto it = m_vmas.lower_bound(start); it != m_vmas.end() && it->first < end; ++it) {
        it->second.mte = mte;
        it->second.writable = writable;
        out.push_back(it->second);
    }
    return out;
}

std::vector<Vma> AddressSpace::vmas_in(std::uint64_t start, std::uint64_t end) const {
    std::vector<Vma> out;
    auto it = m_vmas.upper_bound(start);
    if (it != m_vmas.begin()) --it;
    for (; it != m_vmas.end() && it->first < end; ++it) {
        if (it->second.end <= start) continue;
        Vma v = it->second;
        if (v.start < start) {
            if (v.file) v.file_pgoff = v.file_index(start);
            v.start = start;
        }
        v.end = std::min(v.end, end);
        out.push_back(v);
    }
    return out;
}

/*
 * The kernel's walk (pgd -> p4d/pud -> pmd -> pte): each level's entry is read through the
 * memory system; a missing table is allocated (GFP_KERNEL, unmovable), zeroed, and linked by
 * writing its table descriptor, as __pte_alloc and friends do.
 */
std::optional<PhysAddr> AddressSpace::pte_slot(std::uint64_t va, bool allocate, std::uint64_t &cycles, bool *oom,
                                               std::optional<Pfn> *spare) {
    if (oom) *oom = false;
    if (!m_root.value()) return std::nullopt;
    PhysAddr table = m_root;
    for (unsigned level = 0; level < pgtable::kLevels - 1; ++level) {
        const PhysAddr slot = table + 8ull * pgtable::index(va, level);
        std::uint64_t desc = 0;
        cycles += m_kmem.read_word(slot, desc);
        if (!(desc & pgtable::kValid)) {
            if (!allocate) return std::nullopt;
            auto a = m_alloc.alloc_pages(0, kGfpKernel);
            cycles += a.cycles;
            if (!a.ok && spare && *spare) {
                a.ok = true;
                a.pfn = **spare;
                spare->reset();
            }
            if (!a.ok) {
                if (oom) *oom = true;
                return std::nullopt;
            }
            cycles += m_kmem.zero_pages(a.pfn, 1);
            desc = pgtable::table_desc(phys_of(a.pfn).value());
            cycles += m_kmem.write_words(slot, &desc, 1);
            m_tables.emplace(table_key(level + 1, va), a.pfn);
            ++m_tables_allocated;
        }
        table = PhysAddr(desc & pgtable::kAddrMask);
    }
    return table + 8ull * pgtable::index(va, pgtable::kLevels - 1);
}

std::uint64_t AddressSpace::read_pte(PhysAddr slot, std::uint64_t &cycles) {
    std::uint64_t v = 0;
    cycles += m_kmem.read_word(slot, v);
    return v;
}

/* The entry is written under its PTE table's split lock (pte_offset_map_lock: the lock of the
 * table page), so faults on other tables of the same process do not wait for it. */
void AddressSpace::write_pte(PhysAddr slot, std::uint64_t value, std::uint64_t &cycles) {
    KernelLockGuard ptl(m_kmem, KernelLockClass::page_table, slot.value() & ~(kPageSize - 1));
    cycles += m_kmem.write_words(slot, &value, 1);
}

std::uint64_t AddressSpace::free_unused_tables(std::uint64_t start, std::uint64_t end, std::uint64_t &cycles, TlbGather &gather) {
    constexpr std::uint64_t k2M = 1ull << 21;
    std::uint64_t freed = 0;
    for (std::uint64_t r = start & ~(k2M - 1); r < end; r += k2M) {
        if (!vmas_in(r, r + k2M).empty()) continue;
        auto it = m_tables.find(table_key(3, r));
        if (it == m_tables.end()) continue;
        // Clear the level-2 entry that points at the table, then free it.
        const auto pmd_table = m_tables.find(table_key(2, r));
        MTESIM_ASSERT(pmd_table != m_tables.end(), "a level-3 table without its level-2 table");
        const PhysAddr slot = phys_of(pmd_table->second) + 8ull * pgtable::index(r, 2);
        write_pte(slot, 0, cycles);
        gather.add_table(r); /* the walk caches may hold the old table: the gather's flush drops it */
        cycles += m_alloc.free_pages(it->second);
        m_tables.erase(it);
        ++freed;
        ++m_tables_freed;
    }
    return freed;
}

void AddressSpace::release(std::uint64_t &cycles) {
    for (const auto &[key, pfn] : m_tables) cycles += m_alloc.free_pages(pfn);
    m_tables_freed += m_tables.size();
    m_tables.clear();
    m_root = PhysAddr();
    m_vmas.clear();
}

std::uint64_t AddressSpace::peek_pte(const SparseMemory &mem, std::uint64_t va) const {
    if (!m_root.value()) return 0;
    PhysAddr table = m_root;
    for (unsigned level = 0; level < pgtable::kLevels - 1; ++level) {
        const std::uint64_t desc = mem.read_word(table + 8ull * pgtable::index(va, level));
        if (!(desc & pgtable::kValid)) return 0;
        table = PhysAddr(desc & pgtable::kAddrMask);
    }
    return mem.read_word(table + 8ull * pgtable::index(va, pgtable::kLevels - 1));
}

}  // namespace mtesim
