// DramConfig: one DRAM controller's resolved and validated parameters: geometry, address
// mapping, page policy and JEDEC timing in clock cycles. Read from the layered ConfigStore
// (section [dram]; the DT's mtesim,timing names the preset file configs/dram/<name>.ini) by
// resolve(), which is the only place the keys and their checks are written.
#pragma once

#include "mtesim/config/config_store.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace mtesim {

struct DramConfig {
    std::string preset;            /* preset name, for reports */
    double tck_ps = 0;             /* clock period, in ps */

    // Geometry. All counts are powers of two.
    std::uint32_t channels = 1, ranks = 1, bankgroups = 1, banks_per_group = 8;
    std::uint64_t rows = 0;        /* per bank */
    std::uint64_t columns = 0;     /* per row, in bus-width words */
    std::uint32_t bus_bytes = 8;   /* data bus width per channel, in bytes */
    std::uint32_t burst_length = 8; /* in beats */
    std::string address_mapping;   /* as given: mtesim "RoRaBaCoBgCh", DRAMsim3 "rochrababgco" or Ramulator "RoBaRaCoCh" */
    std::string field_order;       /* normalised: fields MSB..LSB from Ch Ra Bg Ba Ro Co, 12 characters */
    enum class PagePolicy { open, closed, timeout };
    PagePolicy page_policy = PagePolicy::open;
    bool closed_page = false;      /* page_policy == closed (auto-precharge unless a queued request hits the row) */
    std::uint32_t page_timeout = 0; /* timeout policy: an idle open row is closed after this many tCK */
    enum class RefreshMode { off, all_bank, per_bank };
    RefreshMode refresh_mode = RefreshMode::all_bank;
    bool refresh = true;           /* refresh_mode != off */

    // Controller queues and scheduler.
    std::uint32_t read_queue = 32;   /* read queue entries per channel */
    std::uint32_t write_queue = 64;  /* write queue entries per channel */
    std::uint32_t write_high = 54;   /* write drain starts at this many queued writes */
    std::uint32_t write_low = 32;    /* ... and stops at this many */
    std::uint32_t min_writes_per_drain = 16; /* a drain episode issues at least this many writes (if queued) */
    std::uint32_t bypass_cap = 16;   /* younger row hits that may overtake a waiting older request to the same bank
                                        (per_bank: column commands an open row serves before a queued miss's PRE) */
    /* Queue structure (DRAMSys "SchedulerBuffer", DRAMsim3 queue_structure). shared: the read and
     * write queues are the scheduler's (FR-FCFS over them). per_bank: they are transaction
     * queues in front of one command queue per bank (DRAMsim3 PER_BANK; DramCommandQueues). */
    enum class QueueStructure { shared, per_bank };
    QueueStructure queue_structure = QueueStructure::shared;
    std::uint32_t command_queue = 8; /* per_bank: entries of each bank's command queue (DRAMsim3 cmd_queue_size) */

    // Timing, in tCK cycles.
    std::uint32_t tRCD = 0, tCL = 0, tCWL = 0, tRP = 0, tRAS = 0, tWR = 0, tRTP = 0, tBURST = 0;
    std::uint32_t tCCD_S = 0, tCCD_L = 0, tRRD_S = 0, tRRD_L = 0, tFAW = 0, tRFC = 0, tREFI = 0;
    std::uint32_t tWTR_S = 0, tWTR_L = 0; /* end of write data to RD, other / same bank group */
    std::uint32_t tRTRS = 0;              /* rank-to-rank switch (bus turnaround between ranks) */
    std::uint32_t tRFCpb = 0;             /* per-bank refresh cycle time (per_bank refresh mode) */
    std::uint32_t tRTW() const { return tCL + tBURST + tRTRS - std::min(tCWL, tCL + tBURST + tRTRS); } /* RD to WR, any bank of the channel */

    std::uint32_t controller_latency = 0; /* front-end + back-end pipeline, in tCK cycles (rounded from ns) */

    std::uint64_t burst_bytes() const { return std::uint64_t(bus_bytes) * burst_length; } /* bytes */
    std::uint64_t banks_per_rank() const { return std::uint64_t(bankgroups) * banks_per_group; }
    std::uint64_t capacity_bytes() const {
        return std::uint64_t(channels) * ranks * banks_per_rank() * rows * columns * bus_bytes;
    }
    /// Theoretical peak: every channel's bus busy every cycle, in bytes per second.
    double peak_bytes_per_second() const {
        return static_cast<double>(channels) * static_cast<double>(burst_bytes()) / (tBURST * tck_ps * 1e-12);
    }

    /// Reads and validates the [dram] keys of @store. Throws ConfigError naming the key.
    static DramConfig resolve(ConfigStore &store);
};

}  // namespace mtesim
