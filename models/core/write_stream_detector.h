// WriteStreamDetector: the L1D's write streaming mode (Arm: "write streaming mode"; in the
// in-order cores' manuals "read allocate mode"). A store that misses the L1D normally starts a
// linefill: the line is read, then written. A run of stores that write whole lines (memset,
// memcpy's destination, DC ZVA) reads lines only to overwrite them, so the L1D watches for
// lines written whole while their linefill is outstanding and, once it has seen enough in a
// row, writes the lines such stores miss without reading them:
//  - Cortex-A76 TRM (100798), A6.2.6 "Write streaming mode" (the Neoverse N1 / A78 / A710
//    family): the L1 switches when it "detects when the core has stores pending to a full
//    cache line when it is waiting for a linefill to complete", and stays in the mode "until it
//    can no longer create a full cacheline of store"; a stream goes "out to L2" past the
//    CPUECTLR_EL1 threshold WS_THR_L2, 4 KB at reset (the TRM's reset word 0x0000000961563000,
//    decoded with Trusted Firmware-A's cortex_a76.h): threshold 64 lines.
//  - Cortex-A715 TRM, 8.2 "Write streaming mode": the merging write buffer switches after "a
//    configurable number of consecutive linefills" each written whole before it completed, and
//    leaves the mode on a write burst of an incomplete line or a load to a line not yet complete.
//  - Cortex-A35 TRM (100241), A5.6 "About read allocate mode" (an in-order core): the switch
//    comes once "three full cache lines have been written" before their linefills completed;
//    the mode ends at "a cacheable write burst to L2 that is not a full cache line": threshold 3.
//
// Algorithm. A line counts as written whole when one store writes all of it, or when the store
// that missed it starts at its first byte and the stores after it (loads may come between, as
// in a copy loop) continue it byte after byte to its end. The model's in-order core waits for
// each store's line, so "while the linefill is outstanding" is not observable there; a copy's
// stores to one line come a few cycles apart on real cores, well within a linefill from beyond
// the L1D, so the rule is structural in both models. Lines written whole in a row count (the
// stream so far); a store miss that does not start a line, a store to another line before the
// gathered line is whole, a store to it out of order, or a load of a streamed line not yet
// whole (the A715's and A35's exit) resets the count and ends the mode. In the mode, a store
// that misses at a line's first byte is not read: the line is written out to the L2 (the
// caller's MemoryPath::stream_line), and the stores that continue it are written into it with
// no further miss; if the rest of the line does not follow, the mode ends, and that one line
// was not read. Not modelled: the A76's other exit ("a high proportion of store hitting in the
// cache"), lines written from their end backwards, and the thresholds between the L2 and memory
// (the A76's WS_THR_L3/L4, the A55's L2WSCTL). Past the no-allocate threshold (the A55's L3WSCTL,
// "1024th consecutive streaming cache line does not allocate in the L1, L2, or L3 cache"; the
// A76's WS_THR_DRAM, 1 MB) a streamed line goes to memory (Miss::stream_dram).
#pragma once

#include <cstdint>

namespace mtesim {

class WriteStreamDetector {
public:
    /// What becomes of a store that missed the L1D.
    enum class Miss {
        read,       /* a linefill, as outside the mode */
        stream,     /* the first store of a line in the mode: the line is written out to the L2 without a read */
        stream_dram, /* the same, past the no-allocate threshold: written to memory, allocated in no cache */
        join,       /* a store continuing the streamed line being gathered: written into it */
    };

    /// @threshold_lines: lines of a stream (lines written whole in a row) read before streaming
    /// starts; 0: never. @dram_lines: lines of a stream after which its lines allocate in no
    /// cache and go to memory (0: never; counted from the stream's first line, as the Arm
    /// thresholds are).
    WriteStreamDetector(std::uint32_t threshold_lines, std::uint32_t dram_lines, std::uint64_t line_bytes)
        : m_threshold(threshold_lines), m_dram_lines(dram_lines), m_line_bytes(line_bytes) {}

    /// A store missed the L1D in line @line, writing @len bytes from byte @first of it. Says
    /// what becomes of it.
    Miss on_store_miss(std::uint64_t line, std::uint64_t first, std::uint64_t len) {
        if (m_gather != kNone) {
            if (line == m_gather && m_gather_streamed && first == m_filled) {
                grow(len);
                return Miss::join;
            }
            broken();
        }
        if (m_threshold == 0) return Miss::read;
        if (first != 0) {
            m_run = 0;
            return Miss::read;
        }
        const std::uint32_t before = m_run; /* the stream's lines before this one */
        const bool stream = before >= m_threshold;
        if (len >= m_line_bytes) whole();
        else {
            m_gather = line;
            m_filled = len;
            m_gather_streamed = stream;
        }
        if (!stream) return Miss::read;
        return m_dram_lines != 0 && before >= m_dram_lines ? Miss::stream_dram : Miss::stream;
    }
    /// An atomic read-modify-write (LDADD, CAS, SWP) missed the L1D: it needs the line's old
    /// contents, so it is read, and it is a write of less than a line: the mode ends.
    void on_read_modify_write_miss() { broken(); }
    /// A store this detector streamed was suppressed (a synchronous tag check fault): it wrote
    /// nothing, so its line is not gathered, and the mode ends.
    void on_store_suppressed() { broken(); }
    /// A store hit the L1D: the gathered line grows if the store continues it, and is broken if
    /// it does not. Inline: every store hit calls it.
    void on_store_hit(std::uint64_t line, std::uint64_t first, std::uint64_t len) {
        if (m_gather == kNone) return;
        if (line != m_gather || first != m_filled) {
            broken();
            return;
        }
        grow(len);
    }
    /// A load missed the L1D in line @line: a load of the streamed line being gathered ends the
    /// mode (a line streamed out is not in the L1D, so every such load misses it).
    void on_load_miss(std::uint64_t line) {
        if (line == m_gather) broken();
    }

private:
    static constexpr std::uint64_t kNone = ~0ull;
    void grow(std::uint64_t len) {
        m_filled += len;
        if (m_filled >= m_line_bytes) {
            m_gather = kNone;
            whole();
        }
    }
    void whole() {
        if (m_run != ~std::uint32_t(0)) ++m_run;
    }
    void broken() {
        m_gather = kNone;
        m_run = 0;
    }

    std::uint32_t m_threshold;       /* lines */
    std::uint32_t m_dram_lines;      /* lines */
    std::uint64_t m_line_bytes;      /* bytes */
    std::uint32_t m_run = 0;         /* lines written whole in a row: the stream so far (lines, saturating) */
    std::uint64_t m_gather = kNone;  /* the line whose stores are being gathered (line number), or kNone */
    std::uint64_t m_filled = 0;      /* bytes of it written so far from its first byte */
    bool m_gather_streamed = false;  /* it was written out without a read (it is not in the L1D) */
};

}  // namespace mtesim
