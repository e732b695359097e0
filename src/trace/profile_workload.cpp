// ProfileWorkload: see the header. Threads are interleaved round robin in bursts of events, so
// the trace is deterministic; each thread's operations are drawn from its own xorshift64*
// stream seeded from the profile seed and its id.
#include "mtesim/trace/profile_workload.h"

#include "mtesim/common/address.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/xorshift64_star.h"
#include "mtesim/heap/heap_model.h"

#include <algorithm>
#include <cmath>

namespace mtesim {

namespace {
constexpr unsigned kBurst = 32;                        /* events of one thread before the next */
constexpr std::uint64_t kUserBase = 0x10000000;        /* anonymous regions start here */
constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kMaxLive = 1024;               /* heap chunks a thread keeps at most */
constexpr std::uint32_t kAnyCore = TraceEvent::kAnyCore;
constexpr std::uint16_t kExcludeZero = 1;              /* tag 0 excluded from IRG, as Android does */
std::uint64_t page_round(std::uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }
}  // namespace

const std::vector<std::string> &ProfileWorkload::profiles() {
    static const std::vector<std::string> p = {"browser", "server", "page-cache", "swap-storm"};
    return p;
}

/*
 * The cast of each profile (processes, threads, their roles and regions), sized from the
 * board's memory; --scale multiplies operations (swap-storm: passes over its memory).
 */
ProfileWorkload::ProfileWorkload(const ProfileParams &params) : m_params(params) {
    const double s = params.scale;
    const std::uint64_t mem = params.memory_bytes;
    auto ops = [&](double n) { return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(n * s))); };
    if (params.profile == "browser") {
        for (std::uint32_t p = 1; p <= 4; ++p)
            for (unsigned t = 0; t < 4; ++t) add_thread(p, Role::browser, ops(20000), 0, 0);
        m_footprint = 0; /* the heap grows as the threads allocate */
    } else if (params.profile == "server") {
        m_footprint = params.footprint_bytes ? params.footprint_bytes : mem / 2;
        const std::uint64_t per = page_round(m_footprint / 8);
        for (std::uint32_t p = 1; p <= 2; ++p)
            for (unsigned t = 0; t < 4; ++t)
                add_thread(p, Role::server, ops(40000), kUserBase + t * (per + kMiB), per);
    } else if (params.profile == "page-cache") {
        m_footprint = params.footprint_bytes ? params.footprint_bytes : mem + mem / 2;
        const std::uint64_t per = page_round(m_footprint / 2);
        add_thread(1, Role::reader, (per + (128 << 10) - 1) / (128 << 10), 0, per);
        add_thread(1, Role::reader, (per + (128 << 10) - 1) / (128 << 10), 0, per);
        m_threads[1].file = 1;
        add_thread(1, Role::slab, ops(20000), 0, 0);
        add_thread(2, Role::app, ops(20000), 0, 0);
    } else if (params.profile == "swap-storm") {
        m_footprint = params.footprint_bytes ? params.footprint_bytes : mem + mem / 4;
        const std::uint64_t per = page_round(m_footprint / 4);
        const std::uint64_t passes = std::max<std::uint64_t>(2, static_cast<std::uint64_t>(std::llround(2 * s)));
        for (std::uint32_t p = 1; p <= 2; ++p)
            for (unsigned t = 0; t < 2; ++t)
                add_thread(p, Role::storm, passes * (per / kPageSize), kUserBase + t * (per + kMiB), per);
    } else {
        std::string list;
        for (const auto &p : profiles()) list += (list.empty() ? "" : ", ") + p;
        throw ConfigError("mtesim trace gen: --profile '" + params.profile + "', expected heap, bugs, " + list);
    }
    if (m_footprint > (1ull << 44))
        throw ConfigError("mtesim trace gen: footprint " + std::to_string(m_footprint) + " bytes, expected at most 16 TiB");
    for (const Thread &t : m_threads) m_ops_total += t.ops_total;
}

