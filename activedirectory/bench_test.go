package activedirectory

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectord/internal/sambatest"

	"github.com/go-ldap/ldap/v3"
)

// BenchmarkDirectory is the speed probe for docs/performance.md: on a Samba
// DC that fsyncs as a real one does, it creates AD_BENCH_ROWS (2,000) users
// with passwords and changes two attributes of as many, through this
// package with 1, 2 and 4 operations in flight (on one connection, and on
// as many connections), beside ldapadd and ldapmodify applying the
// equivalent LDIF (passwords included), each on a fresh DC; then it looks
// Local IDs up in batches of several sizes, before and after indexing the
// Local ID attribute. Every figure is rows (or IDs) per second. Run as root:
//
//	go test ./activedirectory -run '^$' -bench Directory -benchtime 1x -timeout 60m
//
// AD_BENCH_MODEL=single|prefork (default both) picks Samba's process model.
func BenchmarkDirectory(b *testing.B) {
	sambatest.SkipUnlessRunnable(b)
	rows := 2000
	if n, err := strconv.Atoi(os.Getenv("AD_BENCH_ROWS")); err == nil && n > 0 {
		rows = n
	}
	models := []string{"single", "prefork"}
	if m := os.Getenv("AD_BENCH_MODEL"); m != "" {
		models = []string{m}
	}
	ways := []struct {
		name          string
		inflight, dcs int
	}{{"inflight=1", 1, 1}, {"inflight=2", 2, 1}, {"inflight=4", 4, 1}, {"conns=2", 2, 2}, {"conns=4", 4, 4}}
	for _, model := range models {
		b.Run(model+"/create/ldapadd", func(b *testing.B) { benchTool(b, model, rows, "ldapadd", createLDIF) })
		for _, w := range ways {
			b.Run(model+"/create/"+w.name, func(b *testing.B) { benchCreate(b, model, rows, w.inflight, w.dcs) })
		}
		b.Run(model+"/modify/ldapmodify", func(b *testing.B) { benchTool(b, model, rows, "ldapmodify", modifyLDIF) })
		for _, w := range ways {
			b.Run(model+"/modify/"+w.name, func(b *testing.B) { benchModify(b, model, rows, w.inflight, w.dcs) })
		}
		b.Run(model+"/lookup", func(b *testing.B) { benchLookup(b, model, rows) })
	}
}

// bench is one fresh DC with an organisation to work in.
type bench struct {
	dc   *sambatest.DC
	cfg  Config
	ou   string // base_dn
	org  string // the organisation's container
	rows int
}

