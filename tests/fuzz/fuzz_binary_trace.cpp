// libFuzzer target: the binary workload trace reader, raw (first input byte even) or with the
// rest of the input as a zstd stream (odd), behind a valid header. Bad input must end in
// TraceError.
#include "mtesim/common/trace_error.h"
#include "mtesim/trace/binary_trace_format.h"
#include "mtesim/trace/binary_trace_reader.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static const std::string path = "/tmp/mtesim-fuzz-bin-" + std::to_string(getpid());
    if (size == 0) return 0;
    mtesim::bintrace::Header h{};
    std::memcpy(h.magic, mtesim::bintrace::kMagic, 8);
    h.version = mtesim::bintrace::kVersion;
    h.flags = (data[0] & 1) ? mtesim::bintrace::kFlagZstd : 0;
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(&h, sizeof h, 1, f);
    std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
    try {
        mtesim::BinaryTraceReader reader(path);
        mtesim::TraceEvent ev;
        while (reader.next(ev)) {
        }
    } catch (const mtesim::TraceError &) {
    }
    return 0;
}
