package sambatest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// The addresses test DCs use: 127.0.10.1 to 127.0.10.64. They stay clear of
// 127.0.0.1, where a developer may run a directory of their own.
const (
	addrPrefix = "127.0.10."
	addrCount  = 64
)

// lockDir holds one lock file per address. It is on tmpfs where the system
// has one, so stale files go at reboot; a stale file holds no lock anyway.
func lockDir() string {
	if st, err := os.Stat("/run/lock"); err == nil && st.IsDir() {
		return "/run/lock/sambatest"
	}
	return filepath.Join(os.TempDir(), "sambatest-locks")
}

// claimAddress takes the first address whose lock file this process can
// flock without waiting. The lock lasts as long as the returned file is open
// (and no longer than the process).
func claimAddress() (*os.File, string, error) {
	dir := lockDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("make lock dir: %w", err)
	}
	for n := 1; n <= addrCount; n++ {
		addr := fmt.Sprintf("%s%d", addrPrefix, n)
		f, err := os.OpenFile(filepath.Join(dir, addr+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, "", fmt.Errorf("open address lock: %w", err)
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, addr, nil
		}
		f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, "", fmt.Errorf("lock %s: %w", addr, err)
		}
	}
	return nil, "", fmt.Errorf("all %d test DC addresses (%s1-%d) are in use", addrCount, addrPrefix, addrCount)
}
