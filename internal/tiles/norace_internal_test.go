//go:build !race

package tiles

// underRace reports whether the tests run under the race detector.
const underRace = false
