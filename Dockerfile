# Multi-stage build mirroring `make build`: a static binary with the dataset
# and the web atlas embedded, run as a non-root user.
FROM golang:1.26-bookworm AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The static files' .br/.gz forms are committed (make assets): no generator runs here.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/atlas ./cmd/atlas

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/atlas /usr/local/bin/atlas
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/atlas"]
CMD ["serve", "--addr", ":8080"]
