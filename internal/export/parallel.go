package export

import (
	"context"
	"runtime"
	"sync"
)

// batchSize is the number of features a worker encodes at a time; the first
// batch is small so that the first bytes leave at once.
const (
	batchSize      = 256
	firstBatchSize = 8
)

type batch struct {
	lo, hi int
	buf    []byte
	done   chan struct{}
}

var batchPool = sync.Pool{New: func() any { return &batch{buf: make([]byte, 0, 64<<10)} }}

// encodeParallel encodes features 0..n-1 with encode on GOMAXPROCS workers,
// batch by batch, and writes the batches to s in order. At most a few
// batches per worker are in flight, so memory does not grow with n. encode
// must be safe for concurrent use.
func encodeParallel(ctx context.Context, n int, s *stream, sep []byte, encode func(dst []byte, k int) []byte) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *batch)
	order := make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				for k := b.lo; k < b.hi; k++ {
					if k > 0 {
						b.buf = append(b.buf, sep...)
					}
					b.buf = encode(b.buf, k)
				}
				close(b.done)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for lo := 0; lo < n; {
			hi := min(n, lo+batchSize)
			if lo == 0 {
				hi = min(n, firstBatchSize)
			}
			b := batchPool.Get().(*batch)
			b.lo, b.hi, b.buf, b.done = lo, hi, b.buf[:0], make(chan struct{})
			select {
			case order <- b:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				close(b.done)
				return
			}
			lo = hi
		}
	}()
	var err error
	for b := range order {
		<-b.done
		if err == nil {
			if err = ctx.Err(); err == nil {
				s.buf = append(s.buf, b.buf...)
				err = s.maybeWrite(b.lo == 0)
			}
			if err != nil {
				cancel()
			}
		}
		batchPool.Put(b)
	}
	wg.Wait()
	return err
}
