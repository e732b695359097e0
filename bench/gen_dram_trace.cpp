// gen_dram_trace: writes a synthetic memory-request trace for `mtesim dram-replay` benchmarks,
// in any of the three supported formats, deterministic for a seed.
//   gen_dram_trace FORMAT PATTERN REQUESTS READ_PERCENT SEED > trace
// FORMAT: dramsim3|ramulator|dramsys. PATTERN:
//   random  every request to a uniformly random line;
//   stream  one sequential stream from address 0, line after line;
//   mixed   half the requests (chosen at random) continue one of 4 sequential streams (chosen
//           at random; each starts at a random line and advances one line per request), the
//           other half go to uniformly random lines: streaming threads sharing a controller
//           with pointer-chasing ones.
// Each request is a read with probability READ_PERCENT / 100, independently of the address.
// Addresses are 64-byte aligned within 4 GiB; dramsim3/dramsys requests are issued one per
// cycle.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

int main(int argc, char **argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: gen_dram_trace dramsim3|ramulator|dramsys random|stream|mixed REQUESTS READ_PERCENT SEED\n");
        return 2;
    }
    const char *format = argv[1];
    const char *pattern = argv[2];
    const bool random = std::strcmp(pattern, "random") == 0;
    const bool mixed = std::strcmp(pattern, "mixed") == 0;
    if (!random && !mixed && std::strcmp(pattern, "stream") != 0) {
        std::fprintf(stderr, "gen_dram_trace: unknown pattern '%s', expected random, stream or mixed\n", pattern);
        return 2;
    }
    const unsigned long long n = std::strtoull(argv[3], nullptr, 10);
    const unsigned read_pct = static_cast<unsigned>(std::strtoul(argv[4], nullptr, 10));
    std::mt19937_64 rng(std::strtoull(argv[5], nullptr, 10));
    constexpr unsigned kStreams = 4;
    std::uint64_t stream_at[kStreams];
    for (std::uint64_t &s : stream_at) s = mixed ? rng() & 0xffffffc0ull : 0;
    static char buf[1 << 16];
    std::setvbuf(stdout, buf, _IOFBF, sizeof buf);
    for (unsigned long long i = 0; i < n; ++i) {
        std::uint64_t addr;
        if (random) addr = rng() & 0xffffffc0ull;
        else if (!mixed) addr = (i * 64) & 0xffffffffull;
        else if (rng() % 2 == 0) addr = rng() & 0xffffffc0ull;
        else {
            std::uint64_t &s = stream_at[rng() % kStreams];
            addr = s;
            s = (s + 64) & 0xffffffffull;
        }
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
