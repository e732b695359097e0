// FdtBlob implementation over libfdt. fdt_check_full() runs once in the constructor; after it
// the structure block is known sound, so the accessors only have to check property sizes.
#include "mtesim/dt/fdt_blob.h"

#include "mtesim/common/config_error.h"

#include <libfdt.h>

#include <cstring>

namespace mtesim {

namespace {

std::uint64_t read_cells(const fdt32_t *cells, std::uint32_t count) {
    std::uint64_t v = 0;
    for (std::uint32_t i = 0; i < count; ++i) v = (v << 32) | fdt32_to_cpu(cells[i]);
    return v;
}

}  // namespace

FdtBlob::FdtBlob(std::vector<std::uint8_t> bytes, std::string source)
    : m_bytes(std::move(bytes)), m_source(std::move(source)) {
    if (m_bytes.size() < sizeof(struct fdt_header)) {
        throw ConfigError(m_source + ": truncated device tree blob (" + std::to_string(m_bytes.size()) +
                          " bytes), expected at least a " + std::to_string(sizeof(struct fdt_header)) +
                          "-byte FDT header");
    }
    // libfdt reads 32-bit big-endian words through pointers; keep the buffer 8-aligned.
    if (reinterpret_cast<std::uintptr_t>(m_bytes.data()) % 8 != 0) {
        throw ConfigError(m_source + ": internal buffer misaligned");
    }
    // Only the current format (version 17, what dtc writes): libfdt 1.6.1's full check
    // dereferences NULL on some malformed blobs of the old versions (found by fuzz_dtb).
    if (fdt_magic(m_bytes.data()) == FDT_MAGIC && fdt_version(m_bytes.data()) < 17)
        throw ConfigError(m_source + ": invalid device tree blob: version " + std::to_string(fdt_version(m_bytes.data())) +
                          ", expected version 17 (as dtc writes)");
    int err = fdt_check_full(m_bytes.data(), m_bytes.size());
    if (err != 0) {
        std::string what = fdt_strerror(err);
        if (fdt_magic(m_bytes.data()) != FDT_MAGIC) what = "bad magic, not a device tree blob";
        else if (fdt_totalsize(m_bytes.data()) > m_bytes.size())
            what = "truncated: header says " + std::to_string(fdt_totalsize(m_bytes.data())) +
                   " bytes, file has " + std::to_string(m_bytes.size());
        throw ConfigError(m_source + ": invalid device tree blob: " + what);
    }
}

int FdtBlob::node_at(const std::string &p) const { return fdt_path_offset(fdt(), p.c_str()); }

std::string FdtBlob::path(int node) const {
    char buf[1024];
    if (fdt_get_path(fdt(), node, buf, sizeof buf) != 0) return "<node path too long>";
    return buf;
}

std::string FdtBlob::name(int node) const {
    const char *n = fdt_get_name(fdt(), node, nullptr);
    return n ? n : "";
}

int FdtBlob::parent(int node) const { return fdt_parent_offset(fdt(), node); }

std::vector<int> FdtBlob::children(int node) const {
    std::vector<int> out;
    for (int child = fdt_first_subnode(fdt(), node); child >= 0; child = fdt_next_subnode(fdt(), child))
        out.push_back(child);
    return out;
}

std::vector<int> FdtBlob::all_nodes() const {
    std::vector<int> out;
    int depth = 0;
    for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt(), node, &depth))
        out.push_back(node);
    return out;
}

std::string FdtBlob::where(int node) const { return m_source + ": " + path(node); }

bool FdtBlob::has_property(int node, const char *prop) const {
    return fdt_getprop(fdt(), node, prop, nullptr) != nullptr;
}

std::optional<std::string> FdtBlob::string_property(int node, const char *prop) const {
    int len = 0;
    const char *v = static_cast<const char *>(fdt_getprop(fdt(), node, prop, &len));
    if (!v) return std::nullopt;
    if (len <= 0 || v[len - 1] != '\0' || std::strlen(v) + 1 != static_cast<std::size_t>(len))
        throw ConfigError(where(node) + ": property \"" + prop + "\" is not a single string");
    return std::string(v);
}

std::optional<std::string> FdtBlob::first_string(int node, const char *prop) const {
    int len = 0;
    const char *v = fdt_stringlist_get(fdt(), node, prop, 0, &len);
    if (!v) return std::nullopt;
    return std::string(v, static_cast<std::size_t>(len));
}

