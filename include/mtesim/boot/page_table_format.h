// arm64 stage-1 translation with a 4 KiB granule and 48-bit virtual addresses (Arm ARM D8,
// "VMSAv8-64 translation table format descriptors"): four levels, 512 entries of 8 bytes a
// table. Level 0 entries cover 512 GiB, level 1 1 GiB, level 2 2 MiB, level 3 4 KiB. Levels 1
// and 2 may hold block descriptors; level 3 holds page descriptors.
#pragma once

#include <cstdint>

namespace mtesim::pgtable {

inline constexpr unsigned kLevels = 4;
inline constexpr unsigned kEntries = 512;
/// Address bits each level's index starts at: L0 39, L1 30, L2 21, L3 12.
inline constexpr unsigned shift(unsigned level) { return 39 - 9 * level; }
inline constexpr std::uint64_t span(unsigned level) { return 1ull << shift(level); } /* bytes one entry maps */
inline constexpr unsigned index(std::uint64_t va, unsigned level) { return (va >> shift(level)) & (kEntries - 1); }

inline constexpr std::uint64_t kValid = 1;           /* bit 0 */
inline constexpr std::uint64_t kTable = 2;           /* bit 1: table (L0-L2) or page (L3) */
inline constexpr std::uint64_t kAf = 1ull << 10;     /* access flag */
inline constexpr std::uint64_t kShInner = 3ull << 8; /* inner shareable */
inline constexpr std::uint64_t kPxn = 1ull << 53, kUxn = 1ull << 54;
inline constexpr std::uint64_t kAddrMask = 0x0000fffffffff000ull; /* output address bits 47:12 */
/// MAIR indices as Linux arm64 uses them: MT_NORMAL 0, MT_NORMAL_TAGGED 1.
inline constexpr std::uint64_t attr_index(unsigned idx) { return std::uint64_t(idx) << 2; }
inline constexpr unsigned kMtNormal = 0, kMtNormalTagged = 1;

/// Attributes of the kernel linear map (PAGE_KERNEL: AF, inner shareable, never user-executable).
inline constexpr std::uint64_t kernel_attrs(bool tagged) {
    return kAf | kShInner | kPxn | kUxn | attr_index(tagged ? kMtNormalTagged : kMtNormal);
}
inline constexpr std::uint64_t table_desc(std::uint64_t table_pa) { return (table_pa & kAddrMask) | kTable | kValid; }
inline constexpr std::uint64_t block_desc(std::uint64_t pa, std::uint64_t attrs) { return (pa & kAddrMask) | attrs | kValid; }
inline constexpr std::uint64_t page_desc(std::uint64_t pa, std::uint64_t attrs) { return (pa & kAddrMask) | attrs | kTable | kValid; }

/// The kernel linear map: VA = kPageOffset + (PA - PHYS_OFFSET) (VA_BITS 48).
inline constexpr std::uint64_t kPageOffset = 0xffff000000000000ull;

}  // namespace mtesim::pgtable
