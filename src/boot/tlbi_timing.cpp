// TlbiTiming: see the header.
#include "mtesim/boot/tlbi_timing.h"

#include "mtesim/boot/dvm_broadcast_model.h"
#include "mtesim/common/config_error.h"

namespace mtesim {

void TlbiTiming::apply(const PlatformDesc &desc, const ConfigStore &store, std::uint32_t ack_cycles, std::vector<CoreConfig> &cfgs) {
    for (std::size_t i = 0; i < cfgs.size(); ++i) {
        CoreConfig &c = cfgs[i];
        if (c.tlbi_timing == CoreConfig::TlbiTiming::fixed) continue;
        if (!desc.topology.present) {
            if (c.tlbi_timing == CoreConfig::TlbiTiming::dvm)
                throw ConfigError(store.where("kernel.tlbi_timing") + ", expected auto or fixed: dvm needs the board's /interconnect node (" +
                                  desc.source + " has none; docs/bindings.md)");
            continue;
        }
        const DvmBroadcastModel dvm(desc.topology, desc.cpus[i].clock_hz, ack_cycles, c.tlbi_cycles, i);
        c.tlbi_cycles = static_cast<std::uint32_t>(dvm.tlbi_sync_cycles());
        c.tlbi_page_cycles = static_cast<std::uint32_t>(dvm.round_cycles());
        c.dvm_issue_ps = dvm.round().issue_ps;
    }
}

}  // namespace mtesim
