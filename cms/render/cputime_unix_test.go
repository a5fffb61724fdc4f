//go:build unix

package render

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, which a loaded machine
// inflates less than the time on the clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
