// User page-table entries of the kernel model's address spaces: arm64 level-3 descriptors
// (boot/page_table_format.h) with the software bits Linux arm64 uses (arch/arm64/include/asm/
// pgtable-prot.h), and the non-present encodings the fault handler tells apart:
//   0                        none: never touched, a demand fault allocates the page
//   valid                    present: the hardware walker maps it (Normal or Normal-Tagged);
//                            AP[2] (bit 7) set: read-only, either a page of a VMA without
//                            PROT_WRITE (a write is SEGV_ACCERR) or a copy-on-write page shared
//                            since fork, whose first write faults (do_wp_page); with DBM (bit 51,
//                            PTE_DBM / PTE_WRITE) too: writable-clean, a file page the MMU
//                            makes writable-dirty itself on the first store (FEAT_HAFDBS)
//   PROT_NONE-like (bit 58)  "metadata none": the page is there but its tag storage is not
//                            reserved or its tags not restored; the first access faults
//                            (the RFC's mprotect(PROT_MTE) path)
//   swap (bit 2, not valid)  swapped out: the slot number in bits 12..47, bit 3 when its tags
//                            were saved in the swap-entry xarray, bit 4 when the page was
//                            exclusive to this mapping (pte_swp_exclusive)
#pragma once

#include "mtesim/boot/page_table_format.h"
#include "mtesim/common/address.h"

#include <cstdint>

namespace mtesim::upte {

inline constexpr std::uint64_t kUser = 1ull << 6;       /* AP[1]: EL0 access */
inline constexpr std::uint64_t kReadOnly = 1ull << 7;   /* AP[2]: read-only (PTE_RDONLY; a read-only VMA or a COW-shared page) */
inline constexpr std::uint64_t kDirty = 1ull << 55;     /* PTE_DIRTY (software) */
inline constexpr std::uint64_t kDbm = 1ull << 51;       /* DBM: PTE_WRITE; with AP[2] set, writable-clean */
inline constexpr std::uint64_t kProtNone = 1ull << 58;  /* PTE_PROT_NONE: present to the kernel, not to the MMU */
inline constexpr std::uint64_t kSwap = 1ull << 2;       /* swap entry marker (never set in a valid descriptor's page form) */
inline constexpr std::uint64_t kSwapTagged = 1ull << 3; /* the swapped page's tags are in the xarray */
/* PTE_SWP_EXCLUSIVE: the page was PageAnonExclusive when it was unmapped (not shared since
 * fork), so a swap-in may map it exclusive; fork clears it (copy_nonpresent_pte). arm64 keeps it
 * in bit 2, which the model uses as its swap marker. */
inline constexpr std::uint64_t kSwapExclusive = 1ull << 4;

enum class Kind { none, present, metadata_none, swap };

inline Kind kind(std::uint64_t pte) {
    if (pte == 0) return Kind::none;
    if (pte & pgtable::kValid) return Kind::present;
    if (pte & kProtNone) return Kind::metadata_none;
    return Kind::swap;
}

inline std::uint64_t attrs(bool tagged) {
    return pgtable::kAf | pgtable::kShInner | pgtable::kPxn | kUser |
           pgtable::attr_index(tagged ? pgtable::kMtNormalTagged : pgtable::kMtNormal);
}
inline std::uint64_t present(Pfn pfn, bool tagged) { return pgtable::page_desc(phys_of(pfn).value(), attrs(tagged)); }
inline std::uint64_t metadata_none(Pfn pfn) {
    return (phys_of(pfn).value() & pgtable::kAddrMask) | attrs(true) | pgtable::kTable | kProtNone;
}
inline std::uint64_t swap_entry(std::uint64_t slot, bool tags_saved, bool exclusive) {
    return (slot << kPageShift) | kSwap | (tags_saved ? kSwapTagged : 0) | (exclusive ? kSwapExclusive : 0);
}
inline bool swap_exclusive(std::uint64_t pte) { return (pte & kSwapExclusive) != 0; }

inline Pfn pfn(std::uint64_t pte) { return pfn_of(PhysAddr(pte & pgtable::kAddrMask)); }
inline std::uint64_t swap_slot(std::uint64_t pte) { return (pte & pgtable::kAddrMask) >> kPageShift; }
/// AP[2] for the entries of a VMA without PROT_WRITE (vm_get_page_prot of a !VM_WRITE VMA).
inline std::uint64_t write_protect(bool writable) { return writable ? 0 : kReadOnly; }
/// A present entry that lets a store through (no AP[2]).
inline bool writable(std::uint64_t pte) { return !(pte & kReadOnly); }
/// A present entry the MMU turns writable on the first store (DBM set, AP[2] set): writable-
/// clean. A store clears AP[2] (hardware dirty-bit management, Arm ARM D8.4.x "Hardware
/// management of the dirty state"; arm64 pte_hw_dirty).
inline bool writable_clean(std::uint64_t pte) { return (pte & kDbm) && (pte & kReadOnly); }
/// pte_dirty() of arm64: PTE_DIRTY set, or DBM set with AP[2] cleared by a store.
inline bool dirty(std::uint64_t pte) { return (pte & kDirty) || ((pte & kDbm) && !(pte & kReadOnly)); }
/// A shared file page mapped writable-clean (pte_mkclean of a writable entry).
inline std::uint64_t present_clean(Pfn pfn) { return present(pfn, false) | kDbm | kReadOnly; }
inline bool tagged(std::uint64_t pte) {
    return ((pte >> 2) & 7) == pgtable::kMtNormalTagged;
}

}  // namespace mtesim::upte
