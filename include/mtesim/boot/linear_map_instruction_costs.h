// LinearMapInstructionCosts: the instructions arm64's linear-map code runs, counted from the C
// of arch/arm64/mm/mmu.c as the patch "arm64: mm: Don't remap pgtables for allocate vs
// populate" left it (v6.10-rc1; its parents "Don't remap pgtables per-cont(pte|pmd) block"
// and "Batch dsb and isb when populating pgtables" applied, so a PTE is written with
// __set_pte_nosync and the fixmap is set once per table). The step-by-step count of each
// term is in docs/timing-model.md, "Boot: the linear map's instructions"; each term here is
// the instructions of one C construct compiled for AArch64 at -O2 (one instruction per
// load, store, ALU operation and branch; inlined static functions; calls to out-of-line
// functions with their argument moves, prologue and epilogue). Loads and stores among them
// also go through the memory system (IKernelMemory); barriers, TLBIs and DC ZVA blocks are
// counted here as issued instructions and charged their completion separately.
#pragma once

#include <cstdint>

namespace mtesim::linear_map_cost {

/* init_pte(): one loop iteration per PTE. */
inline constexpr std::uint64_t kPte = 11;
/* alloc_init_cont_pte(): one loop iteration per CONT_PTE_SIZE (64 KiB) chunk. */
inline constexpr std::uint64_t kContPteChunk = 23;
/* alloc_init_cont_pte(): the call from init_pmd and its fixed body (PMD read, checks, table
 * descriptor or fixmap-offset, final fixmap clear's call site). */
inline constexpr std::uint64_t kPteTableCall = 25;
/* init_pmd(): one loop iteration per PMD entry (next = pmd_addr_end, block test, old-entry
 * BUG_ON). A block entry adds kBlockEntry. */
inline constexpr std::uint64_t kPmdEntry = 18;
/* alloc_init_cont_pmd(): one loop iteration per CONT_PMD_SIZE (32 MiB) chunk, init_pmd's
 * call and prologue/epilogue included. */
inline constexpr std::uint64_t kContPmdChunk = 40;
/* alloc_init_cont_pmd() called from alloc_init_pud: call and fixed body. */
inline constexpr std::uint64_t kPmdTableCall = 25;
/* alloc_init_pud(): one loop iteration per PUD entry (pud_addr_end, block test, BUG_ON). */
inline constexpr std::uint64_t kPudEntry = 18;
/* alloc_init_pud() called from __create_pgd_mapping_locked: call and fixed body. */
inline constexpr std::uint64_t kPudTableCall = 26;
/* __create_pgd_mapping_locked(): one loop iteration per PGD entry. */
inline constexpr std::uint64_t kPgdEntry = 10;
/* pmd_set_huge()/pud_set_huge() and pgattr_change_is_safe() for one block entry. */
inline constexpr std::uint64_t kBlockEntry = 16;
/* __set_fixmap(FIX_*, phys, FIXMAP_PAGE_NORMAL) with its call site: set path. */
inline constexpr std::uint64_t kFixmapSet = 26;
/* __set_fixmap(FIX_*, 0, FIXMAP_PAGE_CLEAR) with its call site: __pte_clear and
 * flush_tlb_kernel_range() for one page (TLBI VAALE1IS issued once). */
inline constexpr std::uint64_t kFixmapClear = 32;
/* early_pgtable_alloc(): prologue, memblock_phys_alloc_range() call, panic check. */
inline constexpr std::uint64_t kPgtableAllocCall = 10;
/* memblock_phys_alloc_range() with nothing reserved below the new page: the top-down
 * search (two steps of __next_mem_range_rev) and memblock_reserve (two passes of
 * memblock_add_range, memblock_insert_region, memblock_merge_regions). */
inline constexpr std::uint64_t kMemblockAlloc = 248;
/* memblock_add_range(): per reserved region below the new page, in one of its two passes
 * (the region is skipped: load base and size, add, compare, branch twice, next). */
inline constexpr std::uint64_t kMemblockPerRegionBelow = 7;
/* clear_page() / memset(0) of a table: setup around the DC ZVA loop. */
inline constexpr std::uint64_t kClearPageSetup = 6;
/* clear_page(): per DC ZVA block (dc zva, add, tst, b.ne). */
inline constexpr std::uint64_t kClearPagePerBlock = 4;

/// The instructions of clearing one 4 KiB table with DC ZVA blocks of @dczva_bytes.
inline constexpr std::uint64_t clear_page(std::uint64_t dczva_bytes) {
    return kClearPageSetup + kClearPagePerBlock * (4096 / dczva_bytes);
}

}  // namespace mtesim::linear_map_cost
