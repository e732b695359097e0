// TextTraceReader: one line = one event. Tokens are separated by blanks; keyword arguments
// are key=value. See docs/trace-format.md for the grammar.
#include "mtesim/trace/text_trace_reader.h"

#include "mtesim/common/oom_score_adj.h"
#include "mtesim/common/text_scan.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/mte/fault_record.h"

#include <cstring>

namespace mtesim {

using namespace text_scan;

namespace {

constexpr std::uint64_t kMaxAccess = 4096; /* in bytes: one ld/st */
constexpr std::size_t kMaxNames = 1u << 24;  /* distinct named pointers in one trace */

struct Tokens {
    const char *b[8];
    const char *e[8];
    int n = 0;
};

Tokens split(const char *p, const char *end) {
    Tokens t;
    p = skip_space(p, end);
    while (p < end && t.n < 8 && *p != '#') {
        t.b[t.n] = p;
        p = token_end(p, end);
        t.e[t.n++] = p;
        p = skip_space(p, end);
    }
    if (p < end && *p != '#') t.n = 9; /* too many tokens */
    return t;
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool parse_tcf(const char *p, const char *e, TcfMode &out) {
    if (token_is(p, e, "none")) out = TcfMode::none;
    else if (token_is(p, e, "sync")) out = TcfMode::sync;
    else if (token_is(p, e, "async")) out = TcfMode::async;
    else if (token_is(p, e, "asymm")) out = TcfMode::asymm;
    else return false;
    return true;
}

/// A protection field of mmap and mprotect (docs/trace-format.md, "Memory"): `mte` (PROT_MTE),
/// `ro` (PROT_READ only) or `rw` (PROT_READ|PROT_WRITE, the default) joined by commas, each
/// at most once and not both ro and rw: `mte`, `ro`, `mte,ro`... False when @p..@e is not one.
bool parse_prot(const char *p, const char *e, bool &mte, bool &read_only) {
    bool seen_mte = false, seen_access = false;
    mte = read_only = false;
    for (;;) {
        const char *c = p;
        while (c < e && *c != ',') ++c;
        if (token_is(p, c, "mte") && !seen_mte) {
            seen_mte = mte = true;
        } else if ((token_is(p, c, "ro") || token_is(p, c, "rw")) && !seen_access) {
            seen_access = true;
            read_only = token_is(p, c, "ro");
        } else {
            return false;
        }
        if (c == e) return true;
        p = c + 1;
    }
}

/// "key=value" -> value view when the key matches.
bool keyword(const char *p, const char *e, const char *key, const char *&v) {
    const std::size_t n = std::strlen(key);
    if (static_cast<std::size_t>(e - p) <= n || std::strncmp(p, key, n) != 0 || p[n] != '=') return false;
    v = p + n + 1;
    return true;
}

/// expect_result's value: a number, -N, or -ERRNO (asm-generic/errno-base.h, errno.h).
bool parse_result(const char *p, const char *e, std::uint64_t &out) {
    static const struct { const char *name; int value; } kErrno[] = {
        {"EPERM", 1},   {"ENOENT", 2},  {"EINTR", 4},   {"EIO", 5},     {"EBADF", 9},   {"EAGAIN", 11},
        {"ENOMEM", 12}, {"EACCES", 13}, {"EFAULT", 14}, {"EBUSY", 16},  {"EEXIST", 17}, {"EINVAL", 22},
        {"ENOSPC", 28}, {"ENOSYS", 38}, {"EOPNOTSUPP", 95},
    };
    const bool neg = p < e && *p == '-';
    if (neg) ++p;
    std::uint64_t v = 0;
    if (p < e && *p == 'E') {
        if (!neg) return false;
        bool found = false;
        for (const auto &k : kErrno)
            if (token_is(p, e, k.name)) {
                v = static_cast<std::uint64_t>(k.value);
                found = true;
            }
        if (!found) return false;
    } else if (!parse_number(p, e, v) || (neg && v > (1ull << 63))) {
        return false;
    }
    out = neg ? static_cast<std::uint64_t>(-static_cast<std::int64_t>(v)) : v;
    return true;
}

}  // namespace

TextTraceReader::TextTraceReader(const std::string &path) : m_lines(path, "a workload trace (docs/trace-format.md)") {}

std::uint32_t TextTraceReader::define_name(const char *p, const char *e, const char *l, const char *le) {
    if (p >= e || !is_name_start(*p)) m_lines.fail("bad pointer name, expected [A-Za-z_][A-Za-z0-9_]*", l, le);
    for (const char *q = p; q < e; ++q)
        if (!is_name_char(*q)) m_lines.fail("bad pointer name, expected [A-Za-z_][A-Za-z0-9_]*", l, le);
    std::string name(p, e);
    auto it = m_name_ids.find(name);
    if (it != m_name_ids.end()) return it->second;
    if (m_names.size() >= kMaxNames)
        m_lines.fail("more than " + std::to_string(kMaxNames) + " distinct pointer names, expected names to be reused "
                     "(a resource limit: each name costs host memory)", l, le);
    const auto id = static_cast<std::uint32_t>(m_names.size());
    m_names.push_back(name);
    m_name_ids.emplace(std::move(name), id);
    return id;
}

Operand TextTraceReader::parse_operand(const char *p, const char *e, const char *l, const char *le) {
    Operand op;
    if (p < e && *p >= '0' && *p <= '9') {
        if (!parse_number(p, e, op.raw)) m_lines.fail("bad address, expected 0x-hex or decimal", l, le);
        return op;
    }
    const char *q = p;
    while (q < e && is_name_char(*q)) ++q;
    if (q == p || !is_name_start(*p)) m_lines.fail("bad operand, expected an address or NAME[+OFFSET]", l, le);
    auto it = m_name_ids.find(std::string(p, q));
    if (it == m_name_ids.end())
        m_lines.fail("unknown pointer '" + std::string(p, q) + "', expected one set earlier by irg/addg/subg/ldg, malloc/calloc/realloc or kalloc", l, le);
    op.name = it->second;
    if (q < e) {
        if (*q != '+' && *q != '-') m_lines.fail("bad operand, expected NAME+OFFSET or NAME-OFFSET", l, le);
        std::uint64_t off = 0;
        if (!parse_number(q + 1, e, off) || off > (1ull << 48)) m_lines.fail("bad offset, expected a number below 2^48", l, le);
        op.offset = *q == '+' ? static_cast<std::int64_t>(off) : -static_cast<std::int64_t>(off);
    }
    return op;
}

std::uint32_t TextTraceReader::parse_thread(const char *p, const char *e, const char *l, const char *le) const {
    std::uint64_t tid = 0;
    if (!parse_number(p, e, tid) || tid > 0xffffffffu) m_lines.fail("bad thread id, expected a number", l, le);
    const auto t = static_cast<std::uint32_t>(tid);
    if (!m_threads.count(t)) {
        if (m_exited.count(t)) m_lines.fail("thread " + std::to_string(t) + " has exited", l, le);
        m_lines.fail("thread " + std::to_string(t) + " was never created, expected a 'thread " + std::to_string(t) +
                         "' line first", l, le);
    }
    return t;
}

/* The pointer a free or realloc frees: a name, not one of a chunk freed already; it is freed
 * from this line on. */
void TextTraceReader::free_handle(const Operand &op, const char *l, const char *le) {
    if (op.name == Operand::kRaw) m_lines.fail("bad pointer, expected a name set by malloc, calloc or realloc", l, le);
    auto it = m_heap_freed.find(op.name);
    if (it != m_heap_freed.end())
        m_lines.fail("'" + m_names[op.name] + "' was freed at line " + std::to_string(it->second) +
                         ", expected a live chunk (a double free of one handle is a trace error; copy the pointer "
                         "with addg to model one)", l, le);
    m_heap_freed[op.name] = m_lines.line();
}

bool TextTraceReader::next(TraceEvent &out) {
    const char *b, *e;
    while (m_lines.next(b, e)) {
        if (parse_plain_access(b, e, out) || parse(b, e, out)) return true;
    }
    if (!m_header_seen) throw TraceError(m_lines.path() + ": empty trace, expected the header 'mtesim-trace 1'");
    return false;
}

/*
 * The commonest line, a plain load or store of a live thread: "TID ld|st ADDRESS SIZE" with
 * single blanks, a numeric address and nothing else. It is read in one pass without splitting
 * the line into tokens or looking the op up among the event names, and gives the very event
 * parse() gives for it. Any other form, and any line parse() would reject (a thread not live, a
 * bad number or size), returns false untouched and is left to parse(), which reads or rejects
 * it as before. A trace is mostly such lines (a streaming run's are all), and the general parse
 * cost several hundred instructions a line.
 */
bool TextTraceReader::parse_plain_access(const char *l, const char *le, TraceEvent &ev) {
    if (!m_header_seen) return false;
    /* Each field is scanned and converted in the same pass, with parse_number()'s limits: at
     * most 19 decimal digits, or "0x" and 1 to 16 hex digits. */
    const auto decimal = [le](const char *&p, std::uint64_t &v) {
        const char *from = p;
        v = 0;
        for (; p < le && static_cast<unsigned>(*p - '0') < 10; ++p) v = v * 10 + static_cast<unsigned>(*p - '0');
        return p != from && p - from <= 19;
    };
    const char *p = l;
    std::uint64_t tid = 0, raw = 0, bytes = 0;
    if (!decimal(p, tid) || tid > 0xffffffffu || le - p < 4 || p[0] != ' ' || p[3] != ' ') return false;
    const bool load = p[1] == 'l' && p[2] == 'd', store = p[1] == 's' && p[2] == 't';
    if (!load && !store) return false;
    p += 4;
    if (le - p > 2 && p[0] == '0' && p[1] == 'x') {
        const char *from = p += 2;
        for (; p < le && *p != ' '; ++p) {
            const unsigned c = static_cast<unsigned char>(*p);
            unsigned d;
            if (c - '0' < 10) d = c - '0';
            else if ((c | 0x20) - 'a' < 6) d = (c | 0x20) - 'a' + 10;
            else return false;
            raw = raw << 4 | d;
        }
        if (p == from || p - from > 16) return false;
    } else if (!decimal(p, raw)) {
        return false;
    }
    if (p >= le || *p != ' ') return false;
    ++p;
    if (!decimal(p, bytes) || p != le || bytes == 0 || bytes > kMaxAccess) return false;
    const auto t = static_cast<std::uint32_t>(tid);
    if (!(m_live_known && m_live_tid == t)) {
        if (!m_threads.count(t)) return false;
        m_live_tid = t;
        m_live_known = true;
    }
    ev = TraceEvent{};
    ev.position = m_lines.line();
    ev.thread = t;
    ev.op = load ? TraceOp::load : TraceOp::store;
    ev.src.raw = raw;
    ev.arg = bytes;
    return true;
}

/* Parses one line; false for blank and comment lines. */
bool TextTraceReader::parse(const char *l, const char *le, TraceEvent &ev) {
    Tokens t = split(l, le);
    if (t.n == 0) return false;
    if (t.n > 8) m_lines.fail("too many fields", l, le);
    if (!m_header_seen) {
        if (t.n != 2 || !token_is(t.b[0], t.e[0], "mtesim-trace"))
            m_lines.fail("missing header, expected 'mtesim-trace 1' as the first line", l, le);
        if (!token_is(t.b[1], t.e[1], "1")) m_lines.fail("unsupported version, expected 'mtesim-trace 1'", l, le);
        m_header_seen = true;
        return false;
    }
    ev = TraceEvent{};
    ev.position = m_lines.line();
    auto need = [&](int n, const char *usage) {
        if (t.n != n) m_lines.fail(std::string("wrong number of fields, expected '") + usage + "'", l, le);
    };
    auto number = [&](int i, const char *what, std::uint64_t max) {
        std::uint64_t v = 0;
        if (!parse_number(t.b[i], t.e[i], v) || v > max)
            m_lines.fail(std::string("bad ") + what + ", expected a number up to " + std::to_string(max), l, le);
        return v;
    };
    // mispredict=M of a compute or ld/st: 1..65535 mispredicted branches, each one of the
    // record's @instructions (compute N, or a ld/st's gap=N), so at most that many.
    auto mispredicts = [&](const char *b, const char *e, std::uint64_t instructions, const char *what) {
        const char *v;
        std::uint64_t n = 0;
        if (!keyword(b, e, "mispredict", v) || !parse_number(v, e, n) || n < 1 || n > kMaxMispredicts)
            m_lines.fail("bad argument, expected mispredict=M (mispredicted branches, 1 to " + std::to_string(kMaxMispredicts) + ")", l, le);
        if (n > instructions)
            m_lines.fail("bad argument, expected mispredict=M at most the " + std::string(what) + " (" +
                             std::to_string(instructions) + "): each mispredicted branch is one of them",
                         l, le);
        return static_cast<std::uint16_t>(n);
    };
    // ADDRESS LENGTH of a memory system call: page-aligned, inside the user address space.
    auto range = [&](int a, int n) {
        if (!parse_number(t.b[a], t.e[a], ev.src.raw)) m_lines.fail("bad address, expected 0x-hex or decimal", l, le);
        if (ev.src.raw & 0xfff) m_lines.fail("bad address, expected a page-aligned (4 KiB) address", l, le);
        ev.arg = number(n, "length", kUserVaLimit);
        if (ev.arg == 0) m_lines.fail("bad length 0, expected > 0", l, le);
        if (ev.src.raw >= kUserVaLimit || ev.arg > kUserVaLimit - ev.src.raw)
            m_lines.fail("bad range, expected it to end at or below 2^48 (the user address space)", l, le);
    };
    auto mte_keywords = [&](int from, std::uint32_t &aux, bool allow_core, std::uint64_t *core, std::uint64_t *process) {
        for (int i = from; i < t.n; ++i) {
            const char *v;
            TcfMode mode;
            std::uint64_t x = 0;
            if (keyword(t.b[i], t.e[i], "tcf", v)) {
                if (!parse_tcf(v, t.e[i], mode)) m_lines.fail("bad tcf, expected none, sync, async or asymm", l, le);
                aux = (aux & ~0xffu) | static_cast<std::uint32_t>(mode);
            } else if (keyword(t.b[i], t.e[i], "exclude", v)) {
                if (!parse_number(v, t.e[i], x) || x > 0xffff) m_lines.fail("bad exclude, expected a 16-bit mask", l, le);
                aux = (aux & ~0xffff00u) | static_cast<std::uint32_t>(x << 8) | (allow_core ? kThreadMaskGiven : 0);
            } else if (keyword(t.b[i], t.e[i], "tagged_addr", v)) {
                // PR_TAGGED_ADDR_ENABLE (tagged-address-abi.rst): tagged pointers in syscalls.
                const bool on = token_is(v, t.e[i], "on"), off = token_is(v, t.e[i], "off");
                if (!on && !off) m_lines.fail("bad tagged_addr, expected on or off", l, le);
                aux = (aux & ~kTaggedAddrAbi) | (on ? kTaggedAddrAbi : 0u);
            } else if (allow_core && keyword(t.b[i], t.e[i], "core", v)) {
                if (!parse_number(v, t.e[i], x) || x > 4095) m_lines.fail("bad core, expected a CPU number", l, le);
                *core = x;
            } else if (allow_core && keyword(t.b[i], t.e[i], "process", v)) {
                if (!parse_number(v, t.e[i], x) || x == 0 || x > kMaxProcess)
                    m_lines.fail("bad process, expected a process id from 1 to " + std::to_string(kMaxProcess), l, le);
                *process = x;
            } else {
                m_lines.fail(std::string("unknown argument, expected ") + (allow_core ? "core=, process=, " : "") + "tcf=, exclude= or tagged_addr=", l, le);
            }
        }
    };

    if (token_is(t.b[0], t.e[0], "thread")) {
        if (t.n < 2)
            m_lines.fail("wrong number of fields, expected 'thread TID [core=N] [process=PID] [tcf=MODE] [exclude=MASK]'", l, le);
        const auto tid = static_cast<std::uint32_t>(number(1, "thread id", 0xffffffffu));
        if (m_threads.count(tid) || m_exited.count(tid))
            m_lines.fail("thread " + std::to_string(tid) + " already exists, expected a new thread id", l, le);
        std::uint64_t core = TraceEvent::kAnyCore, process = 1;
        mte_keywords(2, ev.aux, true, &core, &process);
        ev.src.raw = process;
        m_threads.insert(tid);
        ev.op = TraceOp::thread_create;
        ev.thread = tid;
        ev.arg = core;
        return true;
    }

    if (t.n < 2) m_lines.fail("unknown event, expected 'thread ...' or 'TID EVENT ...'", l, le);
    ev.thread = parse_thread(t.b[0], t.e[0], l, le);
    const char *op = t.b[1], *ope = t.e[1];
    if (token_is(op, ope, "compute")) {
        if (t.n < 3 || t.n > 4) m_lines.fail("wrong number of fields, expected 'TID compute CYCLES [mispredict=M]'", l, le);
        ev.op = TraceOp::compute;
        ev.arg = number(2, "cycle count", 1ull << 40);
        if (t.n == 4) ev.mispredicts = mispredicts(t.b[3], t.e[3], ev.arg, "compute's instructions");
    } else if (token_is(op, ope, "ld") || token_is(op, ope, "st")) {
        if (t.n < 4 || t.n > 8)
            m_lines.fail("wrong number of fields, expected 'TID ld|st ADDRESS SIZE [gap=N] [dep=K] [mispredict=M] [value=V]'", l, le);
        int mispredict_field = 0; /* checked against gap= once every field is read */
        ev.op = token_is(op, ope, "ld") ? TraceOp::load : TraceOp::store;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
        ev.arg = number(3, "size", kMaxAccess);
        if (ev.arg == 0) m_lines.fail("bad size 0, expected 1 to 4096 bytes", l, le);
        for (int i = 4; i < t.n; ++i) {
            const char *v;
            std::uint64_t n = 0;
            if (keyword(t.b[i], t.e[i], "gap", v)) {
                if (!parse_number(v, t.e[i], n) || n > 0xffffffffu)
                    m_lines.fail("bad argument, expected gap=N (instructions before the access)", l, le);
                ev.aux = static_cast<std::uint32_t>(n);
            } else if (keyword(t.b[i], t.e[i], "dep", v)) {
                if (!parse_number(v, t.e[i], n) || n < 1 || n > kMaxLoadDependency)
                    m_lines.fail("bad argument, expected dep=K (the address depends on the K-th previous load, 1 to " +
                                     std::to_string(kMaxLoadDependency) + ")", l, le);
                ev.dep = static_cast<std::uint32_t>(n);
            } else if (keyword(t.b[i], t.e[i], "mispredict", v)) {
                mispredict_field = i;
            } else if (ev.op == TraceOp::store && keyword(t.b[i], t.e[i], "value", v)) {
                if (!parse_number(v, t.e[i], ev.value)) m_lines.fail("bad value, expected value=V (a 64-bit number)", l, le);
                ev.has_value = true;
            } else {
                m_lines.fail(ev.op == TraceOp::store ? "bad argument, expected gap=N, dep=K, mispredict=M or value=V"
                                                     : "bad argument, expected gap=N, dep=K or mispredict=M", l, le);
            }
        }
        if (mispredict_field)
            ev.mispredicts = mispredicts(t.b[mispredict_field], t.e[mispredict_field], ev.aux, "gap's instructions (gap=N)");
    } else if (token_is(op, ope, "irg")) {
        if (t.n < 4 || t.n > 6)
            m_lines.fail("wrong number of fields, expected 'TID irg NAME ADDRESS [exclude=MASK] [gmi]'", l, le);
        ev.op = TraceOp::irg;
        ev.src = parse_operand(t.b[3], t.e[3], l, le);
        ev.dest = define_name(t.b[2], t.e[2], l, le);
        for (int i = 4; i < t.n; ++i) {
            const char *v;
            std::uint64_t x = 0;
            if (token_is(t.b[i], t.e[i], "gmi")) {
                ev.aux = 1;
            } else if (keyword(t.b[i], t.e[i], "exclude", v) && parse_number(v, t.e[i], x) && x <= 0xffff) {
                ev.arg = x;
            } else {
                m_lines.fail("bad argument, expected exclude=MASK (16 bits) or gmi", l, le);
            }
        }
    } else if (token_is(op, ope, "addg") || token_is(op, ope, "subg")) {
        need(6, "TID addg|subg NAME ADDRESS OFFSET TAG_OFFSET");
        ev.op = token_is(op, ope, "addg") ? TraceOp::addg : TraceOp::subg;
        ev.src = parse_operand(t.b[3], t.e[3], l, le);
        ev.dest = define_name(t.b[2], t.e[2], l, le);
        ev.arg = number(4, "offset (ADDG/SUBG: a multiple of 16 up to 1008)", 1008);
        if (ev.arg % 16) m_lines.fail("bad offset, expected a multiple of 16 up to 1008", l, le);
        ev.aux = static_cast<std::uint32_t>(number(5, "tag offset", 15));
    } else if (token_is(op, ope, "ldg")) {
        need(4, "TID ldg NAME ADDRESS");
        ev.op = TraceOp::ldg;
        ev.src = parse_operand(t.b[3], t.e[3], l, le);
        ev.dest = define_name(t.b[2], t.e[2], l, le);
    } else if (token_is(op, ope, "stg") || token_is(op, ope, "st2g") || token_is(op, ope, "stzg") ||
               token_is(op, ope, "stz2g") || token_is(op, ope, "dc_gzva")) {
        need(3, "TID stg|st2g|stzg|stz2g|dc_gzva ADDRESS");
        ev.op = token_is(op, ope, "stg")    ? TraceOp::stg
                : token_is(op, ope, "st2g") ? TraceOp::st2g
                : token_is(op, ope, "stzg") ? TraceOp::stzg
                : token_is(op, ope, "stz2g") ? TraceOp::stz2g
                                              : TraceOp::dc_gzva;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
    } else if (token_is(op, ope, "mmap")) {
        if (t.n < 4 || t.n > 7)
            m_lines.fail("wrong number of fields, expected 'TID mmap ADDRESS LENGTH [PROT] [file=ID|memfd=ID [offset=BYTES] | shared]'", l, le);
        ev.op = TraceOp::mmap;
        range(2, 3);
        bool offset_given = false, prot_given = false;
        for (int i = 4; i < t.n; ++i) {
            const char *v;
            std::uint64_t x = 0;
            bool mte = false, read_only = false;
            if (parse_prot(t.b[i], t.e[i], mte, read_only)) {
                if (prot_given) m_lines.fail("more than one protection, expected one PROT field such as mte,ro", l, le);
                prot_given = true;
                ev.aux |= (mte ? 1u : 0u) | (read_only ? kMmapReadOnly : 0u);
            } else if (keyword(t.b[i], t.e[i], "file", v)) {
                if (!parse_number(v, t.e[i], x) || x >= Operand::kRaw) m_lines.fail("bad file, expected a file id (32-bit number)", l, le);
                ev.aux |= 2;
                ev.dest = static_cast<std::uint32_t>(x);
            } else if (keyword(t.b[i], t.e[i], "memfd", v)) {
                if (!parse_number(v, t.e[i], x) || x == 0 || x > kMaxMemfd)
                    m_lines.fail("bad memfd, expected a memfd id from 1 to " + std::to_string(kMaxMemfd), l, le);
                ev.aux |= 8;
                ev.dest = static_cast<std::uint32_t>(x);
            } else if (token_is(t.b[i], t.e[i], "shared")) {
                ev.aux |= 4;
            } else if (keyword(t.b[i], t.e[i], "offset", v)) {
                if (!parse_number(v, t.e[i], x) || (x & 0xfff) || (x >> 12) >= (1u << 24))
                    m_lines.fail("bad offset, expected a page-aligned byte offset below 64 GiB", l, le);
                ev.aux |= static_cast<std::uint32_t>((x >> 12) << 8);
                offset_given = true;
            } else {
                m_lines.fail("bad argument, expected a protection (mte, ro, rw or a list such as mte,ro), file=ID, memfd=ID, "
                             "shared or offset=BYTES", l, le);
            }
        }
        if (offset_given && !(ev.aux & 10)) m_lines.fail("offset= without file= or memfd=, expected file=ID or memfd=ID first", l, le);
        const unsigned kinds = ((ev.aux >> 1) & 1) + ((ev.aux >> 2) & 1) + ((ev.aux >> 3) & 1);
        if (kinds > 1) m_lines.fail("more than one of file=, memfd= and shared, expected one backing", l, le);
    } else if (token_is(op, ope, "munmap") || token_is(op, ope, "madvise") || token_is(op, ope, "pin_range") ||
               token_is(op, ope, "unpin_range")) {
        const bool madv = token_is(op, ope, "madvise");
        if (t.n != (madv ? 5 : 4))
            m_lines.fail(madv ? "wrong number of fields, expected 'TID madvise ADDRESS LENGTH pageout|dontneed'"
                              : "wrong number of fields, expected 'TID munmap|pin_range|unpin_range ADDRESS LENGTH'", l, le);
        ev.op = token_is(op, ope, "munmap") ? TraceOp::munmap : madv ? TraceOp::pageout : TraceOp::pin_range;
        ev.aux = token_is(op, ope, "pin_range") ? 1 : 0;
        range(2, 3);
        if (madv && token_is(t.b[4], t.e[4], "dontneed")) ev.op = TraceOp::dontneed;
        else if (madv && !token_is(t.b[4], t.e[4], "pageout")) m_lines.fail("bad advice, expected pageout or dontneed", l, le);
    } else if (token_is(op, ope, "mprotect")) {
        need(5, "TID mprotect ADDRESS LENGTH PROT");
        ev.op = TraceOp::mprotect;
        range(2, 3);
        // `none` is the older spelling of `rw`: PROT_READ|PROT_WRITE without PROT_MTE.
        bool mte = false, read_only = false;
        if (!token_is(t.b[4], t.e[4], "none") && !parse_prot(t.b[4], t.e[4], mte, read_only))
            m_lines.fail("bad protection, expected mte, ro, rw, none or a list such as mte,ro", l, le);
        ev.aux = (mte ? kProtectMte : 0u) | (read_only ? kProtectReadOnly : 0u);
    } else if (token_is(op, ope, "read") || token_is(op, ope, "write")) {
        const bool wr = token_is(op, ope, "write");
        const char *buf = nullptr;
        if (t.n == 6 && !keyword(t.b[5], t.e[5], "buf", buf)) m_lines.fail("bad argument, expected buf=ADDR", l, le);
        if (wr && t.n != 6) need(6, "TID write FILE OFFSET LENGTH buf=ADDR");
        if (!wr && t.n != 6) need(5, "TID read FILE OFFSET LENGTH [buf=ADDR]");
        ev.op = TraceOp::read_file;
        const std::uint64_t file = number(2, "file id", Operand::kRaw - 1);
        ev.dest = static_cast<std::uint32_t>(file);
        ev.src.raw = number(3, "offset", 1ull << 48);
        ev.arg = number(4, "length", 1ull << 40);
        if (ev.arg == 0) m_lines.fail("bad length 0, expected > 0", l, le);
        if (buf) {
            // read(2)/write(2) through a user buffer: the offset moves to aux, the buffer is src.
            if (ev.src.raw > 0xffffffffu) m_lines.fail("bad offset, expected below 4 GiB with buf=", l, le);
            if (ev.arg > (1u << 30)) m_lines.fail("bad length, expected at most 1 GiB with buf=", l, le);
            ev.aux = static_cast<std::uint32_t>(ev.src.raw);
            ev.op = wr ? TraceOp::write_user : TraceOp::read_user;
            ev.src = parse_operand(buf, t.e[5], l, le);
        }
    } else if (token_is(op, ope, "malloc") || token_is(op, ope, "calloc")) {
        const bool c = token_is(op, ope, "calloc");
        need(c ? 5 : 4, c ? "TID calloc NAME COUNT SIZE" : "TID malloc NAME SIZE");
        ev.op = c ? TraceOp::calloc : TraceOp::malloc;
        if (c) ev.aux = static_cast<std::uint32_t>(number(3, "element count", 0xffffffffu));
        ev.arg = number(c ? 4 : 3, "size", kMaxHeapRequest);
        if (c && std::uint64_t(ev.aux) * ev.arg > kMaxHeapRequest)
            m_lines.fail("bad size, expected COUNT x SIZE up to " + std::to_string(kMaxHeapRequest), l, le);
        ev.dest = define_name(t.b[2], t.e[2], l, le);
        m_heap_freed.erase(ev.dest);
    } else if (token_is(op, ope, "realloc")) {
        need(5, "TID realloc NAME OLD SIZE");
        ev.op = TraceOp::realloc;
        ev.src = parse_operand(t.b[3], t.e[3], l, le);
        free_handle(ev.src, l, le);
        ev.arg = number(4, "size", kMaxHeapRequest);
        ev.dest = define_name(t.b[2], t.e[2], l, le);
        m_heap_freed.erase(ev.dest);
    } else if (token_is(op, ope, "free")) {
        need(3, "TID free NAME");
        ev.op = TraceOp::free;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
        free_handle(ev.src, l, le);
    } else if (token_is(op, ope, "prctl")) {
        if (t.n < 3) m_lines.fail("wrong number of fields, expected 'TID prctl [tcf=MODE] [exclude=MASK] [tagged_addr=on|off]'", l, le);
        ev.op = TraceOp::prctl;
        ev.aux = 0xffffffffu; /* fields not given keep their value */
        std::uint32_t aux = 0;
        bool tcf = false, excl = false, tagged = false;
        for (int i = 2; i < t.n; ++i) {
            const char *v;
            tcf |= keyword(t.b[i], t.e[i], "tcf", v);
            excl |= keyword(t.b[i], t.e[i], "exclude", v);
            tagged |= keyword(t.b[i], t.e[i], "tagged_addr", v);
        }
        mte_keywords(2, aux, false, nullptr, nullptr);
        ev.aux = aux;
        ev.arg = (tcf ? 1u : 0u) | (excl ? 2u : 0u) | (tagged ? 4u : 0u); /* which fields the prctl sets */
    } else if (token_is(op, ope, "fork")) {
        need(4, "TID fork CHILD_PID CHILD_TID");
        ev.op = TraceOp::fork;
        ev.src.raw = number(2, "child process id", kMaxProcess);
        if (ev.src.raw == 0) m_lines.fail("bad child process id 0, expected 1 to " + std::to_string(kMaxProcess), l, le);
        const std::uint64_t child = number(3, "child thread id", 0xffffffffu);
        const std::uint32_t ct = static_cast<std::uint32_t>(child);
        if (m_threads.count(ct) || m_exited.count(ct))
            m_lines.fail("thread " + std::to_string(ct) + " already exists, expected a new thread id for the child", l, le);
        ev.dest = ct;
        m_threads.insert(ct);
    } else if (token_is(op, ope, "syscall")) {
        need(2, "TID syscall");
        ev.op = TraceOp::syscall;
    } else if (token_is(op, ope, "sleep")) {
        need(3, "TID sleep NANOSECONDS");
        ev.op = TraceOp::sleep;
        ev.arg = number(2, "sleep time in ns", 1ull << 40);
    } else if (token_is(op, ope, "sysctl")) {
        need(4, "TID sysctl KEY VALUE");
        ev.op = TraceOp::sysctl;
        if (token_is(t.b[2], t.e[2], "vm.compact_memory")) {
            ev.aux = static_cast<std::uint32_t>(SysctlKey::compact_memory);
            ev.arg = number(3, "vm.compact_memory value", 1);
            if (ev.arg != 1) m_lines.fail("bad vm.compact_memory value, expected 1", l, le);
        } else if (token_is(t.b[2], t.e[2], "vm.compaction_proactiveness")) {
            ev.aux = static_cast<std::uint32_t>(SysctlKey::compaction_proactiveness);
            ev.arg = number(3, "vm.compaction_proactiveness value", 100);
        } else {
            m_lines.fail("unsupported sysctl '" + std::string(t.b[2], t.e[2]) +
                             "', expected vm.compact_memory or vm.compaction_proactiveness", l, le);
        }
    } else if (token_is(op, ope, "oom_score_adj")) {
        need(3, "TID oom_score_adj VALUE");
        ev.op = TraceOp::oom_score_adj;
        const bool neg = t.e[2] > t.b[2] && *t.b[2] == '-';
        std::uint64_t v = 0;
        if (!parse_number(t.b[2] + (neg ? 1 : 0), t.e[2], v) || v > static_cast<std::uint64_t>(kOomScoreAdjMax))
            m_lines.fail("bad oom_score_adj value, expected a number from " + std::to_string(kOomScoreAdjMin) + " to " +
                             std::to_string(kOomScoreAdjMax), l, le);
        ev.arg = static_cast<std::uint64_t>(neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v));
    } else if (token_is(op, ope, "yield")) {
        need(2, "TID yield");
        ev.op = TraceOp::yield;
    } else if (token_is(op, ope, "exit")) {
        need(2, "TID exit");
        ev.op = TraceOp::exit;
        m_threads.erase(ev.thread);
        m_exited.insert(ev.thread);
        m_live_known = false;
    } else if (token_is(op, ope, "expect_value")) {
        need(5, "TID expect_value ADDRESS SIZE VALUE");
        ev.op = TraceOp::expect_value;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
        ev.arg = number(3, "size", kMaxAccess);
        if (ev.arg == 0) m_lines.fail("bad size 0, expected 1 to 4096 bytes", l, le);
        if (!parse_number(t.b[4], t.e[4], ev.value)) m_lines.fail("bad value, expected a 64-bit number", l, le);
        ev.has_value = true;
    } else if (token_is(op, ope, "expect_tag")) {
        need(4, "TID expect_tag ADDRESS TAG");
        ev.op = TraceOp::expect_tag;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
        ev.aux = static_cast<std::uint32_t>(number(3, "tag", 15));
    } else if (token_is(op, ope, "expect_result")) {
        need(3, "TID expect_result VALUE|-VALUE|-ERRNO_NAME");
        ev.op = TraceOp::expect_result;
        if (!parse_result(t.b[2], t.e[2], ev.value))
            m_lines.fail("bad result, expected a number, -N or -ERRNO (e.g. -EFAULT, -EINVAL, -ENOMEM)", l, le);
        ev.has_value = true;
    } else if (token_is(op, ope, "expect_fault")) {
        if (t.n < 3 || t.n > 4) m_lines.fail("wrong number of fields, expected 'TID expect_fault KIND|none [si_addr=A]'", l, le);
        ev.op = TraceOp::expect_fault;
        if (t.n == 4) {
            const char *v;
            if (!keyword(t.b[3], t.e[3], "si_addr", v) || !parse_number(v, t.e[3], ev.value) || token_is(t.b[2], t.e[2], "none"))
                m_lines.fail("bad argument, expected si_addr=ADDRESS after a fault kind", l, le);
            ev.has_value = true;
        }
        FaultKind k;
        if (token_is(t.b[2], t.e[2], "none")) ev.aux = kExpectNoFault;
        else if (parse_fault_kind(t.b[2], t.e[2], k)) ev.aux = static_cast<std::uint32_t>(k);
        else
            m_lines.fail("bad fault kind, expected none, SEGV_MTESERR, SEGV_MTEAERR, SEGV_MAPERR, SEGV_ACCERR, BUS_ADRALN, "
                         "BUS_ADRERR, SIGILL, HEAP_DOUBLE_FREE or HEAP_INVALID_FREE", l, le);
    } else if (token_is(op, ope, "sigaction")) {
        if (t.n < 3 || t.n > 4) m_lines.fail("wrong number of fields, expected 'TID sigaction handler|default [expose_tagbits]'", l, le);
        ev.op = TraceOp::sigaction;
        if (token_is(t.b[2], t.e[2], "handler")) ev.aux = 1;
        else if (!token_is(t.b[2], t.e[2], "default")) m_lines.fail("bad disposition, expected handler or default", l, le);
        if (t.n == 4) {
            if (!token_is(t.b[3], t.e[3], "expose_tagbits") || ev.aux == 0)
                m_lines.fail("bad flag, expected 'expose_tagbits' after 'handler'", l, le);
            ev.aux |= 2;
        }
    } else if (token_is(op, ope, "tco")) {
        need(3, "TID tco 0|1");
        ev.op = TraceOp::tco;
        ev.aux = static_cast<std::uint32_t>(number(2, "PSTATE.TCO", 1));
    } else if (token_is(op, ope, "dc_zva") || token_is(op, ope, "dc_gva")) {
        need(3, "TID dc_zva|dc_gva ADDRESS");
        ev.op = token_is(op, ope, "dc_zva") ? TraceOp::dc_zva : TraceOp::dc_gva;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
    } else if (token_is(op, ope, "ldgm") || token_is(op, ope, "stgm")) {
        need(3, "TID ldgm|stgm ADDRESS");
        ev.op = TraceOp::ldgm;
        ev.aux = token_is(op, ope, "stgm") ? 1 : 0;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
    } else if (token_is(op, ope, "ldadd") || token_is(op, ope, "cas") || token_is(op, ope, "swp") ||
               token_is(op, ope, "ldxr") || token_is(op, ope, "stxr")) {
        if (t.n < 4 || t.n > 5) m_lines.fail("wrong number of fields, expected 'TID ldadd|cas|swp|ldxr|stxr ADDRESS SIZE [value=V]'", l, le);
        ev.op = TraceOp::atomic;
        const AtomicKind k = token_is(op, ope, "ldadd") ? AtomicKind::ldadd
                             : token_is(op, ope, "cas") ? AtomicKind::cas
                             : token_is(op, ope, "swp") ? AtomicKind::swp
                             : token_is(op, ope, "ldxr") ? AtomicKind::ldxr
                                                         : AtomicKind::stxr;
        ev.aux = static_cast<std::uint32_t>(k);
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
        ev.arg = number(3, "size", 8);
        if (ev.arg != 1 && ev.arg != 2 && ev.arg != 4 && ev.arg != 8) m_lines.fail("bad size, expected 1, 2, 4 or 8 bytes", l, le);
        if (t.n == 5) {
            const char *v;
            if (k == AtomicKind::ldxr || !keyword(t.b[4], t.e[4], "value", v) || !parse_number(v, t.e[4], ev.value))
                m_lines.fail(k == AtomicKind::ldxr ? "ldxr takes no value, expected 'TID ldxr ADDRESS SIZE'"
                                                   : "bad argument, expected value=V", l, le);
            ev.has_value = true;
        }
    } else if (token_is(op, ope, "kalloc")) {
        if (t.n < 5 || t.n > 7)
            m_lines.fail("wrong number of fields, expected 'TID kalloc NAME ORDER unmovable|reclaimable|movable|tagged "
                         "[atomic] [noretry|retry_mayfail]'", l, le);
        ev.op = TraceOp::kalloc;
        ev.arg = number(3, "order", 10);
        const char *k = t.b[4], *ke = t.e[4];
        AllocKind kind;
        if (token_is(k, ke, "unmovable")) kind = AllocKind::unmovable;
        else if (token_is(k, ke, "reclaimable")) kind = AllocKind::reclaimable;
        else if (token_is(k, ke, "movable")) kind = AllocKind::movable;
        else if (token_is(k, ke, "tagged")) kind = AllocKind::tagged;
        else m_lines.fail("bad kind, expected unmovable, reclaimable, movable or tagged", l, le);
        ev.aux = static_cast<std::uint32_t>(kind);
        for (int f = 5; f < t.n; ++f) {
            const std::uint32_t flag = token_is(t.b[f], t.e[f], "atomic")          ? kKallocAtomic
                                       : token_is(t.b[f], t.e[f], "noretry")       ? kKallocNoretry
                                       : token_is(t.b[f], t.e[f], "retry_mayfail") ? kKallocRetryMayfail
                                                                                    : 0;
            if (!flag) m_lines.fail("bad flag, expected 'atomic', 'noretry' or 'retry_mayfail'", l, le);
            if (ev.aux & flag) m_lines.fail("flag given twice, expected each flag at most once", l, le);
            ev.aux |= flag;
        }
        if ((ev.aux & kKallocNoretry) && (ev.aux & kKallocRetryMayfail))
            m_lines.fail("both 'noretry' and 'retry_mayfail', expected at most one of them", l, le);
        ev.dest = define_name(t.b[2], t.e[2], l, le);
        if (m_kallocated.count(ev.dest))
            m_lines.fail("'" + m_names[ev.dest] + "' still holds a block, expected kfree before it is reused", l, le);
        m_kallocated.insert(ev.dest);
    } else if (token_is(op, ope, "kfree") || token_is(op, ope, "pin") || token_is(op, ope, "unpin")) {
        need(3, "TID kfree|pin|unpin NAME");
        ev.op = token_is(op, ope, "kfree") ? TraceOp::kfree : TraceOp::pin;
        ev.aux = token_is(op, ope, "pin") ? 1 : 0;
        ev.src = parse_operand(t.b[2], t.e[2], l, le);
        if (ev.src.name == Operand::kRaw || ev.src.offset != 0 || !m_kallocated.count(ev.src.name))
            m_lines.fail("not a block from kalloc (never allocated, or freed already), expected a name kalloc set", l, le);
        if (ev.op == TraceOp::kfree) m_kallocated.erase(ev.src.name);
    } else {
        m_lines.fail("unknown event '" + std::string(op, ope) +
                         "', expected compute, ld, st, irg, addg, subg, ldg, stg, st2g, stzg, stz2g, dc_gzva, "
                         "mmap, munmap, mprotect, madvise, read, pin_range, unpin_range, malloc, calloc, realloc, "
                         "free, prctl, fork, write, syscall, yield, sleep, exit, kalloc, kfree, pin, unpin, expect_value, "
                         "expect_tag, expect_result, expect_fault, sigaction, tco, dc_zva, dc_gva, ldadd, cas, swp, ldxr, "
                         "stxr, ldgm or stgm",
                     l, le);
    }
    return true;
}

}  // namespace mtesim
