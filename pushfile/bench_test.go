package pushfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"testing"

	"connectord/internal/synth"
)

// benchRows is the size of the generated benchmark file.
const benchRows = 100_000

// benchFile returns a new-format file of n rows with every column filled in
// the way a real export would be: mostly valid, a few rows broken.
func benchFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("\uFEFFID,Title,FirstName,LastName,Local ID,Organisation,OrganisationUnit,JobTitle,ClinicalRole," +
		"ClinicalSpeciality,WorkArea,EmailSize,OfficePhone,MobilePhone,Fax,Pager,Password\r\n")
	titles := []string{"Dr", "Mrs", "Mr", "Ms", "Prof", ""}
	roles := []string{"Doctor", "Nurse", "Nurse,Midwife", "Allied Health Professional", ""}
	specs := []string{"Cardiology", "General Practice", "Clinical Genetics,Public Health", "", "Oncology"}
	for i := range n {
		pw := ""
		if i%10 == 0 {
			pw = "Passw0rd!"
		}
		fmt.Fprintf(&b, "%d,%s,Firstname%d,Lastname%d,LID%08d,RR8,DRR81,Staff Nurse Band %d,%q,%q,Acute Care,%d,0113 392 %04d,07700 9%05d,,,%s\r\n",
			i, titles[i%len(titles)], i, i, i, i%9, roles[i%len(roles)], specs[i%len(specs)], 1+i%10, i%10000, i%100000, pw)
	}
	return b.Bytes()
}

// BenchmarkBareCSV is the floor: encoding/csv alone over the same file.
func BenchmarkBareCSV(b *testing.B) {
	data := benchFile(benchRows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.ReuseRecord = true
		cr.FieldsPerRecord = -1
		for {
			if _, err := cr.Read(); err != nil {
				if !errors.Is(err, io.EOF) {
					b.Fatal(err)
				}
				break
			}
		}
	}
}

// BenchmarkValidate is the whole job: Open, every row checked, and the
// results written.
func BenchmarkValidate(b *testing.B) {
	data := benchFile(benchRows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		validateAll(b, data)
	}
}

// validateAll is the whole job: Open, every row checked, and the results
// written.
func validateAll(b *testing.B, data []byte) {
	r, err := Open(bytes.NewReader(data), Options{})
	if err != nil {
		b.Fatal(err)
	}
	w, err := NewResultsWriter(io.Discard, r)
	if err != nil {
		b.Fatal(err)
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		res := Result{Status: "PROCESSED_NEW", Detail: row.Detail()}
		if !row.Valid() {
			res.Status = "INVALID"
		}
		if err := w.Write(row, res); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// TestBenchFileIsValid keeps the benchmark honest: its rows must pass.
func TestBenchFileIsValid(t *testing.T) {
	rows := mustReadAll(t, string(benchFile(200)), Options{})
	for _, row := range rows {
		if !row.Valid {
			t.Fatalf("line %d: %s", row.Line, row.Detail)
		}
	}
}

// BenchmarkRealShape is BenchmarkBareCSV beside BenchmarkValidate on the
// push file of scripts/bench.sh's real shape (synth.RealShape), 100,000
// rows sorted by surname.
func BenchmarkRealShape(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.RealShape(benchRows).PushFile(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.Run("bare-csv", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			cr := csv.NewReader(bytes.NewReader(data))
			cr.ReuseRecord = true
			cr.FieldsPerRecord = -1
			for {
				if _, err := cr.Read(); err != nil {
					if !errors.Is(err, io.EOF) {
						b.Fatal(err)
					}
					break
				}
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			validateAll(b, data)
		}
	})
}
