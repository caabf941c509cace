# herald — build, run, test, bench, fuzz.
#   make            build build/herald and build/fakeprobe
#   make run        install what is missing, build, start var/pg, migrate, serve on 127.0.0.1:8080
#   make demo       make run with fakeprobe as the provider, demo data and a mailing that starts now
#   make test       install what is missing, build, run every test against a throw-away cluster
#   make bench      the figures of DESIGN.md
#   make fuzz       libFuzzer targets over the parsers (clang)
#   make SANITIZE=1 test   the same suite under ASan/UBSan

CC      ?= cc
PKGS    := libmicrohttpd libpq libcurl jansson libsodium cjose
CFLAGS  := -std=gnu17 -O2 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           -D_GNU_SOURCE -pthread -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

ifeq ($(SANITIZE),1)
MODE    := san
CFLAGS  += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
MODE    := opt
endif

# The version (src/version.h): `git describe` in a git checkout (tag v1.2.3: 1.2.3, a commit
# after it: 1.2.3-4-gabc1234; no tag: VERSION-g<commit>; "-dirty" with uncommitted changes),
# else VERSION (a source tree without .git, such as the Docker build context).
VERSION  := 1.0.0
DESCRIBE := $(shell test -e .git && git describe --always --dirty --tags --match 'v[0-9]*' 2>/dev/null | tr -cd 'A-Za-z0-9.+_-')
HERALD_VERSION := $(if $(filter v%,$(DESCRIBE)),$(patsubst v%,%,$(DESCRIBE)),$(VERSION)$(if $(DESCRIBE),-g$(DESCRIBE)))

OBJDIR  := build/obj-$(MODE)
SRCS    := $(wildcard src/*.c)
OBJS    := $(patsubst src/%.c,$(OBJDIR)/%.o,$(SRCS))
LIBOBJS := $(filter-out $(OBJDIR)/main.o,$(OBJS))
LIB     := $(OBJDIR)/libherald.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_HELPERS := $(filter-out $(INTEG_SRCS),$(wildcard tests/integration/*.c))
TEST_BINS := $(patsubst tests/%.c,build/tests-$(MODE)/%,$(UNIT_SRCS) $(INTEG_SRCS))

.PHONY: all deps run demo test test-build bench fuzz clean FORCE
all: build/herald $(if $(wildcard tools/fakeprobe.c),build/fakeprobe) assets/vendor/.stamp

$(OBJDIR)/%.o: src/%.c $(wildcard src/*.h) | $(OBJDIR)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(OBJDIR):
	mkdir -p $@

# build/version holds HERALD_VERSION and is rewritten only when that changes, so version.o is
# rebuilt (and herald relinked) then and only then.
build/version: FORCE
	@mkdir -p build && echo '$(HERALD_VERSION)' | cmp -s - $@ || echo '$(HERALD_VERSION)' >$@

$(OBJDIR)/version.o: build/version
$(OBJDIR)/version.o: CFLAGS += -DHERALD_VERSION='"$(HERALD_VERSION)"'

$(LIB): $(LIBOBJS)
	@rm -f $@ && ar rcs $@ $^

build/mode-$(MODE):
	rm -f build/mode-* && mkdir -p build && touch $@

build/herald: $(OBJDIR)/main.o $(LIB) build/mode-$(MODE)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(OBJDIR)/main.o $(LIB) $(LDLIBS)

build/fakeprobe: tools/fakeprobe.c $(LIB) build/mode-$(MODE)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ tools/fakeprobe.c $(LIB) $(LDLIBS)

# Front-end packages (htmx, swagger-ui) come from npm at build time and are copied into assets/vendor.
assets/vendor/.stamp: package.json package-lock.json
	@test -d node_modules/swagger-ui-dist || npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p assets/vendor/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js assets/vendor/htmx.min.js
	cd node_modules/swagger-ui-dist && cp swagger-ui.css swagger-ui-bundle.js \
	   swagger-ui-standalone-preset.js ../../assets/vendor/swagger-ui/
	touch $@

build/tests-$(MODE)/unit/%: tests/unit/%.c $(UNIT_HELPERS) tests/unit/unit.h $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(UNIT_HELPERS) $(LIB) $(LDLIBS) -lcriterion

build/tests-$(MODE)/integration/%: tests/integration/%.c $(INTEG_HELPERS) tests/integration/itest.h $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) -Itests/integration $(LDFLAGS) -o $@ $< $(INTEG_HELPERS) $(LIB) $(LDLIBS) -lcriterion

deps:
	@scripts/deps.sh

test-build: all $(TEST_BINS)

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

test: deps
	@$(MAKE) --no-print-directory test-build
	@MODE=$(MODE) tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@tools/bench/run.sh

fuzz: deps
	@tests/fuzz/run.sh

clean:
	rm -rf build assets/vendor
