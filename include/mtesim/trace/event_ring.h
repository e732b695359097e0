// EventRing: a FIFO of trace events in a power-of-two ring that grows when full, used for each
// thread's read-ahead queue. Unlike std::deque it allocates only when it grows, never per
// event (profiling showed deque block allocation on the per-event path).
#pragma once

#include "mtesim/trace/trace_event.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class EventRing {
public:
    EventRing() : m_slots(16) {}

    bool empty() const { return m_head == m_tail; }
    std::uint64_t size() const { return m_tail - m_head; }

    void push(const TraceEvent &ev) {
        if (size() == m_slots.size()) grow();
        m_slots[m_tail++ & (m_slots.size() - 1)] = ev;
    }
    /// Puts @ev before every queued event: the next pop() returns it.
    void push_front(const TraceEvent &ev) {
        if (size() == m_slots.size()) grow();
        if (m_head == 0) { /* keep the free-running indices above zero: the slots are the same mod size */
            m_head += m_slots.size();
            m_tail += m_slots.size();
        }
        m_slots[--m_head & (m_slots.size() - 1)] = ev;
    }
    /// Removes the oldest event into @out. The ring must not be empty.
    void pop(TraceEvent &out) { out = m_slots[m_head++ & (m_slots.size() - 1)]; }
    void clear() { m_head = m_tail = 0; }

private:
    void grow() {
        std::vector<TraceEvent> bigger(m_slots.size() * 2);
        for (std::uint64_t i = m_head; i != m_tail; ++i) bigger[i - m_head] = m_slots[i & (m_slots.size() - 1)];
        m_tail -= m_head;
        m_head = 0;
        m_slots.swap(bigger);
    }

    std::vector<TraceEvent> m_slots;
    std::uint64_t m_head = 0, m_tail = 0; /* free-running indices */
};

}  // namespace mtesim
