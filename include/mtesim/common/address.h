// The address kinds of mtesim and the conversions between them. Page and tag geometry
// constants follow arm64 Linux with 4 KiB pages (PAGE_SHIFT 12, pageblock_order 9) and the
// MTE tag storage ratio of BACKGROUND.md section 2 (4 bits of tag per 16-byte granule).
#pragma once

#include "mtesim/common/strong_int.h"

#include <cstdint>

namespace mtesim {

struct PhysAddrKind {};
struct VirtAddrKind {};
struct PfnKind {};
struct TagAddrKind {};
struct DramAddrKind {};

/// A physical byte address.
using PhysAddr = StrongInt<PhysAddrKind>;
/// A virtual byte address (bits 59..56 may hold a logical tag).
using VirtAddr = StrongInt<VirtAddrKind>;
/// A physical page frame number (PhysAddr >> kPageShift).
using Pfn = StrongInt<PfnKind>;
/// A physical byte address inside a tag-storage region.
using TagAddr = StrongInt<TagAddrKind>;
/// A byte offset in one DRAM controller's own address space (its ranges laid end to end).
using DramAddr = StrongInt<DramAddrKind>;

inline constexpr unsigned kPageShift = 12;
inline constexpr std::uint64_t kPageSize = 1ull << kPageShift;              /* in bytes */
inline constexpr unsigned kPageblockOrder = 9;                              /* pageblock_order */
inline constexpr std::uint64_t kPageblockPages = 1ull << kPageblockOrder;   /* in pages */
inline constexpr std::uint64_t kPageblockSize = kPageblockPages * kPageSize; /* in bytes */
inline constexpr std::uint64_t kGranuleSize = 16;     /* in bytes: one allocation tag each */
inline constexpr std::uint64_t kTagRatio = 32;        /* data bytes per tag-storage byte */

constexpr Pfn pfn_of(PhysAddr pa) { return Pfn(pa.value() >> kPageShift); }
constexpr PhysAddr phys_of(Pfn pfn) { return PhysAddr(pfn.value() << kPageShift); }
constexpr PhysAddr phys_of(TagAddr ta) { return PhysAddr(ta.value()); }

}  // namespace mtesim
