// TextTraceWriter: one case per operation, the inverse of TextTraceReader::parse.
#include "mtesim/trace/text_trace_writer.h"

#include "mtesim/common/format.h"
#include "mtesim/mte/fault_record.h"

namespace mtesim {

TextTraceWriter::TextTraceWriter(std::ostream &out) : m_out(out) { m_out << "mtesim-trace 1\n"; }

void TextTraceWriter::write(const TraceEvent &ev, const std::function<std::string(std::uint32_t)> &name_of) {
    auto addr = [&]() {
        if (ev.src.name == Operand::kRaw) return hex(ev.src.raw);
        std::string s = name_of(ev.src.name);
        if (ev.src.offset > 0) s += "+" + std::to_string(ev.src.offset);
        if (ev.src.offset < 0) s += "-" + std::to_string(-static_cast<std::uint64_t>(ev.src.offset));
        return s;
    };
    auto mte = [&](std::uint32_t aux) {
        std::string s = " tcf=" + std::string(tcf_mode_name(static_cast<TcfMode>(aux & 0xff)));
        if (aux & kThreadMaskGiven) s += " exclude=" + hex((aux >> 8) & 0xffff);
        if (aux & kTaggedAddrAbi) s += " tagged_addr=on";
        return s;
    };
    const std::string t = std::to_string(ev.thread) + " ";
    static const char *kinds[] = {"unmovable", "reclaimable", "movable", "tagged"};
    switch (ev.op) {
    case TraceOp::thread_create:
        m_out << "thread " << ev.thread;
        if (ev.arg != TraceEvent::kAnyCore) m_out << " core=" << ev.arg;
        if (ev.src.raw != 1) m_out << " process=" << ev.src.raw;
        m_out << mte(ev.aux) << "\n";
        return;
    case TraceOp::compute:
        m_out << t << "compute " << ev.arg;
        if (ev.mispredicts) m_out << " mispredict=" << ev.mispredicts;
        m_out << "\n";
        return;
    case TraceOp::load:
    case TraceOp::store:
        m_out << t << (ev.op == TraceOp::load ? "ld " : "st ") << addr() << " " << ev.arg;
        if (ev.aux) m_out << " gap=" << ev.aux;
        if (ev.dep) m_out << " dep=" << ev.dep;
        if (ev.mispredicts) m_out << " mispredict=" << ev.mispredicts;
        if (ev.has_value) m_out << " value=" << hex(ev.value);
        m_out << "\n";
        return;
    case TraceOp::irg:
        m_out << t << "irg " << name_of(ev.dest) << " " << addr();
        if (ev.arg) m_out << " exclude=" << hex(ev.arg);
        if (ev.aux & 1) m_out << " gmi";
        m_out << "\n";
        return;
    case TraceOp::addg:
    case TraceOp::subg:
        m_out << t << (ev.op == TraceOp::addg ? "addg " : "subg ") << name_of(ev.dest) << " " << addr() << " " << ev.arg
              << " " << ev.aux << "\n";
        return;
    case TraceOp::ldg: m_out << t << "ldg " << name_of(ev.dest) << " " << addr() << "\n"; return;
    case TraceOp::stg:
    case TraceOp::st2g:
    case TraceOp::stzg:
    case TraceOp::stz2g:
    case TraceOp::dc_gzva: m_out << t << trace_op_name(ev.op) << " " << addr() << "\n"; return;
    case TraceOp::mmap:
        m_out << t << "mmap " << hex(ev.src.raw) << " " << hex(ev.arg)
              << ((ev.aux & 1) ? ((ev.aux & kMmapReadOnly) ? " mte,ro" : " mte") : (ev.aux & kMmapReadOnly) ? " ro" : "");
        if (ev.aux & 2) m_out << " file=" << ev.dest << " offset=" << hex(std::uint64_t(ev.aux >> 8) << 12);
        if (ev.aux & 8) m_out << " memfd=" << ev.dest << " offset=" << hex(std::uint64_t(ev.aux >> 8) << 12);
        if (ev.aux & 4) m_out << " shared";
        m_out << "\n";
        return;
    case TraceOp::munmap: m_out << t << "munmap " << hex(ev.src.raw) << " " << hex(ev.arg) << "\n"; return;
    case TraceOp::mprotect:
        m_out << t << "mprotect " << hex(ev.src.raw) << " " << hex(ev.arg) << " "
              << ((ev.aux & kProtectMte) ? ((ev.aux & kProtectReadOnly) ? "mte,ro" : "mte")
                                         : ((ev.aux & kProtectReadOnly) ? "ro" : "none"))
              << "\n";
        return;
    case TraceOp::read_file: m_out << t << "read " << ev.dest << " " << hex(ev.src.raw) << " " << hex(ev.arg) << "\n"; return;
    case TraceOp::pageout: m_out << t << "madvise " << hex(ev.src.raw) << " " << hex(ev.arg) << " pageout\n"; return;
    case TraceOp::dontneed: m_out << t << "madvise " << hex(ev.src.raw) << " " << hex(ev.arg) << " dontneed\n"; return;
    case TraceOp::read_user:
    case TraceOp::write_user:
        m_out << t << (ev.op == TraceOp::read_user ? "read " : "write ") << ev.dest << " " << hex(std::uint64_t(ev.aux)) << " "
              << hex(ev.arg) << " buf=" << addr() << "\n";
        return;
    case TraceOp::fork: m_out << t << "fork " << ev.src.raw << " " << ev.dest << "\n"; return;
    case TraceOp::malloc: m_out << t << "malloc " << name_of(ev.dest) << " " << ev.arg << "\n"; return;
    case TraceOp::calloc: m_out << t << "calloc " << name_of(ev.dest) << " " << ev.aux << " " << ev.arg << "\n"; return;
    case TraceOp::realloc: m_out << t << "realloc " << name_of(ev.dest) << " " << addr() << " " << ev.arg << "\n"; return;
    case TraceOp::free: m_out << t << "free " << addr() << "\n"; return;
    case TraceOp::pin_range:
        m_out << t << (ev.aux ? "pin_range " : "unpin_range ") << hex(ev.src.raw) << " " << hex(ev.arg) << "\n";
        return;
    case TraceOp::prctl:
        m_out << t << "prctl";
        if (ev.arg & 1) m_out << " tcf=" << tcf_mode_name(static_cast<TcfMode>(ev.aux & 0xff));
        if (ev.arg & 2) m_out << " exclude=" << hex((ev.aux >> 8) & 0xffff);
        if (ev.arg & 4) m_out << " tagged_addr=" << ((ev.aux & kTaggedAddrAbi) ? "on" : "off");
        m_out << "\n";
        return;
    case TraceOp::syscall: m_out << t << "syscall\n"; return;
    case TraceOp::yield: m_out << t << "yield\n"; return;
    case TraceOp::sysctl:
        m_out << t << "sysctl "
              << (ev.aux == static_cast<std::uint32_t>(SysctlKey::compact_memory) ? "vm.compact_memory" : "vm.compaction_proactiveness")
              << " " << ev.arg << "\n";
        return;
    case TraceOp::oom_score_adj: m_out << t << "oom_score_adj " << static_cast<std::int64_t>(ev.arg) << "\n"; return;
    case TraceOp::sleep: m_out << t << "sleep " << ev.arg << "\n"; return;
    case TraceOp::exit: m_out << t << "exit\n"; return;
    case TraceOp::kalloc:
        m_out << t << "kalloc " << name_of(ev.dest) << " " << ev.arg << " " << kinds[ev.aux & 3]
              << ((ev.aux & kKallocAtomic) ? " atomic" : "") << ((ev.aux & kKallocNoretry) ? " noretry" : "")
              << ((ev.aux & kKallocRetryMayfail) ? " retry_mayfail" : "") << "\n";
        return;
    case TraceOp::kfree: m_out << t << "kfree " << addr() << "\n"; return;
    case TraceOp::pin: m_out << t << (ev.aux ? "pin " : "unpin ") << addr() << "\n"; return;
    case TraceOp::expect_value: m_out << t << "expect_value " << addr() << " " << ev.arg << " " << hex(ev.value) << "\n"; return;
    case TraceOp::expect_tag: m_out << t << "expect_tag " << addr() << " " << ev.aux << "\n"; return;
    case TraceOp::expect_result: m_out << t << "expect_result " << static_cast<std::int64_t>(ev.value) << "\n"; return;
    case TraceOp::expect_fault:
        m_out << t << "expect_fault "
              << (ev.aux == kExpectNoFault ? "none" : fault_kind_name(static_cast<FaultKind>(ev.aux)));
        if (ev.has_value) m_out << " si_addr=" << hex(ev.value);
        m_out << "\n";
        return;
    case TraceOp::sigaction:
        m_out << t << "sigaction " << ((ev.aux & 1) ? "handler" : "default") << ((ev.aux & 2) ? " expose_tagbits" : "") << "\n";
        return;
    case TraceOp::tco: m_out << t << "tco " << ev.aux << "\n"; return;
    case TraceOp::dc_zva:
    case TraceOp::dc_gva: m_out << t << trace_op_name(ev.op) << " " << addr() << "\n"; return;
    case TraceOp::ldgm: m_out << t << (ev.aux ? "stgm " : "ldgm ") << addr() << "\n"; return;
    case TraceOp::atomic:
        m_out << t << atomic_kind_name(static_cast<AtomicKind>(ev.aux)) << " " << addr() << " " << ev.arg;
        if (ev.has_value) m_out << " value=" << hex(ev.value);
        m_out << "\n";
        return;
    }
}

}  // namespace mtesim
