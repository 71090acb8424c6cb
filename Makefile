# zsec: one flat Makefile.  `make V=1` shows the full commands.
#
#   make deps    install what zsec needs (root, Debian 12; idempotent)
#   make         build everything into build/
#   make test    deps, build, every test (unit, sanitizers, golden, fuzz, lab)
#   make demo    a lab of two operators carrying protected traffic
#   make test-kernel  the lab tests in a QEMU guest with Debian's kernel: kernel
#                ESP, the production data plane (TESTS=PATTERN picks tests)
#   make bench   speed and memory figures against their targets

O ?= build
CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -fno-strict-aliasing -D_GNU_SOURCE -MMD -MP
ifeq ($(ZSEC_WERROR),1)
CFLAGS += -Werror
endif
ifneq ($(SAN),)
CFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

YAML_LIBS := -lyaml
# libnl-3 for the guard's netlink socket (daemon/guard/netlink.c says why
# not libnl-xfrm's object layer)
NL_CFLAGS := $(shell pkg-config --cflags libnl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-3.0 2>/dev/null || echo -lnl-3)
NL_ROUTE_LIBS := -lnl-route-3

POLICY_SRC := $(wildcard policy/*.c)
POLICY_OBJ := $(POLICY_SRC:%.c=$(O)/%.o)
COMMON_SRC := $(wildcard daemon/common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(O)/%.o)
CTL_SRC := $(wildcard daemon/zsecctl/*.c)
CTL_OBJ := $(CTL_SRC:%.c=$(O)/%.o)
ZSECD_SRC := $(wildcard daemon/zsecd/*.c)
ZSECD_OBJ := $(ZSECD_SRC:%.c=$(O)/%.o)
# The Border Element module (daemon/border): table inet zsec through
# libnftables, and libnl for the elements of the staged sets.  zsecd links
# $(BORDER_OBJ), $(NFT_LIBS) and $(NL_LIBS).
NFT_LIBS := -lnftables
BORDER_SRC := $(wildcard daemon/border/*.c)
BORDER_OBJ := $(BORDER_SRC:%.c=$(O)/%.o)
GUARD_SRC := $(wildcard daemon/guard/*.c)
GUARD_OBJ := $(GUARD_SRC:%.c=$(O)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)

all: $(O)/libzsecpolicy.a $(O)/zsecctl $(O)/zsecd $(O)/libstrongswan-zsec.so

$(O)/%.o: %.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -Ipolicy -Idaemon/common -Idaemon/guard -Idaemon/border -c -o $@ $<

# the kernel guard, and the Border Element's elements by netlink: the only
# objects that see libnl's headers
$(O)/daemon/guard/%.o: daemon/guard/%.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -Ipolicy $(NL_CFLAGS) -c -o $@ $<

$(O)/daemon/border/elements.o: daemon/border/elements.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -Ipolicy -Idaemon/border $(NL_CFLAGS) -c -o $@ $<

# libipsec source addresses: the one file of zsecd that talks rtnetlink
$(O)/daemon/zsecd/sources.o: daemon/zsecd/sources.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -Ipolicy -Idaemon/common -Idaemon/guard -Idaemon/border $(NL_CFLAGS) -c -o $@ $<

# The charon plugin: strongSwan's headers for exactly the installed charon
# (make deps), its config.h included first as strongSwan's own build does.
SS := build/strongswan/src
PLUGIN_SRC := $(wildcard plugin/*.c)
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(O)/%.o)
PLUGIN_CFLAGS := -std=gnu11 -O2 -g -fPIC -D_GNU_SOURCE= -Wall -Wno-format -Wno-unused-parameter \
	-Wno-sign-compare -Wno-missing-field-initializers -Wno-pointer-sign -MMD -MP \
	-include $(SS)/config.h -I$(SS)/src/libstrongswan -I$(SS)/src/libcharon -Ipolicy
ifeq ($(ZSEC_WERROR),1)
PLUGIN_CFLAGS += -Werror
endif

$(O)/plugin/%.o: plugin/%.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PLUGIN_CFLAGS) -c -o $@ $<

# libstrongswan and libcharon are charon's own: resolved in charon at load.
$(O)/libstrongswan-zsec.so: $(PLUGIN_OBJ) $(O)/libzsecpolicy.a
	$(call say,LD,$@)
	$(Q)$(CC) -shared -o $@ $(PLUGIN_OBJ) $(O)/libzsecpolicy.a \
		-L/usr/lib/ipsec -Wl,-rpath,/usr/lib/ipsec -lcharon -lstrongswan

$(O)/libzsecpolicy.a: $(POLICY_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/zsecctl: $(CTL_OBJ) $(COMMON_OBJ) $(GUARD_OBJ) $(O)/libzsecpolicy.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(YAML_LIBS) $(NL_LIBS)

$(O)/zsecd: $(ZSECD_OBJ) $(COMMON_OBJ) $(GUARD_OBJ) $(BORDER_OBJ) $(O)/libzsecpolicy.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(YAML_LIBS) $(NL_ROUTE_LIBS) $(NL_LIBS) $(NFT_LIBS)

# A test links the objects among its prerequisites, and what a module
# needs through TEST_CFLAGS and TEST_LIBS set for that test alone.
$(O)/tests/test_%: tests/unit/test_%.c $(O)/libzsecpolicy.a
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Ipolicy $(TEST_CFLAGS) -o $@ $< $(filter %.o,$^) \
		$(O)/libzsecpolicy.a $(LDFLAGS) $(YAML_LIBS) $(TEST_LIBS) -lcmocka

# test_guard: the guard's pure parts (expansion, keys, diff)
$(O)/tests/test_guard: $(GUARD_OBJ)
$(O)/tests/test_guard: TEST_CFLAGS = -Idaemon/guard
$(O)/tests/test_guard: TEST_LIBS = $(NL_LIBS)

# test_retry: zsecd's schedule of retries, on the test's own clock
$(O)/tests/test_retry: $(O)/daemon/zsecd/retry.o
$(O)/tests/test_retry: TEST_CFLAGS = -Idaemon/zsecd -Idaemon/common -Idaemon/border -Idaemon/guard

# tests/guard/run drives the guard in a namespace of its own with this tool
$(O)/tests/guard_tool: tests/guard/guard_tool.c $(GUARD_OBJ) $(O)/libzsecpolicy.a
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Ipolicy -Idaemon/guard -o $@ $< $(GUARD_OBJ) $(O)/libzsecpolicy.a \
		$(LDFLAGS) $(YAML_LIBS) $(NL_LIBS)

# preloaded into zsecd by tests/guard/run to refuse its guard writes on
# demand; not sanitized, so that it may come before the sanitized zsecd's
# own runtime (ASAN_OPTIONS=verify_asan_link_order=0 there)
$(O)/tests/refuse_xfrm.so: tests/guard/refuse_xfrm.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -Wall -Wextra -D_GNU_SOURCE -shared -fPIC -o $@ $< -ldl

unit: $(UNIT_BIN) $(O)/tests/guard_tool $(O)/tests/refuse_xfrm.so

# test_lazy_ca: plugin sources in Debian's libstrongswan, built as the
# plugin is (and sanitized in the sanitizers' build)
$(O)/tests/test_lazy_ca: tests/unit/test_lazy_ca.c plugin/zsec_lazy_ca.c plugin/zsec_creds.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PLUGIN_CFLAGS) $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer) \
		-Iplugin -o $@ $^ -L/usr/lib/ipsec -Wl,-rpath,/usr/lib/ipsec -lstrongswan -lcmocka


# tests/border/ and tests/bench/border.sh drive the module with this tool
$(O)/tests/border_tool: tests/border/border_tool.c $(BORDER_OBJ) $(O)/libzsecpolicy.a
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Ipolicy -Idaemon/border -o $@ $< $(BORDER_OBJ) $(O)/libzsecpolicy.a \
		$(LDFLAGS) $(YAML_LIBS) $(NFT_LIBS) $(NL_LIBS)
unit: $(O)/tests/border_tool
bench: $(O)/tests/border_tool

# test_border: the module's pure parts
$(O)/tests/test_border: $(BORDER_OBJ)
$(O)/tests/test_border: TEST_CFLAGS = -Idaemon/border
$(O)/tests/test_border: TEST_LIBS = $(NFT_LIBS) $(NL_LIBS)
-include $(BORDER_OBJ:.o=.d)

# tools of the lab tests
$(O)/tests/tamper_plan: tests/integration/tamper_plan.c $(COMMON_OBJ) $(O)/libzsecpolicy.a
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Ipolicy -Idaemon/common -o $@ $^ $(YAML_LIBS)
integration-tools: $(O)/tests/tamper_plan

# libFuzzer targets: clang, the policy sources compiled in, sanitizers on.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(O)/fuzz/%)
$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(POLICY_SRC) policy/policy.h policy/internal.h
	$(call say,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Ipolicy -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(POLICY_SRC) $(YAML_LIBS)
# fuzz_lazy_ca: the plugin's light walk, in Debian's libstrongswan
$(O)/fuzz/fuzz_lazy_ca: tests/fuzz/fuzz_lazy_ca.c plugin/zsec_lazy_ca.c plugin/zsec_lazy_ca.h
	$(call say,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)clang -std=gnu11 -g -O1 -D_GNU_SOURCE= -include $(SS)/config.h \
		-I$(SS)/src/libstrongswan -Iplugin -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< plugin/zsec_lazy_ca.c \
		-L/usr/lib/ipsec -Wl,-rpath,/usr/lib/ipsec -lstrongswan
# fuzz_border_state: the Border Element module reading nft's JSON back
$(O)/fuzz/fuzz_border_state: tests/fuzz/fuzz_border_state.c $(BORDER_SRC) $(POLICY_SRC) \
		daemon/border/internal.h daemon/border/border.h
	$(call say,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Ipolicy \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< \
		$(BORDER_SRC) $(POLICY_SRC) $(NL_CFLAGS) $(YAML_LIBS) $(NFT_LIBS) $(NL_LIBS)
fuzz: $(FUZZ_BIN)

BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(O)/bench/%)
$(O)/bench/bench_%: tests/bench/bench_%.c $(O)/libzsecpolicy.a
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Ipolicy $(TEST_CFLAGS) -o $@ $< $(filter %.o,$^) \
		$(O)/libzsecpolicy.a $(LDFLAGS) $(YAML_LIBS) $(TEST_LIBS)
$(O)/bench/bench_guard: $(GUARD_OBJ)
$(O)/bench/bench_guard: TEST_CFLAGS = -Idaemon/guard
$(O)/bench/bench_guard: TEST_LIBS = $(NL_LIBS)
# bench_lazy_ca: the plugin's CA loading in Debian's libstrongswan, as test_lazy_ca
$(O)/bench/bench_lazy_ca: tests/bench/bench_lazy_ca.c plugin/zsec_lazy_ca.c plugin/zsec_creds.c
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PLUGIN_CFLAGS) -Iplugin -o $@ $^ -L/usr/lib/ipsec -Wl,-rpath,/usr/lib/ipsec \
		-lstrongswan
# bench_plugin talks to the plugin's socket through daemon/common's framing
$(O)/bench/bench_plugin: $(COMMON_OBJ)
$(O)/bench/bench_plugin: TEST_CFLAGS = -Idaemon/common

deps:
	@scripts/deps

test: deps
	$(Q)$(MAKE) --no-print-directory all unit integration-tools
	$(Q)$(MAKE) --no-print-directory O=$(O)/san SAN=address,undefined CC=gcc unit \
		$(O)/san/zsecctl $(O)/san/zsecd
	$(Q)$(MAKE) --no-print-directory fuzz
	@tests/run

bench: all $(BENCH_BIN)
	@O=$(O) tests/bench/run

# everything built; not the strongSwan headers (make deps) nor the kernel
# of the test tier (tests/kernel/prepare), which take minutes to get again
clean:
	find $(O) -mindepth 1 -maxdepth 1 ! -name strongswan ! -name kernel -exec rm -rf {} +

# Into strongSwan's plugin folder, with charon's settings for it.
PREFIX ?= /usr
install: all
	install -D -m 755 $(O)/libstrongswan-zsec.so $(DESTDIR)$(PREFIX)/lib/ipsec/plugins/libstrongswan-zsec.so
	install -D -m 644 plugin/zsec-load.conf $(DESTDIR)/etc/strongswan.d/charon/zsec.conf
	install -D -m 644 plugin/zsec.conf $(DESTDIR)/etc/strongswan.d/zsec.conf
	install -D -m 755 $(O)/zsecd $(DESTDIR)$(PREFIX)/sbin/zsecd
	install -D -m 755 $(O)/zsecctl $(DESTDIR)$(PREFIX)/sbin/zsecctl
	install -D -m 755 topology/lab/lab $(DESTDIR)$(PREFIX)/lib/zsec/lab

.PHONY: all unit fuzz deps test bench clean integration-tools install
-include $(POLICY_OBJ:.o=.d) $(CTL_OBJ:.o=.d) $(PLUGIN_OBJ:.o=.d) $(ZSECD_OBJ:.o=.d) \
	$(COMMON_OBJ:.o=.d) $(GUARD_OBJ:.o=.d)

demo: deps all
	@O=$(O) topology/lab/demo
.PHONY: demo

# The kernel tier (tests/kernel): the integration suite inside a QEMU guest
# running Debian's kernel, charon on kernel-netlink and kernel ESP, then the
# Border Element's ESP checks (border_tool).  The guest's kernel is fetched
# once into $(O)/kernel.
test-kernel: deps
	$(Q)$(MAKE) --no-print-directory all integration-tools $(O)/tests/border_tool
	@O=$(O) TESTS="$(TESTS)" tests/kernel/run
.PHONY: test-kernel
