# Palisade. On a fresh Debian 12 machine:
#   make demo    install what is missing, build, and open the client as alice
#   make test    vet, unit and integration tests (race detector), real-keyring
#                tests, the GUI smoke test under Xvfb, and the packages (built,
#                the .deb installed and started)
# Other targets: build, smoke, screenshot, bench, package, clean, help.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := /usr/local/go/bin:$(PATH)

GO       ?= go
BIN      := build/palisade
FYNE_CLI ?= fyne.io/tools/cmd/fyne@v1.7.4
# Flags for every `go test` run by make test. -count=1: the integration tests
# talk to real servers, so cached results prove nothing.
GOTESTFLAGS ?= -count=1 -timeout 20m
# The race detector is on for every package, the Fyne ones included: their
# race build costs about 3 minutes once (cold cache) and the GUI tests run in
# about 10 s instead of 1 s. RACE= turns it off.
RACE ?= -race

# Packages with tests that need a real Secret Service (build tag realkeyring).
KEYRING_FILES = $(shell grep -rlE --include='*_test.go' '^//go:build .*realkeyring' . 2>/dev/null | grep -v '^\./\.run/')
KEYRING_PKGS = $(shell echo $(KEYRING_FILES) | xargs -r -n1 dirname | sort -u)
# Only the tests behind the tag run in that step: the packages' other tests
# already ran in go-test.
KEYRING_RUN = ^($(shell grep -hoE '^func Test[A-Za-z0-9_]+' $(KEYRING_FILES) /dev/null | sed 's/^func //' | paste -sd'|'))$$

.PHONY: help deps build bin demo test vet test-go fuzz test-keyring smoke test-package screenshot bench package clean

help:
	@sed -n 's/^#   \{0,1\}//p' Makefile | sed -n '1,6p'

deps:
	@scripts/deps.sh

build: deps bin

bin:
	$(GO) build -o $(BIN) ./cmd/client
	$(GO) build -o build/palisade-admin ./cmd/palisade-admin

demo: build
	scripts/demo.sh

test: deps
	@rm -f build/test-times.tsv
	@$(MAKE) --no-print-directory vet test-go fuzz test-keyring smoke test-package
	@echo
	@echo "make test: every step passed"
	@awk -F'\t' '{ printf "  %-14s %-4s %5ds\n", $$1, $$2, $$3; t += $$3 } END { printf "  %-14s      %5ds\n", "total", t }' build/test-times.tsv

# Vet the default build, then the other build variants (headless-only
# binary, real-keyring tests) so that they cannot rot unseen.
vet:
	@scripts/step.sh vet $(GO) vet ./...
	@scripts/step.sh vet-variants $(GO) vet -tags nogui,realkeyring ./...

test-go:
	@scripts/step.sh go-test $(GO) test $(RACE) $(GOTESTFLAGS) ./...

# Every fuzz target briefly (FUZZTIME, 3 s each by default); the seed
# corpora already run in test-go. Longer: FUZZTIME=10m make fuzz (SECURITY.md).
FUZZTIME ?= 3s
fuzz:
	@scripts/step.sh fuzz env FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

test-keyring:
	@if [ -z "$(KEYRING_PKGS)" ]; then echo "no real-keyring tests"; else \
		scripts/step.sh keyring scripts/with-keyring.sh $(GO) test -tags realkeyring $(RACE) $(GOTESTFLAGS) -run '$(KEYRING_RUN)' $(KEYRING_PKGS); fi

# The real client in a real window under Xvfb, signed in to a private
# Prosody, with a desktop tray: its icon registers, and Away chosen in the
# icon's menu reaches bob; resized, quit with Ctrl+Q and started again, the
# window opens at its new size.
smoke: bin
	@SMOKE_TRAY=1 SMOKE_TRAY_AWAY=1 SMOKE_RESIZE="1000 700" scripts/step.sh gui-smoke scripts/smoke-gui.sh build/screenshot-main.png

# Build every package, install the .deb (dpkg -i as root, else extracted) and
# start it under Xvfb, check the tarball, metainfo and .exe signatures.
test-package:
	@scripts/step.sh package scripts/package.sh all

# The README's picture: the smoke test in the demo's scene (managed profile,
# IT bulletins, a partner's message, two strangers in Requests), with the
# partner's conversation open and answered before the screenshot.
screenshot: build
	SMOKE_DEMO=1 SMOKE_OPEN=carol SMOKE_TYPE="Thanks Carol, yes please: send it here." \
		scripts/smoke-gui.sh docs/screenshot.png

bench: build
	scripts/bench.sh

# The packages in dist/: a Linux tarball (the layout of fyne package, with
# the AppStream metainfo), a .deb, and signed Windows .exe files
# cross-compiled with mingw-w64 (a test certificate unless PALISADE_SIGN_*
# name IT's own). See scripts/package.sh and docs/deployment.md.
package: deps
	FYNE_CLI=$(FYNE_CLI) scripts/package.sh build

clean:
	rm -rf build dist .run
