// BinaryTraceReader: 1 MiB blocks (decompressed when needed), a memcpy per record, then the
// same semantic checks as the text reader.
#include "mtesim/trace/binary_trace_reader.h"

#include "mtesim/common/oom_score_adj.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/mte/fault_record.h"
#include "mtesim/trace/binary_trace_format.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>

namespace mtesim {

using namespace bintrace;

namespace {
constexpr std::size_t kBlock = 1 << 20;
constexpr std::uint32_t kMaxNames = 1u << 24;

/// Writes into @out the event a record holds (its operation already known to be valid), with
/// the pending value record's value if any; every field is set (the position is the caller's,
/// the index 0), so no zeroed temporary is copied over @out. A dependence is kept on a ld/st only
/// (@access: the record is one; the reader's fast path knows it already).
void decode_record(const Record &r, bool access, bool has_value, std::uint64_t value, TraceEvent &out) {
    out.op = static_cast<TraceOp>(r.op);
    out.has_value = has_value;
    out.mispredicts = r.mispredicts;
    out.thread = r.thread;
    out.dest = r.dest;
    out.src.name = r.has_name ? r.name : Operand::kRaw;
    out.src.offset = r.has_name ? static_cast<std::int64_t>(r.raw_or_offset) : 0;
    out.src.raw = r.has_name ? 0 : r.raw_or_offset;
    out.arg = r.arg;
    out.aux = r.aux;
    out.dep = access ? r.reserved2 : 0;
    out.index = 0;
    out.value = value;
}
}  // namespace

double BinaryTraceReader::progress() const {
    const long at = std::ftell(m_file);
    return m_size && at > 0 ? static_cast<double>(at) / static_cast<double>(m_size) : 0.0;
}

bool BinaryTraceReader::is_binary(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    char magic[8] = {};
    const bool ok = std::fread(magic, 1, 8, f) == 8 && std::memcmp(magic, kMagic, 8) == 0;
    std::fclose(f);
    return ok;
}

BinaryTraceReader::BinaryTraceReader(const std::string &path) : m_path(path), m_buf(2 * kBlock) {
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file) throw TraceError(path + ": cannot open, expected a binary workload trace");
    if (std::fseek(m_file, 0, SEEK_END) == 0) m_size = static_cast<std::uint64_t>(std::max(0L, std::ftell(m_file)));
    std::fseek(m_file, 0, SEEK_SET);
    Header h{};
    if (std::fread(&h, sizeof h, 1, m_file) != 1 || std::memcmp(h.magic, kMagic, 8) != 0)
        throw TraceError(path + ": not a binary mtesim trace (bad magic), expected a file made by mtesim trace convert");
    if (h.version != kVersion)
        throw TraceError(path + ": binary trace version " + std::to_string(h.version) + ", expected " + std::to_string(kVersion));
    if (h.flags & ~kFlagZstd) throw TraceError(path + ": unknown flags " + std::to_string(h.flags) + " in the header");
    if (h.flags & kFlagZstd) {
        m_zstd = ZSTD_createDCtx();
        m_in.resize(ZSTD_DStreamInSize());
    }
}

BinaryTraceReader::~BinaryTraceReader() {
    if (m_zstd) ZSTD_freeDCtx(static_cast<ZSTD_DCtx *>(m_zstd));
    if (m_file) std::fclose(m_file);
}

void BinaryTraceReader::fail(const std::string &what) const {
    throw TraceError(m_path + ": byte " + std::to_string(m_offset) + " (event " + std::to_string(m_events) + "): " + what);
}

bool BinaryTraceReader::fill(std::size_t n) {
    while (m_len - m_pos < n) {
        std::memmove(m_buf.data(), m_buf.data() + m_pos, m_len - m_pos);
        m_len -= m_pos;
        m_pos = 0;
        if (!m_zstd) {
            const std::size_t got = std::fread(m_buf.data() + m_len, 1, m_buf.size() - m_len, m_file);
            if (got == 0) return false;
            m_len += got;
            continue;
        }
        if (m_in_pos == m_in_len) {
            if (m_in_eof) return false;
            m_in_len = std::fread(m_in.data(), 1, m_in.size(), m_file);
            m_in_pos = 0;
            if (m_in_len == 0) {
                m_in_eof = true;
                return false;
            }
        }
        ZSTD_inBuffer in{m_in.data(), m_in_len, m_in_pos};
        ZSTD_outBuffer out{m_buf.data() + m_len, m_buf.size() - m_len, 0};
        const std::size_t r = ZSTD_decompressStream(static_cast<ZSTD_DCtx *>(m_zstd), &out, &in);
        if (ZSTD_isError(r)) fail(std::string("corrupt zstd stream (") + ZSTD_getErrorName(r) + ")");
        m_in_pos = in.pos;
        m_len += out.pos;
    }
    return true;
}

