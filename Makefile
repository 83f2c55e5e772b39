# The README's commands. `make test` installs what is missing, builds, and runs every suite.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= 2
# ccache hits across checkouts in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: test deps build test-asan demo demo-down clean

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

deps:
	scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja
	ninja -C $(BUILD) -j $(JOBS)

# Unit suites under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKUBEDBT_SANITIZE=ON -DKUBEDBT_INTEGRATION_TESTS=OFF -DKUBEDBT_BENCHMARKS=OFF
	ninja -C $(ASAN_BUILD) -j $(JOBS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) -L unit --output-on-failure -j $(JOBS)

# The end-to-end demo in .demo/ (scripts/demo.sh): cluster, PostgreSQL, operator, the shop project.
demo: build
	scripts/demo.sh up --build $(BUILD)

# Stops everything the demo started and removes .demo/; fails if anything is left running.
demo-down:
	scripts/demo.sh down

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
