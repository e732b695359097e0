// ShadowTagChecker (test mode, vm.check_tags): a second, independent record of every
// allocation tag a program set, per page of each process: the tags it stored (STG and
// friends) and the zeroes the kernel gave each new tagged page. After each kernel operation the
// pages it touched are compared with where the kernel model keeps their tags now (tag storage,
// the swap-entry xarray or the pfn xarray: TagKeeper::locate), and check_all() compares
// every page. "No tag lost or misplaced" is then checked, not assumed.
#pragma once

#include "mtesim/kernel/tag_xarray.h"

#include <cstdint>
#include <string>
#include <unordered_map>

namespace mtesim {

class TagKeeper;

class ShadowTagChecker {
public:
    explicit ShadowTagChecker(const TagKeeper &keeper) : m_keeper(keeper) {}

    /* what the program and the kernel did */
    void set_tag(std::uint32_t pid, std::uint64_t va, std::uint8_t tag);
    /// The kernel zeroed the tags of @pid's page at @va (a new tagged page).
    void clear_page(std::uint32_t pid, std::uint64_t va);
    /// @to_pid's page at @to_va now shows the tags of @from_pid's page at @from_va (fork's
    /// copy; a shared page mapped by one more process).
    void copy_page(std::uint32_t from_pid, std::uint64_t from_va, std::uint32_t to_pid, std::uint64_t to_va);
    /// The page at @va is gone from @pid (munmap, exit).
    void drop_page(std::uint32_t pid, std::uint64_t va);

    /// Compares @pid's page at @va with the kernel's copy; counts and remembers a mismatch.
    bool check_page(std::uint32_t pid, std::uint64_t va);
    /// Compares every page tracked; returns the number of pages that differ.
    std::uint64_t check_all();

    std::uint64_t pages_tracked() const { return m_pages.size(); }
    std::uint64_t checks() const { return m_checks; }      /* page comparisons made */
    std::uint64_t lost() const { return m_lost; }          /* shadow has tags, the kernel none */
    std::uint64_t misplaced() const { return m_misplaced; } /* the kernel's tags differ */
    /// The first mismatch seen, described; empty when none.
    const std::string &first_error() const { return m_first_error; }

private:
    static std::uint64_t key(std::uint32_t pid, std::uint64_t va) { return (std::uint64_t(pid) << 36) | (va >> 12); }
    std::unordered_map<std::uint64_t, TagXarray::PageTags> m_pages;
    const TagKeeper &m_keeper;
    std::uint64_t m_checks = 0, m_lost = 0, m_misplaced = 0;
    std::string m_first_error;
};

}  // namespace mtesim
