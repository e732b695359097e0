// SlidingVector: a vector whose first element is erased in constant time. The elements live in
// a std::vector from a head index on; erasing the first one moves the index instead of the
// elements behind it. A DRAM bank's request list is this: FR-FCFS serves a list's oldest request
// nearly always (in a streaming run 99.9% of its erases, with four requests behind it on
// average), and erase() moved them all with a call to memmove.
// The interface is the part of std::vector the lists use; iteration order, indices and
// contents are those of a std::vector given the same operations.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace mtesim {

template <typename T>
class SlidingVector {
public:
    using iterator = typename std::vector<T>::iterator;
    using const_iterator = typename std::vector<T>::const_iterator;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;

    SlidingVector() = default;
    SlidingVector(const SlidingVector &o) : m_v(o.begin(), o.end()) {}
    SlidingVector &operator=(const SlidingVector &o) {
        if (this != &o) {
            m_v.assign(o.begin(), o.end());
            m_head = 0;
        }
        return *this;
    }
    /* a moved-from list is empty (its head index goes with the elements) */
    SlidingVector(SlidingVector &&o) noexcept : m_v(std::move(o.m_v)), m_head(o.m_head) { o.clear(); }
    SlidingVector &operator=(SlidingVector &&o) noexcept {
        if (this != &o) {
            m_v = std::move(o.m_v);
            m_head = o.m_head;
            o.clear();
        }
        return *this;
    }

    std::size_t size() const { return m_v.size() - m_head; }
    bool empty() const { return m_v.size() == m_head; }
    T &operator[](std::size_t i) { return m_v[m_head + i]; }
    const T &operator[](std::size_t i) const { return m_v[m_head + i]; }
    T *data() { return m_v.data() + m_head; }
    const T *data() const { return m_v.data() + m_head; }
    T &back() { return m_v.back(); }
    const T &back() const { return m_v.back(); }
    iterator begin() { return m_v.begin() + static_cast<std::ptrdiff_t>(m_head); }
    iterator end() { return m_v.end(); }
    const_iterator begin() const { return m_v.begin() + static_cast<std::ptrdiff_t>(m_head); }
    const_iterator end() const { return m_v.end(); }
    const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
    const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

    void clear() {
        m_v.clear();
        m_head = 0;
    }
    /// Appends @x. When the storage is full and the erased prefix is at least as long as the
    /// list, the prefix is reclaimed first (moving the list, which that many erases paid for);
    /// else the storage grows as a vector's does. So it stays within about four times the
    /// longest the list has been.
    void push_back(const T &x) {
        if (m_head != 0 && m_v.size() == m_v.capacity() && m_head >= size()) {
            m_v.erase(m_v.begin(), m_v.begin() + static_cast<std::ptrdiff_t>(m_head));
            m_head = 0;
        }
        m_v.push_back(x);
    }
    /// Erases the element at @pos: the first in constant time, any other as std::vector does.
    /// Returns the iterator to the element that followed it.
    iterator erase(const_iterator pos) {
        const std::size_t i = static_cast<std::size_t>(pos - m_v.cbegin());
        if (i == m_head) {
            if (++m_head == m_v.size()) clear();
            return begin();
        }
        return m_v.erase(pos);
    }

private:
    std::vector<T> m_v;      /* the elements are m_v[m_head..] */
    std::size_t m_head = 0;  /* elements erased from the front, still in m_v */
};

}  // namespace mtesim
