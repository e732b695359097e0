// BugsWorkload: see the header.
#include "mtesim/trace/bugs_workload.h"

#include "mtesim/common/format.h"
#include "mtesim/common/xorshift64_star.h"

namespace mtesim {

namespace {
constexpr std::uint32_t kChunks = 8;         /* chunks per thread's heap */
constexpr std::uint32_t kChunkBytes = 64;    /* 4 granules, tagged by two ST2G */
constexpr std::uint32_t kValidPerChunk = 3;  /* valid accesses per chunk before the bug */
constexpr std::uint16_t kThreadExclude = 0x0001; /* tag 0 excluded, as Android does */
/* Scudo's neighbour rule: even chunks draw from even tags, odd chunks from odd tags. */
constexpr std::uint16_t parity_exclude(std::uint32_t chunk) { return chunk % 2 ? 0x5555 : 0xaaaa; }
}  // namespace

BugsWorkload::BugsWorkload(const BugsParams &params)
    : m_params(params), m_rng(params.seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull) {
    const Bug kinds[] = {Bug::use_after_free, Bug::overflow, Bug::underflow};
    std::uint32_t tid = 0;
    for (std::uint32_t r = 0; r < params.rounds; ++r)
        for (Bug b : kinds) build_thread(tid++, b);
}

const char *BugsWorkload::bug_name(Bug bug) {
    switch (bug) {
    case Bug::use_after_free: return "use-after-free";
    case Bug::overflow: return "overflow";
    case Bug::underflow: return "underflow";
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
 * One thread: map its region PROT_MTE, "malloc" kChunks chunks (IRG with the parity exclude
 * mask, two ST2G each), touch each chunk kValidPerChunk times at random 8-byte offsets, then
 * commit the bug on a random inner chunk k (1..kChunks-2, so both neighbours exist):
 *   use-after-free: keep the pointer (ADDG +0), "free" by retagging (IRG with GMI, excluding the
 *                   old tag, same parity), then load through the kept pointer;
 *   overflow:       store 8 bytes at chunk + 64, the first granule of chunk k+1 (other parity);
 *   underflow:      load 8 bytes at chunk - 16, the last granule of chunk k-1 (other parity).
 * The tags are drawn at run time, so the expected fault names the untagged address.
 */
void BugsWorkload::build_thread(std::uint32_t tid, Bug bug) {
    const std::uint64_t region = m_params.base + std::uint64_t(tid) * m_params.region_bytes;
    TraceEvent &create = push(tid, TraceOp::thread_create);
    create.arg = TraceEvent::kAnyCore;
    create.src.raw = 1; /* every thread in process 1 */
    create.aux = static_cast<std::uint32_t>(m_params.tcf) | (std::uint32_t(kThreadExclude) << 8);
    TraceEvent &map = push(tid, TraceOp::mmap);
    map.src.raw = region;
    map.arg = m_params.region_bytes;
    map.aux = 1;

    std::vector<std::uint32_t> chunk(kChunks);
    const std::string prefix = "t" + std::to_string(tid) + "_";
    for (std::uint32_t i = 0; i < kChunks; ++i) {
        chunk[i] = name(prefix + "c" + std::to_string(i));
        TraceEvent &irg = push(tid, TraceOp::irg);
        irg.dest = chunk[i];
        irg.src.raw = region + std::uint64_t(i) * kChunkBytes;
        irg.arg = parity_exclude(i);
        for (std::uint32_t g = 0; g < kChunkBytes; g += 32) {
            TraceEvent &st2g = push(tid, TraceOp::st2g);
            st2g.src.name = chunk[i];
            st2g.src.offset = g;
        }
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
    const std::uint64_t chunk_addr = region + std::uint64_t(k) * kChunkBytes;
    ExpectedFault f;
    f.thread = tid;
    f.bug = bug;
    switch (bug) {
    case Bug::use_after_free: {
        const std::uint32_t old = name(prefix + "old");
        TraceEvent &keep = push(tid, TraceOp::addg);
        keep.dest = old;
        keep.src.name = chunk[k];
        TraceEvent &retag = push(tid, TraceOp::irg);
        retag.dest = chunk[k];
        retag.src.name = chunk[k];
        retag.arg = parity_exclude(k);
        retag.aux = 1; /* GMI: exclude the old tag */
        for (std::uint32_t g = 0; g < kChunkBytes; g += 32) {
            TraceEvent &st2g = push(tid, TraceOp::st2g);
            st2g.src.name = chunk[k];
            st2g.src.offset = g;
        }
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
    out << "thread,bug,access,address,event\n";
    for (const auto &f : m_expected)
        out << f.thread << "," << bug_name(f.bug) << "," << (f.write ? "write" : "read") << "," << hex(f.address) << ","
            << f.event << "\n";
}

}  // namespace mtesim
