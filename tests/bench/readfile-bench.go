// SPDX-License-Identifier: GPL-2.0
//
// readfile-bench.go: Go's side of tests/bench/readfile.sh, the benchmark
// the seed quotes: os.ReadFile of a small file in a loop, on THREADS
// goroutines (each on its own OS thread) at once, untraced or with
// runtime/trace writing TRACEFILE (what `go test -trace` does).  Prints
//
//	RESULT readfile-go-<what> <threads> <ns per ReadFile>
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"strconv"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: readfile-bench-go WHAT THREADS READS FILE TRACEFILE|-")
		os.Exit(2)
	}
	what := os.Args[1]
	threads, _ := strconv.Atoi(os.Args[2])
	reads, _ := strconv.Atoi(os.Args[3])
	path := os.Args[4]
	if threads < 1 || reads < 1 {
		os.Exit(2)
	}
	runtime.GOMAXPROCS(threads)
	if os.Args[5] != "-" {
		f, err := os.Create(os.Args[5])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer trace.Stop()
	}
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < threads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < reads; j++ {
				if _, err := os.ReadFile(path); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
			}
		}()
	}
	wg.Wait()
	ns := float64(time.Since(t0).Nanoseconds()) / float64(reads)
	fmt.Printf("RESULT readfile-go-%s %d %.1f\n", what, threads, ns)
}