/* The semantic checks of the text format, on a decoded event. */
void BinaryTraceReader::check(const TraceEvent &ev) {
    auto defined = [&](std::uint32_t id) { return id == Operand::kRaw || id < m_names.size(); };
    // dest names a pointer for the ops that write one; mmap and read carry a file id there.
    const bool dest_is_name = ev.op != TraceOp::mmap && ev.op != TraceOp::read_file && ev.op != TraceOp::fork &&
                              ev.op != TraceOp::read_user && ev.op != TraceOp::write_user;
    if ((dest_is_name && !defined(ev.dest)) || !defined(ev.src.name)) fail("uses a pointer name never defined");
    if (ev.op == TraceOp::thread_create) {
        if (m_threads.count(ev.thread) || m_exited.count(ev.thread)) fail("thread " + std::to_string(ev.thread) + " created twice");
        if ((ev.aux & 0xff) > 3) fail("bad tag-check mode");
        if (ev.arg != TraceEvent::kAnyCore && ev.arg > 4095) fail("bad core");
        if (ev.src.raw == 0 || ev.src.raw > kMaxProcess) fail("bad process id");
        m_threads.insert(ev.thread);
        return;
    }
    // A trace's events mostly come from the thread of the event before: the look-up is made
    // only when the thread changes (m_live_thread is forgotten when a thread exits).
    if (!m_live_known || ev.thread != m_live_thread) {
        if (!m_threads.count(ev.thread)) fail("thread " + std::to_string(ev.thread) + " was never created or has exited");
        m_live_thread = ev.thread;
        m_live_known = true;
    }
    switch (ev.op) {
    case TraceOp::load:
    case TraceOp::store:
        if (ev.arg == 0 || ev.arg > 4096) fail("bad access size, expected 1 to 4096 bytes");
        if (ev.dep > kMaxLoadDependency) fail("bad load dependency, expected 0 to " + std::to_string(kMaxLoadDependency));
        if (ev.mispredicts > ev.aux) fail("bad mispredict count, expected at most the gap's instructions");
        break;
    case TraceOp::compute:
        if (ev.arg > (1ull << 40)) fail("bad cycle count");
        if (ev.mispredicts > ev.arg) fail("bad mispredict count, expected at most the compute's instructions");
        break;
    case TraceOp::sleep:
        if (ev.arg > (1ull << 40)) fail("bad sleep time");
        break;
    case TraceOp::addg:
    case TraceOp::subg:
        if (ev.arg > 1008 || ev.arg % 16 || ev.aux > 15 || ev.dest == Operand::kRaw) fail("bad ADDG/SUBG operands");
        break;
    case TraceOp::irg:
    case TraceOp::ldg:
        if (ev.dest == Operand::kRaw || ev.arg > 0xffff) fail("bad IRG/LDG operands");
        break;
    case TraceOp::mmap:
    case TraceOp::munmap:
    case TraceOp::mprotect:
    case TraceOp::pageout:
    case TraceOp::dontneed:
    case TraceOp::pin_range:
        if (ev.src.name != Operand::kRaw || ev.src.raw & 0xfff || ev.arg == 0 || ev.src.raw >= kUserVaLimit ||
            ev.arg > kUserVaLimit - ev.src.raw)
            fail(std::string("bad ") + trace_op_name(ev.op) + " range");
        if (ev.op == TraceOp::mmap &&
            ((!(ev.aux & 10) && (ev.aux >> 8)) || ((ev.aux >> 1) & 1) + ((ev.aux >> 2) & 1) + ((ev.aux >> 3) & 1) > 1 ||
             (ev.aux & 0xe0) || ((ev.aux & 8) && (ev.dest == 0 || ev.dest > kMaxMemfd))))
            fail("bad mmap flags");
        if (ev.op == TraceOp::mprotect && (ev.aux & ~(kProtectMte | kProtectReadOnly))) fail("bad mprotect flags");
        if (ev.op != TraceOp::mmap && ev.op != TraceOp::mprotect && ev.aux > 1) fail("bad flags");
        break;
    case TraceOp::read_file:
        if (ev.src.name != Operand::kRaw || ev.dest == Operand::kRaw || ev.arg == 0 || ev.arg > (1ull << 40) ||
            ev.src.raw > (1ull << 48))
            fail("bad read");
        break;
    case TraceOp::read_user:
    case TraceOp::write_user:
        if (ev.dest == Operand::kRaw || ev.arg == 0 || ev.arg > (1ull << 30)) fail(std::string("bad ") + trace_op_name(ev.op));
        break;
    case TraceOp::prctl:
        if ((ev.arg & 1) && (ev.aux & 0xff) > 3) fail("bad tag-check mode");
        break;
    case TraceOp::sysctl:
        if (ev.aux == static_cast<std::uint32_t>(SysctlKey::compact_memory) ? ev.arg != 1
            : ev.aux == static_cast<std::uint32_t>(SysctlKey::compaction_proactiveness) ? ev.arg > 100
                                                                                       : true)
            fail("bad sysctl");
        break;
    case TraceOp::oom_score_adj:
        if (static_cast<std::int64_t>(ev.arg) < kOomScoreAdjMin || static_cast<std::int64_t>(ev.arg) > kOomScoreAdjMax)
            fail("bad oom_score_adj");
        break;
    case TraceOp::kalloc:
        if (ev.arg > 10 || (ev.aux & 0xff) > 3 || ev.dest == Operand::kRaw ||
            (ev.aux & ~(0xffu | kKallocAtomic | kKallocNoretry | kKallocRetryMayfail)) ||
            ((ev.aux & kKallocNoretry) && (ev.aux & kKallocRetryMayfail)))
            fail("bad kalloc");
        if (!m_kallocated.insert(ev.dest).second) fail("kalloc into a name that still holds a block");
        break;
    case TraceOp::kfree:
    case TraceOp::pin:
        if (ev.src.name == Operand::kRaw || ev.src.offset != 0 || !m_kallocated.count(ev.src.name))
            fail("not a block from kalloc (never allocated, or freed already)");
        if (ev.op == TraceOp::kfree) m_kallocated.erase(ev.src.name);
        break;
    case TraceOp::malloc:
    case TraceOp::calloc:
        if (ev.dest == Operand::kRaw || ev.arg > kMaxHeapRequest ||
            (ev.op == TraceOp::calloc && std::uint64_t(ev.aux) * ev.arg > kMaxHeapRequest))
            fail(std::string("bad ") + trace_op_name(ev.op));
        m_heap_freed.erase(ev.dest);
        break;
    case TraceOp::realloc:
    case TraceOp::free:
        if (ev.src.name == Operand::kRaw || (ev.op == TraceOp::realloc && (ev.dest == Operand::kRaw || ev.arg > kMaxHeapRequest)))
            fail(std::string("bad ") + trace_op_name(ev.op));
        if (m_heap_freed.count(ev.src.name)) fail("free of a handle freed already");
        m_heap_freed.insert(ev.src.name);
        if (ev.op == TraceOp::realloc) m_heap_freed.erase(ev.dest);
        break;
    case TraceOp::fork:
        if (ev.src.name != Operand::kRaw || ev.src.raw == 0 || ev.src.raw > kMaxProcess) fail("bad fork process id");
        if (m_threads.count(ev.dest) || m_exited.count(ev.dest)) fail("fork: thread " + std::to_string(ev.dest) + " exists already");
        m_threads.insert(ev.dest);
        break;
    case TraceOp::exit:
        m_threads.erase(ev.thread);
        m_live_known = false;
        m_exited.insert(ev.thread);
        break;
    case TraceOp::expect_value:
        if (ev.arg == 0 || ev.arg > 4096 || !ev.has_value) fail("bad expect_value, expected a size of 1 to 4096 bytes and a value");
        break;
    case TraceOp::expect_tag:
        if (ev.aux > 15) fail("bad expect_tag, expected a tag 0..15");
        break;
    case TraceOp::expect_result:
        if (!ev.has_value) fail("expect_result without its value record");
        break;
    case TraceOp::expect_fault:
        if (ev.aux >= kFaultKinds && ev.aux != kExpectNoFault) fail("bad expect_fault kind");
        break;
    case TraceOp::sigaction:
        if (ev.aux > 3 || ev.aux == 2) fail("bad sigaction flags");
        break;
    case TraceOp::tco:
    case TraceOp::ldgm:
        if (ev.aux > 1) fail(std::string("bad ") + trace_op_name(ev.op));
        break;
    case TraceOp::atomic:
        if (ev.aux > kLastAtomicKind || (ev.arg != 1 && ev.arg != 2 && ev.arg != 4 && ev.arg != 8) ||
            (ev.aux == static_cast<std::uint32_t>(AtomicKind::ldxr) && ev.has_value))
            fail("bad atomic, expected a kind 0..4 and a size of 1, 2, 4 or 8 bytes");
        break;
    default: break;
    }
    if (ev.has_value && ev.op != TraceOp::store && ev.op != TraceOp::atomic && ev.op != TraceOp::expect_value &&
        ev.op != TraceOp::expect_result && !(ev.op == TraceOp::expect_fault && ev.aux != kExpectNoFault))
        fail(std::string("a value record before ") + trace_op_name(ev.op) + ", expected one only before st, an atomic or expect_value/expect_result");
}

