# devoxx-container: `make` builds bin/devoxx-container and bin/devoxx-runtime;
# `make check` runs the unit and integration tests; `make SAN=1` builds with
# ASan+UBSan into build-san/ and bin-san/; `make bench` runs the benchmarks.

CC ?= gcc
SAN ?=
PKGS_RT = jansson libcap libseccomp
PKGS_ENGINE = $(PKGS_RT) libmnl
# libarchive and libcrypto are loaded on first use (src/util/dl.h): headers only.
PKGS_DLOPEN = libarchive libcrypto libcurl libisal libzstd libnftables

ifeq ($(FUZZ),1)
# libFuzzer targets (fuzz/): every object instrumented for the fuzzer,
# ASan and UBSan; `make fuzz` builds them, `make fuzz-run` runs each one.
CC := clang
BUILD := build-fuzz
BIN := bin-fuzz
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1
else ifeq ($(SAN),1)
BUILD := build-san
BIN := bin-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1
else
BUILD := build
BIN := bin
SANFLAGS :=
OPT := -O2
endif

WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
       -Wno-unused-parameter -Wno-format-nonliteral -Wstrict-prototypes
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Isrc \
             $(shell pkg-config --cflags $(PKGS_ENGINE) $(PKGS_DLOPEN))
LDFLAGS ?=
ALL_LDFLAGS = -Wl,--as-needed $(LDFLAGS) $(SANFLAGS) -pthread
LIBS_RT = $(shell pkg-config --libs $(PKGS_RT))
LIBS_ENGINE = $(shell pkg-config --libs $(PKGS_ENGINE))

UTIL_SRC = $(wildcard src/util/*.c)
RUNTIME_SRC = $(wildcard src/runtime/*.c)
ENGINE_SRC = $(wildcard src/engine/*.c) $(wildcard src/image/*.c) $(wildcard src/net/*.c)
CLI_COMMON = src/cli/common.c

UTIL_OBJ = $(UTIL_SRC:%.c=$(BUILD)/%.o)
RUNTIME_OBJ = $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
ENGINE_OBJ = $(ENGINE_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_COMMON:%.c=$(BUILD)/%.o)

# The demo image, embedded in devoxx-container: busybox from Debian's
# busybox-static, as a one-layer tar.
BUSYBOX ?= /bin/busybox
DEMO_TAR = $(BUILD)/demo-busybox.tar

all: $(BIN)/devoxx-container $(BIN)/devoxx-runtime

$(BUILD)/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libdxc-runtime.a: $(UTIL_OBJ) $(RUNTIME_OBJ) $(BUILD)/exec-stub.o
	@rm -f $@
	ar rcs $@ $^

# The exec stub (src/runtime/stub/exec-stub.c): a freestanding static
# program, never sanitized, embedded in the runtime library.
EXEC_STUB = $(BUILD)/exec-stub
$(EXEC_STUB): src/runtime/stub/exec-stub.c src/runtime/stub/freestanding.h
	@mkdir -p $(BUILD)
	$(CC) -Os -static -nostdlib -fno-stack-protector -fno-builtin \
	  -fno-asynchronous-unwind-tables -fno-pie -no-pie -Wl,--build-id=none \
	  -Wl,-z,noexecstack -s -o $@ $<

$(BUILD)/exec-stub.o: src/runtime/stub/exec-stub.S $(EXEC_STUB)
	$(CC) -c -o $@ -DEXEC_STUB='"$(EXEC_STUB)"' $<

$(BUILD)/libdxc-engine.a: $(ENGINE_OBJ) $(BUILD)/demo-image.o $(BUILD)/seccomp-default.o
	@rm -f $@
	ar rcs $@ $^

$(DEMO_TAR): scripts/make-demo-image.sh
	@mkdir -p $(BUILD)
	sh scripts/make-demo-image.sh $(BUSYBOX) $@

# The default profile's SHA-256 names its cached filters (security-opts.c).
$(BUILD)/src/engine/security-opts.o: src/engine/seccomp-default.json
$(BUILD)/src/engine/security-opts.o: ALL_CFLAGS += -DDXC_SECCOMP_DEFAULT_SHA256='"$(firstword $(shell sha256sum src/engine/seccomp-default.json))"'

$(BUILD)/seccomp-default.o: src/engine/seccomp-default.S src/engine/seccomp-default.json
	@mkdir -p $(BUILD)
	$(CC) -c -o $@ -DSECCOMP_DEFAULT='"src/engine/seccomp-default.json"' $<

$(BUILD)/demo-image.o: src/engine/demo-image.S $(DEMO_TAR)
	$(CC) -c -o $@ -DDEMO_TAR='"$(DEMO_TAR)"' $<

$(BIN)/devoxx-runtime: $(BUILD)/src/cli/devoxx-runtime.o $(CLI_OBJ) $(BUILD)/libdxc-runtime.a
	@mkdir -p $(BIN)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_RT)

# devoxx-container's commands, a file per group (src/cli/cmd-*.c).
CMD_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/cli/cmd-*.c))

$(BIN)/devoxx-container: $(BUILD)/src/cli/devoxx-container.o $(CMD_OBJ) $(CLI_OBJ) $(BUILD)/libdxc-engine.a $(BUILD)/libdxc-runtime.a
	@mkdir -p $(BIN)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ENGINE)

# ---- tests ----
UNIT_SRC = $(wildcard tests/unit/test-*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libdxc-engine.a $(BUILD)/libdxc-runtime.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ENGINE) -larchive -lcmocka

unit: $(UNIT_BIN)

check: all unit
	DXC_BIN_DIR=$(CURDIR)/$(BIN) DXC_UNIT_DIR=$(CURDIR)/$(BUILD)/tests \
	  bash tests/run-all.sh

# ---- fuzzing (clang's libFuzzer) ----
FUZZ_SRC = $(wildcard fuzz/fuzz-*.c)
FUZZ_BIN = $(FUZZ_SRC:fuzz/%.c=bin-fuzz/%)
FUZZ_SECONDS ?= 60

bin-fuzz/%: fuzz/%.c build-fuzz/libdxc-engine.a build-fuzz/libdxc-runtime.a
	@mkdir -p bin-fuzz
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ENGINE) -ldl

fuzz:
	$(MAKE) FUZZ=1 $(FUZZ_BIN)

# Each target for FUZZ_SECONDS from the seed corpus in fuzz/corpus/NAME
# (new inputs go to a scratch directory, not into the repository).
fuzz-run: fuzz
	bash fuzz/run.sh $(FUZZ_SECONDS)

bench: all
	bash bench/run.sh
	bash bench/pull.sh
	bash bench/security.sh
	bash bench/lifecycle.sh

clean:
	rm -rf build build-san bin bin-san build-fuzz bin-fuzz

.PHONY: all unit check bench clean fuzz fuzz-run