func newBench(b *testing.B, model string, rows int) *bench {
	b.Helper()
	dc, err := sambatest.Start(context.Background(), sambatest.Options{Sync: true, Model: model, SchemaUpdates: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { dc.Stop() })
	ou := dc.OU(b)
	bn := &bench{dc: dc, cfg: testConfig(dc, ou), ou: ou, org: "OU=RR8," + ou, rows: rows}
	req := ldap.NewAddRequest(bn.org, nil)
	req.Attribute("objectClass", []string{"organizationalUnit"})
	if err := dc.Conn(b).Add(req); err != nil {
		b.Fatal(err)
	}
	return bn
}

func (bn *bench) dial(b *testing.B) *Client {
	c, err := Dial(context.Background(), bn.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// benchUser is row i: the same values for the tools and for this package.
func benchUser(i int) NewUser {
	u := newUser("RR8", fmt.Sprintf("RR8-%d", i), "Bench", fmt.Sprintf("User%d", i), fmt.Sprintf("bench.user%d@nhs.net", i), "Initial-Passw0rd")
	u.Values[DisplayName], u.Values[JobTitle], u.Values[OfficePhone], u.Values[OrganisationUnit] =
		fmt.Sprintf("Bench User%d", i), "Nurse", "0113 000 0000", "D123"
	return u
}

func createLDIF(bn *bench, w io.Writer, i int) {
	u := benchUser(i)
	fmt.Fprintf(w, "dn: CN=%s,%s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n"+
		"sAMAccountName: bench.user%d\nuserPrincipalName: %s\nmail: %s\nemployeeID: %s\ngivenName: %s\nsn: %s\ndisplayName: %s\n"+
		"title: %s\ntelephoneNumber: %s\ndepartment: %s\nunicodePwd:: %s\nuserAccountControl: 512\npwdLastSet: 0\n\n",
		u.Values[DisplayName], bn.org, i, u.Address, u.Address, u.LocalID, u.Values[FirstName], u.Values[LastName],
		u.Values[DisplayName], u.Values[JobTitle], u.Values[OfficePhone], u.Values[OrganisationUnit],
		base64.StdEncoding.EncodeToString([]byte(unicodePwd(u.Password))))
}

func modifyLDIF(bn *bench, w io.Writer, i int) {
	fmt.Fprintf(w, "dn: CN=Bench User%d,%s\nchangetype: modify\nreplace: title\ntitle: Matron\n-\nreplace: telephoneNumber\ntelephoneNumber: 0113 111 %04d\n-\n\n",
		i, bn.org, i)
}

// fixtureUsers puts n users into the directory without timing (ldbadd),
// without passwords (so disabled).
func (bn *bench) fixtureUsers(b *testing.B, n int) {
	var ldif, entry strings.Builder
	for i := range n {
		entry.Reset()
		createLDIF(bn, &entry, i)
		for _, line := range strings.SplitAfter(entry.String(), "\n") {
			if !strings.HasPrefix(line, "unicodePwd:") && !strings.HasPrefix(line, "userAccountControl:") && !strings.HasPrefix(line, "pwdLastSet:") {
				ldif.WriteString(line)
			}
		}
	}
	bn.dc.AddLDIF(b, ldif.String())
}

// benchTool times an OpenLDAP tool applying the rows' LDIF, sequentially
// over LDAPS, as one process.
func benchTool(b *testing.B, model string, rows int, tool string, entry func(*bench, io.Writer, int)) {
	bn := newBench(b, model, rows)
	if tool == "ldapmodify" {
		bn.fixtureUsers(b, rows)
	}
	file := filepath.Join(b.TempDir(), "rows.ldif")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	for i := range rows {
		entry(bn, f, i)
	}
	f.Close()
	b.ResetTimer()
	start := time.Now()
	cmd := exec.Command(tool, "-H", bn.dc.LDAPSURL, "-x", "-D", bn.dc.BindDN, "-w", bn.dc.Password, "-f", file)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+bn.dc.CAFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", tool, err, out[max(0, len(out)-2000):])
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

// run spreads the rows over inflight workers, worker k using clients[k%len].
func run(b *testing.B, rows, inflight int, clients []*Client, op func(*Client, int) error) {
	b.ResetTimer()
	start := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for k := range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := op(clients[k%len(clients)], i); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

func benchCreate(b *testing.B, model string, rows, inflight, conns int) {
	bn := newBench(b, model, rows)
	clients := make([]*Client, conns)
	for k := range clients {
		clients[k] = bn.dial(b)
		if _, err := clients[k].EnsureOrganisation(context.Background(), "RR8"); err != nil {
			b.Fatal(err)
		}
	}
	run(b, rows, inflight, clients, func(c *Client, i int) error {
		_, err := c.CreateUser(context.Background(), benchUser(i))
		return err
	})
}

func benchModify(b *testing.B, model string, rows, inflight, conns int) {
	bn := newBench(b, model, rows)
	bn.fixtureUsers(b, rows)
	clients := make([]*Client, conns)
	for k := range clients {
		clients[k] = bn.dial(b)
	}
	run(b, rows, inflight, clients, func(c *Client, i int) error {
		var v Values
		v[JobTitle], v[OfficePhone] = "Matron", fmt.Sprintf("0113 111 %04d", i)
		return c.Update(context.Background(), fmt.Sprintf("CN=Bench User%d,%s", i, bn.org), &v, JobTitle, OfficePhone)
	})
}

// benchLookup looks 1,000 Local IDs up (half of them there) among 5×rows
// users, in batches of each size, with employeeID as the schema has it (not
// indexed), then indexed.
func benchLookup(b *testing.B, model string, rows int) {
	rows *= 5
	bn := newBench(b, model, rows)
	bn.fixtureUsers(b, rows)
	c := bn.dial(b)
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("RR8-%d", i*rows/500) // every second one past rows
	}
	sizes := []int{1, 10, 50, 200, 500, 1000}
	lookups := func(index string) {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/batch=%d", index, n), func(b *testing.B) {
				c.cfg.LookupBatch = n
				for b.Loop() {
					start := time.Now()
					if _, err := c.LookupLocalIDs(context.Background(), ids); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(len(ids))/time.Since(start).Seconds(), "ids/s")
				}
			})
		}
	}
	lookups("unindexed")
	req := ldap.NewModifyRequest("CN=Employee-ID,CN=Schema,CN=Configuration,"+bn.dc.BaseDN, nil)
	req.Replace("searchFlags", []string{"1"})
	if err := bn.dc.Conn(b).Modify(req); err != nil {
		b.Fatalf("index employeeID: %v", err)
	}
	bn.dc.Reindex(b)
	lookups("indexed")
}
