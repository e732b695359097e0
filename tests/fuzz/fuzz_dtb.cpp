// libFuzzer target: the device tree reader and validator on arbitrary bytes. Bad input must
// end in ConfigError; anything else (a crash, a sanitizer report, another exception) is a bug.
#include "mtesim/common/config_error.h"
#include "mtesim/dt/fdt_blob.h"
#include "mtesim/dt/platform_reader.h"
#include "mtesim/dt/platform_validator.h"
#include "mtesim/mte/tag_layout.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    try {
        mtesim::FdtBlob blob(std::vector<std::uint8_t>(data, data + size), "fuzz.dtb");
        const mtesim::PlatformDesc desc = mtesim::PlatformReader::read(blob);
        mtesim::PlatformValidator::validate(desc);
        mtesim::TagLayout layout(desc);
        for (const auto &m : desc.memories) (void)layout.locate(m.range.base());
    } catch (const mtesim::ConfigError &) {
    }
    return 0;
}
