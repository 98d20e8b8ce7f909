# flowkit — the only entry point. See README.md.
#   make            build libcore and every program into bin/
#   make test       build and run every test (unit, tools, interop, a short fuzz run)
#   make test-sanitize  the same tests built with clang, AddressSanitizer and UBSan
#   make demo       build, synthesise a capture, turn it into flows and query them
#   make bench      side-by-side benchmarks against nfdump, nfpcapd, softflowd (long)
#   make fuzz       run every libFuzzer harness longer (FUZZ_SECONDS, default 60 each)
#   make install PREFIX=/usr/local
PREFIX ?= /usr/local
BUILD ?= build
SAN_BUILD ?= build-san
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=

.PHONY: all deps test test-sanitize fuzz fuzz-smoke demo bench install clean format

all: $(BUILD)/.configured
	cmake --build $(BUILD) -j $(JOBS)

# The dependency check is cheap (dpkg-query); setup.sh installs only what is missing.
deps:
	@scripts/setup.sh --check 2>/dev/null || scripts/setup.sh

$(BUILD)/.configured: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	@touch $@

$(SAN_BUILD)/.configured: CMakeLists.txt | deps
	CC=clang CXX=clang++ cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	    -DFLOWKIT_SANITIZE=ON -DFLOWKIT_FUZZ=ON $(CMAKE_FLAGS)
	@touch $@

test: all fuzz-smoke
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: $(SAN_BUILD)/.configured
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz-smoke: $(SAN_BUILD)/.configured
	cmake --build $(SAN_BUILD) -j $(JOBS)
	tests/fuzz/run.sh $(SAN_BUILD)/fuzz 5

fuzz: $(SAN_BUILD)/.configured
	cmake --build $(SAN_BUILD) -j $(JOBS)
	tests/fuzz/run.sh $(SAN_BUILD)/fuzz $(FUZZ_SECONDS)

demo: all
	scripts/demo.sh

bench: all
	scripts/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 bin/* $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/

format:
	find libcore tools tests -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(SAN_BUILD) bin
