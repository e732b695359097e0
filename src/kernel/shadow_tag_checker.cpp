// ShadowTagChecker: see the header.
#include "mtesim/kernel/shadow_tag_checker.h"

#include "mtesim/common/format.h"
#include "mtesim/kernel/tag_keeper.h"

namespace mtesim {

void ShadowTagChecker::set_tag(std::uint32_t pid, std::uint64_t va, std::uint8_t tag) {
    auto it = m_pages.find(key(pid, va));
    if (it == m_pages.end()) it = m_pages.emplace(key(pid, va), TagXarray::PageTags{}).first;
    const std::uint64_t g = (va & 0xfff) >> 4;
    std::uint8_t &b = it->second[g / 2];
    b = (g & 1) ? static_cast<std::uint8_t>((b & 0x0f) | (tag << 4)) : static_cast<std::uint8_t>((b & 0xf0) | (tag & 0xf));
}

void ShadowTagChecker::clear_page(std::uint32_t pid, std::uint64_t va) { m_pages[key(pid, va)] = TagXarray::PageTags{}; }

void ShadowTagChecker::copy_page(std::uint32_t from_pid, std::uint64_t from_va, std::uint32_t to_pid, std::uint64_t to_va) {
    auto it = m_pages.find(key(from_pid, from_va));
    if (it == m_pages.end()) m_pages.erase(key(to_pid, to_va));
    else m_pages[key(to_pid, to_va)] = it->second;
}

void ShadowTagChecker::drop_page(std::uint32_t pid, std::uint64_t va) { m_pages.erase(key(pid, va)); }

bool ShadowTagChecker::check_page(std::uint32_t pid, std::uint64_t va) {
    ++m_checks;
    va &= ~0xfffull;
    TagXarray::PageTags actual{};
    const TagKeeper::Location where = m_keeper.locate(pid, va, actual);
    auto it = m_pages.find(key(pid, va));
    if (it == m_pages.end()) {
        // Tags the program never set and the kernel never cleared: none may exist either.
        if (where == TagKeeper::Location::none) return true;
        ++m_misplaced;
        if (m_first_error.empty())
            m_first_error = "pid " + std::to_string(pid) + " page " + hex(va) + ": tags present where none were set";
        return false;
    }
    if (where == TagKeeper::Location::none) {
        ++m_lost;
        if (m_first_error.empty()) m_first_error = "pid " + std::to_string(pid) + " page " + hex(va) + ": tags lost";
        return false;
    }
    if (actual != it->second) {
        ++m_misplaced;
        if (m_first_error.empty()) {
            std::size_t i = 0;
            while (actual[i] == it->second[i]) ++i;
            m_first_error = "pid " + std::to_string(pid) + " page " + hex(va) + ": tag byte " + std::to_string(i) +
                            " is " + hex(actual[i]) + ", expected " + hex(it->second[i]);
        }
        return false;
    }
    return true;
}

std::uint64_t ShadowTagChecker::check_all() {
    std::uint64_t bad = 0;
    for (const auto &[k, tags] : m_pages)
        if (!check_page(static_cast<std::uint32_t>(k >> 36), (k & ((1ull << 36) - 1)) << 12)) ++bad;
    return bad;
}

}  // namespace mtesim
