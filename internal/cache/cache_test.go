package cache

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
)

// The budget evicts the least recently used entry of any cache, keeps each
// cache under its own cap, and never holds more than its size.
func TestBudgetEvictsLeastRecentlyUsedAcrossCaches(t *testing.T) {
	b := NewBudget(1000)
	tiles := New[string](b, "tiles", 300)
	sels := New[int](b, "selections", 0)
	for i := range 3 {
		tiles.Put(fmt.Sprint("t", i), "x", 100)
	}
	tiles.Put("t3", "x", 100) // over the cache's own 300: t0 goes
	if _, ok := tiles.Get("t0"); ok {
		t.Error("t0 survived its cache's cap")
	}
	for i := range 7 {
		sels.Memo(fmt.Sprint("s", i), false, func() (int, int64) { return i, 100 }, nil)
	}
	if got := b.Used(); got != 1000 {
		t.Fatalf("used %d, want 1000", got)
	}
	tiles.Get("t1") // t1 is now the most recent: t2, the oldest, goes first
	sels.Memo("s7", false, func() (int, int64) { return 7, 100 }, nil)
	if _, ok := tiles.Get("t2"); ok {
		t.Error("t2, least recently used, was kept")
	}
	if _, ok := tiles.Get("t1"); !ok {
		t.Error("t1, used recently, was evicted")
	}
	if got := b.Used(); got > 1000 {
		t.Errorf("used %d over the budget", got)
	}
	tiles.Put("huge", "x", 301)
	if _, ok := tiles.Get("huge"); ok {
		t.Error("an entry larger than its cache's cap was kept")
	}
	st := b.Stats()
	if st[0].Name != "tiles" || st[0].Evictions < 2 || st[1].Misses != 8 {
		t.Errorf("stats %+v", st)
	}
	var total int64
	for _, s := range st {
		total += s.Bytes
	}
	if total != b.Used() {
		t.Errorf("caches hold %d bytes, the budget says %d", total, b.Used())
	}
	if freed := b.Release("s"); freed == 0 || b.Used() != total-freed {
		t.Errorf("release freed %d, used %d", freed, b.Used())
	}
	if _, ok := sels.Get("s7"); ok {
		t.Error("a released entry is still there")
	}
}

// Concurrent first uses of a key build once; a value that grows is
// re-measured.
func TestMemoBuildsOnce(t *testing.T) {
	b := NewBudget(1 << 20)
	c := New[*[]int](b, "memo", 0)
	var builds atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := c.Memo("k", false, func() (*[]int, int64) {
				builds.Add(1)
				s := make([]int, 10)
				return &s, 80
			}, nil)
			if len(*v) != 10 {
				t.Error("got a value not built")
			}
		}()
	}
	wg.Wait()
	if builds.Load() != 1 {
		t.Errorf("%d builds", builds.Load())
	}
	if b.Used() != 80 {
		t.Errorf("used %d", b.Used())
	}
}

type node struct {
	next  *node
	name  string
	items []int64
	m     map[string][]byte
	skip  *shared
}

type shared struct{ big [1 << 16]byte }

func TestSizeOf(t *testing.T) {
	sh := &shared{}
	a := &node{name: "abcd", items: make([]int64, 10, 20), m: map[string][]byte{"k": make([]byte, 100)}, skip: sh}
	a.next = a // a cycle is counted once
	skip := func(t reflect.Type) bool { return t == reflect.TypeOf(sh) }
	got := SizeOf(a, skip)
	nodeSize := int64(reflect.TypeOf(node{}).Size())
	want := 8 + nodeSize + 4 + 20*8 + (16 + 24 + mapEntryOverhead) + 1 + 100
	if got != want {
		t.Errorf("SizeOf = %d, want %d", got, want)
	}
	if n := SizeOf(a, nil); n < want+1<<16 {
		t.Errorf("without skip, the shared block is not counted: %d", n)
	}
	if n := SizeOf(sh, skip); n < 1<<16 {
		t.Errorf("the root is counted even of a skipped type: %d", n)
	}
}

// KeepOnly drops what its prefixes do not cover, pinned entries included,
// and keeps values built later under other keys out of the caches.
func TestKeepOnly(t *testing.T) {
	b := NewBudget(1 << 20)
	c := New[int](b, "c", 0)
	c.Memo("v1/pinned", true, func() (int, int64) { return 1, 100 }, nil)
	c.Put("v1/tile", 2, 10)
	c.Put("v2/tile", 3, 20)
	if freed := b.KeepOnly("v2/"); freed != 110 || b.Used() != 20 || b.Pinned() != 0 {
		t.Fatalf("KeepOnly freed %d, used %d, pinned %d; want 110, 20, 0", freed, b.Used(), b.Pinned())
	}
	if v := c.Memo("v1/pinned", true, func() (int, int64) { return 4, 100 }, nil); v != 4 {
		t.Fatalf("Memo outside the kept prefixes returned %d", v)
	}
	c.Put("v1/tile", 5, 10)
	for _, k := range []string{"v1/pinned", "v1/tile"} {
		if _, ok := c.Get(k); ok {
			t.Errorf("%s cached outside the kept prefixes", k)
		}
	}
	if v, ok := c.Get("v2/tile"); !ok || v != 3 {
		t.Error("a kept entry was dropped")
	}
	b.KeepOnly()
	c.Put("v1/tile", 6, 10)
	if _, ok := c.Get("v1/tile"); !ok {
		t.Error("KeepOnly() with no prefix still refuses keys")
	}
}
