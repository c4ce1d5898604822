package ldapdirectory

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"connectord/activedirectory"
	"connectord/directoryfile"
	"connectord/internal/sambatest"
	"connectord/provision"
	"connectord/pushfile"
	"connectord/store"
)

// BenchmarkApply is the speed table of docs/performance.md: a push file of
// AD_BENCH_ROWS (5,000) new users, and one of as many changes (JobTitle and
// OfficePhone), applied by connectord to a Samba DC that fsyncs as a real
// one does, beside ldapadd and ldapmodify applying the equivalent LDIF
// (passwords included), each on a fresh DC. It reports rows per second and
// the most heap the run held. Run as root:
//
//	go test ./ldapdirectory -run '^$' -bench Apply -benchtime 1x -timeout 90m
func BenchmarkApply(b *testing.B) {
	sambatest.SkipUnlessRunnable(b)
	rows := 5000
	if n, err := strconv.Atoi(os.Getenv("AD_BENCH_ROWS")); err == nil && n > 0 {
		rows = n
	}
	b.Run("create/ldapadd", func(b *testing.B) { benchTool(b, rows, "ldapadd", false) })
	b.Run("create/connectord", func(b *testing.B) { benchConnectord(b, rows, false) })
	b.Run("change/ldapmodify", func(b *testing.B) { benchTool(b, rows, "ldapmodify", true) })
	b.Run("change/connectord", func(b *testing.B) { benchConnectord(b, rows, true) })
}

const benchPassword = "Bench!Passw0rd-1"

// benchDC is a fresh DC that fsyncs, with the organisation RR8's container;
// with users, it holds rows users (Local IDs B0…) made without timing.
func benchDC(b *testing.B, rows int, users bool) (*sambatest.DC, string) {
	b.Helper()
	dc, err := sambatest.Start(context.Background(), sambatest.Options{Sync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { dc.Stop() })
	ou := dc.OU(b)
	var ldif strings.Builder
	fmt.Fprintf(&ldif, "dn: OU=RR8,%s\nobjectClass: organizationalUnit\n\n", ou)
	if users {
		for i := range rows {
			fmt.Fprintf(&ldif, "dn: CN=Bench User%d,OU=RR8,%s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"+
				"objectClass: user\nsAMAccountName: bench.user%d\nuserPrincipalName: bench.user%d@bench.nhs.net\n"+
				"mail: bench.user%d@bench.nhs.net\nemployeeID: B%d\ngivenName: Bench\nsn: User%d\ndisplayName: Bench User%d\n"+
				"title: Nurse\ndepartment: DRR801\n\n", i, ou, i, i, i, i, i, i)
		}
	}
	dc.AddLDIF(b, ldif.String())
	return dc, ou
}

// benchTool times an OpenLDAP tool applying the equivalent LDIF over LDAPS.
func benchTool(b *testing.B, rows int, tool string, change bool) {
	dc, ou := benchDC(b, rows, change)
	file := filepath.Join(b.TempDir(), "rows.ldif")
	var ldif bytes.Buffer
	pw := base64.StdEncoding.EncodeToString(utf16le(`"` + benchPassword + `"`))
	for i := range rows {
		if change {
			fmt.Fprintf(&ldif, "dn: CN=Bench User%d,OU=RR8,%s\nchangetype: modify\nreplace: title\ntitle: Matron\n-\n"+
				"replace: telephoneNumber\ntelephoneNumber: 0113 111 %04d\n-\n\n", i, ou, i%10000)
			continue
		}
		fmt.Fprintf(&ldif, "dn: CN=Bench User%d,OU=RR8,%s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"+
			"objectClass: user\nsAMAccountName: bench.user%d\nuserPrincipalName: bench.user%d@bench.nhs.net\n"+
			"mail: bench.user%d@bench.nhs.net\nemployeeID: B%d\ngivenName: Bench\nsn: User%d\ndisplayName: Bench User%d\n"+
			"title: Nurse\ndepartment: DRR801\nunicodePwd:: %s\nuserAccountControl: 512\npwdLastSet: 0\n\n", i, ou, i, i, i, i, i, i, pw)
	}
	if err := os.WriteFile(file, ldif.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	cmd := exec.Command(tool, "-H", dc.LDAPSURL, "-x", "-D", dc.BindDN, "-w", dc.Password, "-f", file)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+dc.CAFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", tool, err, out[max(0, len(out)-2000):])
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

// benchConnectord times Processor.Apply of the equivalent push file.
func benchConnectord(b *testing.B, rows int, change bool) {
	dc, ou := benchDC(b, rows, change)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "c.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	orgs, err := directoryfile.ReadOrganisations(strings.NewReader("Organisation,Name,CreationLimit,OrganisationUnits\r\nRR8,Leeds,1000000,DRR801\r\n"), "orgs.csv")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.PutOrganisations(ctx, orgs); err != nil {
		b.Fatal(err)
	}
	if err := st.PutSender(ctx, "bench@nhs.net", []string{"RR8"}, "bench", time.Now()); err != nil {
		b.Fatal(err)
	}
	sender, err := st.Sender(ctx, "bench@nhs.net")
	if err != nil {
		b.Fatal(err)
	}
	var file bytes.Buffer
	file.WriteString("FirstName,LastName,Local ID,Organisation,OrganisationUnit,JobTitle,OfficePhone,Password\r\n")
	for i := range rows {
		if change {
			fmt.Fprintf(&file, "Bench,User%d,B%d,RR8,,Matron,0113 111 %04d,\r\n", i, i, i%10000)
		} else {
			fmt.Fprintf(&file, "Bench,User%d,B%d,RR8,DRR801,Nurse,,%s\r\n", i, i, benchPassword)
		}
	}
	cfg := activedirectory.Config{URL: dc.LDAPSURL, CAFile: dc.CAFile, BindDN: dc.BindDN, PasswordFile: dc.PasswordFile,
		BaseDN: ou, OrganisationDN: "OU={organisation}," + ou, Attributes: map[string]string{"OrganisationUnit": "department"},
		Timeout: time.Minute}
	c, err := activedirectory.Dial(ctx, cfg, testLogB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	reg, err := st.Registry(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	peak := watchHeap()
	b.ResetTimer()
	start := time.Now()
	p := &provision.Processor{Domain: "bench.nhs.net"}
	sum, err := p.Apply(ctx, New(c, tx, Options{}), provision.File{Name: "bench.csv", Data: bytes.NewReader(file.Bytes()),
		Read: pushfile.Options{Registry: reg}}, provision.Job{Sender: sender, Now: time.Now(), Results: io.Discard})
	took := time.Since(start)
	heap := peak()
	if err != nil {
		b.Fatal(err)
	}
	want := provision.New
	if change {
		want = provision.Updated
	}
	if sum.Counts[want] != rows {
		b.Fatalf("got %v, want %d %s", sum.Counts, rows, want)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
	st2 := c.Stats()
	b.ReportMetric(float64(st2.Searches)/float64(rows), "searches/row")
}

// watchHeap samples the heap in use until the returned function is called,
// which returns the most it saw.
func watchHeap() func() uint64 {
	var mu sync.Mutex
	var most uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			mu.Lock()
			most = max(most, m.HeapInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return most
	}
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(out[2*i:], c)
	}
	return out
}

func testLogB(*testing.B) *slog.Logger { return slog.New(slog.DiscardHandler) }
