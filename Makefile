# idx - full-text search for news archives.  See README.md.
#
#   make                 build build/idx (and everything under src/)
#   make test            build and run every test (unit + end-to-end)
#   make test SAN=1      the same under AddressSanitizer + UBSan, in build-san/
#   make soak            the long runs (tests/long): 256 connections for 60 s
#   make fuzz            every libFuzzer target for FUZZ_SECONDS (tests/fuzz)
#   make install PREFIX=/usr/local DESTDIR=   (binaries and man pages idx(1), idxd(8))
#   make clean
#
# Objects go out of tree into $(BUILD); -MMD -MP keeps header dependencies.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CXX ?= c++
SAN ?= 0

FUZZ ?= 0

ifeq ($(FUZZ),1)
# libFuzzer targets (tests/fuzz): everything built with clang, ASan + UBSan
BUILD ?= build-fuzz
CC := clang
CXX := clang++
SANFLAGS := -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else
BUILD ?= build
SANFLAGS :=
OPT := -O2 -g
endif

PKGS := jansson libutf8proc zlib libzstd libevent libevent_pthreads libxml-2.0 libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
XAPIAN_CXXFLAGS := $(shell xapian-config --cxxflags 2>/dev/null)
XAPIAN_LIBS := $(shell xapian-config --libs 2>/dev/null)

CPPFLAGS += -Isrc -Iquery -D_GNU_SOURCE -MMD -MP
CFLAGS += -std=c11 -Wall -Wextra -Werror $(OPT) $(SANFLAGS) $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror $(OPT) $(SANFLAGS) $(XAPIAN_CXXFLAGS)
LDFLAGS += $(SANFLAGS)
LDLIBS += $(PKG_LIBS) $(XAPIAN_LIBS) -lpthread -lm

CORE_C := $(wildcard src/*.c)
CORE_CXX := src/xap.cc
CORE_OBJ := $(CORE_C:%.c=$(BUILD)/%.o) $(CORE_CXX:%.cc=$(BUILD)/%.o)
CORE_LIB := $(BUILD)/libidxcore.a

IDX_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard indexer/*.c))
IDXD_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard query/*.c)) $(BUILD)/query/web_assets.o
WEB_FILES := $(wildcard query/web/*) query/openapi.json
BENCH_BIN := $(BUILD)/bench/charquery $(BUILD)/bench/queryrun

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# LD_PRELOAD fault injection for the end-to-end tests (never sanitized:
# it is preloaded into sanitized binaries too)
FAULT_LIB := $(BUILD)/tests/libnospace.so
MAN_PAGES := $(BUILD)/man/idx.1 $(BUILD)/man/idxd.8
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all test soak unit e2e install clean demo bench man regen-t2s regen-regional fuzz fuzz-run
# keep intermediate objects (and keep make quiet after the test summary)
.SECONDARY:
all: $(BUILD)/idx $(BUILD)/idxd

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# the search page's files, embedded in idxd (.incbin)
$(BUILD)/query/web_assets.o: query/web_assets.S $(WEB_FILES)
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# src/t2s_table.c (traditional -> simplified, src/t2s.h) is generated from
# OpenCC and committed, so every build folds alike whatever OpenCC version a
# machine has; `make regen-t2s` regenerates it (needs libopencc-dev).
regen-t2s:
	@mkdir -p $(BUILD)/gen
	$(CC) -std=c11 -O1 -DOPENCC_VERSION=\"$(shell pkg-config --modversion opencc)\" $(shell pkg-config --cflags opencc) src/gen/gen_t2s.c -o $(BUILD)/gen/gen_t2s $(shell pkg-config --libs opencc)
	$(BUILD)/gen/gen_t2s > src/t2s_table.c.tmp && mv src/t2s_table.c.tmp src/t2s_table.c

# The Taiwan -> mainland wording table (src/regional.h) is generated from OpenCC's
# TWPhrasesRev dictionary and committed too; `make regen-regional` regenerates it
# (needs the opencc package, whose opencc_dict exports the dictionary).
regen-regional:
	sh src/gen/gen_regional.sh > src/regional_table.c.tmp && mv src/regional_table.c.tmp src/regional_table.c

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/idx: $(IDX_OBJ) $(CORE_LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/idxd: $(IDXD_OBJ) $(CORE_LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(FAULT_LIB): tests/fault/nospace.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl

# small clients for the tests (tests/tools: loadgen, trickle): plain C, no
# project code
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/tools/loadgen: $(BUILD)/tests/tools/loadgen.o
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CXX) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

# every fuzz target for FUZZ_SECONDS each (after replaying tests/fuzz/regress)
fuzz:
	$(MAKE) FUZZ=1 fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz-run: $(FUZZ_BIN)
	BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Benchmarks print figures; they are not part of `make test` (bench/RESULTS.md)
bench: all $(BENCH_BIN) $(TOOL_BIN)
	bash bench/ingest.sh
	bash bench/load.sh
	bash bench/relevance.sh

test: all $(TEST_BIN) $(FAULT_LIB) $(TOOL_BIN) $(MAN_PAGES)
	BUILD=$(BUILD) bash tests/run.sh

# the long runs (a 60 s soak at 256 connections); CI runs it after make test
soak: all $(TOOL_BIN)
	BUILD=$(BUILD) bash tests/run.sh --long

DEMO_LISTEN ?= 127.0.0.1:8080
demo: all
	rm -rf data/idx
	$(BUILD)/idx add --db data/idx tests/sample/news.jsonl
	$(BUILD)/idx search --db data/idx --limit 3 南通开发区
	@echo "open http://$(DEMO_LISTEN)/ in a browser, or: curl -s 'http://$(DEMO_LISTEN)/search?q=南通开发区&limit=3' | jq ."
	$(BUILD)/idxd --db data/idx --listen $(DEMO_LISTEN)

# man pages: one scdoc source each, beside its program (MAN_PAGES is set
# above, before the rules that name it)
man: $(MAN_PAGES)
$(BUILD)/man/idx.1: indexer/idx.1.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@
$(BUILD)/man/idxd.8: query/idxd.8.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@

# the systemd unit with idxd's installed path (installed by the package)
$(BUILD)/idxd.service: query/idxd.service
	@mkdir -p $(dir $@)
	sed 's|@BINDIR@|$(PREFIX)/bin|' $< > $@

install: $(BUILD)/idx $(BUILD)/idxd $(MAN_PAGES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/idx $(BUILD)/idxd $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(BUILD)/man/idx.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(BUILD)/man/idxd.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build build-san build-fuzz build-deb

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
