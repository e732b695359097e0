// Names of trace operations and tag-check modes, as written in text traces and reports.
#include "mtesim/trace/trace_event.h"

namespace mtesim {

const char *trace_op_name(TraceOp op) {
    switch (op) {
    case TraceOp::thread_create: return "thread";
    case TraceOp::compute: return "compute";
    case TraceOp::load: return "ld";
    case TraceOp::store: return "st";
    case TraceOp::irg: return "irg";
    case TraceOp::addg: return "addg";
    case TraceOp::subg: return "subg";
    case TraceOp::ldg: return "ldg";
    case TraceOp::stg: return "stg";
    case TraceOp::st2g: return "st2g";
    case TraceOp::stzg: return "stzg";
    case TraceOp::stz2g: return "stz2g";
    case TraceOp::dc_gzva: return "dc_gzva";
    case TraceOp::mmap: return "mmap";
    case TraceOp::prctl: return "prctl";
    case TraceOp::syscall: return "syscall";
    case TraceOp::yield: return "yield";
    case TraceOp::exit: return "exit";
    case TraceOp::kalloc: return "kalloc";
    case TraceOp::kfree: return "kfree";
    case TraceOp::pin: return "pin";
    case TraceOp::munmap: return "munmap";
    case TraceOp::mprotect: return "mprotect";
    case TraceOp::read_file: return "read";
    case TraceOp::pageout: return "madvise";
    case TraceOp::pin_range: return "pin_range";
    case TraceOp::malloc: return "malloc";
    case TraceOp::calloc: return "calloc";
    case TraceOp::realloc: return "realloc";
    case TraceOp::free: return "free";
    case TraceOp::sleep: return "sleep";
    case TraceOp::expect_value: return "expect_value";
    case TraceOp::expect_tag: return "expect_tag";
    case TraceOp::expect_result: return "expect_result";
    case TraceOp::expect_fault: return "expect_fault";
    case TraceOp::sigaction: return "sigaction";
    case TraceOp::tco: return "tco";
    case TraceOp::dc_zva: return "dc_zva";
    case TraceOp::dc_gva: return "dc_gva";
    case TraceOp::atomic: return "atomic";
    case TraceOp::ldgm: return "ldgm";
    case TraceOp::fork: return "fork";
    case TraceOp::dontneed: return "madvise_dontneed";
    case TraceOp::read_user: return "read_user";
    case TraceOp::write_user: return "write_user";
    case TraceOp::sysctl: return "sysctl";
    case TraceOp::oom_score_adj: return "oom_score_adj";
    }
    return "?";
}

const char *atomic_kind_name(AtomicKind kind) {
    switch (kind) {
    case AtomicKind::ldadd: return "ldadd";
    case AtomicKind::cas: return "cas";
    case AtomicKind::swp: return "swp";
    case AtomicKind::ldxr: return "ldxr";
    case AtomicKind::stxr: return "stxr";
    }
    return "?";
}

const char *tcf_mode_name(TcfMode mode) {
    switch (mode) {
    case TcfMode::none: return "none";
    case TcfMode::sync: return "sync";
    case TcfMode::async: return "async";
    case TcfMode::asymm: return "asymm";
    }
    return "?";
}

}  // namespace mtesim
