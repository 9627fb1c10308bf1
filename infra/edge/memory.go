package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// memory keeps each function's peak resident set, as Lambda's REPORT line
// says "Max Memory Used": the largest of its processes' high-water marks
// (VmHWM), read after every invocation while the process is warm and from
// its rusage once it has exited, so a benchmark can hold a step to the
// memory its function is given.
type memory struct {
	mu    sync.Mutex
	peaks map[string]functionMemory
}

// functionMemory is what GET /_edge/memory answers per function name.
type functionMemory struct {
	PeakRSSBytes int64 `json:"peakRSSBytes"`
	MemoryMB     int64 `json:"memoryMB"` // what the function is configured with
	Invocations  int   `json:"invocations"`
}

func newMemory() *memory { return &memory{peaks: map[string]functionMemory{}} }

// observe records one invocation of the function and the peak RSS its
// process has reached so far (0 when it could not be read).
func (m *memory) observe(f *function, peak int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fm := m.peaks[f.Name]
	fm.Invocations++
	fm.PeakRSSBytes = max(fm.PeakRSSBytes, peak)
	fm.MemoryMB = int64(f.MemoryMB)
	m.peaks[f.Name] = fm
}

func (m *memory) snapshot(function string) map[string]functionMemory {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]functionMemory{}
	for name, fm := range m.peaks {
		if strings.Contains(name, function) {
			out[name] = fm
		}
	}
	return out
}

func (m *memory) reset(function string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.peaks {
		if strings.Contains(name, function) {
			delete(m.peaks, name)
		}
	}
}

// peakRSS is the process's high-water mark of resident memory in bytes:
// VmHWM while it runs, the rusage's ru_maxrss (KiB on Linux) once it has
// exited; 0 when neither can be read.
func (s *sandbox) peakRSS() int64 {
	select {
	case <-s.exited:
		if st := s.cmd.ProcessState; st != nil {
			if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
				return ru.Maxrss << 10
			}
		}
		return 0
	default:
	}
	return vmHWM(s.cmd.Process.Pid)
}

// vmHWM reads VmHWM ("VmHWM:    123456 kB") from /proc/<pid>/status.
func vmHWM(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
