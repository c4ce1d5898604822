// Package sambatest runs a private Samba Active Directory domain controller
// on a loopback address for tests, using the project's scripts/sambadc.sh.
//
// A test package shares one DC across its tests (a DC takes a second to
// start from the machine's provisioned template, and the template takes
// 10 s to a minute to make the first time); each test gets its own OU under
// the base DN, so tests do not see each other's entries:
//
//	var dcs sambatest.Shared
//
//	func TestMain(m *testing.M) { os.Exit(dcs.Run(m)) }
//
//	func TestSomething(t *testing.T) {
//		dc := dcs.DC(t)  // started on first use; skips without root
//		ou := dc.OU(t)   // OU=TestSomething-1,DC=nhs,DC=test
//	}
//
// Samba's LDAP ports are fixed, so every DC needs its own address: Start
// takes the first 127.0.10.N whose lock file it can flock, and holds the lock
// until Stop (or until the process dies, when the kernel drops it). Test
// packages, which go test runs in parallel as separate processes, never share
// an address.
//
// Nothing can outlive the test binary: Samba runs in the foreground with its
// stdin on a pipe whose other end only the test process holds, and Samba
// ends itself when that pipe reaches end of file. A test binary killed with
// SIGKILL, or one that never calls Stop, therefore takes its DC with it
// within a second or two. What a killed binary does leave (the address on lo
// and the state directory under the system temp dir, both named for the
// address) is cleared by the next Start that takes the same address.
//
// Starting needs root (Samba binds ports below 1024, the script adds the
// address to lo and installs the Debian packages when missing). Without it,
// or with CONNECTORD_SKIP_SAMBA=1, tests skip. scripts/test.sh and CI run as
// root, so there the tests always run. docs/testing.md has more.
package sambatest

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-ldap/ldap/v3"

	"connectord/internal/stackscript"
)

// SkipEnv names the environment variable that, set to 1, makes tests skip.
const SkipEnv = "CONNECTORD_SKIP_SAMBA"

// startTimeout covers installing the packages (about 40 s), making the
// template on a loaded machine (a minute or more) and waiting for another
// package that is making it.
const (
	startTimeout = 10 * time.Minute
	stopTimeout  = 20 * time.Second
	opTimeout    = time.Minute
)

// DC is a running domain controller. Its LDAP servers listen on Addr only.
type DC struct {
	Addr         string // 127.0.10.N
	LDAPSURL     string // ldaps://Addr:636
	LDAPURL      string // ldap://Addr:389; a bind there needs StartTLS
	BaseDN       string // DC=nhs,DC=test
	BindDN       string // the Administrator
	Password     string // the Administrator's password
	PasswordFile string // a file holding Password (mode 0600)
	CAFile       string // the CA that signed the DC's certificate (SAN Addr, localhost)
	Dir          string // all state; removed by Stop

	script string
	cmd    *exec.Cmd
	stdin  io.WriteCloser // closing it ends Samba
	exited chan struct{}  // closed when the process has exited
	lock   *os.File       // the flock on Addr
	roots  *x509.CertPool
	ous    atomic.Int64
}

// Options change how Start runs Samba.
type Options struct {
	// Sync makes the databases fsync every write, as a real DC does. By
	// default a test DC skips fsync (ldb:nosync): its data is thrown away.
	Sync bool
	// Model is Samba's process model: "single" (the default) or "prefork".
	Model string
	// SchemaUpdates lets the schema be changed over LDAP (to index an
	// attribute, say; see Reindex).
	SchemaUpdates bool
}

// Start starts a DC on a free 127.0.10.N and waits until it answers a bind
// over LDAPS. The caller must Stop it.
func Start(ctx context.Context, opts Options) (*DC, error) {
	script, err := stackscript.Find("sambadc.sh")
	if err != nil {
		return nil, err
	}
	lock, addr, err := claimAddress()
	if err != nil {
		return nil, err
	}
	return startOn(ctx, opts, script, lock, addr)
}

// startOn starts a DC on addr, whose lock the caller holds in lock.
func startOn(ctx context.Context, opts Options, script string, lock *os.File, addr string) (*DC, error) {
	dc := &DC{Addr: addr, lock: lock, script: script, exited: make(chan struct{}),
		Dir: filepath.Join(os.TempDir(), "sambatest", addr)}
	if err := dc.start(ctx, opts); err != nil {
		dc.Stop()
		return nil, err
	}
	return dc, nil
}