/*
 * The common record, a ld or st whose checks pass, is decoded and checked here on its own: the
 * same fields as next_checked() sets and the same conditions check() tests for a ld/st (names
 * defined, a live thread, size 1..4096, dep <= kMaxLoadDependency, mispredicts <= gap, a value
 * only before a st). Anything else, including any record that would fail a check, is left
 * unread for next_checked(), which decodes it again and reports the error it finds.
 */
bool BinaryTraceReader::next(TraceEvent &out) {
    if (m_len - m_pos >= sizeof(Record)) {
        Record r;
        std::memcpy(&r, m_buf.data() + m_pos, sizeof r);
        const bool load = r.op == static_cast<std::uint8_t>(TraceOp::load);
        if ((load || r.op == static_cast<std::uint8_t>(TraceOp::store)) && m_live_known && r.thread == m_live_thread &&
            !(load && m_value_pending) && (r.dest == Operand::kRaw || r.dest < m_names.size()) &&
            (!r.has_name || r.name == Operand::kRaw || r.name < m_names.size()) && r.arg != 0 && r.arg <= 4096 &&
            r.reserved2 <= kMaxLoadDependency && r.mispredicts <= r.aux) {
            decode_record(r, true, m_value_pending, m_value, out);
            out.position = ++m_events;
            m_value_pending = false;
            m_pos += sizeof r;
            m_offset += sizeof r;
            return true;
        }
    }
    return next_checked(out);
}

