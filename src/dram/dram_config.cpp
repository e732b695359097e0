// DramConfig::resolve: every [dram] key, its unit, its description and its check. Defaults are
// DDR4-3200's (configs/dram/ddr4-3200.ini has the same values with their datasheet source).
#include "mtesim/dram/dram_config.h"

#include "mtesim/common/config_error.h"

#include <algorithm>
#include <set>

namespace mtesim {

namespace {

bool pow2(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

/* The three notations, normalised to mtesim's (two-letter fields MSB..LSB). DRAMsim3 names
 * fields in lowercase (ch ra bg ba ro co; its config's address_mapping, e.g. rochrababgco).
 * Ramulator's linear mappers (RoBaRaCoCh, ChRaBaRoCo) have no Bg field: their "Ba" slices the
 * bank level and, below it, the bank-group level (Ramulator 2 ro_ba_ra_co_ch.cpp slices
 * levels rank, bankgroup, bank, row from the LSB up), so Ba becomes BaBg. Returns "" when
 * the string is none of them or repeats a field. */
std::string normalise_mapping(const std::string &m) {
    if (m.size() % 2 != 0 || m.empty()) return "";
    const bool dramsim3 = std::all_of(m.begin(), m.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; });
    const bool has_bg = m.find(dramsim3 ? "bg" : "Bg") != std::string::npos;
    std::string out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < m.size(); i += 2) {
        std::string f = m.substr(i, 2);
        if (dramsim3) f[0] = static_cast<char>(f[0] - 'a' + 'A');
        if (f != "Ch" && f != "Ra" && f != "Bg" && f != "Ba" && f != "Ro" && f != "Co") return "";
        if (!seen.insert(f).second) return "";
        out += (f == "Ba" && !has_bg && !dramsim3) ? "BaBg" : f;
    }
    return out;
}

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
                                      "physical address bits to DRAM coordinates, fields MSB to LSB: mtesim "
                                      "(Ch Ra Bg Ba Ro Co, e.g. RoRaBaCoBgCh), DRAMsim3 (e.g. rochrababgco) or "
                                      "Ramulator (e.g. RoBaRaCoCh, where Ba is bank over bank group)");
    c.field_order = normalise_mapping(c.address_mapping);
    if (c.field_order.empty())
        throw ConfigError(s.where("dram.address_mapping") +
                          ", expected each of Ch Ra Bg Ba Ro Co once (a field whose count is 1 may be left out; mtesim, e.g. RoRaBaCoBgCh), "
                          "DRAMsim3's lowercase form (e.g. rochrababgco) or Ramulator's (e.g. RoBaRaCoCh)");
    {
        // Mapping bits must cover the geometry: a field left out of the string gets no
        // address bits, which is only right when the geometry has one of it.
        const std::pair<const char *, std::uint64_t> fields[] = {
            {"Ch", c.channels}, {"Ra", c.ranks}, {"Bg", c.bankgroups}, {"Ba", c.banks_per_group}, {"Ro", c.rows}, {"Co", c.columns / c.burst_length}};
        std::string missing;
        for (const auto &[f, n] : fields)
            if (n > 1 && c.field_order.find(f) == std::string::npos) missing += std::string(missing.empty() ? "" : ", ") + f;
        if (!missing.empty())
            throw ConfigError(s.where("dram.address_mapping") + " gives no address bits to " + missing +
                              ", expected every field whose count is above 1");
        for (const char *f : {"Ch", "Ra", "Bg", "Ba", "Ro", "Co"})
            if (c.field_order.find(f) == std::string::npos) c.field_order = std::string(f) + c.field_order;
    }
    {
        const std::string policy = s.get_string("dram.page_policy", "open",
                                                "row buffer policy: open, closed (auto-precharge unless a queued request "
                                                "hits the row) or timeout (close an idle row after dram.page_timeout)",
                                                {"open", "closed", "timeout"});
        c.page_policy = policy == "closed" ? PagePolicy::closed : policy == "timeout" ? PagePolicy::timeout : PagePolicy::open;
        c.closed_page = c.page_policy == PagePolicy::closed;
    }
    const bool refresh_on = s.get_bool("dram.refresh", true, "model refresh (dram.refresh_mode says which)");
    const std::string refresh_mode = s.get_string("dram.refresh_mode", "all-bank",
                                                  "all-bank: REFab per rank every tREFI; per-bank: bank k of every bank "
                                                  "group, k round robin, every tREFI/banks_per_group (DDR5 REFsb; LPDDR REFpb)",
                                                  {"all-bank", "per-bank"});
    c.refresh_mode = !refresh_on ? RefreshMode::off : refresh_mode == "per-bank" ? RefreshMode::per_bank : RefreshMode::all_bank;
    c.refresh = refresh_on;
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
    c.tWTR_S = u32(s, "dram.tWTR_S", 4, "tCK", "end of write data to RD, different bank group", 1);
    c.tWTR_L = u32(s, "dram.tWTR_L", 12, "tCK", "end of write data to RD, same bank group", 1);
    c.tRTRS = u32(s, "dram.tRTRS", 2, "tCK", "rank-to-rank switch: extra bus cycles between bursts of different ranks, and in RD to WR", 0);
    c.tRFCpb = u32(s, "dram.tRFCpb", 0, "tCK", "per-bank refresh cycle time (needed by refresh_mode = per-bank)", 0);
    if (c.tWTR_S > c.tWTR_L)
        throw ConfigError(s.where("dram.tWTR_S") + ", expected tWTR_S <= tWTR_L (" + std::to_string(c.tWTR_L) + ")");
    if (c.tWTR_L > c.tRAS)
        throw ConfigError(s.where("dram.tWTR_L") + ", expected at most tRAS (" +
                          std::to_string(c.tRAS) + "): a write-to-read turnaround longer than a row's active time is no real device");
    if (c.tRAS < c.tRCD)
        throw ConfigError(s.where("dram.tRAS") + ", expected at least tRCD (" + std::to_string(c.tRCD) + ")");
    if (c.refresh_mode == RefreshMode::per_bank) {
        if (c.tRFCpb == 0)
            throw ConfigError(s.where("dram.tRFCpb") + ", expected a per-bank refresh time above 0 with dram.refresh_mode = per-bank");
        if (c.tREFI / c.banks_per_group <= c.tRFCpb)
            throw ConfigError(s.where("dram.tRFCpb") + ", expected tRFCpb < tREFI / banks_per_group (" +
                              std::to_string(c.tREFI / c.banks_per_group) + ")");
    }

    c.read_queue = u32(s, "dram.read_queue", 32, "requests", "read queue entries per channel (gem5 read_buffer_size 32)", 0);
    c.write_queue = u32(s, "dram.write_queue", 64, "requests", "write queue entries per channel (gem5 write_buffer_size 64)", 0);
    if (c.read_queue == 0) throw ConfigError(s.where("dram.read_queue") + ", expected at least 1 entry");
    if (c.write_queue == 0) throw ConfigError(s.where("dram.write_queue") + ", expected at least 1 entry");
    const double high = s.get_double("dram.write_high_watermark", 0.85, "fraction of write_queue",
                                     "queued writes that start a write drain (gem5 write_high_thresh_perc 85)", 0, 1);
    const double low = s.get_double("dram.write_low_watermark", 0.5, "fraction of write_queue",
                                    "queued writes at which a drain stops (gem5 write_low_thresh_perc 50)", 0, 1);
    c.write_high = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(high * c.write_queue + 0.5));
    c.write_low = static_cast<std::uint32_t>(low * c.write_queue + 0.5);
    if (c.write_low >= c.write_high)
        throw ConfigError(s.where("dram.write_low_watermark") + ", expected below dram.write_high_watermark (" +
                          std::to_string(high) + ")");
    c.min_writes_per_drain = u32(s, "dram.min_writes_per_drain", 16, "requests",
                                 "writes a drain episode issues at least, when queued (gem5 min_writes_per_switch 16)", 1);
    c.bypass_cap = u32(s, "dram.bypass_cap", 16, "requests",
                       "younger row hits allowed to overtake a waiting older request to the same bank (FR-FCFS cap)", 0);
    {
        const std::string qs = s.get_string("dram.queue_structure", "shared",
                                            "shared: FR-FCFS over the read and write queues; per-bank: they feed one command "
                                            "queue per bank, served round robin (DRAMsim3 queue_structure = PER_BANK)",
                                            {"shared", "per-bank"});
        c.queue_structure = qs == "per-bank" ? QueueStructure::per_bank : QueueStructure::shared;
        c.command_queue = u32(s, "dram.command_queue", 8, "requests",
                              "per-bank queue structure: entries of each bank's command queue (DRAMsim3 cmd_queue_size; "
                              "its DDR3/DDR4 configs: 8)", 0);
        if (c.command_queue == 0) throw ConfigError(s.where("dram.command_queue") + ", expected at least 1 entry");
    }
    c.page_timeout = u32(s, "dram.page_timeout", 0, "tCK", "timeout page policy: idle cycles before an open row is closed", 0);
    if (c.page_policy == PagePolicy::timeout && c.page_timeout == 0)
        throw ConfigError(s.where("dram.page_timeout") + ", expected above 0 with dram.page_policy = timeout");

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
