// MTE tag values and pointer tag bits (Arm ARM: AArch64.AllocationTagFromAddress,
// "Logical Address Tag" in bits 59..56 under top-byte-ignore).
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>

namespace mtesim {

/// A 4-bit allocation or logical tag, 0..15.
using Tag = std::uint8_t;

inline constexpr unsigned kTagShift = 56;
inline constexpr std::uint64_t kTagMask = 0xfull << kTagShift;
inline constexpr std::uint64_t kTopByteMask = 0xffull << kTagShift;

/// The logical tag carried in bits 59..56 of @va.
constexpr Tag logical_tag(VirtAddr va) { return static_cast<Tag>((va.value() >> kTagShift) & 0xf); }
/// @va with its logical tag replaced by @tag.
constexpr VirtAddr with_tag(VirtAddr va, Tag tag) {
    return VirtAddr((va.value() & ~kTagMask) | (std::uint64_t(tag & 0xf) << kTagShift));
}
/// @va without its top byte (the address translation sees).
constexpr VirtAddr untagged(VirtAddr va) { return VirtAddr(va.value() & ~kTopByteMask); }

}  // namespace mtesim
