// Entry point of the SystemC model tests. SystemC's library calls sc_main(); this runs the
// selected GoogleTest cases from there. ctest runs each case in its own process
// (gtest_discover_tests), since a SystemC design elaborates once per process.
#include <gtest/gtest.h>

#include <systemc>

#include <cstdlib>

int sc_main(int argc, char *argv[]) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

int main(int argc, char *argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
