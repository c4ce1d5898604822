package directoryfile

import (
	"fmt"
	"strings"
)

// normName matches header cells case-insensitively, ignoring spaces,
// underscores and hyphens, as push files do.
func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r == ' ' || r == '_' || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// columnIndex maps wanted column names to their positions in header.
// Missing required columns, unknown and repeated columns are problems.
func columnIndex(header []string, known []string, required []string) (map[string]int, []string) {
	want := map[string]string{}
	for _, k := range known {
		want[normName(k)] = k
	}
	idx := map[string]int{}
	var problems []string
	for i, h := range header {
		k, ok := want[normName(h)]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("unknown column %q (the columns are: %s)", h, strings.Join(known, ", ")))
		default:
			if _, dup := idx[k]; dup {
				problems = append(problems, fmt.Sprintf("column %q appears twice", k))
				continue
			}
			idx[k] = i
		}
	}
	for _, r := range required {
		if _, ok := idx[r]; !ok {
			problems = append(problems, fmt.Sprintf("missing column %q", r))
		}
	}
	return idx, problems
}

// cell returns the trimmed cell of column name, or "".
func cell(rec []string, idx map[string]int, name string) string {
	i, ok := idx[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
