# crm-import: `make run` imports a sample file on a local cloud, `make test`
# runs every test. Both start what they need and stop it afterwards.

SHELL := /bin/bash
FUNCTIONS := Trigger Validate Split RestorePoint Next Wait Preview Apply Finalize Sweeper Restore Undo Api Web
GO ?= go
PYTHON ?= python3
TEST_TIMEOUT ?= 12m

.PHONY: run test lint unit build-local up down deploy bench bench-e2e fuzz fixtures clean web browser

## run: start the local cloud, deploy template.yaml, import testdata/sample/two-agents.csv through the API as the wizard does (two agents: a selection and a preview each), print what happened, stop.
LOCALCLOUD_DIR ?= $(CURDIR)/.localcloud
export LOCALCLOUD_DIR

run:
	@trap 'infra/localcloud down' EXIT; infra/localcloud up >/dev/null && source $(LOCALCLOUD_DIR)/env && $(GO) run ./cmd/crmdemo testdata/sample/two-agents.csv

## test: lint, unit tests, and integration tests against the local cloud.
test: lint web browser
	$(PYTHON) -m unittest discover -s infra -p 'test_*.py'
	@trap 'infra/localcloud down' EXIT; infra/localcloud up >/dev/null && source $(LOCALCLOUD_DIR)/env && $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

lint:
	cfn-lint template.yaml
	npx --yes asl-validator@4 --silent --json-path statemachine/import.asl.json --json-path statemachine/restore.asl.json --json-path statemachine/undo.asl.json
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet ./...

## unit: the tests that need no local cloud.
unit:
	$(PYTHON) -m unittest discover -s infra -p 'test_*.py'
	$(GO) test -short -count=1 ./...

## bench: the benchmarks, each reporting a ratio against a baseline of the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-e2e: import BENCH_E2E_SIZE (10k: 10,000 rows for 10 users; 100k: 100,000 for 100; 1m: 1,000,000 for 1,000) through the whole local stack, and write the same items with BatchWriteItem alone (the floor); print both times, the ratio, each function's peak memory and requests. Not part of test.
BENCH_E2E_SIZE ?= 10k
BENCH_E2E_TIMEOUT ?= 4h
bench-e2e:
	@trap 'infra/localcloud down' EXIT; infra/localcloud up >/dev/null && source $(LOCALCLOUD_DIR)/env && BENCH_E2E_SIZE=$(BENCH_E2E_SIZE) $(GO) test -count=1 -timeout $(BENCH_E2E_TIMEOUT) -run '^$$' -bench '^BenchmarkImportEndToEnd$$' -benchtime 1x ./internal/e2e/

## fuzz: each fuzz target for a short while.
fuzz:
	@for f in FuzzCSV FuzzODS; do $(GO) test ./internal/sheet -run '^$$' -fuzz "^$$f$$" -fuzztime 30s || exit 1; done
	@for f in FuzzDate FuzzNumber FuzzNationalID FuzzPhone FuzzEmail FuzzCompactPhone; do $(GO) test ./internal/value -run '^$$' -fuzz "^$$f$$" -fuzztime 20s || exit 1; done

## fixtures: regenerate testdata/files with LibreOffice (apt-get install libreoffice-calc-nogui libreoffice-script-provider-python).
fixtures:
	sh testdata/files/make.sh

up: web
	infra/localcloud up

deploy:
	infra/localcloud deploy

down:
	infra/localcloud down

## build-local: host-architecture bootstraps for the local cloud, build/<LogicalId>/bootstrap.
build-local: web
	@for f in $(FUNCTIONS); do \
		lower=$$(echo $$f | tr A-Z a-z); \
		CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o build/$${f}Function/bootstrap ./functions/$$lower || exit 1; \
	done

## web: the wizard's page, web/build/site (embedded by WebFunction), built
## with the packages of web/package-lock.json when its sources changed.
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)
web: web/build/site/index.html
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
web/build/site/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

## browser: Debian's chromium for the page's browser tests (internal/e2e/web_test.go), when missing.
browser:
	@command -v chromium >/dev/null || { s=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$s apt-get update -qq && $$s apt-get install -y -qq --no-install-recommends chromium; }

build-WebFunction: web

# sam build runs build-<LogicalId> for each function (Metadata: BuildMethod: makefile).
build-%Function:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(shell echo $* | tr A-Z a-z)

clean:
	rm -rf build .localcloud