void ProfileWorkload::add_thread(std::uint32_t pid, Role role, std::uint64_t ops, std::uint64_t base, std::uint64_t bytes) {
    Thread t;
    t.tid = static_cast<std::uint32_t>(m_threads.size());
    t.pid = pid;
    t.role = role;
    t.ops_total = ops;
    t.base = base;
    t.bytes = bytes;
    t.rng = (m_params.seed + 1) * 0x9e3779b97f4a7c15ull ^ (std::uint64_t(t.tid) + 1) * 0xbf58476d1ce4e5b9ull;
    m_threads.push_back(std::move(t));
}

std::string ProfileWorkload::description() const {
    return "generated " + m_params.profile + " (seed " + std::to_string(m_params.seed) + ")";
}

double ProfileWorkload::progress() const {
    return m_ops_total ? static_cast<double>(m_ops_done) / static_cast<double>(m_ops_total) : 1.0;
}

std::uint64_t ProfileWorkload::rand(Thread &t, std::uint64_t n) { return (xorshift64_star(t.rng) >> 11) % n; }

TraceEvent &ProfileWorkload::push(Thread &t, TraceOp op) {
    t.pending.emplace_back();
    TraceEvent &ev = t.pending.back();
    ev.op = op;
    ev.thread = t.tid;
    return ev;
}

std::uint32_t ProfileWorkload::handle(Thread &t, const char *kind) {
    if (!t.spare.empty()) {
        const std::uint32_t h = t.spare.back();
        t.spare.pop_back();
        return h;
    }
    m_names.push_back("t" + std::to_string(t.tid) + kind + std::to_string(t.names_made++));
    return static_cast<std::uint32_t>(m_names.size() - 1);
}

/* Chunk sizes of a browser heap: mostly small objects, some buffers, a few large ones. */
std::uint64_t ProfileWorkload::chunk_size(Thread &t) {
    const std::uint64_t r = rand(t, 100);
    if (r < 60) return 16 + rand(t, 113);
    if (r < 85) return 129 + rand(t, 896);
    if (r < 97) return 1025 + rand(t, 15360);
    return 16385 + rand(t, 245760);
}

/*
 * One heap operation: allocate (malloc, sometimes calloc or a realloc of a live chunk), free a
 * random live chunk, or use one (1 to 4 loads and stores inside it, after some compute).
 */
void ProfileWorkload::heap_op(Thread &t, unsigned malloc_pct, unsigned free_pct) {
    const std::uint64_t r = rand(t, 100);
    if ((r < malloc_pct && t.live.size() < kMaxLive) || t.live.empty()) {
        const std::uint64_t size = chunk_size(t);
        const std::uint32_t h = handle(t, "h");
        const std::uint64_t kind = rand(t, 10);
        if (kind == 0 && !t.live.empty()) { /* realloc: grows a live chunk into h */
            const std::size_t i = rand(t, t.live.size());
            TraceEvent &ev = push(t, TraceOp::realloc);
            ev.dest = h;
            ev.src.name = t.live[i];
            ev.arg = size;
            t.spare.push_back(t.live[i]);
            t.live[i] = h;
            t.sizes[i] = size;
            return;
        }
        TraceEvent &ev = push(t, kind == 1 ? TraceOp::calloc : TraceOp::malloc);
        ev.dest = h;
        ev.arg = kind == 1 ? 8 : size; /* calloc: COUNT elements of 8 bytes */
        if (kind == 1) ev.aux = static_cast<std::uint32_t>((size + 7) / 8);
        t.live.push_back(h);
        t.sizes.push_back(kind == 1 ? (size + 7) / 8 * 8 : size);
        return;
    }
    const std::size_t i = rand(t, t.live.size());
    if (r < malloc_pct + free_pct) {
        TraceEvent &ev = push(t, TraceOp::free);
        ev.src.name = t.live[i];
        t.spare.push_back(t.live[i]);
        t.live[i] = t.live.back();
        t.sizes[i] = t.sizes.back();
        t.live.pop_back();
        t.sizes.pop_back();
        return;
    }
    // The chunk is reached the way a program reaches a heap object it did not just allocate:
    // through the pointers of the structure that holds it (tree_lookup), so its accesses depend
    // on the last load of that walk.
    tree_lookup(t, i);
    const bool reached_by_load = i != 0; /* the root's pointer is at hand */
    std::uint32_t loads_since = 0;        /* loads after the one that gave the chunk's pointer */
    const unsigned n = 1 + static_cast<unsigned>(rand(t, 4));
    for (unsigned k = 0; k < n; ++k) {
        const std::uint64_t size = t.sizes[i];
        const std::uint64_t len = std::min<std::uint64_t>(8, size);
        const bool load = rand(t, 3) != 0;
        TraceEvent &ev = push(t, load ? TraceOp::load : TraceOp::store);
        ev.src.name = t.live[i];
        ev.src.offset = static_cast<std::int64_t>(rand(t, size - len + 1) & ~std::uint64_t(len - 1 ? 7 : 0));
        ev.arg = len;
        ev.aux = static_cast<std::uint32_t>(5 + rand(t, 40)); /* instructions before it */
        if (reached_by_load) ev.dep = loads_since + 1; /* the chunk's pointer came from that load */
        if (load) ++loads_since;
    }
}

