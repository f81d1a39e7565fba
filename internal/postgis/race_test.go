//go:build race

package postgis_test

// raceEnabled: the race detector slows snapshot rebuilds several times.
const raceEnabled = true
