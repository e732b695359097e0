// The mtesim executable. main() quiets SystemC's start-up banner (mtesim's stderr is kept for
// the one-line error of the bad-input contract) and hands over to SystemC, which calls
// sc_main(), the standard entry point. Everything else lives in libraries so tests link it.
#include "app/cli.h"

#include <systemc>

#include <cstdlib>
#include <iostream>

int sc_main(int argc, char *argv[]) { return mtesim::Cli::main(argc, argv, std::cout, std::cerr); }

int main(int argc, char *argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
