# Atlas de la coopération décentralisée — build, test and run.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GO      ?= go
BENCHTIME ?= 1x
FUZZTIME ?= 10s
CHAOS_DURATION ?= 2m

.PHONY: help assets build test test-short bench load fuzz lint run geodata docker clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build the atlas binary (./atlas)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o atlas ./cmd/atlas

assets: ## write the brotli and gzip forms of the static files again (committed; the build never needs this)
	$(GO) generate ./static

run: ## run the server on the embedded data at http://localhost:8080
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/atlas serve --addr :8080

test: ## install and start the test services (Chromium…), then run every test with -race
	./scripts/with-services.sh $(GO) test -race -count=1 -timeout 30m ./...

test-short: ## run the tests that need no external service (others skip)
	$(GO) test -count=1 ./...

bench: ## run the Go benchmarks (BENCHTIME=1x by default; e.g. BENCHTIME=2s)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

load: ## load benchmark over loopback: atlas vs a fixed-body server (ratios)
	$(GO) test -run '^$$' -bench 'BenchmarkLoad' -benchtime 1x -v ./cmd/atlas/

chaos: ## two replicas on a real PostgreSQL under reads, hostile requests, writes and a database restart (CHAOS_DURATION, default 2m)
	ATLAS_CHAOS_DURATION=$(CHAOS_DURATION) ./scripts/with-services.sh $(GO) test -run '^$$' -bench 'BenchmarkChaos' -benchtime 1x -v ./cmd/atlas/

fuzz: ## run each fuzz target for FUZZTIME
	./scripts/fuzz.sh $(FUZZTIME)

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

geodata: ## rebuild geodata/dataset from geodata/sources (deterministic)
	$(GO) run ./cmd/atlas geodata build

docker: ## build the container image (needs a Docker engine)
	docker build --build-arg VERSION=$(VERSION) -t atlas:$(VERSION) .

clean: ## remove build outputs
	rm -f atlas
