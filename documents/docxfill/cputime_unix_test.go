//go:build unix

package docxfill_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) used by this process so far. Benchmarks
// report fills per CPU second next to wall-clock figures, which a busy shared machine
// distorts.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
