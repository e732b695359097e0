// DvmNode: the DVM node as a resource the cores' flushes share: first fit in a calendar of
// bookings, so that a flush waits only while the node is busy with another's snoops.
#include "mtesim/cache/dvm_node.h"

#include <gtest/gtest.h>

using mtesim::DvmNode;

TEST(DvmNode, AFreeNodeStartsAtTheRequestAndABusyOneAtTheEndOfItsBooking) {
    DvmNode dn;
    EXPECT_EQ(dn.book(1000, 400), 1000u);
    EXPECT_EQ(dn.book(1200, 400), 1400u) << "the first booking ends at 1400";
    EXPECT_EQ(dn.book(1300, 100), 1800u) << "behind both";
    EXPECT_EQ(dn.book(5000, 100), 5000u) << "long after: free again";
}

TEST(DvmNode, AnEarlierRequestBookedLaterFindsTheGapsBetweenBookings) {
    // A long kernel operation on one core booked 1000-1400 and 3000-3400 ahead of the others;
    // a flush another core makes at 1500 fits in the gap, one at 2800 of 300 ps does not.
    DvmNode dn;
    dn.book(1000, 400);
    dn.book(3000, 400);
    EXPECT_EQ(dn.book(1500, 500), 1500u);
    EXPECT_EQ(dn.book(2800, 300), 3400u) << "2800-3100 would overlap 3000-3400";
    EXPECT_EQ(dn.book(2000, 1000), 2000u) << "exactly the gap 2000-3000";
    EXPECT_EQ(dn.book(2000, 1), 3700u) << "then nothing until the 3400-3700 booking ends";
}

TEST(DvmNode, ForgettingThePastKeepsWhatIsStillBusy) {
    DvmNode dn;
    dn.book(0, 100);
    dn.book(200, 100);
    dn.book(1000, 500);
    dn.forget_before(250);
    EXPECT_EQ(dn.bookings(), 2u) << "200-300 still runs at 250";
    EXPECT_EQ(dn.book(250, 10), 300u);
    dn.forget_before(2000);
    EXPECT_EQ(dn.bookings(), 0u);
}
