# SPDX-FileCopyrightText: 2026 CircleTray contributors
# SPDX-License-Identifier: MIT
# Entry points; CMake does the building. `make run` and `make test` install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
FUZZ_SECONDS ?= 300
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DCT_WERROR=ON
endif

.PHONY: all deps build run test test-asan soak package bench bench-delivery bench-team bench-app bench-relay bench-postgres bench-smoke fuzz fuzz-smoke format screenshots clean

all: build

deps:
	scripts/install-deps

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	BUILD_DIR=$(BUILD_DIR) scripts/run-app

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --label-exclude soak

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer (its own build folder).
test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCT_ENABLE_ASAN=ON -DCT_BUILD_BENCHMARKS=OFF $(CMAKE_FLAGS)
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ctest --output-on-failure -j$(JOBS) --label-exclude "soak|package"

# Fault and abuse tests ten times longer than `make test` runs them (a few minutes here).
soak: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L soak

package: build
	cd $(BUILD_DIR) && cpack -G DEB

# On two or more cores the delivery benchmark runs on core 1 and pins the relay to core 0.
PIN_DELIVERY := $(shell [ "$$(nproc)" -ge 2 ] && echo "taskset -c 1 ")
RELAY_CPU := $(shell [ "$$(nproc)" -ge 2 ] && echo "--relay-cpu 0")

bench: build
	$(BUILD_DIR)/bench/circletray-bench-core --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	$(PIN_DELIVERY)$(BUILD_DIR)/bench/circletray-bench-delivery $(RELAY_CPU)
	scripts/headless-desktop $(BUILD_DIR)/bench/circletray-bench-app

bench-delivery: build
	$(PIN_DELIVERY)$(BUILD_DIR)/bench/circletray-bench-delivery $(RELAY_CPU)

# The size a team relay must carry (issue 13): 10,000 idle clients, in four client processes.
bench-team: build
	$(PIN_DELIVERY)$(BUILD_DIR)/bench/circletray-bench-delivery $(RELAY_CPU) --clients 10000

bench-app: build
	scripts/headless-desktop $(BUILD_DIR)/bench/circletray-bench-app

bench-relay: build
	scripts/install-deps bench
	bench/relay/run.sh $(BUILD_DIR) 10

# Issue 13 in one run: POST → client latency (SQLite, PostgreSQL, relay A → relay B) and ingest
# through 1 and 2 relays on a throwaway PostgreSQL beside 1 on SQLite.
bench-postgres: build
	scripts/install-deps bench
	bench/relay/postgres.sh $(BUILD_DIR) 10

bench-smoke: build
	$(BUILD_DIR)/bench/circletray-bench-core --benchmark_min_time=0.1 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(BUILD_DIR)/bench/circletray-bench-delivery --events 300 --clients 100 --fanout-events 3
	scripts/headless-desktop $(BUILD_DIR)/bench/circletray-bench-app --runs 1 --idle-seconds 2

fuzz:
	scripts/fuzz $(FUZZ_SECONDS)

fuzz-smoke:
	scripts/fuzz 15

screenshots: build
	scripts/headless-desktop scripts/take-screenshots

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-asan