bool BinaryTraceReader::next_checked(TraceEvent &out) {
    for (;;) {
        if (m_len - m_pos < sizeof(Record) && !fill(sizeof(Record))) {
            if (m_len != m_pos) fail("truncated record at the end of the file");
            if (m_value_pending) fail("a value record at the end of the file, expected its event after it");
            if (m_zstd && !m_in_eof) fail("truncated zstd stream");
            return false;
        }
        Record r;
        std::memcpy(&r, m_buf.data() + m_pos, sizeof r);
        if (r.op == kOpDefineName) {
            if (r.arg == 0 || r.arg > kMaxNameLength) fail("bad name length");
            if (r.name != m_names.size() || r.name >= kMaxNames) fail("names must be defined in order, once");
            const std::size_t padded = (r.arg + 7) & ~std::uint64_t(7);
            if (!fill(sizeof r + padded)) fail("truncated name");
            m_names.emplace_back(m_buf.data() + m_pos + sizeof r, r.arg);
            m_pos += sizeof r + padded;
            m_offset += sizeof r + padded;
            continue;
        }
        if (r.op == kOpValue) {
            if (m_value_pending) fail("two value records in a row, expected one before its event");
            m_value_pending = true;
            m_value = r.arg;
            m_pos += sizeof r;
            m_offset += sizeof r;
            continue;
        }
        if (r.op > kLastTraceOp) fail("unknown operation " + std::to_string(r.op));
        decode_record(r, r.op == static_cast<std::uint8_t>(TraceOp::load) || r.op == static_cast<std::uint8_t>(TraceOp::store),
                      m_value_pending, m_value, out);
        m_value_pending = false;
        if (r.mispredicts && out.op != TraceOp::compute && out.op != TraceOp::load && out.op != TraceOp::store)
            fail("mispredict count on a " + std::string(trace_op_name(out.op)) + " record, expected it on compute, ld or st only");
        out.position = ++m_events;
        check(out);
        m_pos += sizeof r;
        m_offset += sizeof r;
        return true;
    }
}

}  // namespace mtesim
