// libFuzzer target: the DRAMsim3 / Ramulator / DRAMSys request trace reader (format detected),
// replayed against the DDR4 engine. Bad input must end in TraceError.
#include "mtesim/common/trace_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_replay.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static const std::string path = "/tmp/mtesim-fuzz-dram-" + std::to_string(getpid());
    static const mtesim::DramConfig config = [] {
        mtesim::ConfigStore s = mtesim::ConfigLoader::with_dram_preset(mtesim::ConfigStore(), "ddr4-3200", "fuzz");
        return mtesim::DramConfig::resolve(s);
    }();
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        mtesim::DramTraceReader reader(path, mtesim::DramTraceReader::Format::auto_detect);
        mtesim::DramReplay replay(config, 64);
        replay.run(reader, 100000);
    } catch (const mtesim::TraceError &) {
    }
    return 0;
}
