/* The binary trace format as mtegrind writes it (C, no C++ headers in a Valgrind tool): the
 * op numbers of the TraceOp values it uses and the record layout. tests/unit/
 * mtegrind_format_test.cpp checks them against include/mtesim/trace/trace_event.h and
 * binary_trace_format.h, so the two cannot drift apart. */
#ifndef MG_TRACE_OPS_H
#define MG_TRACE_OPS_H

#define MG_OP_THREAD_CREATE 0
#define MG_OP_COMPUTE 1
#define MG_OP_LOAD 2
#define MG_OP_STORE 3
#define MG_OP_IRG 4
#define MG_OP_ADDG 5
#define MG_OP_MMAP 13
#define MG_OP_MALLOC 26
#define MG_OP_CALLOC 27
#define MG_OP_REALLOC 28
#define MG_OP_FREE 29
#define MG_OP_DEFINE_NAME 0xff
#define MG_NO_NAME 0xffffffffu
#define MG_ANY_CORE 0xffffffffu

typedef struct {
    unsigned char op;
    unsigned char has_name;
    unsigned short mispredicts; /* compute, ld/st: mispredicted branches among its instructions (gap=N for ld/st) */
    unsigned int thread;
    unsigned int dest;
    unsigned int name;
    unsigned int aux;
    unsigned int dep; /* ld/st: the address depends on the dep-th most recent load; 0: none */
    unsigned long long raw_or_offset;
    unsigned long long arg;
} MgRecord; /* 40 bytes, little-endian */

#endif