func (dc *DC) start(ctx context.Context, opts Options) error {
	// A test binary killed earlier may have left its directory and the
	// address on lo; its Samba has ended (or is ending) with its stdin.
	if _, err := os.Stat(dc.Dir); err == nil {
		if out, err := dc.runScript("stop", dc.Dir); err != nil {
			return fmt.Errorf("clear %s: %w\n%s", dc.Dir, err, out)
		}
		if err := os.RemoveAll(dc.Dir); err != nil {
			return fmt.Errorf("clear %s: %w", dc.Dir, err)
		}
	}
	if err := os.MkdirAll(dc.Dir, 0o755); err != nil {
		return fmt.Errorf("make DC dir: %w", err)
	}
	logf, err := os.Create(filepath.Join(dc.Dir, "script.log"))
	if err != nil {
		return fmt.Errorf("make DC log: %w", err)
	}
	defer logf.Close()
	dc.cmd = exec.Command("bash", dc.script, "run", dc.Dir, dc.Addr)
	dc.cmd.Env = stackscript.CleanEnv("SAMBADC_")
	if !opts.Sync {
		dc.cmd.Env = append(dc.cmd.Env, "SAMBADC_NOSYNC=1")
	}
	if opts.Model != "" {
		dc.cmd.Env = append(dc.cmd.Env, "SAMBADC_MODEL="+opts.Model)
	}
	if opts.SchemaUpdates {
		dc.cmd.Env = append(dc.cmd.Env, "SAMBADC_SCHEMA_UPDATES=1")
	}
	dc.cmd.Stdout, dc.cmd.Stderr = logf, logf
	// Its own process group, so Stop can end a script still provisioning.
	dc.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if dc.stdin, err = dc.cmd.StdinPipe(); err != nil {
		return fmt.Errorf("start DC: %w", err)
	}
	if err := dc.cmd.Start(); err != nil {
		return fmt.Errorf("start DC: %w", err)
	}
	go func() {
		dc.cmd.Wait()
		close(dc.exited)
	}()
	return dc.waitReady(ctx)
}

// waitReady waits for the script's env file and then for a bind over LDAPS.
func (dc *DC) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if dc.LDAPSURL == "" {
			last = dc.load()
		}
		if dc.LDAPSURL != "" {
			if last = dc.ping(); last == nil {
				return nil
			}
		}
		select {
		case <-dc.exited:
			return fmt.Errorf("sambadc.sh run exited: %v\n%s", dc.cmd.ProcessState, dc.LogTail(20))
		case <-ctx.Done():
			return fmt.Errorf("DC on %s not ready: %v (last: %v)\n%s", dc.Addr, ctx.Err(), last, dc.LogTail(20))
		case <-tick.C:
		}
	}
}

// load fills the fields from DIR/sambadc.env, once the script wrote it.
func (dc *DC) load() error {
	env, err := readEnv(filepath.Join(dc.Dir, "sambadc.env"))
	if err != nil {
		return err
	}
	pem, err := os.ReadFile(env["SAMBADC_CA_CERT"])
	if err != nil {
		return fmt.Errorf("read DC CA: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return fmt.Errorf("no certificate in %s", env["SAMBADC_CA_CERT"])
	}
	pwFile := filepath.Join(dc.Dir, "admin.pass")
	if err := os.WriteFile(pwFile, []byte(env["SAMBADC_PASSWORD"]+"\n"), 0o600); err != nil {
		return fmt.Errorf("write DC password file: %w", err)
	}
	dc.roots, dc.CAFile, dc.PasswordFile = roots, env["SAMBADC_CA_CERT"], pwFile
	dc.BaseDN, dc.BindDN, dc.Password = env["SAMBADC_BASE_DN"], env["SAMBADC_BIND_DN"], env["SAMBADC_PASSWORD"]
	dc.LDAPURL, dc.LDAPSURL = env["SAMBADC_LDAP_URL"], env["SAMBADC_LDAPS_URL"]
	return nil
}

// ping binds as the Administrator over LDAPS.
func (dc *DC) ping() error {
	c, err := dc.dial()
	if err != nil {
		return err
	}
	return c.Close()
}

func (dc *DC) dial() (*ldap.Conn, error) {
	c, err := ldap.DialURL(dc.LDAPSURL, ldap.DialWithTLSConfig(dc.TLSConfig()))
	if err != nil {
		return nil, err
	}
	c.SetTimeout(opTimeout)
	if err := c.Bind(dc.BindDN, dc.Password); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// TLSConfig trusts the DC's CA and expects the name Addr.
func (dc *DC) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: dc.roots, ServerName: dc.Addr, MinVersion: tls.VersionTLS12}
}

// Stop ends Samba (by closing its stdin, then by SIGKILL after 20 s),
// takes the address off lo, removes the directory and releases the address.
func (dc *DC) Stop() error {
	var errs []error
	if dc.cmd != nil && dc.cmd.Process != nil {
		dc.stdin.Close()
		select {
		case <-dc.exited:
		case <-time.After(stopTimeout):
			syscall.Kill(-dc.cmd.Process.Pid, syscall.SIGKILL)
			<-dc.exited
		}
	}
	if _, err := os.Stat(dc.Dir); err == nil {
		if out, err := dc.runScript("stop", dc.Dir); err != nil {
			errs = append(errs, fmt.Errorf("sambadc.sh stop: %w\n%s", err, out))
		} else if err := os.RemoveAll(dc.Dir); err != nil {
			errs = append(errs, fmt.Errorf("remove DC dir: %w", err))
		}
	}
	if dc.lock != nil {
		dc.lock.Close() // releases the flock
		dc.lock = nil
	}
	return errors.Join(errs...)
}

// LogTail returns the last n lines of the script's and Samba's logs.
func (dc *DC) LogTail(n int) string {
	var b strings.Builder
	for _, f := range []string{"script.log", "samba.log"} {
		tail, err := stackscript.Tail(filepath.Join(dc.Dir, f), n)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", f, tail)
	}
	return b.String()
}

// Pid is Samba's process id.
func (dc *DC) Pid() int { return dc.cmd.Process.Pid }

func (dc *DC) runScript(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{dc.script}, args...)...)
	cmd.Env = stackscript.CleanEnv("SAMBADC_")
	return cmd.CombinedOutput()
}

// readEnv parses the KEY=VALUE lines the script writes.
func readEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env, sc.Err()
}
