package benchprof

import (
	"os"
	"strings"
	"testing"
)

func load(t *testing.T) *Profile {
	t.Helper()
	f, err := os.Open("testdata/process.perf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func seconds(rows []Row) map[string]float64 {
	m := map[string]float64{}
	for _, r := range rows {
		m[r.Name] = r.Seconds
	}
	return m
}

func TestParse(t *testing.T) {
	p := load(t)
	if len(p.Samples) != 5 {
		t.Fatalf("%d samples, want 5", len(p.Samples))
	}
	if got := p.Total(); got != 0.006 {
		t.Errorf("total %v s, want 0.006", got)
	}
	first := p.Samples[0].Frames
	if len(first) != 6 || first[0].Func != "pvm_irq_enable" || !first[0].Kernel || first[3].Func != "connectord/store.(*DirectoryTx).ByLocalID" || first[3].Kernel {
		t.Errorf("first sample's frames %+v", first)
	}
	if f := p.Samples[3].Frames; len(f) != 1 || f[0].Func != "[unknown]" {
		t.Errorf("unknown frame read as %+v", f)
	}
	if _, err := Parse(strings.NewReader("garbage\n")); err == nil {
		t.Error("a line that is no sample header: no error")
	}
}

func TestFlatAndCumulative(t *testing.T) {
	p := load(t)
	flat := seconds(p.Flat(0))
	if flat["runtime.scanobject"] != 0.002 || flat["modernc.org/sqlite/lib.Xsqlite3_step"] != 0.001 || flat["pvm_irq_enable"] != 0.001 {
		t.Errorf("flat %v", flat)
	}
	cum := seconds(p.Cumulative(0))
	// Run is on three stacks; Next twice on one stack counts once.
	if cum["connectord/provision.(*Processor).Run"] != 0.003 || cum["connectord/pushfile.(*Reader).Next"] != 0.001 {
		t.Errorf("cumulative %v", cum)
	}
	if top := p.Cumulative(1); len(top) != 1 || top[0].Name != "connectord/provision.(*Processor).Run" {
		t.Errorf("top 1 by cumulative time: %v", top)
	}
}

// The preset's parts add up to the whole, each sample in its first group.
func TestPartition(t *testing.T) {
	p := load(t)
	pre, err := PresetNamed("process")
	if err != nil {
		t.Fatal(err)
	}
	rows := p.Partition(pre.Parts)
	var sum float64
	for _, r := range rows {
		sum += r.Seconds
	}
	if sum != p.Total() {
		t.Errorf("parts add up to %v, total %v", sum, p.Total())
	}
	got := seconds(rows)
	for name, want := range map[string]float64{
		"Local ID lookup (DirectoryTx.ByLocalID)":                      0.001,
		"address probing (run.newAddress: AddressTaken per candidate)": 0.001,
		"creating the rest (insert, audit, Local ID, password)":        0,
		"reading and validating the CSV (pushfile.Reader)":             0.001,
		"garbage collection (background mark, assists, sweep)":         0.002,
		"other": 0.001,
	} {
		if got[name] != want {
			t.Errorf("%s: %v s, want %v", name, got[name], want)
		}
	}
	across := seconds(p.Across(pre.Across))
	if across["SQLite (modernc.org/sqlite and its libc)"] != 0.002 || across["in the kernel (system calls, page faults)"] != 0.001 || across["allocation (runtime.mallocgc)"] != 0.001 {
		t.Errorf("across %v", across)
	}
}

func TestParseGroup(t *testing.T) {
	g, err := ParseGroup("lookups=ByLocalID|ByAddress")
	if err != nil || g.Name != "lookups" || !g.RE.MatchString("x.ByAddress") {
		t.Errorf("ParseGroup: %+v, %v", g, err)
	}
	for _, bad := range []string{"no equals", "bad=("} {
		if _, err := ParseGroup(bad); err == nil {
			t.Errorf("ParseGroup(%q): no error", bad)
		}
	}
	for _, name := range []string{"process", "import", "ingest"} {
		if _, err := PresetNamed(name); err != nil {
			t.Errorf("PresetNamed(%s): %v", name, err)
		}
	}
	if _, err := PresetNamed("batch"); err == nil {
		t.Error("PresetNamed(batch): no error")
	}
}

func TestReport(t *testing.T) {
	var b strings.Builder
	pre, _ := PresetNamed("ingest")
	if err := load(t).Report(&b, pre, 3); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 samples, 0.01 s of CPU", "where the time goes", "top 3 by cumulative time:", "33.3%", "other"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	if err := (&Profile{}).Report(&b, pre, 3); err == nil {
		t.Error("an empty profile: no error")
	}
}
