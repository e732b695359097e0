// DramConfig::resolve: every [dram] key, its unit, its description and its check. Defaults are
// DDR4-3200's (configs/dram/ddr4-3200.ini has the same values with their datasheet source).
#include "mtesim/dram/dram_config.h"

#include "mtesim/common/config_error.h"

#include <set>

namespace mtesim {

namespace {

bool pow2(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::uint32_t u32(ConfigStore &s, const std::string &key, std::uint32_t dflt, const std::string &unit,
                  const std::string &desc, std::uint32_t min = 0) {
    return static_cast<std::uint32_t>(s.get_u64(key, dflt, unit, desc, min, 1u << 30));
}

void require_pow2(ConfigStore &s, const std::string &key, std::uint64_t v) {
    if (!pow2(v)) throw ConfigError(s.where(key) + ", expected a power of two");
}

}  // namespace

DramConfig DramConfig::resolve(ConfigStore &s) {
    DramConfig c;
    c.preset = s.get_string("dram.name", "ddr4-3200", "name of the timing preset, for reports");
    c.tck_ps = s.get_double("dram.tCK", 625, "ps", "clock period", 1, 1e6);

    c.channels = u32(s, "dram.channels", 2, "count", "independent channels", 1);
    c.ranks = u32(s, "dram.ranks", 2, "count", "ranks per channel", 1);
    c.bankgroups = u32(s, "dram.bankgroups", 4, "count", "bank groups per rank (1: none)", 1);
    c.banks_per_group = u32(s, "dram.banks_per_group", 4, "count", "banks per bank group", 1);
    c.rows = s.get_u64("dram.rows", 131072, "count", "rows per bank", 1, 1ull << 32);
    c.columns = s.get_u64("dram.columns", 1024, "bus words", "columns per row", 1, 1ull << 24);
    c.bus_bytes = u32(s, "dram.bus_bytes", 8, "bytes", "data bus width per channel", 1);
    c.burst_length = u32(s, "dram.burst_length", 8, "beats", "burst length (BL)", 1);
    const std::pair<const char *, std::uint64_t> counts[] = {
        {"dram.channels", c.channels}, {"dram.ranks", c.ranks}, {"dram.bankgroups", c.bankgroups},
        {"dram.banks_per_group", c.banks_per_group}, {"dram.rows", c.rows}, {"dram.columns", c.columns},
        {"dram.bus_bytes", c.bus_bytes}, {"dram.burst_length", c.burst_length}};
    for (const auto &[key, value] : counts) require_pow2(s, key, value);
    c.address_mapping = s.get_string("dram.address_mapping", "RoRaBaCoBgCh",
                                      "physical address bits to DRAM coordinates, fields MSB to LSB "
                                      "(Ch Ra Bg Ba Ro Co, each once)");
    {
        std::set<std::string> fields;
        const std::string &m = c.address_mapping;
        bool ok = m.size() == 12;
        for (std::size_t i = 0; ok && i < m.size(); i += 2) {
            const std::string f = m.substr(i, 2);
            ok = (f == "Ch" || f == "Ra" || f == "Bg" || f == "Ba" || f == "Ro" || f == "Co") && fields.insert(f).second;
        }
        if (!ok) throw ConfigError(s.where("dram.address_mapping") + ", expected each of Ch Ra Bg Ba Ro Co once, e.g. RoRaBaCoBgCh");
    }
    c.closed_page = s.get_string("dram.page_policy", "open", "row buffer policy", {"open", "closed"}) == "closed";
    c.refresh = s.get_bool("dram.refresh", true, "model all-bank refresh every tREFI");
    if (c.columns < c.burst_length)
        throw ConfigError(s.where("dram.columns") + ", expected at least burst_length (" +
                          std::to_string(c.burst_length) + ") columns per row");

    c.tRCD = u32(s, "dram.tRCD", 22, "tCK", "ACT to RD/WR", 1);
    c.tCL = u32(s, "dram.tCL", 22, "tCK", "RD to first data (CAS latency)", 1);
    c.tCWL = u32(s, "dram.tCWL", 16, "tCK", "WR to first data (CAS write latency)", 1);
    c.tRP = u32(s, "dram.tRP", 22, "tCK", "PRE to ACT", 1);
    c.tRAS = u32(s, "dram.tRAS", 52, "tCK", "ACT to PRE", 1);
    c.tWR = u32(s, "dram.tWR", 24, "tCK", "end of write data to PRE (write recovery)", 1);
    c.tRTP = u32(s, "dram.tRTP", 12, "tCK", "RD to PRE", 1);
    c.tBURST = u32(s, "dram.tBURST", 4, "tCK", "data bus time of one burst (BL/2 for DDR)", 1);
    c.tCCD_S = u32(s, "dram.tCCD_S", 4, "tCK", "column to column, different bank group", 1);
    c.tCCD_L = u32(s, "dram.tCCD_L", 8, "tCK", "column to column, same bank group", 1);
    c.tRRD_S = u32(s, "dram.tRRD_S", 4, "tCK", "ACT to ACT, different bank group", 1);
    c.tRRD_L = u32(s, "dram.tRRD_L", 8, "tCK", "ACT to ACT, same bank group", 1);
    c.tFAW = u32(s, "dram.tFAW", 34, "tCK", "window of four ACTs per rank", 1);
    c.tRFC = u32(s, "dram.tRFC", 880, "tCK", "all-bank refresh cycle time", 1);
    c.tREFI = u32(s, "dram.tREFI", 12480, "tCK", "average refresh interval", 1);
    if (c.tRFC + c.tRP >= c.tREFI)
        throw ConfigError(s.where("dram.tRFC") + ", expected tRFC + tRP < tREFI (" + std::to_string(c.tREFI) + ")");
    if (c.tCCD_S > c.tCCD_L)
        throw ConfigError(s.where("dram.tCCD_S") + ", expected tCCD_S <= tCCD_L (" + std::to_string(c.tCCD_L) + ")");
    if (c.tRRD_S > c.tRRD_L)
        throw ConfigError(s.where("dram.tRRD_S") + ", expected tRRD_S <= tRRD_L (" + std::to_string(c.tRRD_L) + ")");

    const double ctrl_ns = s.get_double("dram.controller_latency_ns", 20, "ns",
                                        "controller front-end + back-end pipeline (gem5 MemCtrl: 10 ns + 10 ns)", 0, 1e6);
    c.controller_latency = static_cast<std::uint32_t>(ctrl_ns * 1000.0 / c.tck_ps + 0.5);
    return c;
}

}  // namespace mtesim