bool FdtBlob::stringlist_contains(int node, const char *prop, const std::string &value) const {
    return fdt_stringlist_search(fdt(), node, prop, value.c_str()) >= 0;
}

std::optional<std::uint32_t> FdtBlob::u32_property(int node, const char *prop) const {
    int len = 0;
    const void *v = fdt_getprop(fdt(), node, prop, &len);
    if (!v) return std::nullopt;
    if (len != 4)
        throw ConfigError(where(node) + ": property \"" + prop + "\" has " + std::to_string(len) +
                          " bytes, expected one 32-bit cell");
    return fdt32_ld(static_cast<const fdt32_t *>(v));
}

std::optional<std::vector<std::uint32_t>> FdtBlob::u32_array_property(int node, const char *prop) const {
    int len = 0;
    const void *v = fdt_getprop(fdt(), node, prop, &len);
    if (!v) return std::nullopt;
    if (len % 4 != 0)
        throw ConfigError(where(node) + ": property \"" + prop + "\" has " + std::to_string(len) +
                          " bytes, expected a whole number of 32-bit cells");
    std::vector<std::uint32_t> cells(static_cast<std::size_t>(len / 4));
    for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = fdt32_ld(static_cast<const fdt32_t *>(v) + i);
    return cells;
}

std::optional<std::uint64_t> FdtBlob::u64_property(int node, const char *prop) const {
    int len = 0;
    const void *v = fdt_getprop(fdt(), node, prop, &len);
    if (!v) return std::nullopt;
    if (len != 4 && len != 8)
        throw ConfigError(where(node) + ": property \"" + prop + "\" has " + std::to_string(len) +
                          " bytes, expected one or two 32-bit cells");
    return read_cells(static_cast<const fdt32_t *>(v), static_cast<std::uint32_t>(len / 4));
}

std::uint32_t FdtBlob::phandle(int node) const { return fdt_get_phandle(fdt(), node); }

int FdtBlob::node_by_phandle(std::uint32_t ph) const {
    if (ph == 0 || ph == 0xffffffffu) return -1;
    return fdt_node_offset_by_phandle(fdt(), ph);
}

std::uint32_t FdtBlob::cells_of(int bus_node, const char *prop, std::uint32_t dflt) const {
    auto v = u32_property(bus_node, prop);
    if (!v) return dflt;
    if (*v != 1 && *v != 2)
        throw ConfigError(where(bus_node) + ": " + prop + " = <" + std::to_string(*v) +
                          ">, expected 1 or 2 (64-bit physical addresses)");
    return *v;
}

std::vector<AddrRange> FdtBlob::reg(int node) const {
    int par = parent(node);
    if (par < 0) throw ConfigError(where(node) + ": reg on the root node, expected a child node");
    // Devicetree spec defaults: #address-cells 2, #size-cells 1 when the parent omits them.
    std::uint32_t ac = cells_of(par, "#address-cells", 2);
    std::uint32_t sc = cells_of(par, "#size-cells", 1);
    int len = 0;
    const auto *v = static_cast<const fdt32_t *>(fdt_getprop(fdt(), node, "reg", &len));
    if (!v) throw ConfigError(where(node) + ": missing property \"reg\"");
    std::uint32_t entry_cells = ac + sc;
    if (len <= 0 || len % (4 * entry_cells) != 0)
        throw ConfigError(where(node) + ": reg has " + std::to_string(len) +
                          " bytes, expected a multiple of " + std::to_string(4 * entry_cells) + " (#address-cells " +
                          std::to_string(ac) + " + #size-cells " + std::to_string(sc) + ")");
    std::vector<AddrRange> out;
    for (int off = 0; off < len / 4; off += static_cast<int>(entry_cells)) {
        std::uint64_t base = read_cells(v + off, ac);
        std::uint64_t size = read_cells(v + off + ac, sc);
        AddrRange r(PhysAddr(base), size);
        if (size == 0) throw ConfigError(where(node) + ": reg entry at " + hex(base) + " has size 0, expected > 0");
        if (r.end_overflows())
            throw ConfigError(where(node) + ": reg entry " + hex(base) + " + " + hex(size) +
                              " overflows the 64-bit physical address space");
        out.push_back(r);
    }
    return out;
}

}  // namespace mtesim
