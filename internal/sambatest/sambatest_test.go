package sambatest

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectord/internal/stackscript"

	"github.com/go-ldap/ldap/v3"
)

var dcs Shared

// childEnv makes the test binary a child that starts a DC, prints its pid
// and address, and waits to be killed (TestKilledBinaryTakesItsDC).
const childEnv = "SAMBATEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(child())
	}
	os.Exit(dcs.Run(m))
}

func child() int {
	dc, err := Start(context.Background(), Options{})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("dc", dc.Pid(), dc.Addr, dc.Dir)
	time.Sleep(time.Hour)
	return 0
}

func TestDC(t *testing.T) {
	dc := dcs.DC(t)
	if !strings.HasPrefix(dc.Addr, addrPrefix) {
		t.Errorf("Addr = %s, want %s*", dc.Addr, addrPrefix)
	}
	ou := dc.OU(t)
	if want := ",DC=nhs,DC=test"; !strings.HasPrefix(ou, "OU=TestDC-") || !strings.HasSuffix(ou, want) {
		t.Errorf("OU = %s, want OU=TestDC-N%s", ou, want)
	}
	res, err := dc.Conn(t).Search(ldap.NewSearchRequest(ou, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=organizationalUnit)", []string{"ou"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("search the test OU: %v, %d entries", err, len(res.Entries))
	}

	t.Run("StartTLS", func(t *testing.T) {
		c, err := ldap.DialURL(dc.LDAPURL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetTimeout(time.Minute)
		if err := c.StartTLS(dc.TLSConfig()); err != nil {
			t.Fatalf("StartTLS: %v", err)
		}
		if err := c.Bind(dc.BindDN, dc.Password); err != nil {
			t.Fatalf("bind after StartTLS: %v", err)
		}
	})
	t.Run("plain bind refused", func(t *testing.T) {
		c, err := ldap.DialURL(dc.LDAPURL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetTimeout(time.Minute)
		err = c.Bind(dc.BindDN, dc.Password)
		if !ldap.IsErrorWithCode(err, ldap.LDAPResultStrongAuthRequired) {
			t.Errorf("bind without TLS: got %v, want result %d (strong auth required)", err, ldap.LDAPResultStrongAuthRequired)
		}
	})
	t.Run("certificate names the address", func(t *testing.T) {
		conf := dc.TLSConfig()
		for _, name := range []string{dc.Addr, "localhost"} {
			conf.ServerName = name
			c, err := tls.Dial("tcp", dc.Addr+":636", conf)
			if err != nil {
				t.Errorf("TLS with name %s: %v", name, err)
				continue
			}
			c.Close()
		}
	})
}

// TestTwoDCs starts a second DC beside the shared one: each has its own address.
func TestTwoDCs(t *testing.T) {
	first := dcs.DC(t)
	second, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if second.Addr == first.Addr {
		t.Errorf("both DCs on %s", first.Addr)
	}
	if err := second.ping(); err != nil {
		t.Errorf("second DC: %v", err)
	}
	if err := second.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if err := first.ping(); err != nil {
		t.Errorf("first DC after the second stopped: %v", err)
	}
	if onLo(t, second.Addr) {
		t.Errorf("%s still on lo after Stop", second.Addr)
	}
	if _, err := os.Stat(second.Dir); !os.IsNotExist(err) {
		t.Errorf("%s after Stop: %v, want it gone", second.Dir, err)
	}
}

// TestKilledBinaryTakesItsDC kills (SIGKILL) a test binary that runs a DC:
// Samba must end by itself, and the next Start on that address must clear
// what the binary left.
func TestKilledBinaryTakesItsDC(t *testing.T) {
	dcs.DC(t) // the shared one holds its address throughout
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	var pid int
	var addr, dir string
	if _, err := fmt.Sscan(line, new(string), &pid, &addr, &dir); err != nil || !strings.HasPrefix(line, "dc ") {
		t.Fatalf("child said %q", line)
	}
	// Wait for the address's lock before the kill, so that the next Start
	// is on that address even while other test packages claim addresses.
	lockFile, err := os.OpenFile(filepath.Join(lockDir(), addr+".lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	locked := make(chan error, 1)
	go func() { locked <- syscall.Flock(int(lockFile.Fd()), syscall.LOCK_EX) }()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if err := <-locked; err != nil {
		lockFile.Close()
		t.Fatalf("lock %s after the kill: %v", addr, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for sambaAlive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("samba (pid %d) still running 15 s after its test binary was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}

	script, err := stackscript.Find("sambadc.sh")
	if err != nil {
		lockFile.Close()
		t.Fatal(err)
	}
	next, err := startOn(context.Background(), Options{}, script, lockFile, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Stop()
	if err := next.ping(); err != nil {
		t.Errorf("DC on the reused address: %v", err)
	}
}

// sambaAlive reports whether pid is a live (not zombie) process.
func sambaAlive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

func onLo(t *testing.T, addr string) bool {
	out, err := exec.Command("ip", "-4", "-o", "addr", "show", "dev", "lo").Output()
	if err != nil {
		t.Fatalf("ip addr: %v", err)
	}
	return strings.Contains(string(out), " "+addr+"/")
}

func TestOUName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"TestX", "TestX"},
		{"TestX/sub_case", "TestX-sub-case"},
		{"TestX/with spaces, commas=", "TestX-withspacescommas"},
		{strings.Repeat("a", 60), strings.Repeat("a", 48)},
	} {
		if got := ouName(tc.in); got != tc.want {
			t.Errorf("ouName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
