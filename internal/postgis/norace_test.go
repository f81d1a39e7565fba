//go:build !race

package postgis_test

const raceEnabled = false
