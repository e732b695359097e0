// The binary workload trace format (docs/trace-format.md, "Binary traces"): an 16-byte header
// ("MTESIMB1", version, flags) and a stream of 40-byte little-endian records, optionally
// compressed as one zstd stream. A record is an event, or defines a pointer name (the string
// follows the record, padded to 8 bytes) before its first use. Fixed-size records make reading
// a memcpy per event.
#pragma once

#include <cstdint>

namespace mtesim::bintrace {

inline constexpr char kMagic[8] = {'M', 'T', 'E', 'S', 'I', 'M', 'B', '1'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kFlagZstd = 1;       /* the records are one zstd stream */
inline constexpr std::uint8_t kOpDefineName = 0xff; /* name id in .name, length in .arg */
inline constexpr std::uint8_t kOpValue = 0xfe;      /* .arg: the data value of the next event record (TraceEvent::value) */
inline constexpr std::uint64_t kMaxNameLength = 4096;

struct Header {
    char magic[8];
    std::uint32_t version;
    std::uint32_t flags;
};
static_assert(sizeof(Header) == 16);

struct Record {
    std::uint8_t op;        /* TraceOp, or kOpDefineName */
    std::uint8_t has_name;  /* the address operand is a named pointer */
    std::uint16_t mispredicts;   /* compute, ld/st: TraceEvent::mispredicts (0 in traces written before it; 0 for other ops) */
    std::uint32_t thread;
    std::uint32_t dest;
    std::uint32_t name;
    std::uint32_t aux;
    std::uint32_t reserved2;     /* ld/st: TraceEvent::dep (0 in traces written before it) */
    std::uint64_t raw_or_offset; /* raw address, or the offset added to the named pointer */
    std::uint64_t arg;
};
static_assert(sizeof(Record) == 40);

}  // namespace mtesim::bintrace
