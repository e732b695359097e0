// SyntheticSource: one small state machine per thread; see the header for the life of a chunk.
#include "mtesim/trace/synthetic_source.h"
#include "mtesim/common/xorshift64_star.h"

#include <algorithm>

namespace mtesim {

SyntheticSource::SyntheticSource(const SyntheticParams &params) : m_params(params), m_threads(params.threads) {
    for (std::uint32_t t = 0; t < params.threads; ++t) m_threads[t].rng = (params.seed * 0x9e3779b97f4a7c15ull) ^ (t + 1) * 0xbf58476d1ce4e5b9ull;
}

std::string SyntheticSource::name_of(std::uint32_t id) const {
    const std::uint32_t t = id / (m_params.slots + 1), s = id % (m_params.slots + 1);
    return s == m_params.slots ? "t" + std::to_string(t) + "_stale" : "t" + std::to_string(t) + "_c" + std::to_string(s);
}

std::uint64_t SyntheticSource::total_accesses() const {
    return std::uint64_t(m_params.threads) * m_params.accesses_per_thread + (m_params.use_after_free ? 1 : 0);
}

double SyntheticSource::progress() const {
    std::uint64_t done = 0;
    for (const auto &t : m_threads) done += t.accesses;
    return static_cast<double>(done) / static_cast<double>(std::max<std::uint64_t>(1, total_accesses()));
}

std::uint64_t SyntheticSource::rand(ThreadGen &g) {
    return xorshift64_star(g.rng);
}

/* One event of thread @tid. */
inline bool SyntheticSource::step(std::uint32_t tid, ThreadGen &g, TraceEvent &out) {
    const std::uint32_t granule_pairs = m_params.chunk_bytes / 32;
    switch (g.phase) {
    case Phase::create:
        out.op = TraceOp::thread_create;
        out.arg = tid;
        out.src.raw = 1; /* every thread in process 1 */
        out.aux = static_cast<std::uint32_t>(m_params.tcf) | (std::uint32_t(m_params.exclude) << 8) | kThreadMaskGiven;
        g.phase = Phase::mmap;
        return true;
    case Phase::mmap:
        out.op = TraceOp::mmap;
        out.src.raw = m_params.base + tid * m_params.region_stride;
        out.arg = std::uint64_t(m_params.slots) * m_params.chunk_bytes;
        out.aux = 1;
        g.phase = Phase::alloc_irg;
        return true;
    case Phase::alloc_irg:
        // malloc: pick a slot, give the chunk a random tag.
        g.slot = static_cast<std::uint32_t>(((rand(g) >> 32) * m_params.slots) >> 32);
        out.op = TraceOp::irg;
        out.dest = chunk_name(tid, g.slot);
        out.src.raw = chunk_addr(tid, g.slot);
        g.phase = Phase::alloc_stg;
        g.step = 0;
        return true;
    case Phase::alloc_stg:
        out.op = TraceOp::st2g;
        out.src.name = chunk_name(tid, g.slot);
        out.src.offset = std::int64_t(g.step) * 32;
        if (++g.step == granule_pairs) {
            g.phase = Phase::use;
            g.step = 0;
        }
        return true;
    case Phase::use: {
        // One access, with the compute before it folded in (gap), as trace formats of CPU
        // simulators carry the instruction count between memory records.
        const std::uint64_t r = rand(g);
        out.op = (r & 3) == 0 ? TraceOp::store : TraceOp::load;
        out.src.name = chunk_name(tid, g.slot);
        out.src.offset = static_cast<std::int64_t>((((r >> 32) * (m_params.chunk_bytes / 8)) >> 32) * 8);
        out.arg = 8;
        out.aux = g.step ? m_params.compute_cycles : 0;
        ++g.accesses;
        ++g.step;
        if (g.accesses >= m_params.accesses_per_thread || g.step >= m_params.accesses_per_chunk) g.phase = Phase::free_irg;
        return true;
    }
    case Phase::free_irg:
        // free: keep the old pointer, retag the chunk excluding its current tag.
        out.op = TraceOp::addg;
        out.dest = stale_name(tid);
        out.src.name = chunk_name(tid, g.slot);
        g.phase = Phase::free_stg;
        g.step = 0;
        return true;
    case Phase::free_stg:
        if (g.step == 0) {
            out.op = TraceOp::irg;
            out.dest = chunk_name(tid, g.slot);
            out.src.name = stale_name(tid);
            out.aux = 1; /* GMI: exclude the chunk's current tag too, as Scudo does */
            g.step = 1;
            return true;
        }
        out.op = TraceOp::st2g;
        out.src.name = chunk_name(tid, g.slot);
        out.src.offset = std::int64_t(g.step - 1) * 32;
        if (g.step++ == granule_pairs) {
            const bool last = g.accesses >= m_params.accesses_per_thread;
            if (last) g.phase = (m_params.use_after_free && tid == 0 && !g.uaf_done) ? Phase::uaf : Phase::exit;
            else g.phase = Phase::alloc_irg;
        }
        return true;
    case Phase::uaf:
        // Use after free through the stale pointer (its tag was the chunk's before the retag).
        out.op = TraceOp::load;
        out.src.name = stale_name(tid);
        out.arg = 8;
        g.uaf_done = true;
        g.phase = Phase::exit;
        return true;
    case Phase::exit:
        out.op = TraceOp::exit;
        g.phase = Phase::done;
        return true;
    case Phase::done: return false;
    }
    return false;
}

bool SyntheticSource::next(TraceEvent &out) {
    for (std::uint32_t tried = 0; tried < m_params.threads; ++tried) {
        const std::uint32_t tid = m_next;
        if (++m_next == m_params.threads) m_next = 0;
        if (m_threads[tid].phase == Phase::done) continue;
        out = TraceEvent{};
        out.thread = tid;
        out.position = ++m_position;
        if (step(tid, m_threads[tid], out)) return true;
    }
    return false;
}


/*
 * Thread @tid's next event, made on demand. Its position is the one next() gives it: every
 * thread makes the same number of events up to its exit (the phases' lengths do not depend on
 * the draws), and thread 0's use after free comes after its last free, so in next()'s round
 * robin the k-th event of thread t (from 0) is at k * threads + t + 1, thread 0's last exit
 * included (tested against next() by SyntheticSource.PerThreadStreamsAreTheRoundRobinStreamSplit).
 */
bool SyntheticSource::next_of(std::uint32_t tid, TraceEvent &out) {
    if (tid >= m_params.threads) return false;
    ThreadGen &g = m_threads[tid];
    if (g.phase == Phase::done) return false;
    out = TraceEvent{};
    out.thread = tid;
    out.position = g.events * m_params.threads + tid + 1;
    ++g.events;
    return step(tid, g, out);
}

/*
 * next_of() @max times, with step() inlined into one loop (the run's per-event path). A run of
 * the use phase (most events) is made by a loop of its own that keeps the generator's state and
 * the parameters it needs in locals: the events' stores may alias m_params and m_threads, which
 * would otherwise be read again at every event. It makes what step() would, event for event.
 */
std::size_t SyntheticSource::next_batch_of(std::uint32_t tid, TraceEvent *out, std::size_t max) {
    if (tid >= m_params.threads) return 0;
    ThreadGen &g = m_threads[tid];
    std::size_t n = 0;
    while (n < max && g.phase != Phase::done) {
        if (g.phase == Phase::use) {
            const std::uint64_t threads = m_params.threads, words = m_params.chunk_bytes / 8;
            const std::uint64_t last_access = m_params.accesses_per_thread;
            const std::uint32_t per_chunk = m_params.accesses_per_chunk, gap = m_params.compute_cycles;
            const std::uint32_t name = chunk_name(tid, g.slot);
            std::uint64_t rng = g.rng;
            // The phase ends after the event that reaches either limit (at least one event);
            // the run is that many events, or what the batch has room for.
            const std::uint64_t to_chunk = per_chunk > g.step ? per_chunk - g.step : 1;
            const std::uint64_t to_last = last_access > g.accesses ? last_access - g.accesses : 1;
            const std::uint64_t until_done = std::min(to_chunk, to_last);
            const std::uint64_t run = std::min<std::uint64_t>(until_done, max - n);
            std::uint64_t position = g.events * threads + tid + 1;
            std::uint32_t aux = g.step ? gap : 0; /* the chunk's first access has no gap */
            for (std::uint64_t i = 0; i < run; ++i) {
                TraceEvent &e = out[n + i];
                e = TraceEvent{};
                e.thread = tid;
                e.position = position;
                position += threads;
                const std::uint64_t r = xorshift64_star(rng);
                e.op = (r & 3) == 0 ? TraceOp::store : TraceOp::load;
                e.src.name = name;
                e.src.offset = static_cast<std::int64_t>((((r >> 32) * words) >> 32) * 8);
                e.arg = 8;
                e.aux = aux;
                aux = gap;
            }
            n += run;
            g.rng = rng;
            g.accesses += run;
            g.events += run;
            g.step += static_cast<std::uint32_t>(run);
            if (run == until_done) g.phase = Phase::free_irg;
            continue;
        }
        TraceEvent &e = out[n];
        e = TraceEvent{};
        e.thread = tid;
        e.position = g.events * m_params.threads + tid + 1;
        ++g.events;
        if (!step(tid, g, e)) break;
        ++n;
    }
    return n;
}

}  // namespace mtesim
