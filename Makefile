# Convenience wrapper around CMake (as neovim does). Each target installs the Debian
# dependencies when missing (scripts/install-deps.sh), configures, and builds with -j2.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
FUZZ_TARGETS = fuzz_dtb fuzz_ini fuzz_text_trace fuzz_dram_trace fuzz_binary_trace
JOBS ?= 2
CMAKE_FLAGS ?=
# Debug information of the normal and fuzz trees: line tables (-g1: files and lines in every
# backtrace and sanitizer report, no variables), which compiles 9-37% faster per file than -g
# (four files measured) and generates the same code. `make build DEBUG_INFO=-g` for full debug
# information (gdb variables); an empty DEBUG_INFO keeps CMake's RelWithDebInfo default (-O2 -g).
DEBUG_INFO ?= -g1
DEBUG_FLAGS = $(if $(DEBUG_INFO),"-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 $(DEBUG_INFO) -DNDEBUG")

.PHONY: all deps configure build build-asan build-fuzz run test test-fast bench refresh-baselines clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(DEBUG_FLAGS) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

# The main job: mtesim run on the built-in default board and workload.
run: build
	$(BUILD_DIR)/bin/mtesim run

# AddressSanitizer + UndefinedBehaviorSanitizer build (docs/testing.md). It builds what its test
# run uses, the unit and model test programs (`cmake --build $(ASAN_DIR) --target mtesim` for the
# binary), always with line tables only (-g1, as DEBUG_INFO above; docs/performance.md, "CI time").
ASAN_TARGETS = mtesim_unit_tests mtesim_model_tests
build-asan: deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTESIM_SANITIZE=ON -DMTESIM_BUILD_BENCH=OFF \
	      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j$(JOBS) --target $(ASAN_TARGETS)

# libFuzzer targets, built with clang (docs/testing.md).
build-fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTESIM_FUZZ=ON -DMTESIM_BUILD_BENCH=OFF \
	      $(DEBUG_FLAGS) $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target $(FUZZ_TARGETS) mtesim_boards

# The whole test suite: every test on the normal build, the unit and model tests again under
# the sanitizers (a finding fails the test), and a short smoke run of each fuzz target.
test: build build-asan build-fuzz
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600
	cd $(ASAN_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 900 -R '^(unit|model)[.]'
	cd $(FUZZ_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 120 -R '^fuzz[.]'

# The normal build's tests only (quicker, for development).
test-fast: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600

# After an intended model change: rewrite the golden baselines of tests/regression.
refresh-baselines: build
	cd $(BUILD_DIR) && MTESIM_REFRESH_BASELINES=1 ctest -R '^regression[.]' --output-on-failure

bench: build
	./bench/run-all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
