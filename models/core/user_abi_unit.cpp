// UserAbiUnit: see the header.
#include "core/user_abi_unit.h"

#include "mtesim/common/assertion_failed.h"
#include "mtesim/common/format.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/mte/fault_record.h"
#include "mtesim/mte/tag_check_unit.h"

#include <algorithm>

namespace mtesim {

UserAbiUnit::UserAbiUnit(const CoreConfig &config, LocalClock &clock, TimingModel &timing, Workload &workload,
                         LoadStoreUnit &lsu, SystemCallGate &gate, KernelState &kernel)
    : m_config(config), m_clock(clock), m_timing(timing), m_workload(workload), m_lsu(lsu), m_gate(gate), m_kernel(kernel) {}

void UserAbiUnit::event(ThreadContext &t, const TraceEvent &ev) {
    switch (ev.op) {
    case TraceOp::prctl: prctl(t, ev); break;
    case TraceOp::expect_value: expect_value(t, ev); break;
    case TraceOp::expect_tag: expect_tag(t, ev); break;
    case TraceOp::expect_result: expect_result(t, ev); break;
    case TraceOp::expect_fault: expect_fault(t, ev); break;
    case TraceOp::sigaction:
        // rt_sigaction(SIGSEGV/SIGBUS/SIGILL): a system call returning 0.
        if (!m_gate.kernel_entry(t, ev.position)) break;
        t.abi.handler = (ev.aux & 1) != 0;
        t.abi.expose_tagbits = (ev.aux & 2) != 0;
        t.abi.set_result(0);
        break;
    case TraceOp::tco:
        // MSR TCO, #imm: one instruction; checks are suppressed while PSTATE.TCO is set
        // (Arm ARM D10.5.1; memory-tagging-extension.rst: the kernel's user accesses too).
        m_timing.compute(1);
        t.mte.tco = ev.aux != 0;
        break;
    case TraceOp::dc_zva: m_lsu.zero_block(t, m_workload.resolve(ev.src), m_config.dczva_bytes, ev.position); break;
    case TraceOp::dc_gva: {
        // DC GVA: the block's allocation tags := the pointer's tag; its data is untouched.
        const VirtAddr src = m_workload.resolve(ev.src);
        const VirtAddr block = with_tag(VirtAddr(untagged(src).value() & ~std::uint64_t(m_config.dczva_bytes - 1)), logical_tag(src));
        m_lsu.store_tags(t, block, m_config.dczva_bytes / kGranuleSize, false, ev.position);
        break;
    }
    case TraceOp::atomic:
        m_lsu.atomic(t, m_workload.resolve(ev.src), ev.arg, static_cast<AtomicKind>(ev.aux), ev.has_value, ev.value, ev.position);
        break;
    case TraceOp::ldgm:
        // LDGM and STGM are UNDEFINED at EL0 (Arm ARM C6.2: "ELs: EL1, EL2, EL3"): the kernel
        // delivers SIGILL (ILL_ILLOPC), whose si_addr is the PC (not modelled: no address).
        m_gate.report(t, FaultKind::illegal, false, 0, ev.aux != 0, ev.position);
        m_gate.kernel_entry(t, ev.position);
        break;
    default: break;
    }
}

/*
 * prctl(PR_SET_TAGGED_ADDR_CTRL): the TCF mode and/or the include mask (GCR_EL1.Exclude is
 * its complement). Returns 0. memory-tagging-extension.rst, "Tag Check Faults" and "Tag
 * generation"; selftest check_prctl.
 */
void UserAbiUnit::prctl(ThreadContext &t, const TraceEvent &ev) {
    if (!m_gate.kernel_entry(t, ev.position)) return;
    if (ev.arg & 1) t.mte.tcf = static_cast<TcfMode>(ev.aux & 0xff);
    if (ev.arg & 2) {
        t.mte.exclude = static_cast<std::uint16_t>(ev.aux >> 8);
        t.mte.mask_set = true;
    }
    if (ev.arg & 4) t.tagged_addr = (ev.aux & kTaggedAddrAbi) != 0; /* PR_TAGGED_ADDR_ENABLE */
    t.abi.set_result(0);
}

std::string UserAbiUnit::where(const TraceEvent &ev) const {
    const IEventSource &s = m_workload.source();
    if (s.positions_are_lines()) return s.description() + ":" + std::to_string(ev.position) + ": ";
    return s.description() + ": event " + std::to_string(ev.position) + ": ";
}

void UserAbiUnit::fail(const TraceEvent &ev, const std::string &what, const std::string &expected, const std::string &found) const {
    throw AssertionFailed(where(ev) + what + " (thread " + std::to_string(ev.thread) + "): expected " + expected + ", found " + found);
}

void UserAbiUnit::peek_data(ThreadContext &t, std::uint64_t va, std::uint8_t *out, std::uint64_t len) const {
    Kernel &os = *m_kernel.os;
    const PageDataStore &d = os.page_data();
    while (len) {
        const std::uint64_t off = va & (kPageSize - 1), n = std::min(len, kPageSize - off);
        const std::uint64_t pte = os.pte_of(t.info.process, va);
        switch (upte::kind(pte)) {
        case upte::Kind::present:
        case upte::Kind::metadata_none: d.read(phys_of(upte::pfn(pte)) + off, out, n); break;
        case upte::Kind::swap: d.read_swap(upte::swap_slot(pte), off, out, n); break;
        case upte::Kind::none: std::fill(out, out + n, std::uint8_t(0)); break;
        }
        out += n;
        va += n;
        len -= n;
    }
}

/* expect_value ADDR SIZE V: the SIZE bytes at ADDR are V's little-endian bytes, repeated. */
void UserAbiUnit::expect_value(ThreadContext &t, const TraceEvent &ev) {
    if (!m_kernel.os->page_data().enabled())
        throw TraceError(where(ev) + "expect_value needs functional data, expected vm.data = true (--set vm.data=true)");
    const VirtAddr va = m_workload.resolve(ev.src);
    std::uint8_t buf[4096];
    peek_data(t, untagged(va).value(), buf, ev.arg);
    for (std::uint64_t i = 0; i < ev.arg; ++i) {
        const auto want = static_cast<std::uint8_t>(ev.value >> (8 * (i & 7)));
        if (buf[i] == want) continue;
        // Report the 8-byte word (or less) holding the first difference, as values.
        const std::uint64_t w0 = i & ~std::uint64_t(7), wn = std::min<std::uint64_t>(8, ev.arg - w0);
        std::uint64_t found = 0, expected = 0;
        for (std::uint64_t k = 0; k < wn; ++k) {
            found |= std::uint64_t(buf[w0 + k]) << (8 * k);
            expected |= std::uint64_t(static_cast<std::uint8_t>(ev.value >> (8 * k))) << (8 * k);
        }
        fail(ev, "expect_value " + hex(va.value()) + " " + std::to_string(ev.arg),
             hex(expected) + " at byte " + std::to_string(w0), hex(found));
    }
}

/* expect_tag ADDR T: the allocation tag of ADDR's granule is T (0 when the page has none). */
void UserAbiUnit::expect_tag(ThreadContext &t, const TraceEvent &ev) {
    const VirtAddr va = m_workload.resolve(ev.src);
    const std::uint64_t u = untagged(va).value();
    TagXarray::PageTags tags{};
    m_kernel.os->tag_keeper().locate(t.info.process, u, tags);
    const std::uint64_t g = (u & (kPageSize - 1)) / kGranuleSize;
    const unsigned found = (tags[g / 2] >> (4 * (g & 1))) & 0xf;
    if (found != ev.aux) fail(ev, "expect_tag " + hex(va.value()), "tag " + std::to_string(ev.aux), "tag " + std::to_string(found));
}

/* expect_result V: the thread's last system call returned V. */
void UserAbiUnit::expect_result(ThreadContext &t, const TraceEvent &ev) {
    const auto want = static_cast<std::int64_t>(ev.value);
    if (!t.abi.result_set)
        throw TraceError(where(ev) + "expect_result: thread " + std::to_string(ev.thread) +
                         " has made no system call yet, expected one (mmap, munmap, mprotect, madvise, read, prctl, "
                         "sigaction, syscall...) before it");
    if (t.abi.last_result != want)
        fail(ev, "expect_result", std::to_string(want), std::to_string(t.abi.last_result));
}

/* expect_fault KIND|none: the thread's previous event raised KIND (or no fault). */
void UserAbiUnit::expect_fault(ThreadContext &t, const TraceEvent &ev) {
    // t.events counts this assertion; the previous event is t.events - 1.
    const std::uint32_t kinds = t.abi.fault_event == t.events - 1 ? t.abi.fault_kinds : 0;
    auto names = [](std::uint32_t k) {
        if (!k) return std::string("no fault");
        std::string s;
        for (unsigned i = 0; i < kFaultKinds; ++i)
            if (k & (1u << i)) s += (s.empty() ? "" : "+") + std::string(fault_kind_name(static_cast<FaultKind>(i)));
        return s;
    };
    if (t.events < 2) throw TraceError(where(ev) + "expect_fault: thread " + std::to_string(ev.thread) + " has no previous event, expected one");
    if (ev.aux == kExpectNoFault) {
        if (kinds) fail(ev, "expect_fault none", "no fault", names(kinds));
        return;
    }
    const std::string what = std::string("expect_fault ") + fault_kind_name(static_cast<FaultKind>(ev.aux));
    if (!(kinds & (1u << ev.aux))) fail(ev, what, fault_kind_name(static_cast<FaultKind>(ev.aux)), names(kinds));
    if (ev.has_value && t.abi.fault_si_addr[ev.aux] != ev.value)
        fail(ev, what + " si_addr=" + hex(ev.value), "si_addr " + hex(ev.value), "si_addr " + hex(t.abi.fault_si_addr[ev.aux]));
}

}  // namespace mtesim
