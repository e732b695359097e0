// gen_dram_trace: writes a synthetic memory-request trace for `mtesim dram-replay` benchmarks,
// in any of the three supported formats, deterministic for a seed.
//   gen_dram_trace FORMAT PATTERN REQUESTS READ_PERCENT SEED > trace
// FORMAT: dramsim3|ramulator|dramsys; PATTERN: random|stream. Addresses are 64-byte aligned
// within 4 GiB; dramsim3/dramsys requests are issued one per cycle.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

int main(int argc, char **argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: gen_dram_trace dramsim3|ramulator|dramsys random|stream REQUESTS READ_PERCENT SEED\n");
        return 2;
    }
    const char *format = argv[1];
    const bool random = std::strcmp(argv[2], "random") == 0;
    const unsigned long long n = std::strtoull(argv[3], nullptr, 10);
    const unsigned read_pct = static_cast<unsigned>(std::strtoul(argv[4], nullptr, 10));
    std::mt19937_64 rng(std::strtoull(argv[5], nullptr, 10));
    static char buf[1 << 16];
    std::setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (unsigned long long i = 0; i < n; ++i) {
        const std::uint64_t addr = random ? (rng() & 0xffffffc0ull) : (i * 64) & 0xffffffffull;
        const bool read = (rng() % 100) < read_pct;
        if (std::strcmp(format, "dramsim3") == 0)
            std::printf("0x%llx %s %llu\n", static_cast<unsigned long long>(addr), read ? "READ" : "WRITE", i);
        else if (std::strcmp(format, "ramulator") == 0)
            std::printf("%s 0x%llx\n", read ? "LD" : "ST", static_cast<unsigned long long>(addr));
        else
            std::printf("%llu:\t%s\t0x%llx\n", i, read ? "read" : "write", static_cast<unsigned long long>(addr));
    }
    return 0;
}
