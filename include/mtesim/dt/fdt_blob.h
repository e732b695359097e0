// FdtBlob: a flattened device tree held in memory and checked with fdt_check_full() before
// anything reads it, plus the few typed accessors the platform reader needs. Every accessor
// that can meet malformed data throws ConfigError naming the source file, the node path and
// what was expected, so a hostile DTB can never make the reader crash or read out of bounds.
// libfdt itself stays out of this header.
#pragma once

#include "mtesim/common/addr_range.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtesim {

class FdtBlob {
public:
    /// Takes ownership of @bytes and validates them; throws ConfigError if they are not a
    /// complete, well-formed DTB. @source names the file in messages.
    FdtBlob(std::vector<std::uint8_t> bytes, std::string source);

    const std::string &source() const { return m_source; }

    /// Offset of the root node.
    int root() const { return 0; }
    /// Offset of the node at @path, or -1.
    int node_at(const std::string &path) const;
    /// Full path of @node ("/cpus/cpu@0").
    std::string path(int node) const;
    /// Node name with unit address ("cpu@0").
    std::string name(int node) const;
    int parent(int node) const;
    /// Child offsets of @node in tree order.
    std::vector<int> children(int node) const;
    /// Every node offset in the tree, in tree order.
    std::vector<int> all_nodes() const;

    bool has_property(int node, const char *prop) const;
    /// A property that must be a NUL-terminated string; nullopt when absent.
    std::optional<std::string> string_property(int node, const char *prop) const;
    /// True if the stringlist @prop holds @value (e.g. compatible).
    bool stringlist_contains(int node, const char *prop, const std::string &value) const;
    /// The first string of a string-list property (e.g. compatible); nullopt when absent.
    std::optional<std::string> first_string(int node, const char *prop) const;
    /// A one-cell property; nullopt when absent, ConfigError when not 4 bytes.
    std::optional<std::uint32_t> u32_property(int node, const char *prop) const;
    /// A property of 32-bit cells (e.g. "mtesim,mesh = <8 6>"); nullopt when absent,
    /// ConfigError when its length is not a whole number of cells.
    std::optional<std::vector<std::uint32_t>> u32_array_property(int node, const char *prop) const;
    /// A one- or two-cell property (e.g. clock-frequency); nullopt when absent.
    std::optional<std::uint64_t> u64_property(int node, const char *prop) const;
    /// The node's phandle, 0 if it has none.
    std::uint32_t phandle(int node) const;
    /// The node a phandle refers to, or -1 when no node has it.
    int node_by_phandle(std::uint32_t phandle) const;

    /// The node's reg property decoded with its parent's #address-cells / #size-cells.
    /// Throws ConfigError if cells are not 1 or 2, the length is not a whole number of
    /// entries, an entry has size 0, or base + size overflows 64 bits.
    std::vector<AddrRange> reg(int node) const;

    /// "<source>: <path>: <what>": the prefix of every message about a node.
    std::string where(int node) const;

private:
    const void *fdt() const { return m_bytes.data(); }
    std::uint32_t cells_of(int bus_node, const char *prop, std::uint32_t dflt) const;

    std::vector<std::uint8_t> m_bytes;
    std::string m_source;
};

}  // namespace mtesim
