// libFuzzer target: the workload trace reader over a file holding the input. Bad input must end
// in TraceError.
#include "mtesim/common/trace_error.h"
#include "mtesim/trace/text_trace_reader.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static const std::string path = "/tmp/mtesim-fuzz-trace-" + std::to_string(getpid());
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        mtesim::TextTraceReader reader(path);
        mtesim::TraceEvent ev;
        while (reader.next(ev)) {
        }
    } catch (const mtesim::TraceError &) {
    }
    return 0;
}
