// SPDX-License-Identifier: GPL-2.0
//
// user-bench.go: what Go's runtime/trace costs per event, for
// tests/bench/user-bench.sh, measured the way user-bench.c measures
// libctrace: each of THREADS goroutines (on its own OS thread) writes
// EVENTS events in bursts of 8192, timed, with a pause after each burst
// while the tracer runs.  Prints
//
//	RESULT go-<what> <threads> <ns per event> <events> 0
//
// WHAT: region (trace.StartRegion().End(): 2 events) or log (trace.Log).
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"strconv"
	"sync"
	"time"
)

const burst = 8192

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: user-bench-go WHAT THREADS EVENTS TRACEFILE")
		os.Exit(2)
	}
	what := os.Args[1]
	threads, _ := strconv.Atoi(os.Args[2])
	events, _ := strconv.Atoi(os.Args[3])
	if (what != "region" && what != "log") || threads < 1 || events < 2 {
		os.Exit(2)
	}
	runtime.GOMAXPROCS(threads)
	f, err := os.Create(os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx := context.Background()
	ns := make([]float64, threads)
	var wg sync.WaitGroup
	for i := 0; i < threads; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			var spent time.Duration
			done := 0
			for done < events {
				n := events - done
				if n > burst {
					n = burst
				}
				t0 := time.Now()
				if what == "region" {
					for j := 0; j < n; j += 2 {
						trace.StartRegion(ctx, "work").End()
					}
				} else {
					for j := 0; j < n; j++ {
						trace.Log(ctx, "bench", "hello")
					}
				}
				spent += time.Since(t0)
				done += n
				time.Sleep(20 * time.Millisecond)
			}
			ns[i] = float64(spent.Nanoseconds()) / float64(done)
		}(i)
	}
	wg.Wait()
	trace.Stop()
	f.Close()
	sum := 0.0
	for _, v := range ns {
		sum += v
	}
	fmt.Printf("RESULT go-%s %d %.2f %d 0\n", what, threads, sum/float64(threads), events*threads)
}
