// DramStepLog: what a DramChannel's scheduler decided at each step of a prediction's run, with
// the state a later request's entry could interact with: the queue counts and drain mode the
// step saw, the command it chose (or that it only moved the clock on), the commanded bank's
// state after it and the per-bank-group timing limits after it. DramLateEntry reads it to
// decide whether a request arriving inside the run would have changed any of those decisions
// (docs/timing-model.md, "Requests that arrive inside a prediction's run").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace mtesim {

class DramStepLog {
public:
    /// What the step chose. `unchecked`: a command for no request (refresh, timeout precharge),
    /// which a late entry's check does not reason about.
    enum class Pick : std::uint8_t { none, hit, other, unchecked };

    struct Step {
        std::uint64_t t = 0;       /* cycle the step began at (the channel's clock) */
        std::uint64_t cmd_at = 0;  /* cycle of its command (t, or later when it skipped idle cycles); kNone: none */
        std::uint64_t next = 0;    /* the channel's clock after it */
        std::uint64_t seq = 0;     /* age of the request its command was for */
        std::uint32_t flat = 0;    /* flat bank index of the command */
        std::uint32_t reads = 0, writes = 0;               /* requests queued when the step began */
        std::uint32_t drained_before = 0, drained_after = 0; /* writes issued in the drain episode, around the drain update */
        bool draining_before = false, draining_after = false;
        bool changes_after = false; /* the drain mode would change again right after the update */
        bool capped = false;        /* some bank's row hits were held back by the bypass cap (counted per step) */
        Pick pick = Pick::none;
        std::uint32_t prev_same = kNoStep; /* the previous step commanding the same bank */
        /* the commanded bank after the command, in tCK cycles (open_row: a row index) */
        std::uint64_t open_row = 0, next_col = 0, next_act = 0, next_pre = 0;
    };
    static constexpr std::uint64_t kNone = ~0ull;
    static constexpr std::uint32_t kNoStep = ~0u;

    /// Empties the log for a run whose channel has @banks banks and @groups entries in each
    /// per-bank-group array (ranks x bank groups), keeping at most @capacity steps.
    void clear(std::size_t banks, std::size_t groups, std::size_t capacity) {
        m_steps.clear();
        m_steps.reserve(capacity);
        if (m_last.size() != banks) m_last.resize(banks);
        std::fill(m_last.begin(), m_last.end(), kNoStep);
        if (m_arrays.size() != capacity * 3 * groups) m_arrays.resize(capacity * 3 * groups);
        m_groups = groups;
        m_capacity = capacity;
        m_overflowed = false;
    }
    /// The record for the next step, or null once the log is full (it is then overflowed()).
    Step *begin_step() {
        if (m_steps.size() >= m_capacity) {
            m_overflowed = true;
            return nullptr;
        }
        m_steps.emplace_back();
        return &m_steps.back();
    }
    /// Stores the last step's per-bank-group limits: earliest RD, earliest WR, earliest ACT.
    void add_arrays(const std::uint64_t *rd, const std::uint64_t *wr, const std::uint64_t *act) {
        const std::size_t n = m_groups;
        std::uint64_t *to = m_arrays.data() + (m_steps.size() - 1) * 3 * n;
        /* Copies of a size known at compile time for the usual geometries (ranks x bank groups
         * of 4, 8 or 16 entries) compile to a few vector moves; a call to memmove per array cost
         * more than the rest of the record. */
        switch (n) {
        case 4: copy3<4>(to, rd, wr, act); break;
        case 8: copy3<8>(to, rd, wr, act); break;
        case 16: copy3<16>(to, rd, wr, act); break;
        default:
            std::copy(rd, rd + n, to);
            std::copy(wr, wr + n, to + n);
            std::copy(act, act + n, to + 2 * n);
        }
    }
    /// Links the last step (which commanded a bank) into that bank's chain of steps.
    void link_bank() {
        Step &s = m_steps.back();
        s.prev_same = m_last[s.flat];
        m_last[s.flat] = static_cast<std::uint32_t>(m_steps.size() - 1);
    }
    /// The last step before step @end that commanded bank @flat (kNoStep: none).
    std::uint32_t last_for_bank(std::size_t flat, std::size_t end) const {
        std::uint32_t j = m_last[flat];
        while (j != kNoStep && j >= end) j = m_steps[j].prev_same;
        return j;
    }
    /// The first step that ends after cycle @at (size(): none); steps are in time order.
    std::size_t first_after(std::uint64_t at) const {
        std::size_t lo = 0, hi = m_steps.size();
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            if (m_steps[mid].next > at) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
    std::size_t size() const { return m_steps.size(); }
    bool overflowed() const { return m_overflowed; }
    const Step &step(std::size_t i) const { return m_steps[i]; }
    /// After step @i: array @which (0 earliest RD, 1 earliest WR, 2 earliest ACT) of each group.
    const std::uint64_t *arrays(std::size_t i, int which) const {
        return m_arrays.data() + (i * 3 + static_cast<std::size_t>(which)) * m_groups;
    }

private:
    template <std::size_t N>
    static void copy3(std::uint64_t *to, const std::uint64_t *rd, const std::uint64_t *wr, const std::uint64_t *act) {
        std::memcpy(to, rd, N * sizeof *to);
        std::memcpy(to + N, wr, N * sizeof *to);
        std::memcpy(to + 2 * N, act, N * sizeof *to);
    }
    std::vector<Step> m_steps;
    std::vector<std::uint64_t> m_arrays; /* [step][which][group], sized for the capacity */
    std::vector<std::uint32_t> m_last;   /* [bank]: the last step that commanded it */
    std::size_t m_groups = 0;
    std::size_t m_capacity = 0;
    bool m_overflowed = false;
};

}  // namespace mtesim
