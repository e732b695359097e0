// libFuzzer target: INI text and --set assignments (the first line of the input is one --set),
// then typed reads as the models do them. Bad input must end in ConfigError.
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_store.h"
#include "mtesim/dram/dram_config.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    const auto nl = text.find('\n');
    mtesim::ConfigStore store;
    try {
        store.set_from_command_line(text.substr(0, nl));
    } catch (const mtesim::ConfigError &) {
    }
    try {
        store.load_ini_text(nl == std::string::npos ? "" : text.substr(nl + 1), "fuzz.ini", mtesim::ConfigStore::Layer::user_file);
        (void)mtesim::DramConfig::resolve(store);
        store.get_string("core.on_fault", "kill", "d", {"kill", "continue"});
        store.get_double("sim.quantum_ns", 1000, "ns", "d", 0.001, 1e9);
        store.check_unknown_keys();
    } catch (const mtesim::ConfigError &) {
    }
    return 0;
}
