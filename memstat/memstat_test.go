package memstat

import (
	"os"
	"testing"
)

func TestRead(t *testing.T) {
	m := Read()
	if m.RSS <= 0 || m.PeakRSS < m.RSS {
		t.Fatalf("Read() = %+v: want 0 < RSS <= peak", m)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	if after := Peak(); after < m.RSS+32<<20 {
		t.Errorf("peak %d did not grow by 32 MiB from RSS %d after touching 64 MiB", after, m.RSS)
	}
	_ = buf[len(buf)-1]
}

func TestGB(t *testing.T) {
	for _, tc := range []struct {
		b    int64
		want string
	}{{0, "0.00 GB"}, {1 << 30, "1.00 GB"}, {3 << 29, "1.50 GB"}} {
		if got := GB(tc.b); got != tc.want {
			t.Errorf("GB(%d) = %q, want %q", tc.b, got, tc.want)
		}
	}
}

func TestMinorFaultsGrowOnFirstTouch(t *testing.T) {
	before := MinorFaults()
	if before <= 0 {
		t.Skip("no /proc/self/stat")
	}
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	if got := MinorFaults() - before; got < 1000 {
		t.Errorf("touching 64 MiB of fresh pages took %d minor faults, want >= 1000", got)
	}
}

func TestAvailable(t *testing.T) {
	a := Available()
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		if a != 0 {
			t.Errorf("Available() = %d without /proc/meminfo, want 0", a)
		}
		return
	}
	if a < 16<<20 {
		t.Errorf("Available() = %d bytes, want at least 16 MiB on a machine running tests", a)
	}
}
