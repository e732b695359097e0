// BusyCalendar: bookings that touch are held as one busy stretch, so that a backlog of
// back-to-back transfers (a block device's writes) costs the next request one step, not one per
// booking; first fit is the same as with the bookings apart (the DvmNode tests check first fit).
#include "mtesim/common/busy_calendar.h"

#include <gtest/gtest.h>

using mtesim::BusyCalendar;

TEST(BusyCalendar, BookingsThatTouchAreOneStretchAndFirstFitIsUnchanged) {
    BusyCalendar c;
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(c.book(0, 10), static_cast<std::uint64_t>(i) * 10);
    EXPECT_EQ(c.bookings(), 1u) << "0-10000 busy, one stretch";
    EXPECT_EQ(c.book(20000, 10), 20000u);
    EXPECT_EQ(c.bookings(), 2u);
    EXPECT_EQ(c.book(5, 9990), 10000u) << "the gap 10000-19990 fits, exactly after the first stretch";
    EXPECT_EQ(c.bookings(), 2u) << "it touches the first stretch";
    EXPECT_EQ(c.book(0, 10), 19990u) << "the gap of 10 left before 20000";
    EXPECT_EQ(c.bookings(), 1u) << "0-20010: it touched both";
    c.forget_before(20010);
    EXPECT_EQ(c.bookings(), 0u);
}
