// MTESIM_ASSERT: the check for simulator bugs (never for bad input or modelled events). It is
// always on, prints the condition, the place and a message, and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>

#define MTESIM_ASSERT(cond, msg)                                                        \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            std::fprintf(stderr, "mtesim: internal error: %s:%d: %s: %s\n", __FILE__,    \
                         __LINE__, #cond, (msg));                                       \
            std::abort();                                                               \
        }                                                                               \
    } while (0)
