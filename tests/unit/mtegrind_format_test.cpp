// mtegrind (tools/mtegrind, C) writes binary traces with its own copy of the op numbers and
// the record layout; they must be mtesim's.
#include "mtesim/trace/binary_trace_format.h"
#include "mtesim/trace/trace_event.h"

extern "C" {
#include "../../tools/mtegrind/mg_trace_ops.h"
}

#include <gtest/gtest.h>

#include <cstddef>

using namespace mtesim;

TEST(MtegrindFormat, OpNumbersAndRecordLayoutAreMtesims) {
    static_assert(MG_OP_THREAD_CREATE == static_cast<int>(TraceOp::thread_create));
    static_assert(MG_OP_LOAD == static_cast<int>(TraceOp::load));
    static_assert(MG_OP_STORE == static_cast<int>(TraceOp::store));
    static_assert(MG_OP_IRG == static_cast<int>(TraceOp::irg));
    static_assert(MG_OP_ADDG == static_cast<int>(TraceOp::addg));
    static_assert(MG_OP_MMAP == static_cast<int>(TraceOp::mmap));
    static_assert(MG_OP_MALLOC == static_cast<int>(TraceOp::malloc));
    static_assert(MG_OP_CALLOC == static_cast<int>(TraceOp::calloc));
    static_assert(MG_OP_REALLOC == static_cast<int>(TraceOp::realloc));
    static_assert(MG_OP_FREE == static_cast<int>(TraceOp::free));
    static_assert(MG_OP_DEFINE_NAME == bintrace::kOpDefineName);
    static_assert(MG_NO_NAME == Operand::kRaw);
    static_assert(MG_ANY_CORE == TraceEvent::kAnyCore);
    static_assert(sizeof(MgRecord) == sizeof(bintrace::Record));
    EXPECT_EQ(offsetof(MgRecord, thread), offsetof(bintrace::Record, thread));
    EXPECT_EQ(offsetof(MgRecord, dest), offsetof(bintrace::Record, dest));
    EXPECT_EQ(offsetof(MgRecord, name), offsetof(bintrace::Record, name));
    EXPECT_EQ(offsetof(MgRecord, aux), offsetof(bintrace::Record, aux));
    EXPECT_EQ(offsetof(MgRecord, dep), offsetof(bintrace::Record, reserved2)) << "ld/st dep=K";
    EXPECT_EQ(offsetof(MgRecord, mispredicts), offsetof(bintrace::Record, mispredicts)) << "compute, ld/st mispredict=M";
    static_assert(MG_OP_COMPUTE == static_cast<int>(TraceOp::compute));
    EXPECT_EQ(offsetof(MgRecord, raw_or_offset), offsetof(bintrace::Record, raw_or_offset));
    EXPECT_EQ(offsetof(MgRecord, arg), offsetof(bintrace::Record, arg));
}
