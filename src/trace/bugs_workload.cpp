// BugsWorkload: see the header.
#include "mtesim/trace/bugs_workload.h"

#include "mtesim/common/format.h"
#include "mtesim/common/xorshift64_star.h"
#include "mtesim/heap/heap_model.h"

namespace mtesim {

namespace {
constexpr std::uint32_t kChunks = 8;         /* chunks per thread's heap */
constexpr std::uint32_t kChunkBytes = 64;    /* one 64-byte size class: 80-byte slots */
constexpr std::uint32_t kValidPerChunk = 3;  /* valid accesses per chunk before the bug */
constexpr std::uint16_t kThreadExclude = 0x0001; /* tag 0 excluded, as Android does */
}  // namespace

BugsWorkload::BugsWorkload(const BugsParams &params)
    : m_params(params), m_rng(params.seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull) {
    const Bug kinds[] = {Bug::use_after_free, Bug::overflow, Bug::underflow, Bug::double_free};
    std::uint32_t tid = 0;
    for (std::uint32_t r = 0; r < params.rounds; ++r)
        for (Bug b : kinds) build_thread(tid++, b);
}

const char *BugsWorkload::bug_name(Bug bug) {
    switch (bug) {
    case Bug::use_after_free: return "use-after-free";
    case Bug::overflow: return "overflow";
    case Bug::underflow: return "underflow";
    case Bug::double_free: return "double-free";
    }
    return "?";
}

std::uint64_t BugsWorkload::rand() {
    return xorshift64_star(m_rng);
}

std::uint32_t BugsWorkload::name(const std::string &text) {
    m_names.push_back(text);
    return static_cast<std::uint32_t>(m_names.size() - 1);
}

TraceEvent &BugsWorkload::push(std::uint32_t tid, TraceOp op) {
    m_events.emplace_back();
    TraceEvent &ev = m_events.back();
    ev.op = op;
    ev.thread = tid;
    ev.position = m_events.size();
    return ev;
}

/*
 * One thread, in a process of its own (so its heap's layout depends on nothing else): malloc
 * kChunks chunks of kChunkBytes, touch each kValidPerChunk times at random 8-byte offsets, then
 * commit the bug on a random inner chunk k (1..kChunks-2, so both neighbours exist). The
 * chunk's address follows from the heap model's layout (class region, 16-byte header, slot k).
 */
void BugsWorkload::build_thread(std::uint32_t tid, Bug bug) {
    TraceEvent &create = push(tid, TraceOp::thread_create);
    create.arg = TraceEvent::kAnyCore;
    create.aux = static_cast<std::uint32_t>(m_params.tcf) | (std::uint32_t(kThreadExclude) << 8) | kThreadMaskGiven;
    create.src.raw = tid + 1; /* its own process */

    std::vector<std::uint32_t> chunk(kChunks);
    const std::string prefix = "t" + std::to_string(tid) + "_";
    for (std::uint32_t i = 0; i < kChunks; ++i) {
        chunk[i] = name(prefix + "c" + std::to_string(i));
        TraceEvent &m = push(tid, TraceOp::malloc);
        m.dest = chunk[i];
        m.arg = kChunkBytes;
    }
    for (std::uint32_t i = 0; i < kChunks; ++i)
        for (std::uint32_t a = 0; a < kValidPerChunk; ++a) {
            const std::uint64_t r = rand();
            TraceEvent &ev = push(tid, (r & 1) ? TraceOp::store : TraceOp::load);
            ev.src.name = chunk[i];
            ev.src.offset = static_cast<std::int64_t>(((r >> 8) % (kChunkBytes / 8)) * 8);
            ev.arg = 8;
        }

    const std::uint32_t k = 1 + static_cast<std::uint32_t>(rand() % (kChunks - 2));
    const unsigned cls = HeapModel::class_of(kChunkBytes);
    const std::uint64_t chunk_addr =
        HeapModel::kBase + cls * HeapModel::kRegionBytes + k * HeapModel::class_bytes(cls) + HeapModel::kHeader;
    ExpectedFault f;
    f.thread = tid;
    f.bug = bug;
    auto keep_copy = [&]() {
        const std::uint32_t old = name(prefix + "old");
        TraceEvent &keep = push(tid, TraceOp::addg);
        keep.dest = old;
        keep.src.name = chunk[k];
        TraceEvent &fr = push(tid, TraceOp::free);
        fr.src.name = chunk[k];
        return old;
    };
    switch (bug) {
    case Bug::use_after_free: {
        const std::uint32_t old = keep_copy();
        const std::int64_t off = static_cast<std::int64_t>((rand() % (kChunkBytes / 8)) * 8);
        TraceEvent &use = push(tid, TraceOp::load);
        use.src.name = old;
        use.src.offset = off;
        use.arg = 8;
        f.address = chunk_addr + static_cast<std::uint64_t>(off);
        f.event = use.position;
        break;
    }
    case Bug::overflow: {
        TraceEvent &st = push(tid, TraceOp::store);
        st.src.name = chunk[k];
        st.src.offset = kChunkBytes;
        st.arg = 8;
        f.write = true;
        f.address = chunk_addr + kChunkBytes;
        f.event = st.position;
        break;
    }
    case Bug::underflow: {
        TraceEvent &ld = push(tid, TraceOp::load);
        ld.src.name = chunk[k];
        ld.src.offset = -16;
        ld.arg = 8;
        f.address = chunk_addr - 16;
        f.event = ld.position;
        break;
    }
    case Bug::double_free: {
        const std::uint32_t old = keep_copy();
        TraceEvent &again = push(tid, TraceOp::free);
        again.src.name = old;
        f.address = chunk_addr;
        f.event = again.position;
        break;
    }
    }
    m_expected.push_back(f);
    push(tid, TraceOp::exit);
}

bool BugsWorkload::next(TraceEvent &out) {
    if (m_next == m_events.size()) return false;
    out = m_events[m_next++];
    return true;
}

void BugsWorkload::write_expected(std::ostream &out) const {
    out << "thread,bug,kind,access,address,event\n";
    for (const auto &f : m_expected) {
        const bool df = f.bug == Bug::double_free;
        out << f.thread << "," << bug_name(f.bug) << "," << (df ? "HEAP_DOUBLE_FREE" : "SEGV_MTESERR") << ","
            << (df ? "free" : f.write ? "write" : "read") << "," << hex(f.address) << "," << f.event << "\n";
    }
}

}  // namespace mtesim
