// The range of /proc/PID/oom_score_adj (include/uapi/linux/oom.h), shared by the trace readers,
// which check a value against it, and the kernel's OOM killer, which uses it.
#pragma once

#include <cstdint>

namespace mtesim {

inline constexpr std::int32_t kOomScoreAdjMin = -1000; /* OOM_SCORE_ADJ_MIN: never killed */
inline constexpr std::int32_t kOomScoreAdjMax = 1000;  /* OOM_SCORE_ADJ_MAX */

}  // namespace mtesim