/*
 * A lookup of live chunk @i in a balanced binary tree of the thread's live chunks, as a
 * program finds an object in a std::map, an rb-tree or a DOM tree: the root's pointer is at
 * hand (a global or a register), and each level loads the child pointer out of the node above,
 * so the loads form a chain of floor(log2(i + 1)) dependent loads (each dep=1: the address is
 * the value the previous load returned). The tree is the implicit one over t.live (node j's
 * children are 2j + 1 and 2j + 2; left child pointer at offset 0, right at 8, inside chunks of
 * 16 bytes or more): frees move the last chunk into the hole, as a rebalancing moves nodes.
 * (One load per level: the key compared at each node is in the same line and left out.)
 *
 * Each level's compare and branch (the load's gap) chooses the left or the right child. That
 * direction branch is one static branch, so its prediction is modelled as the simplest dynamic
 * predictor, a 2-bit saturating counter per thread (Smith, "A study of branch prediction
 * strategies", ISCA 1981; cachegrind's --branch-sim table entries are such counters): a level
 * whose direction differs from the counter's prediction carries mispredict=1. The direction is
 * whatever the path to live[i] is, and i is drawn at random, so the directions are close to
 * coin flips and the counter mispredicts about one level in two; nothing sets that rate. The
 * branch compares the key of the node whose pointer the previous load returned, so it resolves
 * with that load (the record's dep=1; docs/timing-model.md); the root's is at hand. Left out
 * with the key's load: the loop's exit test, taken once per lookup at the chunk.
 */
void ProfileWorkload::tree_lookup(Thread &t, std::size_t i) {
    std::size_t path[64];
    unsigned depth = 0;
    for (std::size_t j = i; j != 0; j = (j - 1) / 2) path[depth++] = j; /* i and its ancestors, root excluded */
    for (unsigned d = depth; d-- > 0;) {
        const std::size_t child = path[d], parent = (child - 1) / 2;
        TraceEvent &ev = push(t, TraceOp::load);
        ev.src.name = t.live[parent];
        ev.src.offset = child == 2 * parent + 1 ? 0 : 8;
        ev.arg = 8;
        ev.aux = 2;                      /* the level's compare and branch (cmp, b.cond) */
        if (parent != 0) ev.dep = 1;     /* the parent's address came from the previous load */
        const bool right = child == 2 * parent + 2;
        if (right != (t.direction_counter >= 2)) ev.mispredicts = 1;
        if (right) t.direction_counter = static_cast<std::uint8_t>(std::min(3, t.direction_counter + 1));
        else t.direction_counter = static_cast<std::uint8_t>(std::max(0, t.direction_counter - 1));
    }
}

