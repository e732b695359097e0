// CpuCapacity: each CPU's capacity as Linux computes it from the device tree
// (drivers/base/arch_topology.c, topology_parse_cpu_capacity + topology_normalize_cpu_scale):
// the cpu node's capacity-dmips-mhz (relative performance per MHz,
// Documentation/devicetree/bindings/cpu/cpu-capacity.txt) times its clock in kHz, scaled so that
// the biggest CPU has SCHED_CAPACITY_SCALE (1024), rounded down. Without capacity-dmips-mhz every
// CPU has 1024 (the kernel's default), and the scheduler treats the system as symmetric.
#pragma once

#include <cstdint>
#include <vector>

namespace mtesim {

class CpuCapacity {
public:
    /// @dmips_mhz: per CPU, 0 when not given (then all must be 0); @clock_hz: per CPU.
    static std::vector<std::uint32_t> normalise(const std::vector<std::uint32_t> &dmips_mhz,
                                                const std::vector<std::uint64_t> &clock_hz);
};

}  // namespace mtesim
