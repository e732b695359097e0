// The L1D's write streaming mode (docs/timing-model.md, "Write streaming"; Cortex-A76 TRM
// A6.2.6, Cortex-A35 TRM A5.6): after l1d.write_streaming_lines consecutive store misses that
// each write a whole line, further such misses are written without reading the line; a store
// miss that writes part of a line ends the mode. The expectations are counts derived from the
// trace: every store of the measured pass misses the L1D (its lines were evicted from every
// cache level by the zeroing of the rest of the mapping), and the prefetchers are off so that
// no line arrives ahead of its store.
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace mtesim;
using test::in_child;

namespace {
constexpr std::uint64_t kBase = 0x80000000ull;
constexpr std::uint64_t kMapBytes = 8ull << 20;  /* 8 MiB: 8x the 1 MiB LLC the runs set */
constexpr std::uint64_t kPassLines = 32768;      /* 2 MiB, the start of the mapping */

std::string hex_of(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

/* Map 8 MiB (tagged if @mte), run @pre, touch every page (the faults zero them, leaving the
 * last MiB in the caches), then run @pass between two marker loads on core 1. */
std::string trace(const std::string &pass, bool mte = false, const char *tcf = "none", const std::string &pre = "") {
    std::string s = std::string("thread 1 core=1 tcf=") + tcf + "\n1 mmap " + hex_of(kBase) + " " + hex_of(kMapBytes) +
                    (mte ? " mte\n" : "\n") + pre;
    for (std::uint64_t p = 0; p < kMapBytes / 4096; ++p) s += "1 st " + hex_of(kBase + p * 4096) + " 8\n";
    return s + "1 ld 0x10 8\n" + pass + "1 ld 0x10 8\n";
}

std::string full_line_stores(std::uint64_t lines) {
    std::string s;
    for (std::uint64_t l = 0; l < lines; ++l) s += "1 st " + hex_of(kBase + l * 64) + " 64\n";
    return s;
}

struct StreamRun {
    std::uint64_t streamed = 0; /* write_streamed_lines of core 1 */
    std::uint64_t l1_misses = 0; /* of core 1 */
    std::uint64_t llc_misses = 0; /* of core 1 */
    std::uint64_t to_memory = 0;  /* write_streamed_memory_lines of core 1 */
    std::uint64_t reads = 0;    /* DRAM data reads of the whole run */
    std::uint64_t pass_ps = 0;  /* between the markers */
    std::uint64_t checked = 0;  /* write_streamed_checked_lines of core 1 */
    std::uint64_t tag_fetches = 0; /* of core 1 */
    std::uint64_t tag_sync = 0, tag_async = 0; /* tag check faults reported */
    std::uint64_t sync_address = 0; /* the first sync tag fault's */
};

StreamRun run(const std::string &body, const std::string &model, std::uint32_t threshold, std::uint32_t memory_lines = 0) {
    return in_child<StreamRun>([&] {
        const std::vector<std::string> sets = {"core.on_fault=continue",
                                               "core.model=" + model,
                                               "llc.size=1048576",
                                               "l1d.prefetcher=none",
                                               "l2.prefetcher=none",
                                               "l1d.write_streaming_lines=" + std::to_string(threshold),
                                               "l1d.write_streaming_memory_lines=" + std::to_string(memory_lines)};
        const RunResult r = test::run_text_trace("wstream", body, sets);
        StreamRun out;
        out.streamed = r.cores[1].write_streamed_lines;
        out.l1_misses = r.cores[1].l1_misses;
        out.llc_misses = r.cores[1].llc_misses;
        out.to_memory = r.cores[1].write_streamed_memory_lines;
        out.reads = r.drams[0].stats.data.reads;
        out.checked = r.cores[1].write_streamed_checked_lines;
        out.tag_fetches = r.cores[1].tag_fetches;
        std::vector<std::uint64_t> markers; /* the two marker loads' SEGV_MAPERR */
        for (const FaultRecord &f : r.faults) {
            if (f.kind == FaultKind::maperr) markers.push_back(f.time_ps);
            if (f.kind == FaultKind::tag_sync && !out.tag_sync++) out.sync_address = f.address;
            if (f.kind == FaultKind::tag_async) ++out.tag_async;
        }
        if (markers.size() >= 2) out.pass_ps = markers[1] - markers[0];
        return out;
    });
}
}  // namespace

TEST(WriteStreaming, FullLineStoreMissesStreamFromTheThreshold) {
    const std::string body = trace(full_line_stores(kPassLines));
    for (const char *model : {"ooo", "inorder"}) {
        const StreamRun off = run(body, model, 0);
        EXPECT_EQ(off.streamed, 0u) << model << ": l1d.write_streaming_lines=0 never streams";
        for (std::uint32_t threshold : {1u, 3u}) {
            const StreamRun on = run(body, model, threshold);
            EXPECT_EQ(on.streamed, kPassLines - threshold)
                << model << ", threshold " << threshold << ": every full-line store miss after the first " << threshold
                << " is written without a read";
            // Without streaming each of the pass's lines is a DRAM read; with it only the
            // first `threshold` are (the walks' descriptor reads may differ a little either way).
            EXPECT_LT(on.reads + (kPassLines - threshold) * 9 / 10, off.reads) << model << ", threshold " << threshold;
            EXPECT_LT(on.pass_ps, off.pass_ps) << model << ": a pass that reads nothing is faster";
        }
    }
}

/* A copy loop: each destination line written by four 16-byte stores (STP of two Q registers
 * writes 32; STR Q 16), a load of the source line before them. Written in order, every line
 * counts as written whole; written from its end backwards, none does (not detected). */
TEST(WriteStreaming, LinesWrittenByConsecutiveStoresCountAsWhole) {
    constexpr std::uint64_t kLines = 8192, kSrc = kBase + (4ull << 20);
    std::string forward, backward;
    for (std::uint64_t l = 0; l < kLines; ++l) {
        const std::string load = "1 ld " + hex_of(kSrc + l * 64) + " 64\n";
        forward += load;
        backward += load;
        for (int i = 0; i < 4; ++i) {
            forward += "1 st " + hex_of(kBase + l * 64 + i * 16) + " 16\n";
            backward += "1 st " + hex_of(kBase + l * 64 + (3 - i) * 16) + " 16\n";
        }
    }
    for (const char *model : {"ooo", "inorder"}) {
        EXPECT_EQ(run(trace(forward), model, 3).streamed, kLines - 3) << model;
        EXPECT_EQ(run(trace(backward), model, 3).streamed, 0u) << model;
    }
}

/* 64 groups of five full-line stores and one 8-byte store, each to a line of its own. With the
 * 8-byte store in the middle of its line, it ends the mode at once: each group streams its 4th
 * and 5th lines. At its line's first byte, in the mode, it is itself written without a read
 * (the line is expected to be completed) and the next group's first store, to another line,
 * ends the mode: three lines a group. */
TEST(WriteStreaming, APartialStoreMissEndsTheMode) {
    for (const std::uint64_t offset : {8ull, 0ull}) {
        std::string pass;
        std::uint64_t line = 0;
        for (int g = 0; g < 64; ++g) {
            for (int i = 0; i < 5; ++i, ++line) pass += "1 st " + hex_of(kBase + line * 64) + " 64\n";
            pass += "1 st " + hex_of(kBase + line++ * 64 + offset) + " 8\n";
        }
        const std::uint64_t per_group = offset ? 5 - 3 : 5 - 3 + 1;
        for (const char *model : {"ooo", "inorder"})
            EXPECT_EQ(run(trace(pass), model, 3).streamed, 64u * per_group) << model << ", partial store at byte " << offset;
    }
}

/* A gathered line is broken by a store to another line (here one the L1D holds: a hit) before
 * it is whole, or by a store that skips some of its bytes; stores that then complete the line
 * do not make it whole again. Each group writes five lines whole (64-byte stores), then starts a
 * sixth at its first byte (16 bytes: in the mode, written without a read), breaks it, and writes
 * its other bytes in order. With threshold 3 each group streams its 4th and 5th lines and the
 * start of the 6th; the break ends the mode, so the next group reads its first three lines again:
 * three lines a group. (Were the break missed, the 6th line would count as whole and every later
 * line would stream.) */
TEST(WriteStreaming, AStoreThatBreaksTheGatheredLineEndsTheMode) {
    const std::string hot = "1 st " + hex_of(kBase + (6ull << 20)) + " 8\n"; /* its line stays in the L1D */
    for (const std::string &breaker : std::vector<std::string>{"hit", "skip"}) {
        std::string pass = hot;
        std::uint64_t line = 0;
        for (int g = 0; g < 64; ++g) {
            for (int i = 0; i < 5; ++i, ++line) pass += "1 st " + hex_of(kBase + line * 64) + " 64\n";
            pass += "1 st " + hex_of(kBase + line * 64) + " 16\n";
            pass += breaker == "hit" ? hot : "1 st " + hex_of(kBase + line * 64 + 32) + " 16\n";
            for (int s = 1; s < 4; ++s) pass += "1 st " + hex_of(kBase + line * 64 + s * 16) + " 16\n";
            ++line;
        }
        for (const char *model : {"ooo", "inorder"})
            EXPECT_EQ(run(trace(pass), model, 3).streamed, 64u * (5 - 3 + 1)) << model << ", broken by a " << breaker;
    }
}

/* A load of a streamed line not yet whole ends the mode (Cortex-A715 TRM 8.2; Cortex-A35 TRM
 * A5.6). Each group writes five lines whole, starts a sixth at its first byte (in the mode:
 * written out without a read), loads from it, then writes the rest of it in order: three lines
 * a group stream, as the load ended the mode (were it missed, the sixth line would count as
 * whole and every later line would stream). */
TEST(WriteStreaming, ALoadOfTheLineBeingStreamedEndsTheMode) {
    std::string pass;
    std::uint64_t line = 0;
    for (int g = 0; g < 64; ++g, ++line) {
        for (int i = 0; i < 5; ++i, ++line) pass += "1 st " + hex_of(kBase + line * 64) + " 64\n";
        pass += "1 st " + hex_of(kBase + line * 64) + " 16\n";
        pass += "1 ld " + hex_of(kBase + line * 64 + 48) + " 8\n";
        for (int s = 1; s < 4; ++s) pass += "1 st " + hex_of(kBase + line * 64 + s * 16) + " 16\n";
    }
    for (const char *model : {"ooo", "inorder"}) EXPECT_EQ(run(trace(pass), model, 3).streamed, 64u * (5 - 3 + 1)) << model;
}

/* Streamed lines go out to the L2, not into the L1D: a line loaded before a 256 KiB memset (16
 * lines for each of the L1D's 256 sets, four ways each) is still an L1D hit after it when the
 * memset streams, and has been evicted when it does not. The run without the final load tells
 * how many L1D misses the rest made. */
TEST(WriteStreaming, StreamedLinesLeaveTheL1DAlone) {
    const std::string hot = "1 ld " + hex_of(kBase + (7ull << 20)) + " 8\n";
    const std::string memset = hot + full_line_stores(4096);
    for (const char *model : {"ooo", "inorder"}) {
        for (const std::uint32_t threshold : {3u, 0u}) {
            const std::uint64_t with = run(trace(memset + hot), model, threshold).l1_misses;
            const std::uint64_t without = run(trace(memset), model, threshold).l1_misses;
            EXPECT_EQ(with - without, threshold ? 0u : 1u) << model << ", threshold " << threshold;
        }
    }
}

/* Past l1d.write_streaming_memory_lines lines of a stream (counted from its first line, as the
 * Cortex-A55's "1024th consecutive streaming cache line does not allocate in the L1, L2, or L3
 * cache"), its lines go to memory and allocate in no cache: with 3 and 10, a stream of 4096
 * fresh lines reads 3, streams 4093 and writes lines 11 to 4096 (4086) to memory; a load of its
 * last line then misses the LLC, which it does not when every streamed line stays in the L2. */
TEST(WriteStreaming, PastTheNoAllocateThresholdLinesGoToMemory) {
    const std::string memset = full_line_stores(4096);
    const std::string load_last = "1 ld " + hex_of(kBase + 4095 * 64) + " 8\n";
    for (const char *model : {"ooo", "inorder"}) {
        const StreamRun r = run(trace(memset), model, 3, 10);
        EXPECT_EQ(r.streamed, 4093u) << model;
        EXPECT_EQ(r.to_memory, 4086u) << model;
        EXPECT_EQ(run(trace(memset + load_last), model, 3, 10).llc_misses - r.llc_misses, 1u) << model;
        EXPECT_EQ(run(trace(memset + load_last), model, 3, 0).llc_misses - run(trace(memset), model, 3, 0).llc_misses, 0u)
            << model;
        EXPECT_EQ(run(trace(memset), model, 3, 0).to_memory, 0u) << model;
    }
}

/* An atomic needs the line's old contents: in the mode it is still read, and ends the mode. */
TEST(WriteStreaming, AnAtomicReadsItsLineAndEndsTheMode) {
    std::string pass;
    std::uint64_t line = 0;
    for (int g = 0; g < 64; ++g) {
        for (int i = 0; i < 5; ++i, ++line) pass += "1 st " + hex_of(kBase + line * 64) + " 64\n";
        pass += "1 ldadd " + hex_of(kBase + line++ * 64) + " 8\n";
    }
    for (const char *model : {"ooo", "inorder"}) EXPECT_EQ(run(trace(pass), model, 3).streamed, 64u * (5 - 3)) << model;
}

/* A tag-checked store that streams its line fetches the line's tags without its data (AMBA
 * CHI's read with TagOp Fetch; docs/timing-model.md, "Write streaming"): in every checking mode
 * the pass streams as many lines as unchecked (TCF none), each a tag fetch and no data read.
 * The pass's lines are in no cache (the file's note), so their tags come from memory. A
 * synchronous check is part of its store, an asynchronous one completes after it: the
 * in-order (blocking) core waits for each line's tags in sync mode only, and the out-of-order
 * one keeps each sync store in its window until they are back, so the pass is slower in sync
 * mode than in async or asymm in both. */
TEST(WriteStreaming, ACheckedStoreStreamsWithTagsOnly) {
    const std::string pass = full_line_stores(1024);
    for (const char *model : {"ooo", "inorder"}) {
        const StreamRun none = run(trace(pass, true, "none"), model, 1);
        EXPECT_EQ(none.streamed, 1023u) << model;
        EXPECT_EQ(none.checked, 0u) << model;
        std::uint64_t sync_ps = 0; /* the sync pass's; sync runs first */
        for (const char *tcf : {"sync", "async", "asymm"}) {
            const StreamRun on = run(trace(pass, true, tcf), model, 1);
            EXPECT_EQ(on.streamed, 1023u) << model << " " << tcf;
            EXPECT_EQ(on.checked, 1023u) << model << " " << tcf;
            EXPECT_GE(on.tag_fetches, none.tag_fetches + 1023) << model << " " << tcf << ": each streamed line's tags read from memory";
            // No line of the pass read: the runs' data reads differ by the first line at most
            // (and a few descriptor reads either way), not by the pass's 1023 lines.
            EXPECT_LT(on.reads, none.reads + 64) << model << " " << tcf;
            EXPECT_EQ(on.tag_sync + on.tag_async, 0u) << model << " " << tcf << ": every tag matches";
            if (std::string(tcf) == "sync") sync_ps = on.pass_ps;
            else EXPECT_LT(on.pass_ps, sync_ps) << model << " " << tcf;
        }
    }
}

/* A streamed line is still checked: a granule of line 700 retagged 3 before the mapping's
 * zeroing (which leaves the line in no cache), then the pass's stores with tag 0. Sync: the one
 * store faults precisely, at its address, and the rest streams; async and asymm (stores
 * checked asynchronously): the store proceeds and TFSR is reported at the next kernel entry
 * (the closing marker). */
TEST(WriteStreaming, AStreamedLineIsStillChecked) {
    const std::uint64_t bad = kBase + 700 * 64 + 32;
    const std::string retag = "1 stg " + hex_of((3ull << 56) | bad) + "\n", pass = full_line_stores(1024);
    for (const char *model : {"ooo", "inorder"}) {
        const StreamRun sync = run(trace(pass, true, "sync", retag), model, 1);
        // Line 700's store wrote nothing and ended the mode, so line 701 is read (threshold 1):
        // the other 1021 lines after the first stream.
        EXPECT_EQ(sync.streamed, 1021u) << model;
        EXPECT_EQ(sync.checked, 1021u) << model;
        EXPECT_EQ(sync.tag_sync, 1u) << model;
        EXPECT_EQ(sync.sync_address, kBase + 700 * 64) << model;
        EXPECT_EQ(sync.tag_async, 0u) << model;
        for (const char *tcf : {"async", "asymm"}) {
            const StreamRun async = run(trace(pass, true, tcf, retag), model, 1);
            EXPECT_EQ(async.streamed, 1023u) << model << " " << tcf << ": the store proceeds, the mode goes on";
            EXPECT_EQ(async.checked, 1023u) << model << " " << tcf;
            EXPECT_EQ(async.tag_sync, 0u) << model << " " << tcf;
            EXPECT_EQ(async.tag_async, 1u) << model << " " << tcf;
        }
    }
}