void ProfileWorkload::refill(Thread &t) {
    if (!t.created) {
        t.created = true;
        TraceEvent &c = push(t, TraceOp::thread_create);
        c.arg = kAnyCore;
        c.src.raw = t.pid;
        const bool tagged = t.role != Role::server && t.role != Role::reader && t.role != Role::slab;
        c.aux = static_cast<std::uint32_t>(tagged ? m_params.tcf : TcfMode::none) | (std::uint32_t(kExcludeZero) << 8) | kThreadMaskGiven;
        if (t.role == Role::server || t.role == Role::storm) {
            TraceEvent &m = push(t, TraceOp::mmap);
            m.src.raw = t.base;
            m.arg = t.bytes;
            m.aux = t.role == Role::storm ? 1 : 0;
        }
        return;
    }
    if (t.ops == t.ops_total) {
        push(t, TraceOp::exit);
        t.done = true;
        return;
    }
    ++t.ops;
    ++m_ops_done;
    switch (t.role) {
    case Role::browser:
        heap_op(t, 35, 30);
        if (rand(t, 200) == 0) push(t, TraceOp::yield);
        break;
    case Role::app:
        // It starts once the readers have filled memory (and the pool) with page cache, so its
        // growing tagged heap needs tag blocks that hold data.
        if (t.ops == 1) push(t, TraceOp::compute).arg = 3000000000ull;
        heap_op(t, 60, 25);
        break;
    case Role::server: {
        // Hot and cold: 80% of accesses to the first fifth of the region.
        const std::uint64_t pages = t.bytes / kPageSize;
        const std::uint64_t page = rand(t, 10) < 8 ? rand(t, std::max<std::uint64_t>(1, pages / 5)) : rand(t, pages);
        TraceEvent &ev = push(t, rand(t, 4) ? TraceOp::load : TraceOp::store);
        ev.src.raw = t.base + page * kPageSize + rand(t, 64) * 64;
        ev.arg = 64;
        ev.aux = static_cast<std::uint32_t>(10 + rand(t, 50));
        if (rand(t, 50) == 0) heap_op(t, 50, 50); /* a little tagging */
        break;
    }
    case Role::reader: {
        TraceEvent &ev = push(t, TraceOp::read_file);
        ev.dest = t.file;
        ev.src.raw = t.cursor;
        ev.arg = 128 << 10;
        t.cursor += 128 << 10;
        push(t, TraceOp::compute).arg = 20000; /* consuming what it read */
        break;
    }
    case Role::slab: {
        // Slab-like growth: unmovable and reclaimable blocks of orders 0-3, 40% freed later.
        if (t.live.empty() || rand(t, 10) < 6) {
            const std::uint32_t h = handle(t, "k");
            TraceEvent &ev = push(t, TraceOp::kalloc);
            ev.dest = h;
            ev.arg = rand(t, 4);
            ev.aux = static_cast<std::uint32_t>(rand(t, 3) ? AllocKind::unmovable : AllocKind::reclaimable);
            t.live.push_back(h);
            t.sizes.push_back(0);
        } else {
            const std::size_t i = rand(t, t.live.size());
            TraceEvent &ev = push(t, TraceOp::kfree);
            ev.src.name = t.live[i];
            t.spare.push_back(t.live[i]);
            t.live[i] = t.live.back();
            t.live.pop_back();
            t.sizes.pop_back();
        }
        push(t, TraceOp::compute).arg = 2000;
        break;
    }
    case Role::storm: {
        // Pass 1 tags each page with a tag derived from its index (1..15) and writes it; later
        // passes read every page through a pointer carrying that tag.
        const std::uint64_t pages = t.bytes / kPageSize;
        const std::uint64_t page = t.cursor % pages;
        const std::uint64_t tag = 1 + (page % 15);
        const std::uint64_t va = (tag << 56) | (t.base + page * kPageSize);
        if (t.cursor < pages) {
            push(t, TraceOp::stg).src.raw = va;
            TraceEvent &st = push(t, TraceOp::store);
            st.src.raw = va;
            st.arg = 8;
        } else {
            TraceEvent &ld = push(t, TraceOp::load);
            ld.src.raw = va;
            ld.arg = 8;
            ld.aux = 20;
        }
        ++t.cursor;
        break;
    }
    }
}

bool ProfileWorkload::next(TraceEvent &out) {
    for (std::size_t tried = 0; tried <= m_threads.size();) {
        Thread &t = m_threads[m_cur];
        if (t.pending.empty() && !t.done) refill(t);
        if (!t.pending.empty() && m_burst < kBurst) {
            out = t.pending.front();
            t.pending.pop_front();
            ++m_burst;
            return true;
        }
        m_burst = 0;
        m_cur = (m_cur + 1) % m_threads.size();
        if (t.done && t.pending.empty()) ++tried;
        else tried = 0;
    }
    return false;
}

}  // namespace mtesim
