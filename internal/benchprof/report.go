package benchprof

import (
	"fmt"
	"io"
)

// Report writes the summary: the preset's parts and cross-cutting
// shares, then the top n functions by cumulative and by flat time.
func (p *Profile) Report(w io.Writer, pre Preset, n int) error {
	total := p.Total()
	if total == 0 {
		return fmt.Errorf("the profile has no samples")
	}
	pct := func(s float64) float64 { return 100 * s / total }
	fmt.Fprintf(w, "%d samples, %.2f s of CPU\n\n", len(p.Samples), total)
	section := func(title string, rows []Row) {
		fmt.Fprintf(w, "%s\n", title)
		for _, r := range rows {
			fmt.Fprintf(w, "  %6.1f%% %8.2fs  %s\n", pct(r.Seconds), r.Seconds, r.Name)
		}
		fmt.Fprintln(w)
	}
	section("where the time goes (each sample in the first group that matches):", p.Partition(pre.Parts))
	section("across those (a sample may count in several):", p.Across(pre.Across))
	section(fmt.Sprintf("top %d by cumulative time:", n), p.Cumulative(n))
	section(fmt.Sprintf("top %d by flat time:", n), p.Flat(n))
	return nil
}
