//go:build race

package tiles_test

const raceEnabled = true
